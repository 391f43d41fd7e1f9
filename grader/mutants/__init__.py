"""Grading the grader: generated mutants of the solution, correct rewrites, false failures.

``run(jobs=...)`` derives every single-point mutant of the three graded functions from the
solution notebook (``mutants()``), and mutants outside that catalogue (``pairs()``: two
mutations applied together; ``formulas()``: scales drawn at random from the grammar), decides
which are equivalent by running them against the reference in this process, grades each mutant
and each correct rewrite (``rewrites()``) as a whole notebook through
``grader.api.grade_notebook`` in a pool of processes, counts the scale check's false failures on
correct initializations of other seeds, and returns the ``Summary`` that ``table`` and
``details`` render. ``fast=True`` takes one mutant of each kind and a few of each family.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from grader.mutants._catalogue import Mutant, Rewrite, mutants, rewrites
from grader.mutants._equivalence import equivalence_inputs, equivalent
from grader.mutants._false_failures import FalseFailures, count
from grader.mutants._families import formulas, pairs
from grader.mutants._notebooks import read_source, with_functions
from grader.mutants._run import Grade, Task, grade_all
from grader.mutants._score import (
    FAMILIES,
    HIT_TARGET,
    MutantResult,
    RewriteResult,
    Summary,
    details,
    table,
)
from grader.spec import SPEC

__all__ = [
    "FAMILIES",
    "HIT_TARGET",
    "FalseFailures",
    "Grade",
    "Mutant",
    "MutantResult",
    "Rewrite",
    "RewriteResult",
    "Summary",
    "Task",
    "details",
    "equivalence_inputs",
    "equivalent",
    "fast_subset",
    "formulas",
    "grade_all",
    "mutants",
    "pairs",
    "read_source",
    "rewrites",
    "run",
    "table",
    "with_functions",
]

T = TypeVar("T")
FULL_DRAWS = 10_000  # correct initializations per method for the false-failure count
FAST_DRAWS = 200
FULL_GENERATED = 40  # pairs of each function, and drawn scales of each function that has one
FAST_GENERATED = 3


def fast_subset(found: Sequence[Mutant]) -> list[Mutant]:
    """One mutant of each kind, taking the functions in turn, so every kind is graded once."""
    methods = [entry.method for entry in SPEC.functions]
    chosen: list[Mutant] = []
    for index, kind in enumerate(sorted({m.kind for m in found})):
        of_kind = [m for m in found if m.kind == kind]
        preferred = methods[index % len(methods)]
        chosen.append(next((m for m in of_kind if m.method == preferred), of_kind[0]))
    return chosen


def _tasks(items: Sequence[Mutant | Rewrite], cache_dir: str | None) -> list[Task]:
    """Each item as the solution notebook with its function's cell replaced."""
    source = read_source()
    return [
        Task(
            item.ident,
            item.function,
            with_functions(source, {item.function: item.source}),
            cache_dir,
        )
        for item in items
    ]


class _Phases:
    """Wall time of each phase of a run, and what to say when one starts."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.say = progress or (lambda text: None)
        self.seconds: dict[str, float] = {}

    def timed(self, name: str, action: Callable[[], T], what: str) -> T:
        self.say(f"{name}: {what}")
        start = time.perf_counter()
        result = action()
        self.seconds[name] = time.perf_counter() - start
        return result


def _chosen(fast: bool, generated: int | None, phases: _Phases) -> list[Mutant]:
    """The catalogue (one of each kind when ``fast``), then the generated families."""
    chosen = fast_subset(mutants()) if fast else list(mutants())
    number = generated if generated is not None else FAST_GENERATED if fast else FULL_GENERATED
    if number:
        chosen += phases.timed(
            "generation", lambda: [*pairs(number), *formulas(number)],
            f"{number} pairs of mutations and {number} drawn scales per function",
        )  # fmt: skip
    return chosen


def run(
    *,
    jobs: int = 2,
    fast: bool = False,
    cache_dir: str | None = None,
    draws: int | None = None,
    generated: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Grade the mutants and rewrites; ``fast`` takes one mutant per kind, a few of each
    generated family (``generated`` per function, when given) and fewer draws."""
    phases = _Phases(progress)
    chosen = _chosen(fast, generated, phases)
    fixes = list(rewrites())
    if fast:
        fixes = [next(r for r in fixes if r.method == entry.method) for entry in SPEC.functions]
    entries = {entry.name: entry for entry in SPEC.functions}
    items: list[Mutant | Rewrite] = [*chosen, *fixes]
    same = phases.timed(
        "equivalence",
        lambda: [equivalent(i.source, entries[i.function]) for i in items],
        f"{len(items)} functions on {len(equivalence_inputs())} layers_dims each",
    )
    grades = phases.timed(
        "grading",
        lambda: list(grade_all(_tasks(items, cache_dir), jobs)),
        f"{len(items)} notebooks, {jobs} at a time",
    )
    number = draws if draws is not None else FAST_DRAWS if fast else FULL_DRAWS
    false = phases.timed(
        "false failures",
        lambda: count(number, jobs),
        f"{number:,} correct initializations per method on the scale check",
    )
    split = len(chosen)
    return Summary(
        tuple(map(MutantResult, chosen, grades[:split], same[:split])),
        tuple(map(RewriteResult, fixes, grades[split:], same[split:])),
        false,
        phases.seconds,
    )
