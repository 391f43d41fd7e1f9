"""The one model of the assignment: method records checked when built, scales as data, the
exercise record, and a digest that moves with every part of the policy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import reference
from grader.errors import SpecError
from grader.spec import (
    EXERCISE,
    METHODS,
    POLICY,
    SPEC,
    AssignmentSpec,
    Band,
    FunctionSpec,
    Scale,
    ScaleError,
    WrongScale,
    check_reference,
    spec_digest,
)


def record(**changes: object) -> dict[str, object]:
    """He's record as keyword arguments, with ``changes`` (None: the field left out)."""
    he = METHODS["he"]
    fields = {name: getattr(he, name) for name in he.__dataclass_fields__}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def test_a_method_without_a_band_is_refused_when_built_and_the_error_names_it() -> None:
    with pytest.raises((SpecError, TypeError), match="band"):
        FunctionSpec(**record(band=None))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"method 'he' is missing outcome_hint \(the hint"):
        FunctionSpec(**record(outcome_hint=""))  # type: ignore[arg-type]


def test_a_method_needs_a_visible_case_and_a_band_inside_zero_to_one() -> None:
    hidden_only = tuple(c for c in METHODS["he"].exact_cases if c.hidden)
    with pytest.raises(SpecError, match="no visible case"):
        FunctionSpec(**record(exact_cases=hidden_only))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"train band \[0.9, 1.2\]"):
        FunctionSpec(**record(band=Band((0.9, 1.2), (0.5, 1.0), (1.0, 1.0))))  # type: ignore[arg-type]


def test_every_catalogued_method_is_drawn_by_the_reference_with_its_scale() -> None:
    for entry in METHODS.values():
        check_reference(entry)
        for fan_in, fan_out in ((1, 1), (5, 2), (300, 40)):
            assert entry.scale.value(fan_in, fan_out) == pytest.approx(
                reference.weight_std(entry.method, fan_in, fan_out), rel=1e-15
            )


def test_a_scale_the_reference_does_not_draw_is_refused_before_grading() -> None:
    wrong = FunctionSpec(**record(scale=Scale("sqrt(1 / fan_in)")))  # type: ignore[arg-type]
    with pytest.raises(
        SpecError,
        match=r"method 'he': its scale sqrt\(1 / fan_in\) is 1 for fan-in 1 and fan-out 1, but",
    ):
        check_reference(wrong)
    glorot = FunctionSpec(**record(scale=Scale("sqrt(4 / (fan_in + fan_out))")))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"is 0\.755929 for fan-in 2 and fan-out 5, but"):
        check_reference(glorot)  # He's at fan-out 1, not at any other
    unknown = FunctionSpec(**record(method="lecun"))  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="the reference has no such initializer"):
        check_reference(unknown)


def test_a_scale_is_an_expression_of_fan_in_and_fan_out_and_nothing_else() -> None:
    he = Scale("sqrt(2 / fan_in)")
    assert he.value(60) == np.sqrt(2 / 60)
    assert he.code == "np.sqrt(2 / layers_dims[l - 1])"
    assert he.formula(60) == "sqrt(2/60)"
    assert Scale("sqrt(2 / (fan_in + fan_out))").value(3, 5) == 0.5
    assert Scale("sqrt(2 // fan_in)").value(60) == 0.0
    assert not Scale("10").per_layer
    for bad in ("__import__('os')", "fan_in.real", "open(1)", "lambda: 1", "fan_in[0]", "x"):
        with pytest.raises(ScaleError):
            Scale(bad)


def test_the_catalogue_keeps_the_course_assignment_as_it_was() -> None:
    assert [e.method for e in SPEC.functions] == ["zeros", "random", "he"]
    assert SPEC.exercise is EXERCISE
    assert (EXERCISE.seed, EXERCISE.example_dims, EXERCISE.outcome_dims) == (
        3,
        (3, 2, 1),
        (2, 10, 5, 1),
    )
    assert (EXERCISE.learning_rate, EXERCISE.steps) == (0.01, 15_000)
    # the answer key agrees: its seed, its model's training and its data's seeds
    assert EXERCISE.seed == reference.SEED
    assert EXERCISE.outcome_dims[1:-1] == reference.training.MODEL_HIDDEN_UNITS
    assert EXERCISE.learning_rate == reference.training.LEARNING_RATE
    assert EXERCISE.steps == reference.training.NUM_ITERATIONS
    assert EXERCISE.data_seeds == (reference.data.TRAIN_SEED, reference.data.TEST_SEED)


def test_an_assignment_refuses_a_method_of_another_seed_and_a_function_graded_twice() -> None:
    other_seed = replace(METHODS["he"], seed=7)
    with pytest.raises(SpecError, match="has the seed 7"):
        replace(SPEC, functions=(other_seed,))
    with pytest.raises(SpecError, match="initialize_parameters_he twice"):
        replace(SPEC, functions=(METHODS["he"], METHODS["he"]))


@pytest.mark.parametrize(
    "change",
    [
        lambda s: replace(s, policy=replace(POLICY, exact_rtol=1e-6)),
        lambda s: replace(s, policy=replace(POLICY, other_preseed=54_321)),
        lambda s: replace(s, exercise=replace(EXERCISE, example_dims=(4, 3, 1))),
        lambda s: _functions(s, band=Band((0.9, 1.0), (0.88, 1.0), (0.9933, 0.96))),
        lambda s: _functions(s, wrong_scales=(WrongScale("half", Scale("sqrt(0.5 / fan_in)")),)),
        lambda s: _functions(s, outcome_hint="Something else."),
    ],
    ids=["tolerance", "preseed", "example", "band", "wrong scales", "words"],
)
def test_the_digest_moves_with_every_part_of_the_policy(change) -> None:
    assert spec_digest(change(SPEC)) != spec_digest(SPEC)


def _functions(spec: AssignmentSpec, **changes: object) -> AssignmentSpec:
    he = replace(spec.functions[-1], **changes)  # type: ignore[arg-type]
    return replace(spec, functions=(*spec.functions[:-1], he))
