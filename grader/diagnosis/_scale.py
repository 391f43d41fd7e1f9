"""By how much a student's weight scale is off, and which usual wrong formula explains it.

When the draws are the exercise's, each layer's factor is known exactly and is matched against
the usual wrong formulas (Xavier, Glorot, fan-out, no square root, no factor, x10, x0.01);
otherwise the standard deviation of the large probe's layers is compared with the same formulas
through the chi-square test of ``grader.stats``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grader.diagnosis._draws import factors, randn_draws
from grader.diagnosis._evidence import Evidence, layout_weights
from grader.mistakes import Diagnosis, Mistake
from grader.spec import SCALE_PROBE_DIMS
from grader.stats import rms, scale_consistent
from reference import SEED, he_scale, weight_std, xavier_scale

Dims = tuple[int, ...]
FACTOR_RTOL = 1e-6  # an exact per-layer factor matches a formula within this


# -- the usual wrong formulas ----------------------------------------------------------------

FORMULAS: dict[str, tuple[tuple[str, Callable[[int, int], float]], ...]] = {
    "he": (
        ("xavier", lambda fi, fo: xavier_scale(fi)),
        ("fan_out", lambda fi, fo: he_scale(fo)),
        ("glorot", lambda fi, fo: np.sqrt(2 / (fi + fo))),
        ("no_sqrt", lambda fi, fo: 2 / fi),
        ("unit", lambda fi, fo: 1.0),
        ("times10", lambda fi, fo: 10.0),
        ("double_sqrt", lambda fi, fo: (2 / fi) ** 0.25),
        ("floor_div", lambda fi, fo: np.sqrt(2.0 // fi)),
    ),
    "random": (
        ("unit", lambda fi, fo: 1.0),
        ("small", lambda fi, fo: 0.01),
        ("he", lambda fi, fo: he_scale(fi)),
        ("sqrt", lambda fi, fo: np.sqrt(10.0)),
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


def scale_mistake(
    method: str, measure: str, layers: Sequence[LayerScale], formula: str, **more: object
) -> Mistake:
    """The mistake ``scale.<formula>``, quoting the layer furthest from the method's scale."""

    def distance(layer: LayerScale) -> tuple[float, int]:
        # ties (a constant factor) go to the widest fan-in, whose numbers say the most
        if layer.value == 0:
            return float("inf"), layer.fan_in
        off = abs(np.log(abs(layer.value) / weight_std(method, layer.fan_in)))
        return round(float(off), 9), layer.fan_in

    worst = max(layers, key=distance)
    expected = weight_std(method, worst.fan_in)
    return Mistake.of(
        f"scale.{formula}", dims=list(worst.dims), key=worst.key, measure=measure,
        got=worst.value, method=method, fan_in=worst.fan_in, expected=float(expected), **more,
    )  # fmt: skip


def explain_factors(method: str, layers: Sequence[LayerScale]) -> Mistake | None:
    """Match exact per-layer factors with a known wrong formula; None when they are right."""
    found = [layer.value for layer in layers]
    expected = [weight_std(method, layer.fan_in) for layer in layers]
    if np.allclose(found, expected, rtol=FACTOR_RTOL, atol=0):
        return None
    for name, formula in FORMULAS.get(method, ()):
        wrong = [formula(layer.fan_in, layer.fan_out) for layer in layers]
        if np.allclose(found, wrong, rtol=FACTOR_RTOL, atol=0):
            return scale_mistake(method, "exact", layers, name)
    ratios = np.asarray(found) / np.asarray(expected)
    if np.allclose(ratios, ratios[0], rtol=FACTOR_RTOL):
        return scale_mistake(method, "exact", layers, "constant", ratio=float(ratios[0]))
    shown = [float(r) for r in ratios]
    return scale_mistake(method, "exact", layers, "mixed", ratios=shown)


# -- the detectors ---------------------------------------------------------------------------


def exact_scale(ev: Evidence) -> Diagnosis | None:
    """The exercise's draws times the wrong factors: every layer's factor is known exactly."""
    if ev.method == "zeros":
        return None
    layers: list[LayerScale] = []
    for dims, params in ev.shown():
        weights = layout_weights(params, dims)
        found = factors(weights, randn_draws(dims, SEED)) if weights is not None else None
        layers += layer_scales(dims, found) if found is not None else []
    mistake = explain_factors(ev.method, layers) if layers else None
    return Diagnosis((mistake,)) if mistake is not None else None


def statistical_scale(ev: Evidence) -> Diagnosis | None:
    """Compare the large probe's per-layer standard deviations with each formula."""
    found = statistical_mistake(ev)
    return Diagnosis((found,)) if found is not None else None


def statistical_mistake(ev: Evidence) -> Mistake | None:
    """The scale mistake the large probe's standard deviations show, if any."""
    params = ev.params(SCALE_PROBE_DIMS)
    weights = layout_weights(params, SCALE_PROBE_DIMS) if params is not None else None
    if ev.method == "zeros" or weights is None:
        return None
    layers = layer_scales(SCALE_PROBE_DIMS, [rms(w) for w in weights])

    def fits(std: Callable[[int, int], float]) -> bool:
        return all(
            scale_consistent(w, std(layer.fan_in, layer.fan_out))
            for w, layer in zip(weights, layers, strict=True)
        )

    if fits(lambda fan_in, _: weight_std(ev.method, fan_in)):
        return None
    for name, formula in FORMULAS.get(ev.method, ()):
        if fits(formula):
            return scale_mistake(ev.method, "statistical", layers, name)
    ratio = float(layers[0].value / weight_std(ev.method, layers[0].fan_in))
    return scale_mistake(ev.method, "statistical", layers[:1], "constant", ratio=ratio)
