"""Where a student's weights came from: the draw constructions students use, rebuilt.

Each construction rebuilds, with its own ``RandomState`` / ``Generator`` (the host's global state
is never touched), the numbers a student's function may have drawn: the exercise's seed
then ``randn`` per layer (``reference.seeded_draws``), the same reseeded per layer,
``default_rng``, ``rand``. ``factors`` says whether weights are such draws up to one factor per
layer. ``place`` finds where in the exercise seed's stream of ``randn`` a layer's numbers come
from, and in which layout, so that draws taken at the wrong time (an extra call, a bias drawn)
or laid out column by column are recognised as the exercise's numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference import seeded_draws

Dims = tuple[int, ...]
PROPORTIONAL_RTOL = 1e-6  # draws match "up to a factor" when the residual is this small
Draws = Callable[[Dims, int], list[np.ndarray]]


def randn_draws(dims: Dims, seed: int) -> list[np.ndarray]:
    """What np.random.seed(seed) then randn per layer gives (the exercise's construction)."""
    return seeded_draws(dims, seed)


def reseeded_draws(dims: Dims, seed: int) -> list[np.ndarray]:
    return [np.random.RandomState(seed).randn(dims[i], dims[i - 1]) for i in range(1, len(dims))]


def rng_draws(dims: Dims, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((dims[i], dims[i - 1])) for i in range(1, len(dims))]


def rand_draws(dims: Dims, seed: int) -> list[np.ndarray]:
    state = np.random.RandomState(seed)
    return [state.random_sample((dims[i], dims[i - 1])) for i in range(1, len(dims))]


def factors(weights: Sequence[np.ndarray], draws: Sequence[np.ndarray]) -> list[float] | None:
    """Per-layer c with weights == c * draws (to PROPORTIONAL_RTOL), or None if any layer is not."""
    found = []
    for w, z in zip(weights, draws, strict=True):
        if not (np.isfinite(w).all() and np.any(z)):  # NaN, inf or nothing to compare with
            return None
        norm = float(np.linalg.norm(w))
        if norm == 0.0:  # all zero: the draws times 0 (a scale that rounds to nothing)
            found.append(0.0)
            continue
        c = float(np.vdot(w, z) / np.vdot(z, z))
        if np.linalg.norm(w - c * z) > PROPORTIONAL_RTOL * norm:
            return None
        found.append(c)
    return found


# -- where in the exercise seed's stream a layer's numbers come from ---------------------------

STREAM_SIZE = 4096  # standard-normal draws after the exercise's seed: enough for the examples
RATIO_RTOL = 1e-7  # two neighbouring draws are told apart by their ratio to this precision


@dataclass(frozen=True)
class Placed:
    """A layer's weights as ``factor`` times draws ``offset`` .. ``offset + size`` of the stream,
    laid out row by row (``order`` "C") or column by column ("F")."""

    offset: int
    order: str
    factor: float


@functools.lru_cache(maxsize=4)
def seed_stream(seed: int) -> np.ndarray:
    """The first ``STREAM_SIZE`` numbers np.random.randn gives after np.random.seed(seed)."""
    stream = np.random.RandomState(seed).randn(STREAM_SIZE)
    stream.setflags(write=False)
    return stream


def _fits(flat: np.ndarray, stream: np.ndarray, offset: int) -> float | None:
    segment = stream[offset : offset + flat.size]
    if segment.size != flat.size or segment[0] == 0:
        return None
    factor = float(flat[0] / segment[0])
    close = np.allclose(flat, factor * segment, rtol=PROPORTIONAL_RTOL, atol=0.0)
    return factor if close and factor != 0.0 else None


def place(weights: np.ndarray, hint: int, seed: int) -> Placed | None:
    """Where ``weights`` sit in the stream of ``seed`` (the exercise's), trying the offset
    ``hint`` first; None when they are not a multiple of consecutive draws (or too few to tell,
    a single number)."""
    stream = seed_stream(seed)
    if weights.size < 2 or not np.isfinite(weights).all():
        return None
    orders = "CF" if weights.shape[0] > 1 and weights.shape[1] > 1 else "C"
    for order in orders:
        flat = weights.ravel(order=order)  # type: ignore[arg-type]
        if flat[0] == 0:
            return None
        factor = _fits(flat, stream, hint)
        if factor is not None:
            return Placed(hint, order, factor)
    for order in orders:
        flat = weights.ravel(order=order)  # type: ignore[arg-type]
        ratio = flat[1] / flat[0]
        candidates = np.flatnonzero(
            np.isclose(stream[1:], ratio * stream[:-1], rtol=RATIO_RTOL, atol=0.0)
        )
        for offset in candidates:
            factor = _fits(flat, stream, int(offset))
            if factor is not None:
                return Placed(int(offset), order, factor)
    return None
