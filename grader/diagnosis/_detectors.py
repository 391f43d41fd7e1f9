"""Name the likely mistake behind a wrong initializer, from its numbers, in one sentence.

Detectors run in order and the first that recognises something wins. Structure comes first (a
hard-coded answer, key names, a missing layer, transposed weights, bias shape, nonzero biases),
because a structural slip also changes the numbers. Then the randomness: results that move with
the global random state (no seed); draws that match another construction (reseeding per layer,
``default_rng(3)``, ``rand``, another seed in 0..100), each rebuilt here with its own
``RandomState`` / ``Generator`` and compared layer by layer up to a constant factor. Last the
scale: when the draws are the reference's, each layer's factor is known exactly and is matched
against the usual wrong formulas (Xavier, Glorot, fan-out, no square root, no factor, x10, x0.01);
otherwise the standard deviation of the large probe's layers is compared with the same formulas
through the chi-square test of ``grader.stats``.

Only the visible cases and the probes (``FunctionSpec.probes``) are quoted in a diagnosis; hidden
cases are never named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from grader import messages as msg
from grader.checks._exact import expected_keys, expected_shapes
from grader.checks._stats import rms, scale_consistent
from grader.diagnosis._scale import (
    FORMULAS,
    Draws,
    LayerScale,
    explain_factors,
    factors,
    layer_scales,
    rand_draws,
    randn_draws,
    reseeded_draws,
    rng_draws,
    scale_message,
)
from grader.spec import BASE_PRESEED, OTHER_PRESEED, SCALE_PROBE_DIMS, weight_std
from grader.types import CallResult, Params

Dims = tuple[int, ...]
SEED = 3
OTHER_SEEDS = range(101)


@dataclass(frozen=True)
class Evidence:
    """What the grader saw of one function: calls by (layers_dims, preseed), visible verdicts."""

    method: str
    calls: Mapping[tuple[Dims, int | None], CallResult]
    visible: tuple[Dims, ...]
    visible_passed: bool

    def params(self, dims: Dims, preseed: int | None = BASE_PRESEED) -> Params | None:
        result = self.calls.get((dims, preseed))
        return result.value if result is not None and result.ok else None

    def shown(self) -> list[tuple[Dims, Params]]:
        """Visible cases then the large probe: the calls a diagnosis may quote."""
        dims = [*self.visible, SCALE_PROBE_DIMS]
        return [(d, p) for d in dims if (p := self.params(d)) is not None]


Detector = Callable[[Evidence], str | None]


def _weights(params: Params, dims: Dims) -> list[np.ndarray] | None:
    """The weight matrices when the layout is right, else None."""
    shapes = expected_shapes(dims)
    if set(params) != set(shapes) or any(params[k].shape != s for k, s in shapes.items()):
        return None
    return [params[f"W{layer}"] for layer in range(1, len(dims))]


# -- structure ---------------------------------------------------------------------------------


def hard_coded(ev: Evidence) -> str | None:
    probe = ev.params(SCALE_PROBE_DIMS)
    if not ev.visible_passed or probe is None:
        return None
    wanted = expected_shapes(SCALE_PROBE_DIMS)
    for dims in ev.visible:
        example = expected_shapes(dims)
        if {k: v.shape for k, v in probe.items()} == example and example != wanted:
            key = next(k for k in wanted if example.get(k) != wanted[k])
            return msg.DIAG_HARD_CODED.format(
                dims=list(SCALE_PROBE_DIMS), key=key, got=example.get(key), expected=wanted[key]
            )
    return None


def _normal_key(key: str) -> str:
    lowered = key.lower().replace("_", "").replace("-", "")
    for word, letter in (("weights", "w"), ("weight", "w"), ("biases", "b"), ("bias", "b")):
        lowered = lowered.replace(word, letter)
    return lowered


def key_names(ev: Evidence) -> str | None:
    for dims, params in ev.shown():
        wanted, got = expected_keys(dims), sorted(params)
        if set(got) == set(wanted):
            continue
        names = ", ".join(repr(k) for k in got)
        if sorted(_normal_key(k) for k in got) == sorted(k.lower() for k in wanted):
            return msg.DIAG_KEY_NAMES.format(got=names, expected=", ".join(map(repr, wanted)))
        shifted = [f"{k[0]}{int(k[1:]) - 1}" for k in wanted]
        if set(got) == set(shifted):
            return msg.DIAG_ZERO_BASED.format(got=names, expected=", ".join(map(repr, wanted)))
        last = len(dims) - 1
        if set(got) == set(wanted) - {f"W{last}", f"b{last}"}:
            return msg.DIAG_MISSING_LAST.format(dims=list(dims), missing=f"W{last} or b{last}")
    return None


def transposed(ev: Evidence) -> str | None:
    for dims, params in ev.shown():
        shapes = expected_shapes(dims)
        weights = [k for k in shapes if k.startswith("W") and k in params]
        flipped = [k for k in weights if params[k].shape == shapes[k][::-1] != shapes[k]]
        if flipped and all(params[k].shape in (shapes[k], shapes[k][::-1]) for k in weights):
            key = flipped[0]
            return msg.DIAG_TRANSPOSED.format(
                dims=list(dims), key=key, got=params[key].shape, expected=shapes[key]
            )
    return None


def biases(ev: Evidence) -> str | None:
    for dims, params in ev.shown():
        for key, shape in expected_shapes(dims).items():
            if not key.startswith("b") or key not in params:
                continue
            got = params[key]
            if got.ndim == 0:
                return msg.DIAG_BIAS_SCALAR.format(key=key, expected=shape)
            if got.shape != shape and got.size == shape[0]:
                return msg.DIAG_BIAS_SHAPE.format(got=got.shape, key=key, expected=shape)
            if np.any(got != 0):
                value = float(got.reshape(-1)[0])
                return msg.DIAG_BIASES_NOT_ZERO.format(key=key, value=value)
    return None


def zeros_weights(ev: Evidence) -> str | None:
    if ev.method != "zeros":
        return None
    for _, params in ev.shown():
        for key in sorted(k for k in params if k.startswith("W")):
            if np.all(params[key] == 1):
                return msg.DIAG_ZEROS_ONES
            if np.any(params[key] != 0):
                return msg.DIAG_ZEROS_RANDOM.format(key=key)
    return None


# -- randomness --------------------------------------------------------------------------------


def _primary(ev: Evidence) -> tuple[Dims, list[np.ndarray]] | None:
    dims = ev.visible[0]
    params = ev.params(dims)
    weights = _weights(params, dims) if params is not None else None
    return (dims, weights) if weights is not None else None


def no_seed(ev: Evidence) -> str | None:
    if ev.method == "zeros":
        return None
    dims = ev.visible[0]
    first, other = ev.params(dims, BASE_PRESEED), ev.params(dims, OTHER_PRESEED)
    if first is None or other is None or set(first) != set(other):
        return None
    if all(np.array_equal(first[k], other[k]) for k in first):
        return None
    more = statistical_scale(ev)
    return msg.DIAG_NO_SEED + (msg.DIAG_ALSO.format(more=more) if more else "")


def other_draws(ev: Evidence) -> str | None:
    """Self-seeded but not the exercise's draws: reseeding, default_rng, rand, another seed."""
    primary = _primary(ev)
    if ev.method == "zeros" or primary is None:
        return None
    dims, weights = primary
    if factors(weights, randn_draws(dims, SEED)) is not None:
        return None  # the exercise's draws: any mistake is in the scale
    named: list[tuple[Draws, int, str]] = [
        (reseeded_draws, SEED, msg.DIAG_RESEED.format(key=f"W{len(dims) - 1}")),
        (rng_draws, SEED, msg.DIAG_DEFAULT_RNG),
        (rand_draws, SEED, msg.DIAG_RAND.format(key="W1")),
    ]
    named += [(randn_draws, s, msg.DIAG_OTHER_SEED.format(seed=s)) for s in OTHER_SEEDS]
    for draws, seed, message in named:
        found = factors(weights, draws(dims, seed))
        if found is not None:
            more = explain_factors(ev.method, layer_scales(dims, found))
            return message + (msg.DIAG_ALSO.format(more=more) if more else "")
    if all(np.all(w >= 0) for w in weights):
        return msg.DIAG_RAND.format(key="W1")
    return None


# -- scale -------------------------------------------------------------------------------------


def exact_scale(ev: Evidence) -> str | None:
    """The exercise's draws times the wrong factors: every layer's factor is known exactly."""
    if ev.method == "zeros":
        return None
    layers: list[LayerScale] = []
    for dims, params in ev.shown():
        weights = _weights(params, dims)
        found = factors(weights, randn_draws(dims, SEED)) if weights is not None else None
        layers += layer_scales(dims, found) if found is not None else []
    return explain_factors(ev.method, layers) if layers else None


def statistical_scale(ev: Evidence) -> str | None:
    """Compare the large probe's per-layer standard deviations with each formula."""
    params = ev.params(SCALE_PROBE_DIMS)
    weights = _weights(params, SCALE_PROBE_DIMS) if params is not None else None
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
            return scale_message(ev.method, "statistical", layers, msg.DIAG_EXPLAIN[name])
    ratio = layers[0].value / weight_std(ev.method, layers[0].fan_in)
    explanation = msg.DIAG_EXPLAIN["constant"].format(ratio=ratio)
    return scale_message(ev.method, "statistical", layers[:1], explanation)


def input_mutated(ev: Evidence) -> str | None:
    for dims in [*ev.visible, SCALE_PROBE_DIMS]:
        result = ev.calls.get((dims, BASE_PRESEED))
        after = result.args_after if result is not None else None
        if after is not None and list(after) != list(dims):
            return msg.DIAG_INPUT_MUTATED.format(before=list(dims), after=list(after))
    return None


DETECTORS: tuple[Detector, ...] = (
    hard_coded,
    key_names,
    transposed,
    biases,
    zeros_weights,
    no_seed,
    other_draws,
    exact_scale,
    statistical_scale,
    input_mutated,
)


def diagnose(ev: Evidence) -> str | None:
    """The first mistake a detector recognises, or None."""
    for detector in DETECTORS:
        found = detector(ev)
        if found is not None:
            return found
    return None
