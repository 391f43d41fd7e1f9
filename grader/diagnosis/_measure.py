"""How a layer's numbers are made from its draws, measured on every call that returned.

Given a structure and a stream, ``raw`` rebuilds the draws each layer of each call gets (before
any transform or scale). ``values_for`` then finds the one transform that turns every layer's
draws into the student's numbers (``_placing.fit``), reads off each layer's factor and shift, and
fits them with scale expressions (``_fit``): the layer-by-layer measurement the hypothesis's
``Values`` come from.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from grader.diagnosis._calls import Call
from grader.diagnosis._fit import fit_expression
from grader.diagnosis._grammar import Formula, layer_table
from grader.diagnosis._hypothesis import CannotRun, Hypothesis, ScaleTable, Values, run
from grader.diagnosis._placing import TRANSFORMS, Fit, fit
from grader.diagnosis._sources import Layer
from grader.diagnosis._structure import Dims, Structure

MAX_EXPRESSIONS = 2  # scale expressions tried per stream
Raw = list[dict[str, np.ndarray]]


@functools.lru_cache(maxsize=2048)
def layers_of(structure: Structure, call: Call) -> list[Layer]:
    """Every layer of one call's loop under ``structure``, in the loop's order, with the arrays
    it left in the dictionary (None where a later layer overwrote its key)."""
    params, dims = call.params, call.dims
    try:
        weights = structure.kept(structure.weights, dims)
        biases = structure.kept(structure.biases, dims) if structure.biases else {}
        layers = [
            (layer, structure.weights.shape(dims, layer)) for layer in structure.loop.layers(dims)
        ]
    except IndexError:
        return []
    weight_of = {layer: key for key, layer in weights.items()}
    bias_of = {layer: key for key, layer in biases.items()}
    found = []
    for layer, shape in layers:
        w, b = weight_of.get(layer), bias_of.get(layer)
        found.append(
            Layer(layer, shape, params.get(w) if w else None, params.get(b) if b else None)
        )
    return found


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
            found.append(run(unit, call.dims, call.seeded, table))
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
            key = keyed.key(call.dims, layer.index)
            got = layer.weights if letter == "W" else layer.biases
            kept = keyed is not None and structure.kept(keyed, call.dims).get(key) == layer.index
            if got is None or not kept or key not in drawn or drawn[key].shape != got.shape:
                continue
            found_rows.append((call.dims, layer.index))
            pairs.append((got.ravel(), drawn[key].ravel()))
    return found_rows, pairs


def _informative(w: np.ndarray, transform: str) -> bool:
    """Whether a layer's numbers can tell its factor under ``transform``."""
    if not np.isfinite(w).all() or not np.any(w):
        return False
    if transform == "clip":  # some number below the bound, or nothing can be told
        return bool(np.any(np.abs(w) < np.max(np.abs(w))))
    return w.size >= {"none": 1, "shift": 3, "standardise": 3}.get(transform, 2)


def _transforms(
    pairs: list[tuple[np.ndarray, np.ndarray]], rtol: float
) -> Iterator[tuple[str, list[Fit | None]]]:
    """Each transform that fits every informative layer, with each layer's fit."""
    for transform in TRANSFORMS:
        fits: list[Fit | None] = []
        for w, z in pairs:
            informative = _informative(w, transform)
            found = fit(w, z, (transform,), rtol) if informative else None
            if found is None and informative:
                break
            fits.append(found)
        else:
            if any(f is not None for f in fits):
                yield transform, fits


def _bound(transform: str, fits: list[Fit | None]) -> tuple[float, bool] | None:
    """The one clipping bound (in the weights' units, or the draws' when ``True``) or rounding
    that every layer shows; layers where nothing reached the bound agree with any."""
    found = [f for f in fits if f is not None and np.isfinite(f.bound)]
    bounds = {f.bound for f in found}
    if len(bounds) <= 1:
        return (bounds.pop() if bounds else 0.0), False
    relative = {round(f.bound / abs(f.factor), 9) for f in found}
    if transform == "clip" and len(relative) == 1:
        return relative.pop(), True
    return None


def _simplest(found: list[Formula]) -> list[Formula]:
    """The expressions of the least size (all of them: they fit the same layers alike)."""
    return [e for e in found if e.size == found[0].size][:MAX_EXPRESSIONS] if found else []


def values_for(
    letter: str, structure: Structure, calls: Sequence[Call], draws: Raw, rtol: float
) -> Iterator[Values]:
    """Values (transform, scale, shift) that fit every measured layer of ``letter``."""
    found_rows, pairs = _measured(letter, structure, calls, draws)
    if not pairs:
        return
    table = layer_table(found_rows)
    for transform, fits in _transforms(pairs, rtol):
        bound = _bound(transform, fits)
        if bound is None:
            continue
        factor = np.array([np.nan if f is None else f.factor for f in fits])
        shift = np.array([np.nan if f is None else f.shift for f in fits])
        for i, (w, _) in enumerate(pairs):
            if np.isfinite(w).all() and not np.any(w):
                factor[i] = 0.0
        scales = _simplest(fit_expression(table, factor, rtol))
        shifts: list[Formula | None] = [None]
        if transform == "shift":
            shifts = list(_simplest(fit_expression(table, shift, rtol)))
        for scale, moved in itertools.product(scales, shifts):
            yield Values(True, transform, scale, moved, bound[0], clip_first=bound[1])
