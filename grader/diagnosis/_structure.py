"""Structural mistakes: a hard-coded answer, renamed keys, transposed weights, bias shapes or
values, nonzero zeros, a changed ``layers_dims``. They come first, because a structural slip also
changes the numbers. (Which layers come back is ``_layout``; other wrong shapes ``_shapes``.)"""

from __future__ import annotations

import numpy as np

from grader.diagnosis._evidence import Evidence
from grader.mistakes import Diagnosis, Mistake
from grader.spec import BASE_PRESEED, SCALE_PROBE_DIMS, expected_keys, expected_shapes


def _one(mistake_id: str, **fields: object) -> Diagnosis:
    return Diagnosis((Mistake.of(mistake_id, **fields),))


def hard_coded(ev: Evidence) -> Diagnosis | None:
    probe = ev.params(SCALE_PROBE_DIMS)
    if not ev.visible_passed or probe is None:
        return None
    wanted = expected_shapes(SCALE_PROBE_DIMS)
    for dims in ev.visible:
        example = expected_shapes(dims)
        if {k: v.shape for k, v in probe.items()} == example and example != wanted:
            key = next(k for k in wanted if example.get(k) != wanted[k])
            return _one(
                "example.hard_coded", dims=list(SCALE_PROBE_DIMS), key=key, got=example.get(key),
                expected=wanted[key],
            )  # fmt: skip
    return None


def _normal_key(key: str) -> str:
    lowered = key.lower().replace("_", "").replace("-", "")
    for word, letter in (("weights", "w"), ("weight", "w"), ("biases", "b"), ("bias", "b")):
        lowered = lowered.replace(word, letter)
    return lowered


def key_names(ev: Evidence) -> Diagnosis | None:
    for dims, params in ev.shown():
        wanted, got = expected_keys(dims), sorted(params)
        if set(got) == set(wanted):
            continue
        if sorted(_normal_key(k) for k in got) == sorted(k.lower() for k in wanted):
            return _one("keys.names", got=got, expected=wanted)
    return None


def transposed(ev: Evidence) -> Diagnosis | None:
    for dims, params in ev.shown():
        shapes = expected_shapes(dims)
        weights = [k for k in shapes if k.startswith("W") and k in params]
        flipped = [k for k in weights if params[k].shape == shapes[k][::-1] != shapes[k]]
        if flipped and all(params[k].shape in (shapes[k], shapes[k][::-1]) for k in weights):
            key = flipped[0]
            return _one(
                "shape.transposed", dims=list(dims), key=key, got=params[key].shape,
                expected=shapes[key],
            )  # fmt: skip
    return None


def biases(ev: Evidence) -> Diagnosis | None:
    for dims, params in ev.shown():
        for key, shape in expected_shapes(dims).items():
            if not key.startswith("b") or key not in params:
                continue
            got = params[key]
            if got.ndim == 0:
                return _one("biases.scalar", key=key, expected=shape)
            if got.shape != shape and got.size == shape[0]:
                return _one("biases.shape", got=got.shape, key=key, expected=shape)
            if np.any(got != 0):
                value = float(got.reshape(-1)[0])
                return _one("biases.not_zero", key=key, value=value)
    return None


def zeros_weights(ev: Evidence) -> Diagnosis | None:
    if not ev.rules.zero:
        return None
    weights = [(k, p[k]) for _, p in ev.shown() for k in sorted(p) if k.startswith("W")]
    if not weights or all(not np.any(w) for _, w in weights):
        return None
    if all(np.all(w == 1) for _, w in weights):  # np.ones every time, not leftover memory
        return _one("zeros.ones")
    key = next(k for k, w in weights if np.any(w != 0))
    return _one("zeros.not_zero", key=key)


def input_mutated(ev: Evidence) -> Diagnosis | None:
    for dims in [*ev.visible, SCALE_PROBE_DIMS]:
        result = ev.calls.get((dims, BASE_PRESEED))
        after = result.args_after if result is not None else None
        if after is not None and (isinstance(after, str) or list(after) != list(dims)):
            shown = after if isinstance(after, str) else list(after)
            return _one("input.mutated", before=list(dims), after=shown)
    return None
