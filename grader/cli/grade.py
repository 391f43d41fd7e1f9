"""``initgrade grade``: grade one notebook, print the report, write the files asked for."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from grader import messages as msg
from grader.api import Graded, grade_submission
from grader.cli import EXIT_OK, EXIT_UNGRADABLE, EXIT_USAGE
from grader.reports import render_text, write_gradescope, write_junit


def run_grade(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """Grade ``args.notebook``; 0 when a report was produced, 1 when nothing could be graded."""
    if args.executed is not None and not args.execute:
        print(msg.CLI_BAD_OPTION.format(error="--executed needs --execute"), file=err)
        return EXIT_USAGE
    try:
        graded = grade_submission(
            args.notebook, timeout=args.timeout, memory_mb=args.memory, execute=args.execute
        )
    except ValueError as error:  # an option out of range (a usage error, not the student's)
        print(msg.CLI_BAD_OPTION.format(error=error), file=err)
        return EXIT_USAGE
    print(render_text(graded.report, ascii_marks=args.ascii), end="", file=out)
    if not _write_outputs(graded, args, err):
        return EXIT_USAGE
    return EXIT_UNGRADABLE if graded.report.error else EXIT_OK


def _write_outputs(graded: Graded, args: argparse.Namespace, err: TextIO) -> bool:
    """Write every requested file; say which could not be written (and go on with the rest)."""
    ok = True
    for what, path in (
        ("results.json", args.json),
        ("JUnit XML", args.junit),
        ("HTML feedback", args.html),
        ("executed notebook", args.executed),
    ):
        if path is None:
            continue
        try:
            _write(what, graded, path)
        except OSError as error:
            print(msg.CLI_CANNOT_WRITE.format(what=what, path=path, error=error), file=err)
            ok = False
    return ok


def _write(what: str, graded: Graded, path: Path) -> None:
    if what == "results.json":
        write_gradescope(graded.report, path)
    elif what == "JUnit XML":
        write_junit(graded.report, path)
    elif what == "HTML feedback":
        from grader.reports.html import write_html

        write_html(graded.report, path, student_params=graded.outcome_params)
    elif graded.executed is not None:
        import nbformat

        nbformat.write(graded.executed, str(path))
