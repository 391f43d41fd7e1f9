"""Whether the engine computes, on this machine, exactly what ``reference.network`` computes.

The engine gets the course's numbers only where the BLAS kernels round its products as they
round the course's, which depends on the shapes and the library, not on the data. So the first
run of each shape checks one pass of an engine against the readable functions, and training
uses the folding engine where it passes, else the plain one, else ``readable_train`` itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from reference.engine import Engine
from reference.initializers import Params
from reference.network import (
    backward_propagation,
    compute_cost,
    forward_propagation,
    update_parameters,
)

PROBE_SEED = 20240610


def readable_train(
    X: np.ndarray,
    Y: np.ndarray,
    params: Params,
    learning_rate: float,
    steps: int,
    relu: bool,
    cost_every: int = 0,
) -> tuple[Params, list[float]]:
    """``steps`` steps of ``reference.network``'s readable functions: the engine's oracle.

    Records the cost before the update of every ``cost_every``-th step (none when 0).
    """
    activation, costs = ("relu" if relu else "tanh"), []
    with np.errstate(over="ignore"):
        for step in range(steps):
            _, caches = forward_propagation(X, params, activation)
            if cost_every and step % cost_every == 0:
                costs.append(compute_cost(caches[-1].Z, Y))
            grads = backward_propagation(Y, caches, activation)
            params = update_parameters(params, grads, learning_rate)
    return {key: value.copy() for key, value in params.items()}, costs


def _probe_starts(dims: tuple[int, ...], K: int, rng: np.random.Generator) -> list[Params]:
    """Random starts of these sizes with non-zero biases, so every sum has rounding to show."""
    starts = []
    for _ in range(K):
        params: Params = {}
        for layer in range(1, len(dims)):
            fan_in = dims[layer - 1]
            params[f"W{layer}"] = rng.standard_normal((dims[layer], fan_in)) / np.sqrt(fan_in)
            params[f"b{layer}"] = 0.1 * rng.standard_normal((dims[layer], 1))
        starts.append(params)
    return starts


@lru_cache(maxsize=256)
def is_exact(dims: tuple[int, ...], K: int, m: int, fortran: bool, relu: bool, fold: bool) -> bool:
    """Whether an ``Engine`` of these sizes computes what ``reference.network`` does, here.

    One forward and one gradient pass from random starts (their own generator, never the
    global one) on random data of the same shape and memory order, every output and every
    gradient compared: the kernels' order of summation depends on the shapes, not the data,
    and on dense random data a different order shows in some element. (Comparing parameters
    after a step would not do: ``W - lr * dW`` rounds a last-bit change of ``dW`` away until,
    hundreds of steps later, it does not.)
    """
    rng = np.random.default_rng(PROBE_SEED)
    X = rng.standard_normal((dims[0], m))
    X = np.asfortranarray(X) if fortran else X
    Y = (rng.random((1, m)) > 0.5).astype(np.float64)
    starts = _probe_starts(dims, K, rng)
    activation = "relu" if relu else "tanh"
    engine = Engine(X, Y, starts, 0.05, relu=relu, fold=fold)
    with np.errstate(all="ignore"):
        engine.forward()
        for op in engine.gradient_ops:
            op()
        for k, params in enumerate(starts):
            _, caches = forward_propagation(X, params, activation)
            grads = backward_propagation(Y, caches, activation)
            outputs = [cache.A for cache in caches[:-1]] + [caches[-1].Z]
            if not all(map(np.array_equal, engine.outputs(k), outputs)):
                return False
            if not all(np.array_equal(engine.gradients(k)[key], grads[key]) for key in grads):
                return False
    return True
