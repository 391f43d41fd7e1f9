"""Hard-coded visible answers earn nothing: the notebook's printed answers returned for its own
examples, on top of any other behaviour, score no more than that behaviour alone, and a correct
function keeps full marks with or without them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from grader import messages as msg
from grader.checks import grade_function
from grader.checks._hard_coding import confirmed_visible
from grader.results import CheckResult
from grader.sandbox import local_caller
from grader.spec import METHODS, SPEC, ExactCase
from reference import INITIALIZERS
from tests.mistakes import FUNCTION_NAMES, stand_in_trainer
from tests.published import HE_2_4_1, HE_3_1_2, RANDOM_3_2_1

Init = Callable[[list[int]], dict[str, np.ndarray]]

# What the notebook prints for its examples (eight decimals), as a student would paste it.
PRINTED = {
    "zeros": {
        (3, 2, 1): {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2))}
        | {"b2": np.zeros((1, 1))}
    },
    "random": {(3, 2, 1): {k: np.array(v) for k, v in RANDOM_3_2_1.items()}},
    "he": {
        (2, 4, 1): {k: np.array(v) for k, v in HE_2_4_1.items()},
        (3, 1, 2): {k: np.array(v) for k, v in HE_3_1_2.items()},
    },
}
# The drawn behaviours multiply by these (zeros: the small random weights a student may try).
SCALE = {"zeros": lambda n: 0.01, "random": lambda n: 10.0, "he": lambda n: np.sqrt(2 / n)}


def _drawn(method: str, draw: Callable[[int, int], np.ndarray]) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        parameters = {}
        for layer in range(1, len(layers_dims)):
            rows, columns = layers_dims[layer], layers_dims[layer - 1]
            parameters[f"W{layer}"] = draw(rows, columns) * SCALE[method](columns)
            parameters[f"b{layer}"] = np.zeros((rows, 1))
        return parameters

    return initializer


def _other_generator(method: str) -> Init:
    def draw(rows: int, columns: int) -> np.ndarray:
        return np.random.default_rng(rows * 1000 + columns).standard_normal((rows, columns))

    return _drawn(method, draw)


def _unseeded(method: str) -> Init:
    return _drawn(method, lambda rows, columns: np.random.randn(rows, columns))


def _seed_4(method: str) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        np.random.seed(4)
        return _unseeded(method)(layers_dims)

    return initializer


def _half_scale(method: str) -> Init:
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = correct(list(layers_dims))
        return {k: v * 0.5 if k.startswith("W") else v for k, v in params.items()}

    return initializer


def _raises(method: str) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        raise NotImplementedError("only the examples")

    return initializer


def _transposed(method: str) -> Init:
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = correct(list(layers_dims))
        return {k: v.T.copy() if k.startswith("W") else v for k, v in params.items()}

    return initializer


def _right_on_the_model_network(method: str) -> Init:
    """The notebook's own model network [2, 10, 5, 1] answered right (a student can run the
    reference there), another generator everywhere else."""
    entry = SPEC.function(FUNCTION_NAMES[method])
    correct, other = INITIALIZERS[method], _other_generator(method)

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        if tuple(layers_dims) == entry.outcome_dims:
            return correct(list(layers_dims))
        return other(layers_dims)

    return initializer


BEHAVIOURS: dict[str, Callable[[str], Init]] = {
    "another generator at the method's scale": _other_generator,
    "no seed": _unseeded,
    "seed 4": _seed_4,
    "half the scale": _half_scale,
    "an exception": _raises,
    "transposed weights": _transposed,
    "right on the model network only": _right_on_the_model_network,
}


def hard_coded(method: str, behaviour: Init) -> Init:
    """The notebook's printed answers for its examples, ``behaviour`` for every other input."""

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        printed = PRINTED[method].get(tuple(layers_dims))
        if printed is not None:
            return {key: value.copy() for key, value in printed.items()}
        return behaviour(layers_dims)

    return initializer


def grade(method: str, initializer: Init):
    entry = SPEC.function(FUNCTION_NAMES[method])
    caller = local_caller(initializer, entry.name)
    return grade_function(entry, caller, trainer=stand_in_trainer(method)).result


CASES = [
    (method, name)
    for method in ("zeros", "random", "he")
    for name in BEHAVIOURS
    if not (method == "zeros" and name in ("no seed", "seed 4", "half the scale"))
]


@pytest.mark.parametrize(("method", "behaviour"), CASES)
def test_hard_coded_examples_score_no_more_than_the_behaviour_alone(
    method: str, behaviour: str
) -> None:
    alone = BEHAVIOURS[behaviour](method)
    with_table = grade(method, hard_coded(method, alone))
    assert with_table.score <= grade(method, alone).score
    visible = [c for c in with_table.checks if c.name.startswith("matches the reference")]
    assert visible
    assert all(c.points == 0 for c in visible)
    assert all("not one hidden case" in c.message for c in visible)


@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_a_correct_function_keeps_full_marks_with_or_without_the_printed_answers(
    method: str,
) -> None:
    assert grade(method, INITIALIZERS[method]).score == 10.0
    assert grade(method, hard_coded(method, INITIALIZERS[method])).score == 10.0


def test_one_right_hidden_case_confirms_the_visible_points() -> None:
    def three_sizes_only(layers_dims: list[int]) -> dict[str, np.ndarray]:
        if len(layers_dims) != 3:
            return _other_generator("he")(layers_dims)
        return INITIALIZERS["he"](list(layers_dims))

    result = grade("he", three_sizes_only)
    visible = [c for c in result.checks if c.name.startswith("matches the reference")]
    assert [c.points for c in visible] == [1.0, 1.0]


def _check(case: ExactCase, passed: bool) -> CheckResult:
    points = case.points if passed else 0.0
    return CheckResult(case.name, "f", points, case.points, passed, msg.PASSED, case.visibility)


def test_a_spec_without_hidden_cases_keeps_its_visible_points() -> None:
    entry = replace(METHODS["he"], name="f", exact_cases=(ExactCase((2, 4, 1), 2.0),))
    exact = [_check(entry.exact_cases[0], True)]
    assert confirmed_visible(entry, exact) == exact


def test_withheld_visible_points_name_the_visible_layers_dims() -> None:
    entry = SPEC.function(FUNCTION_NAMES["random"])
    exact = [_check(case, not case.hidden) for case in entry.exact_cases]
    withheld = confirmed_visible(entry, exact)[0]
    assert (withheld.points, withheld.passed) == (0.0, False)
    assert "layers_dims=[3, 2, 1]" in withheld.message
