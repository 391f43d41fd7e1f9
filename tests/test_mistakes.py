"""Mistakes and diagnoses are values: stable ids, JSON fields, a lossless round trip."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.mistakes import Diagnosis, Mistake, Quoted, quoted

field_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), field_values, max_size=4))
def test_a_mistake_survives_a_json_round_trip(fields: dict[str, object]) -> None:
    mistake = Mistake.of("scale.expression", **fields)
    again = Mistake.from_dict(json.loads(json.dumps(mistake.to_dict())))
    assert again == mistake
    assert hash(again) == hash(mistake)


def test_fields_are_equal_whatever_order_they_were_given_in() -> None:
    one = Mistake.of("seed.value", seed=42, placement="once")
    two = Mistake.of("seed.value", placement="once", seed=42)
    assert one == two
    assert one.get("seed") == 42
    assert one.get("absent", "default") == "default"


@pytest.mark.parametrize("bad", ["Seed.value", "seed", "seed..value", "seed.value ", "1.seed"])
def test_an_id_that_is_not_dotted_lower_case_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="dotted lower case"):
        Mistake(bad)


def test_a_field_that_is_not_json_data_is_refused() -> None:
    with pytest.raises(TypeError, match="JSON data"):
        Mistake.of("scale.expression", value=object())


def test_a_diagnosis_keeps_mistakes_alternatives_and_facts_apart() -> None:
    seed = Mistake.of("seed.value", seed=1)
    scale = Mistake.of("scale.expression", formula="sqrt(1/fan_in)")
    diagnosis = Diagnosis((seed,), alternatives=((scale,),))
    assert diagnosis.named
    assert diagnosis.ids == ("seed.value", "scale.expression")
    assert Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict()))) == diagnosis
    facts = Diagnosis(facts=(Mistake.of("fact.value_differs", key="W1"),))
    assert not facts.named
    with pytest.raises(ValueError, match="facts go in facts"):
        Diagnosis((Mistake.of("fact.value_differs"),))
    with pytest.raises(ValueError, match="alternatives without"):
        Diagnosis(alternatives=((seed,),))


def test_a_diagnosis_quotes_each_input_once_marked_as_example_or_made_up() -> None:
    raised = Mistake.of("raised.other", kind="ValueError", dims=[2, 4, 1])
    keys = Mistake.of("fact.keys", dims=[7, 3], missing=["W1"])
    again = Mistake.of("fact.shape", dims=[2, 4, 1], key="W1")
    inputs = quoted((raised, keys, again, Mistake.of("seed.missing")), {(2, 4, 1)})
    assert inputs == (Quoted((2, 4, 1), True), Quoted((7, 3), False))
    diagnosis = Diagnosis((raised,), facts=(keys, again), inputs=inputs)
    assert Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict()))) == diagnosis
