"""Find the simplest scale expression that gives a measured value in every layer.

The values are exact (a factor between a student's weights and the draws they came from), so the
right expression fits them to rounding error. ``fit_expression`` takes logarithms, which turns
``c * prod(term ** p)`` into a linear model, and solves it for every set of at most
``MAX_TERMS`` terms at once (normal equations, stacked); a set whose residual is rounding error
has its powers snapped to simple fractions and is then checked in plain arithmetic against
every value. Layers whose value is 0 are explained by a term that is 0 in exactly those layers
(an integer division). The number of sets tried is fixed by the term list, not by the data.
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction

import numpy as np

from grader.diagnosis._grammar import QUANTITIES, Expression, Formula, Sum, Table, Term
from grader.diagnosis._sums import fit_sums
from grader.diagnosis._writing import snap

POWERS = tuple(
    Fraction(n, d)
    for d in (1, 2, 3, 4)
    for n in range(-8, 9)
    if n and Fraction(n, d).denominator == d
)
SMALL = (1, 2)  # k in a + k and a - k
DIVIDENDS = (1, 2, 3, 6)  # k in k // a
MAX_TERMS = 4
MAX_CHECKED = 24  # candidate sets checked in plain arithmetic, at most
LOG_TOLERANCE = 1e-6  # a set whose log residual is below this is checked exactly
VALUE_RTOL = 1e-9


@functools.lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    """Every term of the grammar, simplest first."""
    names = list(QUANTITIES)
    found = [Term("q", a) for a in names]
    found += [Term("+k", a, k=s * k) for a in names for k in SMALL for s in (1, -1)]
    for a, b in itertools.combinations(names, 2):
        found += [Term("+", a, b), Term("-", a, b), Term("-", b, a)]
    found += [Term("//", a, k=k) for a in names for k in DIVIDENDS]
    return tuple(found)


def _usable(table: Table, rows: np.ndarray) -> tuple[list[Term], np.ndarray]:
    """The distinct terms positive on ``rows``, and their logarithms there (one column each)."""
    every = terms()
    with np.errstate(invalid="ignore"):
        values = np.stack([term.values(table)[rows] for term in every])
        positive = np.all(np.isfinite(values) & (values > 0), axis=1)
    index = np.flatnonzero(positive)
    _, first = np.unique(np.round(values[index], 9), axis=0, return_index=True)
    kept = np.sort(index[first])
    return [every[i] for i in kept], np.log(values[kept]).T


def _snap(power: float) -> Fraction | None:
    best = min(POWERS, key=lambda p: abs(float(p) - power))
    return best if abs(float(best) - power) < 1e-5 else None


def _sets(
    count: int, free: list[int], atoms: set[int], required: list[int]
) -> list[tuple[int, ...]]:
    """Sets of ``count`` columns holding ``required``: any two, three with a plain quantity
    among them, four plain quantities (a product of more derived terms is not a student's)."""
    extra = count - len(required)
    if extra < 0:
        return []
    chosen = itertools.combinations(free, extra)
    if count == 3:
        return [(*required, *c) for c in chosen if atoms.intersection(c)]
    if count >= 4:
        return [(*required, *c) for c in chosen if atoms.issuperset(c)]
    return [(*required, *c) for c in chosen]


def _candidates(
    logs: np.ndarray, target: np.ndarray, required: list[int], atoms: set[int]
) -> list[tuple[int, ...]]:
    """Sets of columns (always holding ``required``) whose log fit leaves rounding error.

    Columns and target are centred, so the constant drops out; each set's residual comes from
    one shared Gram matrix, every set of a size solved at once."""
    columns = logs - logs.mean(axis=0)
    centred = target - target.mean()
    gram, right = columns.T @ columns, columns.T @ centred
    total = float(centred @ centred)
    free = [i for i in range(logs.shape[1]) if i not in required]
    found: list[tuple[float, tuple[int, ...]]] = []
    for count in range(len(required), MAX_TERMS + 1):
        sets = _sets(count, free, atoms, required)
        if not sets:
            continue
        if not sets[0]:
            if total <= LOG_TOLERANCE**2 * len(target):
                found.append((0.0, ()))
            continue
        index = np.array(sets)
        g = gram[index[:, :, None], index[:, None, :]]
        r = right[index]
        ok = np.abs(np.linalg.det(g)) > 1e-12
        beta = np.zeros_like(r)
        beta[ok] = np.linalg.solve(g[ok], r[ok][..., None])[..., 0]
        residual = np.maximum(total - np.einsum("si,si->s", beta, r), 0.0)
        rms = np.sqrt(residual / len(target))
        for i in np.flatnonzero(ok & (rms < LOG_TOLERANCE)):
            found.append((float(rms[i]), sets[i]))
        if found:
            break  # fewer terms fit: more would only add terms with power 0
    found.sort()
    return [s for _, s in found[:MAX_CHECKED]]


def _build(
    terms_: list[Term],
    chosen: tuple[int, ...],
    table: Table,
    values: np.ndarray,
    rows: np.ndarray,
    rtol: float,
) -> Expression | None:
    design = np.hstack(
        [np.ones((int(rows.sum()), 1))]
        + [np.log(terms_[i].values(table)[rows])[:, None] for i in chosen]
    )
    beta, *_ = np.linalg.lstsq(design, np.log(np.abs(values[rows])), rcond=None)
    powers = [_snap(float(b)) for b in beta[1:]]
    if any(p is None for p in powers):
        return None
    factors = tuple((terms_[i], p) for i, p in zip(chosen, powers, strict=True) if p)
    shape = Expression(1.0, factors).values(table)
    ratios = values[rows] / shape[rows]
    constant = snap(float(np.median(ratios)), rtol)
    expression = Expression(constant, factors)
    return expression if matches(expression, table, values, rtol) else None


def matches(
    expression: Formula, table: Table, values: np.ndarray, rtol: float = VALUE_RTOL
) -> bool:
    """Whether the expression gives every known value (NaN: not measured), zeros exactly."""
    known = np.isfinite(values)
    got = expression.values(table)[known]
    return bool(np.allclose(got, values[known], rtol=rtol, atol=0.0))


def fit_expression(table: Table, values: np.ndarray, rtol: float = VALUE_RTOL) -> list[Formula]:
    """The simplest expressions giving ``values`` (one per layer), simplest first; [] if none."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return []
    signs = np.sign(values[finite & (values != 0)])
    if signs.size and not (np.all(signs > 0) or np.all(signs < 0)):
        return []
    sign = -1.0 if signs.size and signs[0] < 0 else 1.0
    zero = finite & (values == 0)
    rows = finite & ~zero
    if not rows.any():
        return [Expression(0.0)] if matches(Expression(0.0), table, values) else []
    found = [_signed(e, sign) for e in _fit_rows(table, values * sign, rows, zero, rtol)]
    return sorted(found, key=lambda e: (e.size, e.text()))


def _signed(formula: Formula, sign: float) -> Formula:
    if isinstance(formula, Sum):
        return Sum(tuple(Expression(p.constant * sign, p.factors) for p in formula.parts))
    return Expression(formula.constant * sign, formula.factors)


def _fit_rows(
    table: Table, values: np.ndarray, rows: np.ndarray, zero: np.ndarray, rtol: float
) -> list[Formula]:
    terms_, logs = _usable(table, rows)
    required: list[int] = []
    if zero.any():
        zeroes = [t for t in terms() if np.array_equal(t.values(table) == 0, zero)]
        if not zeroes:
            return []
        terms_ = [*zeroes[:1], *terms_]
        logs = np.hstack([np.log(zeroes[0].values(table)[rows])[:, None], logs])
        required = [0]
    target = np.log(values[rows])
    atoms = {i for i, term in enumerate(terms_) if term.simple and i not in required}
    found: list[Formula] = []
    for chosen in _candidates(logs, target, required, atoms):
        built = _build(terms_, chosen, table, values, rows, rtol)
        if built is not None:
            found.append(built)
    if not found and not zero.any():
        found += [
            s
            for s in fit_sums(terms_, table, values, rows, rtol)
            if matches(s, table, values, rtol)
        ]
    return found
