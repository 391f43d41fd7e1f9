"""How often does the weight-scale check fail correct work? Count it on draws of other seeds.

A correct-by-construction initialization is the method's construction with another seed: the
standard-normal draws of ``RandomState(seed)`` per layer times the method's scale, zero biases.
Each one is graded on the weight-scale property alone, on the same ``layers_dims`` a grading
tries (``property_inputs``), and every grading in which any layer fails is counted. The stated
rate is ``grader.stats.FALSE_FAILURE_RATE`` per layer, so ``expected`` is that rate times the
layers tested: a count of 0 is what the statement predicts when ``expected`` is far below 1.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from grader.checks import check_properties
from grader.checks.strategies import property_inputs
from grader.spec import SPEC, WEIGHT_SCALE, FunctionSpec
from grader.stats import FALSE_FAILURE_RATE
from grader.types import CallResult, CallStatus, Params
from reference import weight_std

# The methods that draw (every graded one but zeros, whose scale check has nothing to estimate)
METHODS = tuple(entry.method for entry in SPEC.functions if not entry.zero)
FIRST_SEED = 10_000  # far from the exercise's seed and from the 0..100 the diagnosis searches
SERIAL_BELOW = 2_000  # gradings per method under which one process is faster than a pool


@dataclass(frozen=True)
class FalseFailures:
    """Gradings of correct initializations that the scale check failed, out of those made."""

    gradings: int
    failed: int
    layers: int  # layers tested in all
    rate_per_layer: float = FALSE_FAILURE_RATE

    @property
    def expected(self) -> float:
        """Failures the stated per-layer rate predicts for this many layers."""
        return self.layers * self.rate_per_layer


def construction(method: str, seed: int, dims: Sequence[int]) -> Params:
    """The method's initialization with ``seed`` in place of the exercise's."""
    state = np.random.RandomState(seed)
    params: Params = {}
    for layer in range(1, len(dims)):
        fan_in, fan_out = int(dims[layer - 1]), int(dims[layer])
        params[f"W{layer}"] = state.randn(fan_out, fan_in) * weight_std(method, fan_in, fan_out)
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


class _Constructed:
    """A caller that answers every call with the construction of ``seed`` (built once per
    layers_dims: the second call of an input, for reproducibility, gets the same answer)."""

    def __init__(self, method: str, seed: int) -> None:
        self.method, self.seed = method, seed
        self.made: dict[tuple[int, ...], CallResult] = {}

    def __call__(self, dims: Sequence[int], preseed: int | None, /) -> CallResult:
        key = tuple(dims)
        if key not in self.made:
            params = construction(self.method, self.seed, dims)
            self.made[key] = CallResult(CallStatus.OK, params, args_after=list(dims))
        return self.made[key]


def _scale_only(method: str) -> FunctionSpec:
    entry = next(e for e in SPEC.functions if e.method == method)
    return replace(entry, property_points=((WEIGHT_SCALE, 1.0),))


def count_seeds(method: str, seeds: range) -> FalseFailures:
    """Grade the construction of each seed on the scale check alone."""
    entry = _scale_only(method)
    per_grading = sum(len(d) - 1 for d in property_inputs(entry.property_examples))
    failed = 0
    for seed in seeds:
        (result,) = check_properties(entry, _Constructed(method, seed))
        failed += not result.passed
    return FalseFailures(len(seeds), failed, per_grading * len(seeds))


def count(gradings_per_method: int, jobs: int = 1) -> FalseFailures:
    """Grade ``gradings_per_method`` seeds of each random method on the scale check, in
    ``jobs`` processes."""
    chunk = max(1, -(-gradings_per_method // max(jobs, 1)))
    work = [
        (method, range(start, min(start + chunk, FIRST_SEED + gradings_per_method)))
        for method in METHODS
        for start in range(FIRST_SEED, FIRST_SEED + gradings_per_method, chunk)
    ]
    if jobs <= 1 or gradings_per_method < SERIAL_BELOW:  # starting processes would cost more
        parts = [count_seeds(method, seeds) for method, seeds in work]
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            parts = list(pool.map(count_seeds, *zip(*work, strict=True)))
    return FalseFailures(
        sum(p.gradings for p in parts), sum(p.failed for p in parts), sum(p.layers for p in parts)
    )
