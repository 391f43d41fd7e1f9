"""Mistakes in the randomness: no seed (the answer moves with the global state); the right
numbers at the wrong place (an extra draw, a bias drawn, layers out of order, column order,
reseeding per layer); the scale added instead of multiplied; or draws of another construction
(``default_rng(3)``, ``rand``, another seed in 0..100), each compared layer by layer up to a
constant factor."""

from __future__ import annotations

import numpy as np

from grader import messages as msg
from grader.diagnosis._draws import (
    Draws,
    Placed,
    factors,
    place,
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
SHIFT_ATOL = 1e-12


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


def added(ev: Evidence) -> str | None:
    """The exercise's draws plus a constant: ``randn(...) + scale`` for ``randn(...) * scale``."""
    primary = _primary(ev)
    if ev.method == "zeros" or primary is None:
        return None
    dims, weights = primary
    shifts = []
    for w, z in zip(weights, randn_draws(dims, SEED), strict=True):
        difference = w - z
        if not np.allclose(difference, difference.flat[0], rtol=1e-9, atol=SHIFT_ATOL):
            return None
        shifts.append(float(difference.flat[0]))
    if all(abs(shift) <= SHIFT_ATOL for shift in shifts):
        return None
    return msg.DIAG_ADDED.format(shift=shifts[0], key="W1", hint=msg.DIAG_ADDED_HINT[ev.method])


def _expected_offsets(dims: Dims) -> list[int]:
    sizes = [dims[i] * dims[i - 1] for i in range(1, len(dims))]
    return [sum(sizes[:i]) for i in range(len(sizes))]


def _misplaced(dims: Dims, placed: list[Placed]) -> str | None:
    """The sentence for the exercise's numbers found at the wrong place, or None."""
    expected = _expected_offsets(dims)
    offsets = [p.offset for p in placed]
    if len(placed) > 1 and all(offset == 0 for offset in offsets):
        return msg.DIAG_RESEED.format(key=f"W{len(dims) - 1}")
    for layer, (p, want) in enumerate(zip(placed, expected, strict=True), start=1):
        if p.offset == want and p.order == "F":
            return msg.DIAG_COLUMN_ORDER.format(key=f"W{layer}")
        if p.offset != want:
            return _shifted(dims, offsets, expected, layer)
    return None


def _shifted(dims: Dims, offsets: list[int], expected: list[int], layer: int) -> str:
    index = layer - 1
    shift = offsets[index] - expected[index]
    before = offsets[index - 1] - expected[index - 1] if index else 0
    extra = shift - before
    if extra <= 0 or offsets != sorted(offsets):  # numbers from further back: another order
        size = dims[layer] * dims[layer - 1]
        return msg.DIAG_DRAW_ORDER.format(
            first=f"W{offsets.index(min(offsets)) + 1}",
            key=f"W{layer}",
            start=offsets[index] + 1,
            end=offsets[index] + size,
            want_start=expected[index] + 1,
            want_end=expected[index] + size,
        )
    where = msg.DIAG_SHIFTED_BEFORE
    why = ""
    if index:
        where = msg.DIAG_SHIFTED_BETWEEN.format(before=f"W{index}", key=f"W{layer}")
        if extra == dims[index]:
            why = msg.DIAG_SHIFTED_BIAS.format(bias=f"b{index}")
    return msg.DIAG_SHIFTED.format(
        key=f"W{layer}",
        got=offsets[index] + 1,
        want=expected[index] + 1,
        extra=extra,
        numbers=msg.DIAG_SHIFTED_NUMBERS[extra == 1],
        where=where,
        why=why,
    )


def misplaced_draws(ev: Evidence) -> str | None:
    """The exercise's numbers, but not where the exercise puts them."""
    primary = _primary(ev)
    if ev.method == "zeros" or primary is None:
        return None
    dims, weights = primary
    hints = _expected_offsets(dims)
    placed = [place(w, hint) for w, hint in zip(weights, hints, strict=True)]
    if any(p is None for p in placed):
        return None
    found = [p for p in placed if p is not None]
    message = _misplaced(dims, found)
    if message is None:
        return None
    more = explain_factors(ev.method, layer_scales(dims, [p.factor for p in found]))
    return message + (msg.DIAG_ALSO.format(more=more) if more else "")


def other_draws(ev: Evidence) -> str | None:
    """Self-seeded but not the exercise's draws: default_rng, rand, another seed."""
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
