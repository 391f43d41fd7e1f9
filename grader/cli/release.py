"""``initgrade release``: regenerate (or check) the student bundle of an assignment; with
``--assignment FILE``, the bundle of a course's own term, into a folder of its own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader.cli._options import add_assignment_option, assignment_of
from grader.errors import EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    release = commands.add_parser(
        name, help="regenerate the student bundle from the solution source and reference/"
    )
    release.add_argument(
        "assignment_dir",
        nargs="?",
        type=Path,
        default=None,
        metavar="OUTDIR",
        help="where the released files go: a folder without the solution source gets the "
        "student files to hand out (Initialization.ipynb, init_utils.py, public_tests.py); a "
        "folder with source.ipynb is released from it (default: the bundled initialization "
        "assignment; with --assignment, the file's directory)",
    )
    release.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any released file differs from a fresh release",
    )
    add_assignment_option(release)


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.authoring import DEFAULT_ASSIGNMENT_DIR, SOURCE_NAME, run_release

    if args.assignment is None:
        target = args.assignment_dir
        own_source = target is None or (Path(target) / SOURCE_NAME).is_file()
        source = None if own_source else DEFAULT_ASSIGNMENT_DIR  # a folder to hand out
        return run_release(target, check=args.check, out=out, source_dir=source)
    spec = assignment_of(args.assignment)
    target = args.assignment_dir
    if target is None and spec.directory != DEFAULT_ASSIGNMENT_DIR:
        target = spec.directory
    if target is None or Path(target).resolve() == DEFAULT_ASSIGNMENT_DIR:
        print(
            "initgrade release: give the folder the term's files go to (OUTDIR), or a "
            "directory in its assignment file; the course's own folder keeps the course's",
            file=err,
        )
        return EXIT_USAGE
    return run_release(
        target, check=args.check, out=out, spec=spec, source_dir=DEFAULT_ASSIGNMENT_DIR
    )
