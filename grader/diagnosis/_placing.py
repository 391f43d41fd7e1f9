"""Where in a stream a layer's numbers come from, and what was done to them after drawing.

A layer's weights are taken to be ``c * T(z) + d``, ``z`` a piece of a stream laid out row by
row (``C``, as ``randn(rows, columns)`` fills it) or column by column (``F``: drawn with the
shape turned round, then transposed), and ``T`` one of the transforms students apply after
drawing: none, an absolute value, a square, clipping to a bound, rounding, standardising (minus
the mean, over the standard deviation). ``fit`` says whether numbers fit a given piece;
``find`` searches a stream for the pieces that fit, by a signature each transform leaves alone
(the ratio of two numbers, or of two differences), so the search is one vector comparison per
signature and never a loop over offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

VALUE_RTOL = 1e-9  # a rebuilt number matches the student's to this (order of operations: ulps)
SIGNATURE_RTOL = 1e-7  # a signature picks candidate offsets to this; each is then fitted
MAX_CANDIDATES = 8  # offsets tried per signature, at most
TRANSFORMS = ("none", "shift", "abs", "square", "clip", "standardise", "round")
ROUNDINGS = tuple(range(0, 7))  # decimals np.round may have been given


@dataclass(frozen=True)
class Fit:
    """``c * T(z) + d``: the transform, the factor, the shift, the clipping bound or decimals."""

    transform: str
    factor: float
    shift: float = 0.0
    bound: float = 0.0


@dataclass(frozen=True)
class Placement:
    """A layer's numbers as ``fit`` of the stream's numbers ``offset`` .. ``offset + size``."""

    offset: int
    layout: str
    fit: Fit


def rtol_of(dtype: str | None) -> float:
    """How close a rebuilt number must be to one stored in ``dtype`` (None: float64)."""
    if dtype is None or dtype == "float64":
        return VALUE_RTOL
    return {"float32": 3e-7, "float16": 2e-3}.get(dtype, VALUE_RTOL)


def close(got: np.ndarray, want: np.ndarray, rtol: float = VALUE_RTOL) -> bool:
    """Equal to ``rtol``, NaN matching NaN and infinities matching exactly."""
    if got.shape != want.shape:
        return False
    if np.array_equal(got, want):
        return True
    with np.errstate(invalid="ignore", over="ignore"):
        scale = float(np.max(np.abs(want), initial=0.0))
        atol = rtol * scale * 1e-3 if np.isfinite(scale) else 0.0
        ok = np.abs(got - want) <= rtol * np.abs(want) + atol
    if ok.all():
        return True
    g, w = got[~ok], want[~ok]
    return bool(np.all((np.isnan(g) & np.isnan(w)) | (g == w)))


def transformed(z: np.ndarray, fit: Fit) -> np.ndarray:
    """``fit`` applied to the raw numbers ``z``: what the student's line computes."""
    t = fit.transform
    if t == "abs":
        base = np.abs(z)
    elif t == "square":
        base = np.square(z)
    elif t == "standardise":
        spread = float(np.std(z))
        base = (z - np.mean(z)) / spread if spread > 0 else z * np.nan
    else:
        base = z
    out = base * fit.factor
    if t == "shift":
        out = out + fit.shift
    elif t == "clip":
        out = np.clip(out, -fit.bound, fit.bound)
    elif t == "round":
        out = np.round(out, int(fit.bound))
    return np.asarray(out, dtype=np.float64)


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """A dot product without BLAS, whose threads cost more than they save on layers this size."""
    return float(np.einsum("i,i->", a, b))


def _factor(w: np.ndarray, base: np.ndarray) -> float | None:
    norm = dot(base, base)
    return dot(w, base) / norm if norm > 0 else None


def _proportional(w: np.ndarray, base: np.ndarray, transform: str, rtol: float) -> Fit | None:
    c = _factor(w, base)
    if c is None or c == 0.0:
        return None
    return Fit(transform, c) if close(base * c, w, rtol) else None


def _affine(w: np.ndarray, z: np.ndarray, transform: str, rtol: float) -> Fit | None:
    if transform == "standardise":
        spread = float(np.std(z))
        if spread == 0 or z.size < 3:
            return None
        base = (z - np.mean(z)) / spread
        c = _factor(w, base)
        fit = Fit("standardise", c) if c else None
        return fit if fit is not None and close(transformed(z, fit), w, rtol) else None
    if z.size < 3:
        return None
    design = np.stack([z, np.ones_like(z)], axis=1)
    (c, d), *_ = np.linalg.lstsq(design, w, rcond=None)
    if c == 0.0 or d == 0.0:
        return None
    fit = Fit("shift", float(c), float(d))
    return fit if close(transformed(z, fit), w, rtol) else None


def _clipped(w: np.ndarray, z: np.ndarray, rtol: float) -> Fit | None:
    """``np.clip(c * z, -bound, bound)``; a layer in which nothing reached the bound fits with
    an infinite one (it agrees with any bound above its largest number)."""
    c = _factor(w, z)
    if c and close(z * c, w, rtol):
        return Fit("clip", c, bound=np.inf)
    bound = float(np.max(np.abs(w)))
    inside = np.abs(w) < bound
    c = _factor(w[inside], z[inside]) if inside.any() else None
    if not c:
        return None
    fit = Fit("clip", c, bound=bound)
    return fit if close(transformed(z, fit), w, rtol) else None


def _rounded(w: np.ndarray, z: np.ndarray, rtol: float) -> Fit | None:
    """``np.round(c * z, decimals)``: the factor is known only to the rounding, so it is refitted
    on the largest numbers, whose rounding is relatively the smallest."""
    c = _factor(w, z)
    if c is None or c == 0.0:
        return None
    for decimals in ROUNDINGS:
        step = 10.0**-decimals
        if np.max(np.abs(w - c * z)) > step or not np.array_equal(w, np.round(w, decimals)):
            continue
        big = np.abs(z) >= np.max(np.abs(z)) / 2
        for factor in (_factor(w[big], z[big]) or c, c):
            fit = Fit("round", factor, bound=decimals)
            if close(transformed(z, fit), w, rtol):
                return fit
    return None


def fit(
    w: np.ndarray, z: np.ndarray, transforms: tuple[str, ...] = TRANSFORMS, rtol: float = VALUE_RTOL
) -> Fit | None:
    """The simplest transform that turns the raw numbers ``z`` into ``w`` (both flat), or None."""
    if w.shape != z.shape or w.size == 0 or not np.isfinite(w).all() or not np.any(w):
        return None
    for transform in transforms:
        if transform in ("none", "abs", "square"):
            base = z if transform == "none" else np.abs(z) if transform == "abs" else np.square(z)
            found = _proportional(w, base, transform, rtol)
        elif transform in ("shift", "standardise"):
            found = _affine(w, z, transform, rtol)
        elif transform == "clip":
            found = _clipped(w, z, rtol)
        else:
            found = _rounded(w, z, rtol)
        if found is not None:
            return found
    return None


# -- searching a stream ------------------------------------------------------------------------


def _pair(w: np.ndarray, usable: np.ndarray) -> tuple[int, int] | None:
    """Two positions whose numbers can be compared by their ratio."""
    index = np.flatnonzero(usable & (w != 0))
    return (int(index[0]), int(index[1])) if index.size >= 2 else None


def _ratio_offsets(
    values: np.ndarray, stream: np.ndarray, i: int, j: int, rtol: float
) -> np.ndarray:
    lag = j - i
    ratio = values[j] / values[i]
    head, tail = stream[:-lag], stream[lag:]
    hits = np.flatnonzero(np.isclose(tail, ratio * head, rtol=rtol, atol=0.0))
    return hits - i


def _difference_offsets(w: np.ndarray, stream: np.ndarray, rtol: float) -> np.ndarray:
    if w.size < 3 or w[1] == w[0]:
        return np.empty(0, dtype=np.int64)
    ratio = (w[2] - w[1]) / (w[1] - w[0])
    steps = np.diff(stream)
    hits = np.isclose(steps[1:], ratio * steps[:-1], rtol=rtol, atol=1e-300)
    return np.flatnonzero(hits)


def signature_rtol(rtol: float) -> float:
    """How close two ratios must be to propose an offset, for numbers stored to ``rtol``."""
    return max(SIGNATURE_RTOL, 10 * rtol)


def candidate_offsets(
    w: np.ndarray, stream: np.ndarray, transform: str, rtol: float = VALUE_RTOL
) -> Iterator[int]:
    """Offsets where the flat numbers ``w`` may sit under ``transform`` (to be fitted)."""
    if transform in ("shift", "standardise"):
        offsets = _difference_offsets(w, stream, signature_rtol(rtol))
    else:
        values, base = w, stream
        usable = np.ones(w.shape, dtype=bool)
        if transform in ("abs", "square"):
            values, base = np.abs(w), np.abs(stream)
            if transform == "square":
                values = np.sqrt(values)
        elif transform == "clip":
            usable = np.abs(w) < np.max(np.abs(w))
        elif transform == "round":
            return iter(())
        pair = _pair(values, usable)
        if pair is None:
            return iter(())
        offsets = _ratio_offsets(values, base, *pair, signature_rtol(rtol))
    valid = offsets[(offsets >= 0) & (offsets + w.size <= stream.size)]
    return iter(int(o) for o in valid[:MAX_CANDIDATES])


def layouts(weights: np.ndarray) -> tuple[str, ...]:
    return ("C", "F") if weights.ndim == 2 and min(weights.shape) > 1 else ("C",)


def flat(weights: np.ndarray, layout: str) -> np.ndarray:
    return np.asarray(weights.ravel(order="F" if layout == "F" else "C"))


def at(
    weights: np.ndarray,
    stream: np.ndarray,
    offset: int,
    layout: str,
    rtol: float = VALUE_RTOL,
    transforms: tuple[str, ...] = TRANSFORMS,
) -> Placement | None:
    """The layer's fit at one offset and layout, or None."""
    w = flat(weights, layout)
    if offset < 0 or offset + w.size > stream.size:
        return None
    found = fit(w, stream[offset : offset + w.size], transforms, rtol)
    return Placement(offset, layout, found) if found is not None else None


def _telling(transform: str, size: int) -> bool:
    """Whether a layer of ``size`` numbers can show ``transform`` at all: two numbers fit any
    clipping, three any shift."""
    return size >= {"none": 2, "abs": 2, "square": 2}.get(transform, 4)


def find(
    weights: np.ndarray, stream: np.ndarray, hints: tuple[int, ...] = (), rtol: float = VALUE_RTOL
) -> Placement | None:
    """The first placement of ``weights`` in ``stream``, simplest transform first: at a hinted
    offset, else searched."""
    if weights.size < 2 or not np.isfinite(weights).all() or not np.any(weights):
        return None
    for transform in TRANSFORMS:
        if not _telling(transform, weights.size):
            continue
        for layout in layouts(weights):
            for hint in hints:
                found = at(weights, stream, hint, layout, rtol, (transform,))
                if found is not None:
                    return found
            w = flat(weights, layout)
            for offset in candidate_offsets(w, stream, transform, rtol):
                found = at(weights, stream, offset, layout, rtol, (transform,))
                if found is not None:
                    return found
    return None
