"""How a layer's numbers are made from its draws, measured on every call that returned.

Given a structure and a stream, ``raw`` rebuilds the draws each layer of each call gets (before
any transform or scale). ``values_for`` then finds the one transform that turns every layer's
draws into the student's numbers (``_placing.fit``), reads off each layer's factor and shift, and
fits them with scale expressions (``_fit``): the layer-by-layer measurement the hypothesis's
``Values`` come from.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from grader.diagnosis.reproduce._calls import Call
from grader.diagnosis.reproduce._draws import Layer
from grader.diagnosis.reproduce._fit import fit_expression
from grader.diagnosis.reproduce._grammar import Expression, layer_table
from grader.diagnosis.reproduce._hypothesis import CannotRun, Hypothesis, ScaleTable, Values, run
from grader.diagnosis.reproduce._placing import TRANSFORMS, Fit, fit
from grader.diagnosis.reproduce._structure import Dims, Structure

MAX_EXPRESSIONS = 2  # scale expressions tried per stream
Raw = list[dict[str, np.ndarray]]


def layers_of(structure: Structure, call: Call) -> list[Layer]:
    """The layers one call returned under ``structure``, in the loop's order."""
    params = call.params
    try:
        indices = list(structure.loop.layers(call.dims))
    except IndexError:
        return []
    if structure.weights.fixed is not None:
        indices = indices[-1:]
    found = []
    for index in indices:
        weights = params.get(structure.weights.key(index))
        biases = params.get(structure.biases.key(index)) if structure.biases else None
        if weights is not None:
            found.append(Layer(index, weights, biases))
    return found


def _rows(calls: Sequence[Call], structure: Structure) -> list[tuple[Dims, int]]:
    rows = []
    for call in calls:
        try:
            rows += [(call.dims, layer) for layer in structure.loop.layers(call.dims)]
        except IndexError:
            continue
    return rows


def rows(calls: Sequence[Call], structure: Structure) -> list[tuple[Dims, int]]:
    """Every (layers_dims, l) the structure's loop visits in these calls."""
    found = []
    for call in calls:
        try:
            found += [(call.dims, layer) for layer in structure.loop.layers(call.dims)]
        except IndexError:
            continue
    return found


def raw(h: Hypothesis, calls: Sequence[Call]) -> Raw:
    """The draws (before any transform or scale) each call's layers get under ``h``'s stream."""
    unit = replace(h, weights=Values(), dtypes=())
    if h.biases.drawn:
        unit = replace(unit, biases=Values())
    table = ScaleTable(unit, rows(calls, h.structure))
    found = []
    for call in calls:
        try:
            found.append(run(unit, call.dims, call.preseed, table))
        except (CannotRun, IndexError, ValueError):
            found.append({})
    return found


def _measured(
    letter: str, structure: Structure, calls: Sequence[Call], draws: Raw
) -> tuple[list[tuple[Dims, int]], list[tuple[np.ndarray, np.ndarray]]]:
    keyed = structure.weights if letter == "W" else structure.biases
    assert keyed is not None
    found_rows, pairs = [], []
    for call, drawn in zip(calls, draws, strict=True):
        for layer in layers_of(structure, call):
            key = keyed.key(layer.index)
            got = layer.weights if letter == "W" else layer.biases
            if got is None or key not in drawn or drawn[key].shape != got.shape:
                continue
            found_rows.append((call.dims, layer.index))
            pairs.append((got.ravel(), drawn[key].ravel()))
    return found_rows, pairs


def _informative(w: np.ndarray, transform: str) -> bool:
    """Whether a layer's numbers can tell its factor under ``transform``."""
    if not np.isfinite(w).all() or not np.any(w):
        return False
    return w.size >= {"none": 1, "shift": 3, "standardise": 3}.get(transform, 2)


def _transform(
    pairs: list[tuple[np.ndarray, np.ndarray]], rtol: float
) -> tuple[str, list[Fit | None]] | None:
    """The first transform that fits every informative layer, with each layer's fit."""
    for transform in TRANSFORMS:
        fits: list[Fit | None] = []
        for w, z in pairs:
            found = fit(w, z, (transform,), rtol) if _informative(w, transform) else None
            if found is None and _informative(w, transform):
                break
            fits.append(found)
        else:
            if any(f is not None for f in fits):
                return transform, fits
    return None


def _simplest(found: list[Expression]) -> list[Expression]:
    """The expressions of the least size (all of them: they fit the same layers alike)."""
    return [e for e in found if e.size == found[0].size][:MAX_EXPRESSIONS] if found else []


def values_for(
    letter: str, structure: Structure, calls: Sequence[Call], draws: Raw, rtol: float
) -> Iterator[Values]:
    """Values (transform, scale, shift) that fit every measured layer of ``letter``."""
    found_rows, pairs = _measured(letter, structure, calls, draws)
    chosen = _transform(pairs, rtol) if pairs else None
    if chosen is None:
        return
    transform, fits = chosen
    factor = np.array([np.nan if f is None else f.factor for f in fits])
    shift = np.array([np.nan if f is None else f.shift for f in fits])
    for i, (w, _) in enumerate(pairs):
        if np.isfinite(w).all() and not np.any(w):
            factor[i] = 0.0
    bounds = {f.bound for f in fits if f is not None}
    if len(bounds) != 1:
        return
    bound = bounds.pop()
    table = layer_table(found_rows)
    scales = _simplest(fit_expression(table, factor, rtol))
    shifts: list[Expression | None] = [None]
    if transform == "shift":
        shifts = list(_simplest(fit_expression(table, shift, rtol)))
    for scale, moved in itertools.product(scales, shifts):
        yield Values(True, transform, scale, moved, bound)
