"""Grading the grader: the generated mutants, their equivalence, their diagnoses, the rewrites.

Every mutant is also graded in this process (through ``local_caller``, with a stand-in trainer)
so that a change to the diagnosis shows its effect on all of them in seconds; the fast subset
goes through the sandbox as ``initgrade mutants --fast`` does, and the full run is
``benchmarks/mutants.py``.
"""

from __future__ import annotations

import ast
import functools
import io
import json

import nbformat
import numpy as np
import pytest

from grader import mutants
from grader.checks import grade_function
from grader.cli import main
from grader.mistakes import Diagnosis, Mistake
from grader.mutants import _false_failures as false_failures
from grader.mutants._equivalence import load_function
from grader.mutants._notebooks import read_source, solution_functions, with_functions
from grader.sandbox import local_caller
from grader.sentences import diagnosis_text, mistake_name
from grader.spec import SPEC
from tests.mistakes import stand_in_trainer

ENTRIES = {entry.name: entry for entry in SPEC.functions}
MUTANTS = mutants.mutants()
SOLUTION = {name: ast.unparse(tree) for name, tree in solution_functions(read_source()).items()}
# The kinds of mistakes the exercise's students make, each of which must be generated.
KINDS = {
    "constant", "layer index", "loop range", "shape argument", "numpy function", "seed",
    "extra draw", "statement order", "key name", "return", "operator", "constant argument",
    "parameter name",
}  # fmt: skip


@functools.cache
def graded_here(mutant: mutants.Mutant):
    """The mutant graded in this process, and whether it is equivalent."""
    entry = ENTRIES[mutant.function]
    function = load_function(mutant.source, mutant.function)
    caller = local_caller(function, mutant.function)  # type: ignore[arg-type]
    result = grade_function(entry, caller, trainer=stand_in_trainer(mutant.method)).result
    return result, mutants.equivalent(mutant.source, entry)


def test_every_kind_of_mistake_is_generated_for_every_function_it_applies_to() -> None:
    assert {m.kind for m in MUTANTS} == KINDS
    for method in ("zeros", "random", "he"):
        assert len({m.kind for m in MUTANTS if m.method == method}) >= 10, method
    changes = " | ".join(m.change for m in MUTANTS)
    for fragment in (
        "`10` -> `1`", "`10` -> `0.01`", "`10` -> `100`", "`2.0` -> `1.0`", "`2.0` -> `4.0`",
        "`3` -> `42`", "np.random.rand(", "np.random.normal(", "np.random.standard_normal(",
        "square root removed", "square root added", "np.ones(", "np.empty(", "//",
        "seed(3) moved into the loop", "seed(3) removed", "seed(3) given twice",
        "moved into the loop", "range(0, L + 1)", "range(1, L)", "`'W'` -> `'w'`",
        "`layers_dims[l - 1]` -> `layers_dims[l]`", "(swapped)", "inserted before the loop",
    ):  # fmt: skip
        assert fragment in changes, fragment


def test_each_mutant_is_one_distinct_change_of_a_function_that_still_compiles() -> None:
    assert len({m.ident for m in MUTANTS}) == len(MUTANTS)
    assert len({(m.function, m.source) for m in MUTANTS}) == len(MUTANTS)
    for mutant in MUTANTS:
        assert mutant.source != SOLUTION[mutant.function], mutant.ident
        assert callable(load_function(mutant.source, mutant.function)), mutant.ident


def test_each_mutant_says_what_its_diagnosis_must_name_or_why_it_changes_nothing() -> None:
    for mutant in MUTANTS:
        assert mutant.expect or mutant.why, mutant.ident


def test_a_diagnosis_names_a_mutant_only_when_it_names_what_the_mutation_did() -> None:
    mutant = next(m for m in MUTANTS if m.change.endswith("`3` -> `42`"))
    assert mutant.named_by(Diagnosis((Mistake.of("seed.value", seed=42),)))
    assert not mutant.named_by(Diagnosis((Mistake.of("seed.value", seed=4),)))
    assert not mutant.named_by(None)
    quiet = next(m for m in MUTANTS if not m.expect)
    assert not quiet.named_by(Diagnosis((Mistake.of("seed.value", seed=42),)))


def test_the_solution_is_equivalent_to_the_reference_and_a_real_mistake_is_not() -> None:
    for name, source in SOLUTION.items():
        assert mutants.equivalent(source, ENTRIES[name]), name
    xavier = next(m for m in MUTANTS if m.change.endswith("`2.0` -> `1.0`"))
    assert not mutants.equivalent(xavier.source, ENTRIES[xavier.function])


def test_the_equivalence_inputs_are_many_lists() -> None:
    inputs = mutants.equivalence_inputs()
    assert len(inputs) >= 100
    assert {type(d) for d in inputs} == {list}
    assert max(len(d) for d in inputs) >= 6


@pytest.mark.parametrize("rewrite", mutants.rewrites(), ids=lambda r: r.ident)
def test_every_correct_rewrite_gives_the_references_answer(rewrite) -> None:
    assert mutants.equivalent(rewrite.source, ENTRIES[rewrite.function])


# The two tests that grade every mutant in this process share ``graded_here``'s cache: one worker.
@pytest.mark.xdist_group("mutants_graded_here")
def test_the_mutants_expected_to_change_nothing_change_nothing_and_the_others_do() -> None:
    for mutant in MUTANTS:
        if mutant.expect and mutant.why:
            continue  # np.empty: it depends on what the memory held
        _, same = graded_here(mutant)
        assert same == (not mutant.expect), mutant.ident


@pytest.mark.xdist_group("mutants_graded_here")
def test_in_this_process_every_mutant_that_changes_the_answer_loses_points_and_is_named() -> None:
    survivors, wrongly_failed, unnamed = [], [], []
    for mutant in MUTANTS:
        result, same = graded_here(mutant)
        lost = result.score < result.max_score
        if same:
            wrongly_failed += [mutant.ident] if lost else []
            continue
        survivors += [] if lost else [mutant.ident]
        if lost and not mutant.named_by(result.diagnosis):
            unnamed.append((mutant.ident, diagnosis_text(result.diagnosis)))
    assert survivors == []
    assert wrongly_failed == []
    assert unnamed == []


def test_a_mutant_notebook_is_the_solution_notebook_with_one_cell_replaced() -> None:
    source = read_source()
    mutant = MUTANTS[0]
    built = nbformat.reads(with_functions(source, {mutant.function: mutant.source}), as_version=4)
    changed = [i for i, (a, b) in enumerate(zip(source.cells, built.cells, strict=True)) if a != b]
    assert len(changed) == 1
    cell = built.cells[changed[0]]
    assert cell.metadata["initgrade"]["function"] == mutant.function
    assert cell.source.startswith(f"# GRADED FUNCTION: {mutant.function}\n")
    assert mutant.source in cell.source


def test_the_fast_subset_takes_one_mutant_of_each_kind() -> None:
    chosen = mutants.fast_subset(MUTANTS)
    assert sorted(m.kind for m in chosen) == sorted(KINDS)
    assert {m.method for m in chosen} == {"zeros", "random", "he"}


def test_false_failures_are_counted_for_each_random_method() -> None:
    found = false_failures.count(25)
    assert (found.gradings, found.failed) == (50, 0)
    assert found.expected == pytest.approx(found.layers * 1e-9)


def test_the_false_failure_count_counts_a_wrong_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    right = false_failures.construction

    def off(method: str, seed: int, dims) -> dict[str, np.ndarray]:
        return {key: value * 1.5 for key, value in right(method, seed, dims).items()}

    monkeypatch.setattr(false_failures, "construction", off)
    assert false_failures.count_seeds("he", range(10_000, 10_005)).failed == 5


def test_the_command_lists_every_mutant_with_what_it_must_be_named(capsys) -> None:
    assert main(["mutants", "--list"]) == 0
    listed = capsys.readouterr().out
    assert all(f"{m.ident}: " in listed for m in MUTANTS)
    assert "equivalent: a second np.random.seed(3)" in listed


@pytest.mark.slow
def test_one_mutant_of_each_kind_graded_through_the_sandbox_meets_every_target() -> None:
    """A few of each generated family too: too few to measure their rate, enough to see that
    none is named wrongly through the sandbox (``initgrade mutants`` measures the rates)."""
    summary = mutants.run(jobs=2, fast=True, generated=2)
    assert {r.mutant.kind for r in summary.mutants if r.mutant.family == "single"} == KINDS
    assert {r.mutant.family for r in summary.mutants} == set(mutants.FAMILIES)
    assert summary.survivors == []
    assert summary.wrongly_failed == []
    assert all(r.full_marks for r in summary.rewrites)
    assert summary.hit_rate == 1.0, mutants.details(summary)
    assert summary.wrong == [], mutants.details(summary)
    assert summary.false_failures.failed == 0
    table = mutants.table(summary)
    assert table.startswith("| measure | result | target |")
    assert json.dumps(summary.seconds)  # the phases were timed
    assert io.StringIO(mutants.details(summary)).read().startswith("\nEquivalent mutants:")


def test_the_dashboard_has_a_short_name_for_every_mutants_mistake() -> None:
    unnamed = [
        (m.ident, mistake_id)
        for m in MUTANTS
        for result, same in [graded_here(m)]
        if not same
        for mistake_id in result.mistakes
        if mistake_name(mistake_id) == "another mistake"
    ]
    assert unnamed == []
