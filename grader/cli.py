"""The ``initgrade`` command: a thin shell over the API. ``main(argv)`` parses and returns the exit code."""

from __future__ import annotations

import argparse
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

    commands.add_parser("demo", help="train the reference initializations and print the table")

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on usage errors, 0 on --help
        return int(stop.code or 0)

    if args.command == "demo":
        from grader.demo import run_demo

        return run_demo(sys.stdout)
    if args.command == "release":
        from grader.release import run_release

        return run_release(args.assignment_dir, check=args.check, out=sys.stdout)
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
