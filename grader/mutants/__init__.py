"""Grading the grader: generated mutants of the solution, correct rewrites, false failures.

``run(jobs=...)`` derives every single-point mutant of the three graded functions from the
solution notebook (``mutants()``), decides which are equivalent by running them against the
reference in this process, grades each mutant and each correct rewrite (``rewrites()``) as a
whole notebook through ``grader.api.grade_notebook`` in a pool of processes, counts the scale
check's false failures on correct initializations of other seeds, and returns the ``Summary``
that ``table`` and ``details`` render. ``fast=True`` takes one mutant of each kind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from grader.mutants._catalogue import Mutant, Rewrite, mutants, rewrites
from grader.mutants._equivalence import equivalence_inputs, equivalent
from grader.mutants._false_failures import FalseFailures, count
from grader.mutants._notebooks import read_source, with_functions
from grader.mutants._run import Grade, Task, grade_all
from grader.mutants._score import HIT_TARGET, MutantResult, RewriteResult, Summary, details, table
from grader.spec import SPEC

__all__ = [
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
    "grade_all",
    "mutants",
    "read_source",
    "rewrites",
    "run",
    "table",
    "with_functions",
]

FULL_DRAWS = 10_000  # correct initializations per method for the false-failure count
FAST_DRAWS = 200


def fast_subset(found: Sequence[Mutant]) -> list[Mutant]:
    """One mutant of each kind, taking the functions in turn, so every kind is graded once."""
    methods = [entry.method for entry in SPEC.functions]
    chosen: list[Mutant] = []
    for index, kind in enumerate(sorted({m.kind for m in found})):
        of_kind = [m for m in found if m.kind == kind]
        preferred = methods[index % len(methods)]
        chosen.append(next((m for m in of_kind if m.method == preferred), of_kind[0]))
    return chosen


def run(
    *,
    jobs: int = 2,
    fast: bool = False,
    cache_dir: str | None = None,
    draws: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Grade the mutants and rewrites; ``fast`` takes one mutant per kind and fewer draws."""
    say = progress or (lambda text: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    chosen = fast_subset(mutants()) if fast else list(mutants())
    fixes = list(rewrites())
    if fast:
        fixes = [next(r for r in fixes if r.method == entry.method) for entry in SPEC.functions]
    entries = {entry.name: entry for entry in SPEC.functions}
    say(f"checking {len(chosen)} mutants for equivalence on {len(equivalence_inputs())} inputs")
    same = [equivalent(m.source, entries[m.function]) for m in chosen]
    fixed_same = [equivalent(r.source, entries[r.function]) for r in fixes]
    seconds["equivalence"] = time.perf_counter() - clock
    source = read_source()
    items: list[Mutant | Rewrite] = [*chosen, *fixes]
    tasks = [
        Task(
            item.ident,
            item.function,
            with_functions(source, {item.function: item.source}),
            cache_dir,
        )
        for item in items
    ]
    say(f"grading {len(tasks)} notebooks, {jobs} at a time")
    clock = time.perf_counter()
    grades = list(grade_all(tasks, jobs))
    seconds["grading"] = time.perf_counter() - clock
    say(f"counting false failures of the scale check ({seconds['grading']:.0f} s of grading)")
    clock = time.perf_counter()
    false = count(draws if draws is not None else FAST_DRAWS if fast else FULL_DRAWS, jobs)
    seconds["false failures"] = time.perf_counter() - clock
    return Summary(
        tuple(
            MutantResult(m, g, e)
            for m, g, e in zip(chosen, grades[: len(chosen)], same, strict=True)
        ),
        tuple(
            RewriteResult(r, g, e)
            for r, g, e in zip(fixes, grades[len(chosen) :], fixed_same, strict=True)
        ),
        false,
        seconds,
    )
