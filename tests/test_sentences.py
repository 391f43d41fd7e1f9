"""Mistake values become words only here: every id has a sentence and a short name, a diagnosis
reads the same after a JSON round trip, and the words are the templates' of grader.messages."""

from __future__ import annotations

import json

import pytest

from grader import messages as msg
from grader.mistakes import Diagnosis, Mistake
from grader.sentences import FAMILIES, RENDER, diagnosis_text, known, mistake_name, mistake_text
from tests.mistakes import MISTAKES, graded

# Every test here grades the catalogue's functions through the cached ``tests.mistakes.graded``:
# in one worker, each function is graded once for all of them.
pytestmark = pytest.mark.xdist_group("graded_mistakes")

EVERY_ID = {
    *RENDER,
    *(f"{family}.{kind}" for family, (_, kinds) in FAMILIES.items() for kind in kinds),
}


def test_every_id_with_words_has_a_short_name_and_every_name_has_words() -> None:
    assert set(msg.MISTAKE_NAMES) == EVERY_ID
    assert all(known(mistake_id) for mistake_id in msg.MISTAKE_NAMES)


def test_an_id_without_words_is_a_bug_that_raises_rather_than_a_blank_sentence() -> None:
    assert not known("seed.forgotten")
    with pytest.raises(KeyError, match=r"seed\.forgotten"):
        mistake_text(Mistake("seed.forgotten"))
    assert mistake_name("seed.forgotten") == msg.REPORT_NO_DIAGNOSIS


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_a_catalogued_diagnosis_reads_the_same_after_a_json_round_trip(mistake) -> None:
    diagnosis = graded(mistake).diagnosis
    if diagnosis is None:
        return
    again = Diagnosis.from_dict(json.loads(json.dumps(diagnosis.to_dict())))
    assert again == diagnosis
    assert diagnosis_text(again) == diagnosis_text(diagnosis)


def test_a_shape_is_written_as_python_writes_a_tuple_and_dims_as_a_list() -> None:
    mistake = Mistake.of("fact.shape", dims=[2, 4, 1], key="W1", got=(2, 4), expected=(4, 2))
    text = "for layers_dims=[2, 4, 1], W1 has shape (2, 4); expected (4, 2)"
    assert mistake_text(mistake) == text


def test_a_second_mistake_follows_the_first_and_facts_come_last() -> None:
    first = Mistake.of("seed.missing", exercise_seed=3)
    more = Mistake.of("seed.value", seed=1, exercise_seed=3)
    text = diagnosis_text(Diagnosis((first, more)))
    assert text == msg.SAY_SEED_MISSING.format(exercise_seed=3) + msg.DIAG_ALSO.format(
        more=msg.SAY_SEED_VALUE.format(seed=1, exercise_seed=3)
    )
    fact = Mistake.of("fact.changes_with_state", dims=[2, 4, 1], key="W1")
    text = diagnosis_text(Diagnosis((first,), facts=(fact,))) or ""
    assert text.endswith(msg.SAY_FACTS + msg.SAY_FACT_STATE.format(dims=[2, 4, 1], key="W1") + ".")


def test_equally_simple_alternatives_are_all_named() -> None:
    seed = Mistake.of("seed.value", seed=1, exercise_seed=3)
    other = Mistake.of("seed.value", seed=2, exercise_seed=3)
    text = diagnosis_text(Diagnosis((seed,), alternatives=((other,),))) or ""
    assert "np.random.seed(1)" in text
    words = msg.SAY_SEED_VALUE.format(seed=2, exercise_seed=3)
    assert msg.DIAG_OR.format(other=words) in text


def test_nothing_to_say_is_no_sentence() -> None:
    assert diagnosis_text(None) is None
    assert diagnosis_text(Diagnosis()) is None


def test_a_call_that_never_returned_and_a_refused_value_are_told_apart() -> None:
    stopped = Mistake.of("call.stopped", dims=[2, 4, 1])
    refused = Mistake.of("returned.none", dims=[2, 4, 1])
    assert mistake_name(stopped.id) == "a call that never returned"
    assert mistake_name(refused.id) == "None returned"
    assert "never returned" in mistake_text(stopped)
    assert "returns None" in mistake_text(refused)


def test_a_name_only_a_left_out_line_assigns_is_said_with_that_line() -> None:
    fields = {"kind": "NameError", "dims": [2, 4, 1], "text": "name 'SEED' is not defined"}
    plain = mistake_text(Mistake.of("raised.name", name="SEED", **fields))
    left_out = "cell 2, line 1 (SEED = choose_seed(3))"
    named = mistake_text(Mistake.of("raised.name", name="SEED", left_out=left_out, **fields))
    assert left_out not in plain
    assert f"SEED is assigned only by a top-level line that grading leaves out, {left_out}" in named
