"""Option types that refuse bad values at the boundary, with argparse's own usage message, and
the ``--assignment FILE`` option the commands share."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.spec import AssignmentSpec


def seconds(text: str) -> float:
    """A finite, positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds above 0")
    return value


def megabytes(text: str) -> int:
    """A whole, positive number of MB."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of MB") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of MB above 0")
    return value


def add_assignment_option(parser: Any, *, required: bool = False) -> None:
    """``--assignment FILE``: a course's own term of the assignment (``grader.spec.variant``)."""
    parser.add_argument(
        "--assignment",
        type=Path,
        metavar="FILE",
        required=required,
        help="the assignment file (TOML) of a course's own term (default: the course's)",
    )


def assignment_of(path: Path | None) -> AssignmentSpec:
    """The model ``--assignment`` names, or the course's; a file it cannot use raises
    ``SpecError`` (exit 2) naming the file and what is wrong."""
    from grader.spec import SPEC
    from grader.spec.variant import load_assignment

    return SPEC if path is None else load_assignment(path)


def add_choice_options(parser: argparse.ArgumentParser) -> None:
    """Which submission counts for each student (``grader.batch.Choice``)."""
    parser.add_argument(
        "--counts",
        choices=("latest", "best"),
        default="latest",
        help="which submission counts: the one the latest batch found (default) or the best",
    )
    parser.add_argument(
        "--pick",
        action="append",
        default=[],
        metavar="STUDENT=SHA",
        help="count this student's submission whose sha256 starts so (repeatable)",
    )


def choice(args: argparse.Namespace) -> Any:
    from grader import messages as msg
    from grader.batch import Choice
    from grader.errors import UsageError

    picks = {}
    for text in args.pick:
        student, _, sha = text.partition("=")
        if not student or not sha:
            raise UsageError(msg.COUNTS_PICK_FORM.format(text=text))
        picks[student] = sha
    return Choice(args.counts, picks)


def add_late_options(parser: argparse.ArgumentParser) -> None:
    """A late policy (``grader.batch.LatePolicy``), applied from each received time."""
    parser.add_argument(
        "--deadline",
        metavar="TIME",
        help="the deadline, ISO 8601 (2026-12-04T23:59+01:00; UTC without a zone)",
    )
    parser.add_argument(
        "--late-penalty",
        type=float,
        default=0.0,
        metavar="PERCENT",
        help="percent of the points taken per day (or hour) or part of one late (default 0)",
    )
    parser.add_argument(
        "--late-per", choices=("day", "hour"), default="day", help="the unit of --late-penalty"
    )
    parser.add_argument(
        "--late-cap",
        type=float,
        default=100.0,
        metavar="PERCENT",
        help="the most the late penalty takes, in percent of the points (default 100)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="minutes after the deadline that cost nothing (default 0)",
    )
    parser.add_argument(
        "--extensions",
        type=Path,
        metavar="CSV",
        help="per-student deadlines: a CSV with the columns student and deadline",
    )


def late_policy(args: argparse.Namespace) -> Any:
    """The policy the options give, or None without ``--deadline``."""
    from grader import messages as msg
    from grader.batch import LatePolicy, parse_moment, read_extensions
    from grader.errors import UsageError

    if args.deadline is None:
        if args.late_penalty or args.extensions is not None:
            option = "--late-penalty" if args.late_penalty else "--extensions"
            raise UsageError(msg.LATE_NEEDS_DEADLINE.format(option=option))
        return None
    extensions = read_extensions(args.extensions) if args.extensions is not None else {}
    return LatePolicy(
        parse_moment(args.deadline, "--deadline"), args.late_penalty, args.late_per,
        args.late_cap, args.grace, extensions,
    )  # fmt: skip
