"""The ``initgrade`` command: a thin shell over the API; ``main(argv)`` returns the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_UNGRADABLE = 1
EXIT_USAGE = 2


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="initgrade",
        description="Reference, assignment and isolated autograder for weight initialization.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "demo", help="print the reference table and grade two bundled example submissions"
    )

    grade = commands.add_parser("grade", help="grade one notebook and write the reports asked for")
    grade.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    grade.add_argument("--json", type=Path, metavar="PATH", help="write Gradescope results.json")
    grade.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML")
    grade.add_argument("--html", type=Path, metavar="PATH", help="write an HTML feedback page")
    grade.add_argument(
        "--execute",
        action="store_true",
        help="also run the whole notebook in a sandboxed kernel (for the record; slower)",
    )
    grade.add_argument(
        "--executed", type=Path, metavar="PATH", help="with --execute, save the executed notebook"
    )
    grade.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="limit for one call of a student function (default: the assignment's, 5 s)",
    )
    grade.add_argument(
        "--memory", type=int, metavar="MB", help="address-space limit of the student's process"
    )
    grade.add_argument("--ascii", action="store_true", help="PASS/FAIL instead of check marks")

    release = commands.add_parser(
        "release", help="regenerate the student bundle from the solution source and reference/"
    )
    release.add_argument("assignment_dir", nargs="?", type=Path, default=None)
    release.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any released file differs from a fresh release",
    )
    return parser


def _keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis caches what it reads of source files under ``./.hypothesis`` by default; grading
    writes nothing but the files asked for, so that cache goes to initgrade's own."""
    from grader.checks._outcome import cache_root

    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(cache_root() / "hypothesis"))


def main(argv: Sequence[str] | None = None) -> int:
    _keep_hypothesis_out_of_the_working_directory()
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on usage errors, 0 on --help
        return int(stop.code or 0)

    if args.command == "demo":
        from grader.cli.demo import run_demo

        return run_demo(sys.stdout)
    if args.command == "grade":
        from grader.cli.grade import run_grade

        return run_grade(args, out=sys.stdout, err=sys.stderr)
    if args.command == "release":
        from grader.authoring._release import run_release

        return run_release(args.assignment_dir, check=args.check, out=sys.stdout)
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE
