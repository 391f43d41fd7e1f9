"""``initgrade report``: the staff dashboard of a gradebook, as one HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.cli._options import add_assignment_option, assignment_of
from grader.errors import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    report = commands.add_parser(name, help="write the staff dashboard of a gradebook")
    report.add_argument(
        "--gradebook",
        type=Path,
        required=True,
        metavar="PATH",
        help="the SQLite gradebook (created by the first batch, read by export and report)",
    )
    report.add_argument(
        "--html", type=Path, required=True, metavar="PATH", help="where to write the page"
    )
    report.add_argument(
        "--feedback-dir",
        type=Path,
        metavar="DIR",
        help="the feedback pages of initgrade batch --feedback-dir, to link to",
    )
    add_assignment_option(report)


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.batch import write_dashboard

    spec = assignment_of(args.assignment)
    try:
        students = write_dashboard(
            args.gradebook, args.html, feedback_dir=args.feedback_dir, spec=spec
        )
    except OSError as error:
        print(
            msg.REPORT_CANNOT_WRITE.format(what="the dashboard", path=args.html, error=error),
            file=err,
        )
        return EXIT_USAGE
    print(msg.REPORT_WROTE.format(students=students, path=args.html), file=out)
    return EXIT_OK
