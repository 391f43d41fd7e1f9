"""The student self-checks pass the reference and name the mistake when a function is wrong."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from reference.initializers import (
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
)
from tests import published

ASSIGNMENT = Path(__file__).resolve().parent.parent / "assignments" / "initialization"

Params = dict[str, np.ndarray]
Initializer = Callable[[list[int]], Params]


def load_public_tests() -> ModuleType:
    spec = importlib.util.spec_from_file_location("public_tests", ASSIGNMENT / "public_tests.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def public_tests() -> ModuleType:
    return load_public_tests()


def failure_of(check: Callable[[Initializer], None], target: Initializer) -> str:
    """The AssertionError message of ``check(target)`` (the test fails if it passes)."""
    with pytest.raises(AssertionError) as raised:
        check(target)
    return str(raised.value)


def named(name: str, function: Initializer) -> Initializer:
    function.__name__ = name
    return function


@pytest.mark.parametrize(
    ("method", "reference"),
    [
        ("zeros", initialize_parameters_zeros),
        ("random", initialize_parameters_random),
        ("he", initialize_parameters_he),
    ],
)
def test_each_check_passes_the_reference_and_says_so(public_tests, capsys, method, reference):
    getattr(public_tests, f"initialize_parameters_{method}_test")(reference)
    assert capsys.readouterr().out == f"All checks passed for {reference.__name__}.\n"


def test_xavier_passed_as_he_is_named_as_the_xavier_scale(public_tests, capsys):
    message = failure_of(public_tests.initialize_parameters_he_test, initialize_parameters_xavier)
    assert "W1 is 0.707x and W2 is 0.707x what He initialization expects" in message
    assert message.endswith("Did you use sqrt(1/n) (Xavier) instead of sqrt(2/n)?")
    printed = capsys.readouterr().out
    assert "initialize_parameters_xavier: 2 check(s) failed." in printed
    assert " - W2 differs" in printed


def test_transposed_weights_report_both_shapes_and_their_source(public_tests):
    def transposed(layers_dims):
        params = initialize_parameters_he(layers_dims)
        return {k: v.T if k.startswith("W") else v for k, v in params.items()}

    message = failure_of(public_tests.initialize_parameters_he_test, transposed)
    assert "W1 has shape (2, 4); expected (4, 2) = (layers_dims[1], layers_dims[0])" in message
    assert "transposed" in message


def test_a_missing_last_layer_names_the_missing_keys(public_tests):
    def one_short(layers_dims):
        params = initialize_parameters_zeros(layers_dims)
        last = len(layers_dims) - 1
        del params[f"W{last}"], params[f"b{last}"]
        return params

    message = failure_of(public_tests.initialize_parameters_zeros_test, one_short)
    assert "missing key(s) W2, b2" in message
    assert "L = 2 layers" in message


def test_unexpected_keys_are_named(public_tests):
    def extra(layers_dims):
        return {**initialize_parameters_zeros(layers_dims), "W0": np.zeros((3, 3))}

    message = failure_of(public_tests.initialize_parameters_zeros_test, extra)
    assert "unexpected key(s) W0" in message


def test_forgetting_to_return_points_at_the_return(public_tests):
    message = failure_of(public_tests.initialize_parameters_random_test, lambda dims: None)
    assert "returned NoneType; expected a dict of arrays. Did you forget `return parameters`?" in (
        message
    )


def test_the_unfinished_placeholders_are_named(public_tests):
    def stub(layers_dims):
        return {f"{kind}{layer}": None for layer in range(1, len(layers_dims)) for kind in "Wb"}

    message = failure_of(public_tests.initialize_parameters_he_test, stub)
    assert message.endswith("W1 is None: replace the `None` placeholder with your code.")


def test_flat_biases_get_a_column_vector_hint(public_tests):
    def flat(layers_dims):
        params = initialize_parameters_zeros(layers_dims)
        return {k: v.ravel() if k.startswith("b") else v for k, v in params.items()}

    message = failure_of(public_tests.initialize_parameters_zeros_test, flat)
    assert "b1 has shape (2,); expected (2, 1) = (layers_dims[1], 1)" in message
    assert "column vectors" in message


def test_integer_weights_are_a_dtype_failure(public_tests):
    def integers(layers_dims):
        params = initialize_parameters_zeros(layers_dims)
        return {k: v.astype(int) for k, v in params.items()}

    message = failure_of(public_tests.initialize_parameters_zeros_test, integers)
    assert "W1 has dtype int64; expected floating-point numbers (float64)" in message


def test_nonzero_biases_are_reported(public_tests):
    def ones(layers_dims):
        params = initialize_parameters_he(layers_dims)
        return {k: v + 1 if k.startswith("b") else v for k, v in params.items()}

    message = failure_of(public_tests.initialize_parameters_he_test, ones)
    assert "b1 should be all zeros; its largest entry is 1." in message


def test_random_weights_in_the_zeros_exercise_are_reported(public_tests):
    message = failure_of(public_tests.initialize_parameters_zeros_test, initialize_parameters_he)
    assert "W1 differs from the published values: W1[1, 0] is -1.5215354, expected 0." in message
    assert message.endswith("Every weight should be 0 for this initialization.")


def test_forgetting_the_factor_10_is_an_unscaled_draw(public_tests):
    def unscaled(layers_dims):
        params = initialize_parameters_random(layers_dims)
        return {k: v / 10 for k, v in params.items()}

    message = failure_of(public_tests.initialize_parameters_random_test, unscaled)
    assert "W1 is 0.1x and W2 is 0.1x what the large random initialization expects" in message
    assert message.endswith("Did you forget to scale the draws?")


def test_fan_out_instead_of_fan_in_is_named(public_tests):
    def fan_out(layers_dims):
        params = initialize_parameters_he(layers_dims)
        for layer in range(1, len(layers_dims)):
            params[f"W{layer}"] *= np.sqrt(layers_dims[layer - 1] / layers_dims[layer])
        return params

    message = failure_of(public_tests.initialize_parameters_he_test, fan_out)
    assert message.endswith("the size of the previous layer, not layers_dims[l].")


def test_reseeding_inside_the_loop_is_named(public_tests):
    def reseeded(layers_dims):
        params = {}
        for layer in range(1, len(layers_dims)):
            np.random.seed(3)
            shape = (layers_dims[layer], layers_dims[layer - 1])
            params[f"W{layer}"] = np.random.randn(*shape) * np.sqrt(2.0 / shape[1])
            params[f"b{layer}"] = np.zeros((shape[0], 1))
        return params

    message = failure_of(public_tests.initialize_parameters_he_test, reseeded)
    assert message.startswith("reseeded: W2 differs from the published values")
    assert "call np.random.seed(3) once, before the loop, not inside it" in message


def test_uniform_draws_are_named(public_tests):
    def uniform(layers_dims):
        np.random.seed(3)
        params = {}
        for layer in range(1, len(layers_dims)):
            params[f"W{layer}"] = np.random.rand(layers_dims[layer], layers_dims[layer - 1])
            params[f"b{layer}"] = np.zeros((layers_dims[layer], 1))
        return params

    message = failure_of(public_tests.initialize_parameters_random_test, uniform)
    assert message.endswith("use np.random.randn (normal), not rand (uniform).")


def test_a_function_that_raises_keeps_its_own_traceback(public_tests):
    def broken(layers_dims):
        return np.zeros(layers_dims[1], layers_dims[0])  # the classic missing parentheses

    with pytest.raises(AssertionError, match=r"broken\(\[3, 2, 1\]\) raised TypeError") as raised:
        public_tests.initialize_parameters_zeros_test(broken)
    assert isinstance(raised.value.__cause__, TypeError)


def test_changing_the_argument_is_reported(public_tests):
    def mutating(layers_dims):
        params = initialize_parameters_zeros(layers_dims)
        layers_dims.append(7)
        return params

    message = failure_of(public_tests.initialize_parameters_zeros_test, mutating)
    assert "changed its argument to [3, 2, 1, 7]" in message


def test_hard_coded_two_layers_fail_on_the_deeper_network(public_tests):
    def two_layers(layers_dims):
        return initialize_parameters_he(layers_dims[:3])

    message = failure_of(public_tests.initialize_parameters_he_test, two_layers)
    assert "missing key(s) W3, b3, W4, b4: layers_dims = [5, 4, 3, 2, 1]" in message


def test_the_published_block_holds_the_documented_values(public_tests):
    # The course's published values (see DESIGN.md), rounded to 8 decimals there.
    np.testing.assert_allclose(
        public_tests.PUBLISHED["random"]["W1"], published.RANDOM_3_2_1["W1"], atol=5e-9
    )
    np.testing.assert_allclose(
        public_tests.PUBLISHED["he"]["W2"],
        published.HE_2_4_1["W2"],
        atol=5e-9,
    )


def test_public_tests_import_nothing_from_the_project():
    tree = ast.parse((ASSIGNMENT / "public_tests.py").read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= {"__future__", "numpy"}


def test_a_terms_method_without_words_of_its_own_is_named_by_its_title(tmp_path, capsys):
    from dataclasses import replace

    from grader.authoring._public_tests import build_public_tests
    from grader.spec import METHODS, SPEC

    lecun = replace(METHODS["xavier"], title="LeCun")  # no hand-written name for it below
    spec = replace(SPEC, functions=(*SPEC.functions, lecun))
    path = ASSIGNMENT / "public_tests.py"
    text = build_public_tests(path.read_text(encoding="utf-8"), path, spec)
    namespace: dict = {"__name__": "term_public_tests"}
    exec(compile(text, "public_tests.py", "exec"), namespace)
    del namespace["METHOD_NAMES"]["xavier"]
    message = failure_of(namespace["initialize_parameters_xavier_test"], initialize_parameters_he)
    assert "what LeCun initialization expects. That is He's sqrt(2/n)." in message
    capsys.readouterr()
