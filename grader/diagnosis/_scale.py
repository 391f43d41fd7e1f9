"""By how much a student's weight scale is off, and which usual wrong formula explains it.

When the draws are the exercise's, each layer's factor is known exactly and is matched against
the wrong scales the method's record lists (Xavier, Glorot, fan-out, no square root, no factor,
x10, x0.01...); otherwise the standard deviation of the large probe's layers is compared with
the same scales through the chi-square test of ``grader.stats``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grader.diagnosis._draws import factors, randn_draws
from grader.diagnosis._evidence import Evidence, layout_weights
from grader.mistakes import Diagnosis, Mistake
from grader.spec import SCALE_PROBE_DIMS, FunctionSpec, Scale
from grader.stats import rms, scale_consistent

Dims = tuple[int, ...]
FACTOR_RTOL = 1e-6  # an exact per-layer factor matches a formula within this


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


def _std(rules: FunctionSpec, layer: LayerScale) -> float:
    return rules.scale.value(layer.fan_in, layer.fan_out)


def scale_mistake(
    rules: FunctionSpec, measure: str, layers: Sequence[LayerScale], formula: str, **more: object
) -> Mistake:
    """The mistake ``scale.<formula>``, quoting the layer furthest from the method's scale."""

    def distance(layer: LayerScale) -> tuple[float, int]:
        # ties (a constant factor) go to the widest fan-in, whose numbers say the most
        if layer.value == 0:
            return float("inf"), layer.fan_in
        off = abs(np.log(abs(layer.value) / _std(rules, layer)))
        return round(float(off), 9), layer.fan_in

    worst = max(layers, key=distance)
    return Mistake.of(
        f"scale.{formula}", dims=list(worst.dims), key=worst.key, measure=measure,
        got=worst.value, method=rules.method, fan_in=worst.fan_in,
        expected=float(_std(rules, worst)), name=rules.scale_name, scale=rules.scale.text, **more,
    )  # fmt: skip


def _matches(found: Sequence[float], scale: Scale, layers: Sequence[LayerScale]) -> bool:
    wrong = [scale.value(layer.fan_in, layer.fan_out) for layer in layers]
    return bool(np.allclose(found, wrong, rtol=FACTOR_RTOL, atol=0))


def explain_factors(rules: FunctionSpec, layers: Sequence[LayerScale]) -> Mistake | None:
    """Match exact per-layer factors with a known wrong scale; None when they are right."""
    found = [layer.value for layer in layers]
    expected = [_std(rules, layer) for layer in layers]
    if np.allclose(found, expected, rtol=FACTOR_RTOL, atol=0):
        return None
    for wrong in rules.wrong_scales:
        if _matches(found, wrong.scale, layers):
            return scale_mistake(rules, "exact", layers, wrong.name, wrong=wrong.scale.text)
    ratios = np.asarray(found) / np.asarray(expected)
    if np.allclose(ratios, ratios[0], rtol=FACTOR_RTOL):
        return scale_mistake(rules, "exact", layers, "constant", ratio=float(ratios[0]))
    shown = [float(r) for r in ratios]
    return scale_mistake(rules, "exact", layers, "mixed", ratios=shown)


# -- the detectors ---------------------------------------------------------------------------


def exact_scale(ev: Evidence) -> Diagnosis | None:
    """The exercise's draws times the wrong factors: every layer's factor is known exactly."""
    if ev.rules.zero:
        return None
    layers: list[LayerScale] = []
    for dims, params in ev.shown():
        weights = layout_weights(params, dims)
        found = factors(weights, randn_draws(dims, ev.seed)) if weights is not None else None
        layers += layer_scales(dims, found) if found is not None else []
    mistake = explain_factors(ev.rules, layers) if layers else None
    return Diagnosis((mistake,)) if mistake is not None else None


def statistical_scale(ev: Evidence) -> Diagnosis | None:
    """Compare the large probe's per-layer standard deviations with each formula."""
    found = statistical_mistake(ev)
    return Diagnosis((found,)) if found is not None else None


def statistical_mistake(ev: Evidence) -> Mistake | None:
    """The scale mistake the large probe's standard deviations show, if any."""
    params = ev.params(SCALE_PROBE_DIMS)
    weights = layout_weights(params, SCALE_PROBE_DIMS) if params is not None else None
    rules = ev.rules
    if rules.zero or weights is None:
        return None
    layers = layer_scales(SCALE_PROBE_DIMS, [rms(w) for w in weights])

    def fits(std: Callable[[int, int], float]) -> bool:
        return all(
            scale_consistent(w, std(layer.fan_in, layer.fan_out))
            for w, layer in zip(weights, layers, strict=True)
        )

    if fits(rules.scale.value):
        return None
    for wrong in rules.wrong_scales:
        if fits(wrong.scale.value):
            return scale_mistake(rules, "statistical", layers, wrong.name, wrong=wrong.scale.text)
    ratio = float(layers[0].value / _std(rules, layers[0]))
    return scale_mistake(rules, "statistical", layers[:1], "constant", ratio=ratio)
