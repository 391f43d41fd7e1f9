"""Diagnosis by reproduction: a mistake is named only when a hypothesis rebuilds every call.

Each test grades a small wrong initializer in this process (``local_caller``, the grading
calls a spec makes: the notebook's cases, the property inputs after both preseeds, the probes
and the hidden cases) and reads the engine's ``Diagnosis``.
"""

# ruff: noqa: E741 -- the course names the layer index `l`, and so do its students

from __future__ import annotations

import numpy as np

from grader.checks import expected_params
from grader.checks.strategies import property_inputs
from grader.diagnosis import Evidence
from grader.diagnosis.reproduce import reproduce
from grader.mistakes import Diagnosis
from grader.sandbox import local_caller
from grader.spec import BASE_PRESEED, OTHER_PRESEED, SPEC

NAMES = {entry.method: entry for entry in SPEC.functions}


def diagnosed(fn, method: str = "he") -> Diagnosis:
    """The engine's diagnosis of ``fn`` from the calls a grading makes."""
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
        calls.setdefault(
            (probe.layer_dims, probe.preseed), call(list(probe.layer_dims), probe.preseed)
        )
    visible = tuple(c.layer_dims for c in entry.visible_cases)
    ev = Evidence(method, calls, visible, False, hidden, lambda d: expected_params(method, d))
    return reproduce(ev)


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


def test_the_right_answer_gets_an_empty_diagnosis() -> None:
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
