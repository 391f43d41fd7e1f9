"""Benchmark: how well the grader grades, on every generated mutant of the solution.

Runs ``initgrade mutants`` in full: every single-point mutant of the three graded functions and
every correct rewrite, each graded as a whole notebook through the sandbox, ``--jobs`` at a time,
and 10,000 correct initializations per random method on the scale check. Prints the table of the
README's "How well the grader grades", the equivalent mutants with why, and whatever missed a
target; then the wall time of the pool against grading the same notebooks one by one, estimated
from a serial sample measured in the same run.

Targets (exit 1 when one is missed): every mutant that is not equivalent loses points, no
equivalent mutant or correct rewrite loses any, the "Likely mistake" names the mutation for at
least 90% of killed mutants, and the scale check fails none of the correct initializations.

    python benchmarks/mutants.py [--jobs N] [--fast]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from grader import mutants
from grader.mutants import Task, grade_all, read_source, with_functions

SERIAL_SAMPLE = 20  # notebooks, spread over the mutants, graded one by one for the baseline


def serial_seconds() -> float:
    """Seconds per notebook graded alone (a sample of mutants, outcome cache already warm)."""
    source = read_source()
    sample = mutants.mutants()[:: max(1, len(mutants.mutants()) // SERIAL_SAMPLE)][:SERIAL_SAMPLE]
    tasks = [
        Task(m.ident, m.function, with_functions(source, {m.function: m.source})) for m in sample
    ]
    list(grade_all(tasks[:1], 1))  # the first grading in a process also imports the grader
    start = time.perf_counter()
    list(grade_all(tasks, 1))
    return (time.perf_counter() - start) / len(tasks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--fast", action="store_true", help="one mutant of each kind")
    args = parser.parse_args()
    start = time.perf_counter()
    summary = mutants.run(jobs=args.jobs, fast=args.fast, progress=lambda t: print(t, flush=True))
    wall = time.perf_counter() - start
    print(mutants.table(summary))
    print(mutants.details(summary))
    notebooks = len(summary.mutants) + len(summary.rewrites)
    pool = summary.seconds["grading"]
    alone = serial_seconds()
    phases = ", ".join(f"{name} {s:.0f} s" for name, s in summary.seconds.items())
    print(f"\nwall time {wall:.0f} s ({phases})")
    each = pool / notebooks
    print(f"{notebooks} notebooks in {pool:.0f} s, {args.jobs} at a time: {each:.2f} s each")
    print(f"one by one (a sample of {SERIAL_SAMPLE}): {alone:.2f} s each")
    print(f"ratio one-by-one / pool: {alone * notebooks / pool:.2f}x")
    print(f"targets: {'met' if summary.met else 'MISSED'}")
    return 0 if summary.met else 1


if __name__ == "__main__":
    sys.exit(main())
