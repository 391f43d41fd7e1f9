"""Scales that add two products: ``sqrt(2 / fan_in) + 0.01``, ``fan_in / 10 + 1 / l``.

Tried only when no single product fits. Each part is a constant times one term of the grammar
raised to a simple power or a product of two quantities, or a constant alone; the constants
enter linearly, so every pair of parts is solved at once from one Gram matrix, and the few pairs
whose residual is rounding error are checked in plain arithmetic. The number of pairs is fixed
by the term list.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from grader.diagnosis._grammar import Expression, Sum, Table, Term
from grader.diagnosis._writing import snap

PART_POWERS = tuple(Fraction(p) for p in ("1", "-1", "1/2", "-1/2", "2", "-2"))
PAIR_POWERS = tuple(Fraction(p) for p in ("1", "-1", "1/2", "-1/2"))
MAX_CHECKED = 24
RESIDUAL = 1e-12  # a pair whose squared residual is below this share of the target's is checked


def _parts(
    terms: list[Term], table: Table, rows: np.ndarray
) -> tuple[list[Expression], np.ndarray]:
    """A constant, each term to each power, and each product of two plain quantities."""
    factors: list[tuple[tuple[Term, Fraction], ...]] = [()]
    factors += [((term, power),) for term in terms for power in PART_POWERS]
    simple = [t for t in terms if t.simple]
    for a, b in itertools.combinations(simple, 2):
        factors += [((a, p), (b, q)) for p in PAIR_POWERS for q in PAIR_POWERS]
    parts = [Expression(1.0, f) for f in factors]
    with np.errstate(all="ignore"):
        columns = np.stack([part.values(table)[rows] for part in parts], axis=1)
    usable = np.all(np.isfinite(columns), axis=0)
    return [p for p, u in zip(parts, usable, strict=True) if u], columns[:, usable]


def fit_sums(
    terms: list[Term], table: Table, values: np.ndarray, rows: np.ndarray, rtol: float
) -> list[Sum]:
    """Sums of two parts that give ``values`` on ``rows``, best fitting first."""
    parts, matrix = _parts(terms, table, rows)
    target = values[rows]
    gram, right = matrix.T @ matrix, matrix.T @ target
    total = float(target @ target)
    i, j = np.triu_indices(len(parts), k=1)
    with np.errstate(all="ignore"):
        det = gram[i, i] * gram[j, j] - gram[i, j] ** 2
        a = (right[i] * gram[j, j] - right[j] * gram[i, j]) / det
        b = (right[j] * gram[i, i] - right[i] * gram[i, j]) / det
        residual = total - a * right[i] - b * right[j]
    good = np.flatnonzero(np.isfinite(residual) & (residual < RESIDUAL * total) & (det > 0))
    found = []
    for k in good[np.argsort(residual[good])][:MAX_CHECKED]:
        one = Expression(snap(float(a[k]), rtol), parts[i[k]].factors)
        two = Expression(snap(float(b[k]), rtol), parts[j[k]].factors)
        candidate = Sum(tuple(sorted((one, two), key=lambda part: not part.factors)))
        got = candidate.values(table)[rows]
        if np.allclose(got, target, rtol=rtol, atol=0.0):
            found.append(candidate)
    return found
