"""``initgrade mutants``: grade generated mutants and correct rewrites; print the grader's score."""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of processes") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes above 0")
    return value


def _shown(mistake: Any) -> str:
    fields = ", ".join(f"{k}={v!r}" for k, v in mistake.fields)
    return f"{mistake.id}({fields})" if fields else mistake.id


def add_parser(commands: Any, name: str) -> None:
    mutants = commands.add_parser(
        name,
        help="grade every generated mutant of the solution and the correct rewrites; print the "
        "table of how well the grader grades (exit 1 when a target is missed)",
    )
    mutants.add_argument(
        "--jobs", type=_jobs, default=os.cpu_count() or 1, help="notebooks graded at a time"
    )
    mutants.add_argument(
        "--fast", action="store_true", help="one mutant of each kind and fewer draws (for CI)"
    )
    mutants.add_argument(
        "--list", action="store_true", help="only list the mutants and what each must be named"
    )
    mutants.add_argument(
        "--generated",
        type=_jobs,
        default=None,
        help="pairs of mutations, and scales drawn from the grammar, per function (default 40, "
        "3 with --fast)",
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader import mutants

    if args.list:
        for mutant in mutants.mutants():
            expect = " & ".join(_shown(m) for m in mutant.expect) or f"equivalent: {mutant.why}"
            print(f"{mutant.ident}: {mutant.change}\n    {expect}", file=out)
        return 0
    summary = mutants.run(
        jobs=args.jobs,
        fast=args.fast,
        generated=args.generated,
        progress=lambda text: print(text, file=err, flush=True),
    )
    print(mutants.table(summary), file=out)
    print(mutants.details(summary), file=out)
    met = summary.met
    print(f"\ntargets: {'met' if met else 'MISSED'}", file=out)
    return 0 if met else 1
