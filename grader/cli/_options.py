"""Option types that refuse bad values at the boundary, with argparse's own usage message."""

from __future__ import annotations

import argparse
import math


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
