"""Exact and structural checks: the first difference, and messages that keep hidden answers out."""

from __future__ import annotations

import re

import numpy as np
import pytest

from grader.checks import check_exact, compare_params, expected_params, structure_difference
from grader.spec import SPEC, expected_keys, expected_shapes
from grader.types import CallResult, CallStatus

HE = SPEC.function("initialize_parameters_he")
VISIBLE = HE.visible_cases[0]  # [2, 4, 1]
HIDDEN = next(case for case in HE.exact_cases if case.hidden)


def he(dims: tuple[int, ...]) -> dict[str, np.ndarray]:
    return {key: value.copy() for key, value in expected_params("he", dims).items()}


def ok(value: dict[str, np.ndarray]) -> CallResult:
    return CallResult(CallStatus.OK, value)


def test_expected_keys_and_shapes_follow_layers_dims() -> None:
    assert expected_keys([3, 2, 1]) == ["W1", "b1", "W2", "b2"]
    assert expected_shapes((3, 2, 1)) == {"W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}


def test_identical_params_have_no_difference() -> None:
    assert compare_params(he((2, 4, 1)), expected_params("he", (2, 4, 1))) is None


def test_missing_keys_are_named() -> None:
    got = he((2, 4, 1))
    del got["b2"]
    diff = compare_params(got, expected_params("he", (2, 4, 1)))
    assert diff is not None
    assert (diff.kind, diff.keys) == ("missing", ("b2",))


def test_extra_keys_are_named_in_layer_order() -> None:
    got = he((2, 4, 1))
    got["W3"] = got["W0"] = np.zeros((1, 1))
    diff = compare_params(got, expected_params("he", (2, 4, 1)))
    assert diff is not None
    assert diff.kind == "extra"
    assert set(diff.keys) == {"W0", "W3"}


def test_a_wrong_shape_is_reported_before_any_value() -> None:
    got = he((2, 4, 1))
    got["W1"] = got["W1"].T
    diff = compare_params(got, expected_params("he", (2, 4, 1)))
    assert diff is not None
    assert (diff.kind, diff.key, diff.got_shape, diff.expected_shape) == (
        "shape",
        "W1",
        (2, 4),
        (4, 2),
    )


def test_non_finite_values_are_reported() -> None:
    got = he((2, 4, 1))
    got["W2"][0, 1] = np.nan
    diff = structure_difference(got, expected_shapes((2, 4, 1)))
    assert diff is not None
    assert (diff.kind, diff.key) == ("nonfinite", "W2")


def test_the_first_differing_value_is_located() -> None:
    got = he((2, 4, 1))
    got["W1"][2, 1] += 0.5
    got["W2"][0, 0] += 0.5
    diff = compare_params(got, expected_params("he", (2, 4, 1)))
    assert diff is not None
    assert (diff.kind, diff.key, diff.index, diff.count, diff.size) == ("value", "W1", (2, 1), 1, 8)


def test_visible_message_names_key_index_values_and_a_hint() -> None:
    got = he((2, 4, 1))
    got["W1"][0, 0] = 1.0
    result = check_exact(HE, VISIBLE, ok(got), expected_params("he", (2, 4, 1)))
    assert not result.passed
    assert result.points == 0.0
    assert "W1[0, 0] is 1" in result.message
    assert "expected 1.7886285" in result.message
    assert "np.sqrt(2 / layers_dims[l - 1])" in result.message


def test_visible_shape_message_gives_the_formula() -> None:
    got = he((2, 4, 1))
    got["W2"] = np.zeros((1, 3))
    result = check_exact(HE, VISIBLE, ok(got), expected_params("he", (2, 4, 1)))
    assert "W2 has shape (1, 3); expected (1, 4) = (layers_dims[2], layers_dims[1])" in (
        result.message
    )


def test_a_passing_case_earns_its_points() -> None:
    result = check_exact(HE, VISIBLE, ok(he((2, 4, 1))), expected_params("he", (2, 4, 1)))
    assert (result.passed, result.points, result.visibility) == (True, 1.0, "visible")


def numbers(text: str) -> list[float]:
    return [float(token) for token in re.findall(r"-?\d+\.\d+", text)]


@pytest.mark.parametrize("kind", ["value", "shape", "missing", "extra", "nonfinite", "call"])
def test_hidden_messages_show_neither_values_nor_shapes_nor_dims(kind: str) -> None:
    dims = HIDDEN.layer_dims
    expected = expected_params("he", dims)
    got = he(dims)
    if kind == "value":
        got["W3"] = got["W3"] * 0.7
    elif kind == "shape":
        got["W3"] = got["W3"].T.copy()
    elif kind == "missing":
        del got["b5"]
    elif kind == "extra":
        got["W9"] = np.ones((2, 2))
    elif kind == "nonfinite":
        got["W2"][0, 0] = np.inf
    result = (
        CallResult(CallStatus.EXCEPTION, message="ValueError: boom") if kind == "call" else ok(got)
    )
    message = check_exact(HE, HIDDEN, result, expected).message
    assert "Hidden case" in message
    assert str(list(dims)) not in message
    assert not re.search(r"\(\d+, \d+\)", message)
    hidden_values = np.concatenate([v.ravel() for v in expected.values()])
    for number in numbers(message):
        assert not np.any(np.isclose(hidden_values, number, rtol=1e-3, atol=0)), number


def test_a_failed_call_costs_the_case_and_quotes_the_reason() -> None:
    result = CallResult(CallStatus.EXCEPTION, message="NameError: name 'np' is not defined")
    check = check_exact(HE, VISIBLE, result, expected_params("he", (2, 4, 1)))
    assert not check.passed
    assert "NameError: name 'np' is not defined" in check.message
    assert "layers_dims=[2, 4, 1]" in check.message
