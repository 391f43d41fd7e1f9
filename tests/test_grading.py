"""Grading through callers: verdicts, partial credit, isolation between functions, no leaks."""

from __future__ import annotations

import collections
import re
from collections.abc import Sequence

import numpy as np
import pytest

from grader.checks import (
    CallLog,
    expected_params,
    grade_function,
    grade_functions,
    outcome_starts,
)
from grader.sandbox import caller_program, local_caller, local_program
from grader.sentences import diagnosis_text
from grader.spec import BASE_PRESEED, OUTCOME, SPEC
from grader.types import CallResult, CallStatus
from reference import INITIALIZERS
from tests.mistakes import FUNCTION_NAMES, MISTAKES, graded, stand_in_trainer


def grade_reference(method: str):
    entry = SPEC.function(FUNCTION_NAMES[method])
    return grade_function(
        entry, local_caller(INITIALIZERS[method]), trainer=stand_in_trainer(method)
    ).result


@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_the_reference_scores_full_marks_without_a_diagnosis(method: str) -> None:
    result = grade_reference(method)
    assert result.score == result.max_score == 10.0
    assert result.diagnosis is None
    assert all(check.message for check in result.checks)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_mistake_fails_and_passes_the_right_checks(mistake) -> None:
    result = graded(mistake)
    failed = [check.name for check in result.checks if not check.passed]
    assert result.score < result.max_score
    for fragment in mistake.fails:
        assert any(fragment in name for name in failed), (fragment, failed)
    for fragment in mistake.passes:
        assert not any(fragment in name for name in failed), (fragment, failed)


def test_partial_credit_adds_up_for_xavier_as_he() -> None:
    result = graded(next(m for m in MISTAKES if m.name == "he_xavier"))
    earned = {check.name: check.points for check in result.checks if check.passed}
    # keys/shapes 0.5 + float64 0.5 + zero biases 0.5 + unchanged input 0.5 + reproducible 1;
    # the outcome lands in He's band, but counts only with the weight scale, which fails
    assert result.score == sum(earned.values()) == 3.0
    outcome = next(check for check in result.checks if check.name.startswith("training outcome"))
    assert "only when the weight-scale check passes too" in outcome.message


class Plain(dict):
    """Only a name for a dict."""


@pytest.mark.parametrize("mapping", [collections.OrderedDict, collections.defaultdict, Plain])
@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_the_right_arrays_in_a_mapping_that_only_stores_them_earn_full_marks(
    method: str, mapping: type
) -> None:
    def initializer(layers_dims):
        parameters = mapping()
        parameters.update(INITIALIZERS[method](layers_dims))
        return parameters

    entry = SPEC.function(FUNCTION_NAMES[method])
    result = grade_function(entry, local_caller(initializer), trainer=stand_in_trainer(method))
    assert result.result.score == 10.0, [c.message for c in result.result.checks if not c.passed]


def test_a_dict_subclass_that_redefines_lookup_is_refused() -> None:
    class Lying(dict):
        def __getitem__(self, key):
            return np.zeros((1, 1))

    def initializer(layers_dims):
        return Lying(INITIALIZERS["he"](layers_dims))

    entry = SPEC.function(FUNCTION_NAMES["he"])
    result = grade_function(entry, local_caller(initializer), trainer=stand_in_trainer("he"))
    assert result.result.score == 0.0
    assert "a subclass of dict that defines __getitem__" in result.result.checks[0].message


def _public_values(mistake) -> np.ndarray:
    """Numbers a student may see: the visible cases' answers and their own output there."""
    arrays = [
        value.ravel()
        for entry in SPEC.functions
        for case in entry.visible_cases
        for value in expected_params(entry.method, case.layer_dims).values()
    ]
    for case in SPEC.function(FUNCTION_NAMES[mistake.method]).visible_cases:
        own = local_caller(mistake.fn)(list(case.layer_dims), BASE_PRESEED).value or {}
        arrays += [value.ravel() for value in own.values()]
    return np.concatenate(arrays)


def _secret_values(mistake) -> np.ndarray:
    method = mistake.method
    public = _public_values(mistake)
    hidden = [
        value.ravel()
        for case in SPEC.function(FUNCTION_NAMES[method]).exact_cases
        if case.hidden
        for value in expected_params(method, case.layer_dims).values()
    ]
    values = np.concatenate(hidden)
    values = values[np.abs(values) > 1e-3]
    return values[~np.isclose(values[:, None], public[None, :], rtol=1e-6).any(axis=1)]


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_no_message_reveals_a_hidden_expected_value_or_hidden_dims(mistake) -> None:
    result = graded(mistake)
    named = diagnosis_text(result.diagnosis) or ""
    text = "\n".join([*(check.message for check in result.checks), named])
    secret = _secret_values(mistake)
    # values are printed with 8 significant digits (relative error <= 5e-8)
    for token in re.findall(r"-?\d+\.\d{4,}", text):
        assert not np.any(np.isclose(secret, float(token), rtol=1e-6, atol=0)), token
    for case in SPEC.function(FUNCTION_NAMES[mistake.method]).exact_cases:
        if case.hidden:
            assert str(list(case.layer_dims)) not in text
            assert str(tuple(case.layer_dims)) not in text


def test_a_missing_function_suggests_the_closest_defined_name() -> None:
    program = local_program(
        {"initialize_parameters_zeros": None},
        defined_names=["initialize_parameters_He", "helper"],
    )
    results = [g.result for g in grade_functions(SPEC, program, trainer=stand_in_trainer("zeros"))]
    he = next(r for r in results if r.name == "initialize_parameters_he")
    assert he.score == 0.0
    assert all("Did you mean 'initialize_parameters_He'?" in c.message for c in he.checks)
    random = next(r for r in results if r.name == "initialize_parameters_random")
    assert all("# GRADED FUNCTION" in c.message for c in random.checks)


class Dying:
    """A caller whose worker times out on the first call, counting how often it is called."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, dims: Sequence[int], preseed: int | None) -> CallResult:
        self.calls += 1
        return CallResult(CallStatus.TIMEOUT, message="call exceeded 5.0 s")


def test_a_timeout_in_one_function_costs_no_other_function_points() -> None:
    dying = Dying()
    callers = {
        "initialize_parameters_zeros": local_caller(INITIALIZERS["zeros"]),
        "initialize_parameters_random": dying,
        "initialize_parameters_he": local_caller(INITIALIZERS["he"]),
    }
    graded = grade_functions(SPEC, caller_program(callers), trainer=stand_in_trainer("he"))
    results = {g.result.name: g.result for g in graded}
    assert dying.calls == 1
    assert results["initialize_parameters_random"].score == 0.0
    assert results["initialize_parameters_he"].score == 10.0
    assert results["initialize_parameters_zeros"].score == 8.0  # the stand-in trains "He-like"


def test_a_student_exception_is_data_but_a_grader_bug_raises() -> None:
    def broken_caller(dims: Sequence[int], preseed: int | None) -> CallResult:
        raise RuntimeError("bug in the grader")

    with pytest.raises(RuntimeError, match="bug in the grader"):
        grade_function(SPEC.functions[0], broken_caller, trainer=stand_in_trainer("zeros"))


def test_call_log_memoises_and_stops_after_a_dead_worker() -> None:
    dying = Dying()
    log = CallLog(dying)
    first = log([2, 4, 1], 1)
    again = log([3, 2, 1], 1)
    assert dying.calls == 1
    assert first.status is again.status is CallStatus.TIMEOUT
    assert "not run" in again.message
    correct = CallLog(local_caller(INITIALIZERS["he"]))
    assert correct([2, 4, 1], 1) is correct([2, 4, 1], 1)
    assert correct.count == 1


def test_local_caller_reports_exceptions_with_their_type() -> None:
    def fails(layers_dims):
        return 1 / 0

    result = local_caller(fails)([2, 1], None)
    assert result.status is CallStatus.EXCEPTION
    assert result.message.startswith("fails raised ZeroDivisionError")


def test_local_caller_passes_a_copy_and_records_it_afterwards() -> None:
    def mutates(layers_dims):
        layers_dims.append(7)
        return {}

    dims = [2, 1]
    result = local_caller(mutates)(dims, None)
    assert dims == [2, 1]
    assert result.args_after == [2, 1, 7]


def test_local_caller_seeds_the_global_generator_before_the_call() -> None:
    def draw(layers_dims):
        return {"W1": np.random.randn(1, 1)}

    first = local_caller(draw)([1, 1], 42).value
    second = local_caller(draw)([1, 1], 42).value
    assert first is not None
    assert second is not None
    assert first["W1"][0, 0] == second["W1"][0, 0]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ([1, 2], "of type list"),
        ({1: np.zeros(1)}, "key 1"),
        ({"W1": "zeros"}, "W1 as something of type str"),
        ({"W1": np.zeros(2, dtype=complex)}, "complex"),
        ({"W1": [[1, 2], [3]]}, "W1 as something of type list"),
    ],
)
def test_values_that_are_not_float_arrays_are_invalid(value, fragment: str) -> None:
    result = local_caller(lambda dims: value, "f")([2, 1], None)
    assert result.status is CallStatus.INVALID
    assert result.value is None
    assert fragment in result.message


def test_integer_arrays_are_accepted_as_floats() -> None:
    result = local_caller(lambda dims: {"W1": np.zeros((2, 2), dtype=int)}, "f")([2, 1], None)
    assert result.ok
    assert result.value is not None
    assert result.value["W1"].dtype == np.float64


def test_a_function_that_answers_differently_each_time_fails_every_value_check_alike() -> None:
    def entropy_seeded(layers_dims):
        np.random.seed()  # from the operating system's entropy: a real student mistake
        return _he_unseeded(layers_dims)

    entry = SPEC.function("initialize_parameters_he")
    scores = set()
    for _ in range(3):
        graded = grade_function(entry, local_caller(entropy_seeded), trainer=stand_in_trainer("he"))
        scores.add(graded.result.score)
        outcome = next(c for c in graded.result.checks if c.name == OUTCOME)
        assert not outcome.passed
        assert "different values for layers_dims=[2, 10, 5, 1]" in outcome.message
        assert graded.start is None  # nothing to draw or train from
        names = ("matches the reference", "hidden case")
        exact = [c for c in graded.result.checks if c.name.startswith(names)]
        assert exact
        assert not any(c.passed for c in exact)
    assert len(scores) == 1


def test_a_function_that_answers_alike_each_time_is_not_called_nondeterministic() -> None:
    entry = SPEC.function("initialize_parameters_he")
    graded = grade_function(entry, local_caller(INITIALIZERS["he"]), trainer=stand_in_trainer("he"))
    assert graded.result.score == graded.result.max_score


def _he_unseeded(layers_dims):
    parameters = {}
    for layer in range(1, len(layers_dims)):
        fan_in = layers_dims[layer - 1]
        draw = np.random.randn(layers_dims[layer], fan_in) * np.sqrt(2 / fan_in)
        parameters[f"W{layer}"] = draw
        parameters[f"b{layer}"] = np.zeros((layers_dims[layer], 1))
    return parameters


def test_outcome_starts_makes_the_outcome_call_of_each_defined_function_once() -> None:
    calls: list[tuple[str, list[int], int | None]] = []

    def recording(name: str, method: str):  # a caller that notes how it was called
        inner = local_caller(INITIALIZERS[method])

        def caller(dims: Sequence[int], preseed: int | None) -> CallResult:
            calls.append((name, list(dims), preseed))
            return inner(dims, preseed)

        return caller

    def failing(dims: Sequence[int], preseed: int | None) -> CallResult:
        return CallResult(CallStatus.EXCEPTION, message="ValueError")

    callers = {
        "initialize_parameters_zeros": recording("zeros", "zeros"),
        "initialize_parameters_random": failing,
        "initialize_parameters_he": recording("he", "he"),
    }
    program = caller_program({k: v for k, v in callers.items() if k != "initialize_parameters_he"})
    starts = outcome_starts(SPEC, caller_program(callers))
    assert calls == [("zeros", [2, 10, 5, 1], BASE_PRESEED), ("he", [2, 10, 5, 1], BASE_PRESEED)]
    assert starts["initialize_parameters_random"] is None
    for method in ("zeros", "he"):
        expected = expected_params(method, (2, 10, 5, 1))
        got = starts[FUNCTION_NAMES[method]]
        assert got is not None
        for key, value in expected.items():
            np.testing.assert_array_equal(got[key], value, err_msg=key)
    assert outcome_starts(SPEC, program)["initialize_parameters_he"] is None  # not defined
