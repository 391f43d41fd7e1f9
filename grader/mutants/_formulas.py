"""Scale formulas drawn at random from the grammar of what a scale line can compute.

A formula is built, with a ``RandomState`` of a fixed seed, from the quantities a line of the loop
reads (``layers_dims[l - 1]``, ``layers_dims[l]``, ``l``, ``L``, ``len(layers_dims)``, the first
and last sizes) and small constants, with the grammar's operations: a product or quotient of up
to three factors, a factor being a quantity, a quantity plus a number, a sum of two quantities or
an integer division of a number by one; the whole possibly under a square root or raised to a
power; now and then the sum of two such products. Each is written as code in one of the ways
students write it (``np.sqrt(2 / n)``, ``np.sqrt(2) / np.sqrt(n)``, ``(2 / n) ** 0.5``) and, for
the truth, as a formula in the grader's quantities. No formula comes from a table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np

# name in the grader's formulas -> as the student's code reads it
QUANTITIES = {
    "fan_in": "layers_dims[l - 1]",
    "fan_out": "layers_dims[l]",
    "l": "l",
    "L": "L",
    "n": "len(layers_dims)",
    "first": "layers_dims[0]",
    "last": "layers_dims[-1]",
}
CONSTANTS = (1, 2, 3, 6, 10, 0.5, 0.1, 0.01)
T = TypeVar("T")
Pair = tuple[str, str]  # (the formula in the grader's quantities, the student's code)


def _pick(rs: np.random.RandomState, items: Sequence[T]) -> T:
    return items[int(rs.randint(len(items)))]


def _quantity(rs: np.random.RandomState) -> Pair:
    name = str(_pick(rs, list(QUANTITIES)))
    return name, QUANTITIES[name]


def _factor(rs: np.random.RandomState) -> Pair:
    """A quantity, a quantity plus or minus a number, a sum of two, or k // a quantity."""
    kind = rs.choice(["q", "plus", "sum", "floor"], p=[0.7, 0.12, 0.12, 0.06])
    formula, code = _quantity(rs)
    if kind == "plus":
        k = int(_pick(rs, (1, 2)))
        sign = str(_pick(rs, ("+", "-"))) if formula not in ("l", "first", "last") else "+"
        return f"({formula} {sign} {k})", f"({code} {sign} {k})"
    if kind == "sum":
        other, other_code = _quantity(rs)
        return f"({formula} + {other})", f"({code} + {other_code})"
    if kind == "floor":
        k = int(_pick(rs, (1, 2, 6)))
        return f"({k} // {formula})", f"({k} // {code})"
    return formula, code


def _product(rs: np.random.RandomState) -> Pair:
    """A constant times or over up to three factors."""
    count = int(rs.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
    constant = _pick(rs, CONSTANTS)
    top: list[Pair] = [(repr(constant), repr(constant))] if constant != 1 or rs.rand() < 0.5 else []
    bottom: list[Pair] = []
    for _ in range(count):
        (bottom if rs.rand() < 0.6 else top).append(_factor(rs))
    numerator = [p for p in top] or [("1", "1")]
    formula = " * ".join(f for f, _ in numerator)
    code = " * ".join(c for _, c in numerator)
    if bottom:
        formula = f"({formula}) / ({' * '.join(f for f, _ in bottom)})"
        code = f"({code}) / ({' * '.join(c for _, c in bottom)})"
    return formula, code


def _rooted(rs: np.random.RandomState, inner: Pair) -> Pair:
    """Under a square root or a power, in one of the ways students write it."""
    formula, code = inner
    how = rs.choice(["sqrt", "power", "none"], p=[0.5, 0.15, 0.35])
    if how == "sqrt":
        spelled = str(_pick(rs, ("np.sqrt({})", "({}) ** 0.5", "np.power({}, 0.5)")))
        return f"sqrt({formula})", spelled.format(code)
    if how == "power":
        power = _pick(rs, (2, -1, 0.25))
        return f"({formula}) ** {power}", f"({code}) ** {power}"
    return formula, code


def formula(rs: np.random.RandomState) -> Pair:
    """One formula, as (the grader's formula, the student's code)."""
    first = _rooted(rs, _product(rs))
    if rs.rand() < 0.1:
        second = _rooted(rs, _product(rs))
        return f"{first[0]} + {second[0]}", f"{first[1]} + {second[1]}"
    return first


def formulas(seed: int) -> Iterator[Pair]:
    """An endless, reproducible stream of formulas."""
    rs = np.random.RandomState(seed)
    while True:
        yield formula(rs)
