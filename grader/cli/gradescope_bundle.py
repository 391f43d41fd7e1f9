"""``initgrade gradescope-bundle``: write the autograder zip for a Gradescope assignment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.errors import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    bundle = commands.add_parser(
        name, help="write the Gradescope autograder zip (setup.sh, run_autograder, initgrade)"
    )
    bundle.add_argument("out", type=Path, metavar="OUT.zip", help="where to write the zip")


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.batch import build_bundle

    try:
        size = build_bundle(args.out)
    except OSError as error:
        print(
            msg.REPORT_CANNOT_WRITE.format(what="the bundle", path=args.out, error=error), file=err
        )
        return EXIT_USAGE
    print(msg.BUNDLE_WROTE.format(path=args.out, size=f"{size / 1024:.0f} KB"), file=out)
    return EXIT_OK
