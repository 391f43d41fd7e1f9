"""Where a student's weights came from, and by how much their scale is off.

The draw constructions rebuild, with their own ``RandomState`` / ``Generator`` (the host's global
state is never touched), the numbers a student's function may have drawn: the exercise's
``seed(3)`` then ``randn`` per layer, the same reseeded per layer, ``default_rng``, ``rand``.
``factors`` says whether weights are those draws up to one factor per layer; ``explain_factors``
matches such factors, or measured standard deviations, with the usual wrong formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grader import messages as msg
from grader.spec import weight_std

Dims = tuple[int, ...]
PROPORTIONAL_RTOL = 1e-6  # draws match "up to a factor" when the residual is this small
FACTOR_RTOL = 1e-6  # an exact per-layer factor matches a formula within this


Draws = Callable[[Dims, int], list[np.ndarray]]


def randn_draws(dims: Dims, seed: int) -> list[np.ndarray]:
    """What np.random.seed(seed) then randn per layer gives (the exercise's construction)."""
    state = np.random.RandomState(seed)
    return [state.randn(dims[i], dims[i - 1]) for i in range(1, len(dims))]


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


# -- scale formulas -----------------------------------------------------------------------------

FORMULAS: dict[str, tuple[tuple[str, Callable[[int, int], float]], ...]] = {
    "he": (
        ("xavier", lambda fi, fo: np.sqrt(1 / fi)),
        ("fan_out", lambda fi, fo: np.sqrt(2 / fo)),
        ("glorot", lambda fi, fo: np.sqrt(2 / (fi + fo))),
        ("no_sqrt", lambda fi, fo: 2 / fi),
        ("unit", lambda fi, fo: 1.0),
        ("times10", lambda fi, fo: 10.0),
    ),
    "random": (
        ("unit", lambda fi, fo: 1.0),
        ("small", lambda fi, fo: 0.01),
        ("he", lambda fi, fo: np.sqrt(2 / fi)),
    ),
}


@dataclass(frozen=True)
class LayerScale:
    """One layer's measured scale: an exact factor on known draws, or a standard deviation."""

    key: str
    fan_in: int
    fan_out: int
    value: float
    dims: tuple[int, ...] = ()  # the layers_dims of the call it was measured on


def layer_scales(dims: Dims, values: Sequence[float]) -> list[LayerScale]:
    return [
        LayerScale(f"W{i}", dims[i - 1], dims[i], float(v), tuple(dims))
        for i, v in zip(range(1, len(dims)), values, strict=True)
    ]


def scale_message(method: str, what: str, layers: Sequence[LayerScale], explanation: str) -> str:
    """Quote the layer that is furthest from the method's scale."""

    def distance(layer: LayerScale) -> tuple[float, int]:
        # ties (a constant factor) go to the widest fan-in, whose numbers say the most
        off = abs(np.log(abs(layer.value) / weight_std(method, layer.fan_in)))
        return round(float(off), 9), layer.fan_in

    worst = max(layers, key=distance)
    expected = weight_std(method, worst.fan_in)
    return msg.DIAG_SCALE.format(
        dims=list(worst.dims),
        key=worst.key,
        what=msg.DIAG_SCALE_WHAT[what],
        got=worst.value,
        expects=msg.EXPECTS[method].format(fan_in=worst.fan_in, expected=expected),
        explanation=explanation,
    )


def explain_factors(method: str, layers: Sequence[LayerScale]) -> str | None:
    """Match exact per-layer factors with a known wrong formula; None when they are right."""
    found = [layer.value for layer in layers]
    expected = [weight_std(method, layer.fan_in) for layer in layers]
    if np.allclose(found, expected, rtol=FACTOR_RTOL, atol=0):
        return None
    for name, formula in FORMULAS.get(method, ()):
        wrong = [formula(layer.fan_in, layer.fan_out) for layer in layers]
        if np.allclose(found, wrong, rtol=FACTOR_RTOL, atol=0):
            return scale_message(method, "exact", layers, msg.DIAG_EXPLAIN[name])
    ratios = np.asarray(found) / np.asarray(expected)
    if np.allclose(ratios, ratios[0], rtol=FACTOR_RTOL):
        explanation = msg.DIAG_EXPLAIN["constant"].format(ratio=ratios[0])
    else:
        shown = ", ".join(f"{r:.3g}" for r in ratios)
        explanation = msg.DIAG_EXPLAIN["mixed"].format(ratios=shown)
    return scale_message(method, "exact", layers, explanation)
