"""Where a student's weights came from: the draw constructions students use, rebuilt.

Each construction rebuilds, with its own ``RandomState`` / ``Generator`` (the host's global state
is never touched), the numbers a student's function may have drawn: the exercise's ``seed(3)``
then ``randn`` per layer (``reference.seeded_draws``), the same reseeded per layer,
``default_rng``, ``rand``. ``factors`` says whether weights are such draws up to one factor per
layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
        c = float(np.vdot(w, z) / np.vdot(z, z))
        norm = float(np.linalg.norm(w))
        if norm == 0.0 or np.linalg.norm(w - c * z) > PROPORTIONAL_RTOL * norm:
            return None
        found.append(c)
    return found
