"""``initgrade release``: regenerate (or check) the student bundle of an assignment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO


def add_parser(commands: Any, name: str) -> None:
    release = commands.add_parser(
        name, help="regenerate the student bundle from the solution source and reference/"
    )
    release.add_argument(
        "assignment_dir",
        nargs="?",
        type=Path,
        default=None,
        help="the assignment's folder (default: the bundled initialization assignment)",
    )
    release.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any released file differs from a fresh release",
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.authoring import run_release

    return run_release(args.assignment_dir, check=args.check, out=out)
