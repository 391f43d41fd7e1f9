"""``initgrade adjust``: add, list or withdraw a staff adjustment to a student's grade."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.errors import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    adjust = commands.add_parser(
        name,
        help="add points to (or take them from) a student's grade, with a comment; list or "
        "withdraw adjustments",
    )
    adjust.add_argument(
        "--gradebook", type=Path, required=True, metavar="PATH", help="the batch's gradebook"
    )
    adjust.add_argument("student", nargs="?", metavar="STUDENT", help="the student's id")
    adjust.add_argument(
        "points", nargs="?", type=float, metavar="POINTS", help="points to add (negative: take)"
    )
    adjust.add_argument("--comment", metavar="TEXT", help="why (required with POINTS)")
    adjust.add_argument("--function", metavar="NAME", help="the graded function it is for")
    adjust.add_argument(
        "--assignment", metavar="NAME", help="the assignment, when the student has several"
    )
    adjust.add_argument("--list", action="store_true", help="list every adjustment and stop")
    adjust.add_argument(
        "--withdraw", type=int, metavar="N", help="withdraw adjustment N (kept on record)"
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.batch import adjust, describe_adjustment, list_adjustments, withdraw

    if args.list:
        for adjustment in list_adjustments(args.gradebook):
            print(describe_adjustment(adjustment), file=out)
        return EXIT_OK
    if args.withdraw is not None:
        withdraw(args.gradebook, args.withdraw)
        print(msg.ADJUST_WITHDREW.format(number=args.withdraw), file=out)
        return EXIT_OK
    if args.student is None or args.points is None or args.comment is None:
        print(msg.ADJUST_USAGE, file=err)
        return EXIT_USAGE
    made = adjust(
        args.gradebook, args.student, args.points, args.comment,
        function=args.function, assignment=args.assignment,
    )  # fmt: skip
    print(describe_adjustment(made), file=out)
    _warn_over_maximum(args.gradebook, made, err)
    return EXIT_OK


def _warn_over_maximum(gradebook: Path, made: dict[str, Any], err: TextIO) -> None:
    """Say so when the adjustment takes the student's total over the maximum (exports cap it)."""
    from grader.batch import over_maximum, read_rows

    for row in read_rows(gradebook):
        if (row["student"], row["assignment"]) != (made["student"], made["assignment"]):
            continue
        total = over_maximum(row)
        if total is not None:
            shown = {"student": row["student"], "max_score": row["max_score"]}
            print(msg.EXPORT_CAPPED.format(total=total, **shown), file=err)
