"""Judging a diagnosis against what a mutation did: named, wrong, partly, silent."""

from __future__ import annotations

from grader.mistakes import Diagnosis, Mistake
from grader.mutants._truth import same_formula, verdict

XAVIER = Mistake.of("scale.expression", formula="sqrt(1 / fan_in)")
SEED = Mistake.of("seed.value", seed=42)


def test_formulas_are_the_same_when_their_values_are_whatever_their_text() -> None:
    assert same_formula("sqrt(2 / fan_in)", "sqrt(2) / sqrt(fan_in)")
    assert same_formula("(2.0 / fan_in) ** 0.5", "sqrt(2 / fan_in)")
    assert not same_formula("sqrt(2 / fan_in)", "sqrt(2 / fan_out)")
    assert not same_formula("sqrt(2 / fan_in)", "1.41421 / fan_in")


def test_every_stated_mistake_and_nothing_else_is_named() -> None:
    named = Mistake.of("scale.expression", formula="1 / sqrt(fan_in)", code="...", name="xavier")
    assert verdict((XAVIER,), Diagnosis((named,))) == "named"
    assert verdict((XAVIER, SEED), Diagnosis((named, SEED))) == "named"


def test_a_mistake_the_mutant_does_not_have_is_wrong_even_beside_the_right_one() -> None:
    other = Mistake.of("seed.value", seed=4)
    assert verdict((XAVIER,), Diagnosis((XAVIER, other))) == "wrong"
    assert verdict((SEED,), Diagnosis((other,))) == "wrong"


def test_naming_some_of_two_mistakes_and_nothing_false_is_partly() -> None:
    assert verdict((XAVIER, SEED), Diagnosis((SEED,))) == "partly"


def test_no_mistake_named_is_silent_and_an_equally_simple_alternative_counts() -> None:
    fact = Mistake.of("fact.scale", key="W1")
    assert verdict((XAVIER,), Diagnosis(facts=(fact,))) == "silent"
    assert verdict((XAVIER,), None) == "silent"
    other = Mistake.of("seed.value", seed=4)
    assert verdict((SEED,), Diagnosis((other,), alternatives=((SEED,),))) == "named"


def test_a_mutation_no_hypothesis_can_rebuild_is_named_by_its_fact() -> None:
    wanted = (Mistake("fact.biases_nonzero"),)
    assert (
        verdict(wanted, Diagnosis(facts=(Mistake.of("fact.biases_nonzero", key="b1"),))) == "named"
    )
    assert verdict(wanted, Diagnosis((SEED,))) == "wrong"


def test_numbers_that_change_between_calls_state_every_fact_about_the_numbers_only() -> None:
    state = Diagnosis(facts=(Mistake.of("fact.changes_with_state", key="W1"),))
    assert verdict((Mistake("fact.weights_nonzero"),), state) == "named"
    assert verdict((Mistake("fact.keys"),), state) == "silent"
