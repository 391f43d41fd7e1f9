"""Mistakes in the randomness: no seed (the answer moves with the global state), or draws of
another construction (reseeding per layer, ``default_rng(3)``, ``rand``, another seed in
0..100), each compared layer by layer up to a constant factor."""

from __future__ import annotations

import numpy as np

from grader import messages as msg
from grader.diagnosis._draws import (
    Draws,
    factors,
    rand_draws,
    randn_draws,
    reseeded_draws,
    rng_draws,
)
from grader.diagnosis._evidence import Dims, Evidence, layout_weights
from grader.diagnosis._scale import explain_factors, layer_scales, statistical_scale
from grader.spec import BASE_PRESEED, OTHER_PRESEED
from reference import SEED

OTHER_SEEDS = range(101)


def _primary(ev: Evidence) -> tuple[Dims, list[np.ndarray]] | None:
    dims = ev.visible[0]
    params = ev.params(dims)
    weights = layout_weights(params, dims) if params is not None else None
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
