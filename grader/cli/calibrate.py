"""``initgrade calibrate --assignment FILE``: outcome bands for a course's own term, by training,
written into the assignment file with the table they come from."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from grader.cli._options import add_assignment_option, assignment_of
from grader.errors import EXIT_OK


def _seeds(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seeds") from None


def add_parser(commands: Any, name: str) -> None:
    calibrate = commands.add_parser(
        name,
        help="compute the outcome bands of an assignment file's methods for its seed, by "
        "training, and write them into the file",
    )
    add_assignment_option(calibrate, required=True)
    calibrate.add_argument(
        "--seeds",
        type=_seeds,
        default=None,
        metavar="N",
        help="other seeds trained per method to show how the bands fare (default 32)",
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.authoring import DEFAULT_SEEDS, bands_block, calibrate, header, write_bands

    spec = assignment_of(args.assignment)
    seeds = DEFAULT_SEEDS if args.seeds is None else args.seeds
    print(f"Training {len(spec.functions)} method(s), {seeds} other seeds each...", file=err)
    found = calibrate(spec, seeds=seeds)
    print(header(spec), file=out)
    for row in found:
        print(row.row(), file=out)
    write_bands(args.assignment, bands_block(spec, found, seeds))
    print(f"bands written to {args.assignment}", file=out)
    return EXIT_OK
