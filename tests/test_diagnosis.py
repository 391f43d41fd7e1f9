"""Diagnosis by reproduction: a mistake is named only when a hypothesis rebuilds every call.

The catalogue (tests/mistakes.py, its realistic part written apart from the diagnosis) must be
named exactly: its mistakes, no other. Then small wrong initializers graded in this process (the
calls a grading makes, through ``local_caller``), and hand-made evidence for what a grading
rarely shows.
"""

# ruff: noqa: E741 -- the course names the layer index `l`, and so do its students

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import expected_params
from grader.checks.strategies import property_inputs
from grader.diagnosis import Evidence, diagnose
from grader.mistakes import Diagnosis
from grader.mutants._truth import verdict
from grader.sandbox import local_caller
from grader.sentences import diagnosis_text
from grader.spec import BASE_PRESEED, OTHER_PRESEED, SCALE_PROBE_DIMS, SPEC
from grader.types import CallResult, CallStatus
from tests.mistakes import MISTAKES, graded

# Every test here grades the catalogue's functions through the cached ``tests.mistakes.graded``:
# in one worker, each function is graded once for all of them.
pytestmark = pytest.mark.xdist_group("graded_mistakes")

NAMES = {entry.method: entry for entry in SPEC.functions}


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_catalogued_mistake_is_named_and_nothing_else(mistake) -> None:
    diagnosis = graded(mistake).diagnosis
    assert verdict(mistake.expect, diagnosis) == "named", diagnosis


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_a_diagnosis_is_one_readable_paragraph(mistake) -> None:
    text = diagnosis_text(graded(mistake).diagnosis)
    if text is not None:
        assert "\n" not in text
        assert text[0].isupper()
        assert text.rstrip().endswith((".", ")"))


def diagnosed(fn, method: str = "he") -> Diagnosis:
    """The diagnosis of ``fn`` from the calls a grading makes (empty when there is none)."""
    entry = NAMES[method]
    call = local_caller(fn, entry.name)
    hidden = tuple(c.layer_dims for c in entry.exact_cases if c.hidden)
    calls = {}
    for dims in (*(c.layer_dims for c in entry.visible_cases), *hidden):
        calls[(tuple(dims), BASE_PRESEED)] = call(list(dims), BASE_PRESEED)
    for dims in property_inputs(entry.property_examples):
        for preseed in (BASE_PRESEED, OTHER_PRESEED):
            calls.setdefault((tuple(dims), preseed), call(list(dims), preseed))
    for probe in entry.probes:
        key = (probe.layer_dims, probe.preseed)
        calls.setdefault(key, call(list(probe.layer_dims), probe.preseed))
    visible = tuple(c.layer_dims for c in entry.visible_cases)
    ev = Evidence(method, calls, visible, False, hidden, lambda d: expected_params(method, d))
    return diagnose(ev) or Diagnosis()


def ids(diagnosis: Diagnosis) -> list[str]:
    return [m.id for m in diagnosis.mistakes]


def he_with(scale, seed=3, keys=("W{}", "b{}")):
    def initialize_parameters_he(layers_dims):
        if seed is not None:
            np.random.seed(seed)
        parameters = {}
        for l in range(1, len(layers_dims)):
            w = np.random.randn(layers_dims[l], layers_dims[l - 1])
            parameters[keys[0].format(l)] = w * scale(layers_dims, l)
            parameters[keys[1].format(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    return initialize_parameters_he


def test_the_right_answer_gets_no_diagnosis() -> None:
    assert diagnosed(he_with(lambda d, l: np.sqrt(2 / d[l - 1]))) == Diagnosis()


def test_a_scale_outside_any_table_is_named_as_the_students_formula() -> None:
    found = diagnosed(he_with(lambda d, l: np.sqrt(2 / (d[l] * d[l - 1]))))
    assert ids(found) == ["scale.expression"]
    assert found.mistakes[0].get("code") == "sqrt(2 / (layers_dims[l - 1] * layers_dims[l]))"


def test_a_known_formula_is_named_by_its_name_too() -> None:
    found = diagnosed(he_with(lambda d, l: np.sqrt(1 / d[l - 1])))
    assert found.mistakes[0].get("name") == "xavier"


def test_two_mistakes_together_are_both_named() -> None:
    found = diagnosed(he_with(lambda d, l: np.sqrt(2 / d[l]), seed=7, keys=("w{}", "b{}")))
    assert sorted(ids(found)) == ["keys.names", "scale.expression", "seed.value"]
    seed = next(m for m in found.mistakes if m.id == "seed.value")
    assert seed.get("seed") == 7


def test_no_seed_is_named_since_the_grader_sets_the_state_before_each_call() -> None:
    assert ids(diagnosed(he_with(lambda d, l: np.sqrt(2 / d[l - 1]), seed=None))) == [
        "seed.missing"
    ]


def test_uniform_draws_are_named_with_the_interval_they_fill() -> None:
    def initialize_parameters_he(layers_dims):
        np.random.seed(3)
        parameters = {}
        for l in range(1, len(layers_dims)):
            limit = np.sqrt(6 / (layers_dims[l - 1] + layers_dims[l]))
            shape = (layers_dims[l], layers_dims[l - 1])
            parameters["W" + str(l)] = np.random.uniform(-limit, limit, shape)
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    (found,) = diagnosed(initialize_parameters_he).mistakes
    assert found.id == "draws.distribution"
    assert (found.get("low"), found.get("high")) == (
        "-sqrt(6 / (fan_in + fan_out))",
        "sqrt(6 / (fan_in + fan_out))",
    )


def test_draws_clipped_after_scaling_are_named_with_the_bound() -> None:
    def initialize_parameters_random(layers_dims):
        np.random.seed(3)
        parameters = {}
        for l in range(1, len(layers_dims)):
            w = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
            parameters["W" + str(l)] = np.clip(w, -10, 10)
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    (found,) = diagnosed(initialize_parameters_random, "random").mistakes
    assert (found.id, found.get("transform"), found.get("bound")) == ("draws.transform", "clip", 10)


def test_keys_numbered_by_the_layer_size_are_read_as_such() -> None:
    def initialize_parameters_zeros(layers_dims):
        parameters = {}
        for l in range(1, len(layers_dims)):
            parameters["W" + str(layers_dims[l])] = np.zeros((layers_dims[l], layers_dims[l - 1]))
            parameters["b" + str(layers_dims[l])] = np.zeros((layers_dims[l], 1))
        return parameters

    (found,) = diagnosed(initialize_parameters_zeros, "zeros").mistakes
    assert (found.id, found.get("letter"), found.get("code")) == (
        "keys.by_size",
        "both",
        "layers_dims[l]",
    )


def test_an_exception_is_one_mistake_with_the_calls_it_cost() -> None:
    def initialize_parameters_he(layers_dims):
        return {"W1": np.random.randn((layers_dims[1], layers_dims[0]))}

    (found,) = diagnosed(initialize_parameters_he).mistakes
    assert found.id == "raised.randn_tuple"
    assert found.get("calls") > 40


def test_numbers_no_hypothesis_rebuilds_get_facts_and_no_cause() -> None:
    def initialize_parameters_he(layers_dims):
        rng = np.random.default_rng()  # fresh entropy on every call: nothing can rebuild it
        parameters = {}
        for l in range(1, len(layers_dims)):
            w = rng.standard_normal((layers_dims[l], layers_dims[l - 1]))
            parameters["W" + str(l)] = w * np.sqrt(2 / layers_dims[l - 1])
            parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters

    found = diagnosed(initialize_parameters_he)
    assert not found.named
    assert "fact.changes_with_state" in found.ids


def test_a_hidden_case_informs_but_is_never_quoted() -> None:
    def initialize_parameters_he(layers_dims):
        if len(layers_dims) == 6:  # the hidden deep case only
            raise ValueError("deep networks are not supported")
        return he_with(lambda d, l: np.sqrt(2 / d[l - 1]))(layers_dims)

    found = diagnosed(initialize_parameters_he)
    hidden = [list(c.layer_dims) for c in NAMES["he"].exact_cases if c.hidden]
    for mistake in (*found.mistakes, *found.facts):
        assert mistake.get("dims") not in hidden


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
    assert diagnosis_text(diagnose(evidence(calls))) == found  # whichever limit came first


def _he(dims: tuple[int, ...], **changed: float) -> CallResult:
    params = {key: value.copy() for key, value in expected_params("he", dims).items()}
    for key, value in changed.items():
        params[key][0, 0] = value
    return CallResult(CallStatus.OK, params)


def test_a_difference_no_hypothesis_rebuilds_is_a_fact_quoted_from_a_visible_case() -> None:
    calls = {((2, 4, 1), BASE_PRESEED): _he((2, 4, 1), W2=5.0)}
    ev = Evidence("he", calls, ((2, 4, 1),), False, expected=lambda d: expected_params("he", d))
    found = diagnose(ev)
    assert found is not None
    assert not found.named
    text = diagnosis_text(found) or ""
    assert text.startswith("No single mistake rebuilds your numbers")
    assert "for layers_dims=[2, 4, 1], W2[0, 0] is 5 where -0.0309841 is expected" in text


def test_values_of_other_inputs_are_never_quoted_they_could_repeat_a_hidden_case() -> None:
    hidden = (4, 300, 1)
    calls = {
        ((2, 4, 1), BASE_PRESEED): _he((2, 4, 1)),
        (hidden, BASE_PRESEED): _he(hidden, W2=5.0),
        ((4, 7, 1), BASE_PRESEED): _he((4, 7, 1), W2=5.0),
    }
    ev = Evidence("he", calls, ((2, 4, 1),), True, (hidden,), lambda d: expected_params("he", d))
    found = diagnose(ev)
    assert found is not None
    assert not found.named
    assert all(f.get("dims") != list(hidden) for f in found.facts)
    assert "fact.value_differs" not in found.ids  # only a notebook example's values are quoted


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
