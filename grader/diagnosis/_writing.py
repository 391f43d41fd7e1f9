"""Writing a scale expression as a line of code would: ``sqrt(2 / layers_dims[l - 1])``.

A constant is written exactly when it has a short form (``10``, ``0.01``, ``1/3``,
``sqrt(2)``), roots as ``sqrt(...)`` with the constant inside when it is a whole square root
(``sqrt(2 / fan_in)``, ``10 * sqrt(2 / fan_in)``, ``2 / sqrt(fan_in)``), and every other power
with ``**``. ``snap`` replaces a measured constant by its short form when they agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.diagnosis._grammar import Expression, Term

SQUARE_FREE = (1, 2, 3, 5, 6, 7, 10, 11, 13, 14, 15)
DENOMINATOR = 100


def _rational(value: float, rtol: float) -> Fraction | None:
    if not math.isfinite(value) or value == 0:
        return None
    fraction = Fraction(value).limit_denominator(DENOMINATOR)
    return fraction if math.isclose(float(fraction), value, rel_tol=rtol) else None


def snap(value: float, rtol: float) -> float:
    """``value`` replaced by the short number it is measured to be (a fraction, or the square
    root of one), or left as it is."""
    tolerance = max(10 * rtol, 1e-12)
    for root in (1, 2, 4):
        powered = _rational(abs(value) ** root, tolerance)
        if powered is not None:
            return math.copysign(float(powered) ** (1 / root), value)
    return value


def number(value: float) -> str:
    """A constant as code: ``10``, ``0.01``, ``1/3``, ``sqrt(2)``, else six digits."""
    rational = _rational(value, 1e-9)
    if rational is not None:
        if rational.denominator == 1:
            return str(rational.numerator)
        decimal = f"{float(rational):.6g}"
        return decimal if len(decimal) <= 6 else f"{rational.numerator}/{rational.denominator}"
    squared = _rational(value * value, 1e-9)
    if squared is not None and value > 0:
        return f"sqrt({number(float(squared))})"
    return f"{value:.6g}"


def _root(value: float) -> tuple[Fraction, int] | None:
    """``value`` as ``m * sqrt(k)``: a short ``m`` and a small square-free ``k``."""
    squared = _rational(value * value, 1e-9)
    if squared is None or value < 0:
        return None
    for k in SQUARE_FREE:
        outer = _rational(math.sqrt(float(squared) / k), 1e-9)
        if outer is not None:
            return outer, k
    return None


def _atomic(text: str) -> bool:
    """Whether ``text`` needs no parentheses: no space outside brackets."""
    depth = 0
    for char in text:
        depth += (char in "([" and 1) or (char in ")]" and -1) or 0
        if char == " " and depth == 0:
            return False
    return True


def _wrap(text: str) -> str:
    return text if _atomic(text) else f"({text})"


def _power_text(text: str, power: Fraction) -> str:
    if power == 1:
        return text
    if power.denominator == 1:
        return f"{_wrap(text)} ** {power.numerator}"
    if power == Fraction(1, 2):
        return f"sqrt({text})"
    return f"{_wrap(text)} ** {float(power):g}"


def _quotient(top: Sequence[str], bottom: Sequence[str]) -> str:
    numerator = " * ".join(_wrap(t) if len(top) > 1 else t for t in top) if top else "1"
    if not bottom:
        return numerator
    denominator = " * ".join(_wrap(b) for b in bottom)
    return f"{_wrap(numerator)} / {_wrap(denominator) if len(bottom) > 1 else _wrap(bottom[0])}"


def _parts(
    factors: Sequence[tuple[Term, Fraction]], names: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    top: list[str] = []
    bottom: list[str] = []
    for term, power in factors:
        (top if power > 0 else bottom).append(_power_text(term.text(names), abs(power)))
    return top, bottom


def write(expression: Expression, names: Mapping[str, str]) -> str:
    """The expression in the quantities' ``names``."""
    constant, factors = expression.constant, list(expression.factors)
    if not factors:
        return number(constant)
    if constant < 0:
        return "-" + _wrap(write(replace(expression, constant=-constant), names))
    whole = [(t, p) for t, p in factors if p.denominator == 1]
    rooted = [(t, p) for t, p in factors if p.denominator != 1]
    halves = bool(rooted) and all(p.denominator == 2 for _, p in rooted)
    split = _root(constant) if halves else None
    fourth = _rational(constant**4, 1e-9) if rooted and not halves else None
    if fourth is not None and all(p.denominator in (2, 4) for _, p in rooted):
        top, bottom = _parts(whole, names)
        inner_top, inner_bottom = _parts([(t, p * 4) for t, p in rooted], names)
        inner = _quotient(
            ([number(float(fourth))] if fourth != 1 else []) + inner_top, inner_bottom
        )
        top.insert(0, f"{_wrap(inner)} ** 0.25")
        return _quotient(top, bottom)
    if split is None:
        top, bottom = _parts(factors, names)
        if constant != 1:
            top.insert(0, number(constant))
        return _quotient(top, bottom)
    outer, k = split
    top, bottom = _parts(whole, names)
    inner_top, inner_bottom = _parts([(t, p * 2) for t, p in rooted], names)
    if k == 1 and outer != 1 and not inner_top:
        bottom = [f"sqrt({_quotient(inner_bottom, [])})", *bottom]
    else:
        inner = _quotient(([str(k)] if k != 1 or not inner_top else []) + inner_top, inner_bottom)
        top.insert(0, f"sqrt({inner})")
    if outer != 1:
        top.insert(0, number(float(outer)))
    return _quotient(top, bottom)
