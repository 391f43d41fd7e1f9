"""Diagnosis: every catalogued mistake gets its sentence, and the right answer gets none."""

from __future__ import annotations

import re

import numpy as np
import pytest

from grader.checks import expected_params
from grader.diagnosis import Evidence, diagnose
from grader.sentences import diagnosis_text
from grader.spec import BASE_PRESEED, SCALE_PROBE_DIMS
from grader.types import CallResult, CallStatus
from tests.mistakes import MISTAKES, graded


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_mistake_gets_its_diagnosis(mistake) -> None:
    diagnosis = diagnosis_text(graded(mistake).diagnosis) or ""
    assert re.search(mistake.diagnosis, diagnosis, re.DOTALL), diagnosis


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_a_diagnosis_is_one_readable_paragraph(mistake) -> None:
    diagnosis = diagnosis_text(graded(mistake).diagnosis)
    if diagnosis is not None:
        assert "\n" not in diagnosis
        assert diagnosis[0].isupper() or diagnosis[0] == "W"
        assert diagnosis.rstrip().endswith((".", ")"))


def evidence(calls: dict, visible_passed: bool = False) -> Evidence:
    return Evidence("he", calls, ((2, 4, 1),), visible_passed)


def test_no_calls_no_diagnosis() -> None:
    assert diagnose(evidence({})) is None


def test_a_call_that_never_returned_is_named_in_the_same_words_whatever_stopped_it() -> None:
    dead = CallResult(CallStatus.TIMEOUT, message="f did not finish within 5 s")
    calls = {((2, 4, 1), BASE_PRESEED): dead, (SCALE_PROBE_DIMS, BASE_PRESEED): dead}
    found = diagnosis_text(diagnose(evidence(calls))) or ""
    assert found.startswith("For layers_dims=[2, 4, 1], your function never returned")
    memory = CallResult(CallStatus.MEMORY, message="f ran out of memory")
    calls = {((2, 4, 1), BASE_PRESEED): memory}
    assert (
        diagnosis_text(diagnose(evidence(calls))) == found
    )  # the same words whichever limit came first


def test_the_right_answer_gets_no_diagnosis() -> None:
    calls = {
        (dims, BASE_PRESEED): CallResult(CallStatus.OK, dict(expected_params("he", dims)))
        for dims in ((2, 4, 1), SCALE_PROBE_DIMS)
    }
    assert diagnose(evidence(calls, visible_passed=True)) is None


def test_statistical_scale_names_xavier_when_the_draws_are_unknown() -> None:
    rng = np.random.default_rng(5)
    fans = [(60, 200), (200, 1)]
    probe = {}
    for layer, (fan_in, fan_out) in enumerate(fans, start=1):
        probe[f"W{layer}"] = rng.standard_normal((fan_out, fan_in)) * np.sqrt(1 / fan_in)
        probe[f"b{layer}"] = np.zeros((fan_out, 1))
    calls = {(SCALE_PROBE_DIMS, BASE_PRESEED): CallResult(CallStatus.OK, probe)}
    diagnosis = diagnosis_text(diagnose(evidence(calls))) or ""
    assert "standard deviation is" in diagnosis
    assert "Xavier" in diagnosis


def _he(dims: tuple[int, ...], **changed: float) -> CallResult:
    params = {key: value.copy() for key, value in expected_params("he", dims).items()}
    for key, value in changed.items():
        params[key][0, 0] = value
    return CallResult(CallStatus.OK, params)


def test_a_difference_no_detector_explains_is_quoted_from_a_visible_case() -> None:
    calls = {((2, 4, 1), BASE_PRESEED): _he((2, 4, 1), W2=5.0)}
    ev = Evidence("he", calls, ((2, 4, 1),), False, expected=lambda d: expected_params("he", d))
    diagnosis = diagnosis_text(diagnose(ev)) or ""
    assert diagnosis.startswith("For layers_dims=[2, 4, 1], W2[0, 0] is 5 where -0.0309841 is")
    assert "np.sqrt(2 / layers_dims[l - 1])" in diagnosis


def test_values_of_other_inputs_are_never_quoted_they_could_repeat_a_hidden_case() -> None:
    hidden = (4, 300, 1)
    calls = {
        ((2, 4, 1), BASE_PRESEED): _he((2, 4, 1)),
        (hidden, BASE_PRESEED): _he(hidden, W2=5.0),
        ((4, 7, 1), BASE_PRESEED): _he((4, 7, 1), W2=5.0),
    }
    ev = Evidence("he", calls, ((2, 4, 1),), True, (hidden,), lambda d: expected_params("he", d))
    assert diagnose(ev) is None


@pytest.mark.slow  # grades a notebook through the sandbox
def test_an_exception_is_named_with_the_students_cell_line_and_code(tmp_path) -> None:
    from grader.api import grade_notebook
    from tests import notebooks

    broken = notebooks.HE.replace(
        "np.random.randn(layers_dims[l], layers_dims[l-1])",
        "np.random.randn((layers_dims[l], layers_dims[l-1]))",
    )
    nb = notebooks.new_generation(he=broken)
    report = grade_notebook(notebooks.write(nb, tmp_path / "student.ipynb"))
    he = next(f for f in report.functions if f.name == "initialize_parameters_he")
    cell = next(i for i, c in enumerate(nb.cells, start=1) if "randn((" in c.source)
    line = next(
        i for i, text in enumerate(nb.cells[cell - 1].source.splitlines(), 1) if "randn((" in text
    )
    text = diagnosis_text(he.diagnosis)
    assert text is not None
    assert text.startswith(
        "Your function raises TypeError ('tuple' object cannot be interpreted as an integer) "
        f"for layers_dims=[2, 4, 1] at cell {cell}, line {line}: `parameters['W' + str(l)] ="
    )
    assert "takes the sizes as separate numbers" in text
