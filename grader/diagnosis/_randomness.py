"""Mistakes in the randomness: no seed (the answer moves with the global state); the right
numbers at the wrong place (an extra draw, a bias drawn, layers out of order, column order,
reseeding per layer); the scale added instead of multiplied; or draws of another construction
(``default_rng(3)``, ``rand``, another seed in 0..100), each compared layer by layer up to a
constant factor."""

from __future__ import annotations

import numpy as np

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
from grader.diagnosis._scale import explain_factors, layer_scales, statistical_mistake
from grader.mistakes import Diagnosis, Mistake
from grader.spec import BASE_PRESEED, OTHER_PRESEED

OTHER_SEEDS = range(101)
SHIFT_ATOL = 1e-12


def _primary(ev: Evidence) -> tuple[Dims, list[np.ndarray]] | None:
    dims = ev.visible[0]
    params = ev.params(dims)
    weights = layout_weights(params, dims) if params is not None else None
    return (dims, weights) if weights is not None else None


def _with(first: Mistake, more: Mistake | None) -> Diagnosis:
    """``first``, and the scale mistake found with it when there is one."""
    return Diagnosis((first,) if more is None else (first, more))


def no_seed(ev: Evidence) -> Diagnosis | None:
    if ev.rules.zero:
        return None
    dims = ev.visible[0]
    first, other = ev.params(dims, BASE_PRESEED), ev.params(dims, OTHER_PRESEED)
    if first is None or other is None or set(first) != set(other):
        return None
    if all(np.array_equal(first[k], other[k]) for k in first):
        return None
    return _with(Mistake.of("seed.missing", exercise_seed=ev.seed), statistical_mistake(ev))


def added(ev: Evidence) -> Diagnosis | None:
    """The exercise's draws plus a constant: ``randn(...) + scale`` for ``randn(...) * scale``."""
    primary = _primary(ev)
    if ev.rules.zero or primary is None:
        return None
    dims, weights = primary
    shifts = []
    for w, z in zip(weights, randn_draws(dims, ev.seed), strict=True):
        difference = w - z
        if not np.allclose(difference, difference.flat[0], rtol=1e-9, atol=SHIFT_ATOL):
            return None
        shifts.append(float(difference.flat[0]))
    if all(abs(shift) <= SHIFT_ATOL for shift in shifts):
        return None
    added = Mistake.of("scale.added", shift=shifts[0], key="W1", scale=ev.rules.scale.text)
    return _with(added, None)


def _expected_offsets(dims: Dims) -> list[int]:
    sizes = [dims[i] * dims[i - 1] for i in range(1, len(dims))]
    return [sum(sizes[:i]) for i in range(len(sizes))]


def _misplaced(dims: Dims, placed: list[Placed], seed: int) -> Mistake | None:
    """The mistake of the exercise's numbers found at the wrong place, or None."""
    expected = _expected_offsets(dims)
    offsets = [p.offset for p in placed]
    if len(placed) > 1 and all(offset == 0 for offset in offsets):
        return Mistake.of("seed.per_layer", key=f"W{len(dims) - 1}", exercise_seed=seed)
    for layer, (p, want) in enumerate(zip(placed, expected, strict=True), start=1):
        if p.offset == want and p.order == "F":
            return Mistake.of("draws.column_order", key=f"W{layer}")
        if p.offset != want:
            return _shifted(dims, offsets, expected, layer, seed)
    return None


def _shifted(dims: Dims, offsets: list[int], expected: list[int], layer: int, seed: int) -> Mistake:
    index = layer - 1
    shift = offsets[index] - expected[index]
    before = offsets[index - 1] - expected[index - 1] if index else 0
    extra = shift - before
    if extra <= 0 or offsets != sorted(offsets):  # numbers from further back: another order
        size = dims[layer] * dims[layer - 1]
        return Mistake.of(
            "draws.order",
            exercise_seed=seed,
            first=f"W{offsets.index(min(offsets)) + 1}",
            key=f"W{layer}",
            start=offsets[index] + 1,
            end=offsets[index] + size,
            want_start=expected[index] + 1,
            want_end=expected[index] + size,
        )
    # drawn between the layer before and this one (or before W1), as many as that layer's bias
    previous = f"W{index}" if index else None
    bias = f"b{index}" if index and extra == dims[index] else None
    return Mistake.of(
        "draws.shifted", key=f"W{layer}", got=offsets[index] + 1, want=expected[index] + 1,
        exercise_seed=seed,
        extra=extra, previous=previous, bias=bias,
    )  # fmt: skip


def misplaced_draws(ev: Evidence) -> Diagnosis | None:
    """The exercise's numbers, but not where the exercise puts them."""
    primary = _primary(ev)
    if ev.rules.zero or primary is None:
        return None
    dims, weights = primary
    hints = _expected_offsets(dims)
    placed = [place(w, hint, ev.seed) for w, hint in zip(weights, hints, strict=True)]
    if any(p is None for p in placed):
        return None
    found = [p for p in placed if p is not None]
    mistake = _misplaced(dims, found, ev.seed)
    if mistake is None:
        return None
    return _with(mistake, explain_factors(ev.rules, layer_scales(dims, [p.factor for p in found])))


def other_draws(ev: Evidence) -> Diagnosis | None:
    """Self-seeded but not the exercise's draws: default_rng, rand, another seed."""
    primary = _primary(ev)
    if ev.rules.zero or primary is None:
        return None
    dims, weights = primary
    if factors(weights, randn_draws(dims, ev.seed)) is not None:
        return None  # the exercise's draws: any mistake is in the scale
    seed, last = ev.seed, f"W{len(dims) - 1}"
    named: list[tuple[Draws, int, Mistake]] = [
        (reseeded_draws, seed, Mistake.of("seed.per_layer", key=last, exercise_seed=seed)),
        (rng_draws, seed, Mistake.of("draws.default_rng", exercise_seed=seed)),
        (rand_draws, seed, Mistake.of("draws.uniform", key="W1")),
    ]
    named += [
        (randn_draws, s, Mistake.of("seed.value", seed=s, exercise_seed=seed)) for s in OTHER_SEEDS
    ]
    for draws, seed, mistake in named:
        found = factors(weights, draws(dims, seed))
        if found is not None:
            return _with(mistake, explain_factors(ev.rules, layer_scales(dims, found)))
    if all(np.all(w >= 0) for w in weights):
        return _with(Mistake.of("draws.uniform", key="W1"), None)
    return None
