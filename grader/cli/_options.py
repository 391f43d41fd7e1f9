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
