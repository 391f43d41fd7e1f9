"""Scale expressions: products of powers of a layer's quantities, as a student's line computes.

A layer's quantities are the sizes and counts its code can read: its fan-in
``layers_dims[l - 1]``, its fan-out ``layers_dims[l]``, the layer index ``l``, the number of
layers ``L``, the first and the last size. A *term* is a quantity, a quantity plus or minus a
small number (``l + 1``), a sum or difference of two quantities (``fan_in + fan_out``), or an
integer division of a small number by a quantity (``2 // fan_in``). An ``Expression`` is a
constant times a product of terms raised to simple powers: ``np.sqrt(2 / layers_dims[l - 1])``
is ``sqrt(2) * fan_in ** -1/2``. ``Expression.values`` evaluates one on a table of layers, and
``text``/``code`` write it in words of the grader and of the student's notebook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

# name -> how the student's code reads it
QUANTITIES: dict[str, str] = {
    "fan_in": "layers_dims[l - 1]",
    "fan_out": "layers_dims[l]",
    "l": "l",
    "L": "L",
    "n": "len(layers_dims)",
    "first": "layers_dims[0]",
    "last": "layers_dims[-1]",
}
Table = Mapping[str, np.ndarray]  # quantity -> its value in each layer


def _at(dims: tuple[int, ...], index: int) -> float:
    """``layers_dims[index]`` as Python reads it, NaN past either end."""
    return float(dims[index]) if -len(dims) <= index < len(dims) else float("nan")


def layer_table(rows: list[tuple[tuple[int, ...], int]]) -> dict[str, np.ndarray]:
    """The quantities of each (layers_dims, l) row."""
    return {
        "fan_in": np.array([_at(d, layer - 1) for d, layer in rows]),
        "fan_out": np.array([_at(d, layer) for d, layer in rows]),
        "l": np.array([layer for _, layer in rows], dtype=np.float64),
        "L": np.array([len(d) - 1 for d, _ in rows], dtype=np.float64),
        "n": np.array([len(d) for d, _ in rows], dtype=np.float64),
        "first": np.array([d[0] for d, _ in rows], dtype=np.float64),
        "last": np.array([d[-1] for d, _ in rows], dtype=np.float64),
    }


@dataclass(frozen=True)
class Term:
    """``a``, ``a + k``, ``a + b``, ``a - b`` or ``k // a`` for quantities a, b and a number k."""

    op: str  # "q" | "+k" | "+" | "-" | "//"
    a: str
    b: str = ""
    k: int = 0

    def values(self, table: Table) -> np.ndarray:
        return np.asarray(self._values(table), dtype=np.float64)

    def _values(self, table: Table) -> np.ndarray:
        a = table[self.a]
        if self.op == "q":
            return a
        if self.op == "+k":
            return a + self.k
        if self.op == "+":
            return a + table[self.b]
        if self.op == "-":
            return a - table[self.b]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(float(self.k), a)

    def text(self, names: Mapping[str, str]) -> str:
        a, b = names[self.a], names.get(self.b, self.b)
        if self.op == "q":
            return a
        if self.op == "+k":
            return f"{a} {'+' if self.k > 0 else '-'} {abs(self.k)}"
        if self.op in ("+", "-"):
            return f"{a} {self.op} {b}"
        return f"{self.k} // {a}"

    @property
    def simple(self) -> bool:
        return self.op == "q"

    @property
    def size(self) -> int:
        return 1 if self.op == "q" else 2


@dataclass(frozen=True)
class Expression:
    """``constant * prod(term ** power)``, powers as fractions."""

    constant: float
    factors: tuple[tuple[Term, Fraction], ...] = ()

    def values(self, table: Table) -> np.ndarray:
        size = len(next(iter(table.values())))
        out = np.full(size, self.constant, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for term, power in self.factors:
                base = term.values(table)
                out = out * _power(base, power)
        return out

    @property
    def size(self) -> int:
        """How many parts the expression has: its constant (unless 1) and each term."""
        return int(not math.isclose(self.constant, 1.0)) + sum(t.size for t, _ in self.factors)

    def text(self) -> str:
        """In the grader's words: ``sqrt(2 / fan_in)``."""
        from grader.diagnosis._writing import write

        return write(self, {name: name for name in QUANTITIES})

    def code(self) -> str:
        """In the notebook's: ``sqrt(2 / layers_dims[l - 1])``."""
        from grader.diagnosis._writing import write

        return write(self, QUANTITIES)


def _power(base: np.ndarray, power: Fraction) -> np.ndarray:
    """``base ** power``, a half power through ``np.sqrt`` as code writes it."""
    if power == 1:
        return base
    if power.denominator == 2:
        root = np.sqrt(base) ** abs(power.numerator)
        return np.asarray(root if power > 0 else 1 / root)
    return np.asarray(np.power(base, float(power)))


@dataclass(frozen=True)
class Sum:
    """The sum of two expressions (``sqrt(2 / fan_in) + 0.01``): what a scale line adding two
    products computes."""

    parts: tuple[Expression, ...]

    def values(self, table: Table) -> np.ndarray:
        return np.asarray(np.sum([part.values(table) for part in self.parts], axis=0))

    @property
    def size(self) -> int:
        return sum(part.size for part in self.parts) + 1

    def text(self) -> str:
        return " + ".join(part.text() for part in self.parts)

    def code(self) -> str:
        return " + ".join(part.code() for part in self.parts)


Formula = Expression | Sum
