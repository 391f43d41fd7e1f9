"""Gradient descent for the experiments' classifier: full-batch, or mini-batch SGD, seeded.

One step is ``reference.network``'s: forward, cross-entropy from ``Z_L``, backward, ``W - lr dW``.
Mini-batch SGD draws each batch from the ``np.random.Generator`` it is given (``batch_size``
distinct examples per step), so a run is a function of its inputs and that generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from reference.experiments.nets import cost, forward
from reference.initializers import Params
from reference.network import backward_propagation, update_parameters

Progress = Callable[[int], None]  # called with the number of steps just taken


@dataclass(frozen=True)
class Net:
    """The choices that make a classifier out of parameters: hidden activation and output."""

    hidden: str
    output: str


def step(
    X: np.ndarray, Y: np.ndarray, params: Params, net: Net, learning_rate: float
) -> tuple[Params, float]:
    """One gradient step on ``(X, Y)``: the new parameters and the cost before the step."""
    _, caches = forward(X, params, net.hidden, net.output)
    loss = cost(caches[-1].Z, Y, net.output)
    grads = backward_propagation(Y, caches, net.hidden)
    return update_parameters(params, grads, learning_rate), loss


def batches(m: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Endless batches of ``min(batch_size, m)`` distinct example indices, drawn from ``rng``."""
    size = min(batch_size, m)
    while True:
        yield rng.choice(m, size=size, replace=False)


def train_minibatch(
    X: np.ndarray,
    Y: np.ndarray,
    params: Params,
    net: Net,
    *,
    learning_rate: float,
    iterations: int,
    batch_size: int,
    rng: np.random.Generator,
    progress: Progress | None = None,
) -> tuple[Params, list[float]]:
    """``iterations`` steps of mini-batch SGD; returns the parameters and every batch's loss."""
    losses: list[float] = []
    sampler = batches(X.shape[1], batch_size, rng)
    for _ in range(iterations):
        index = next(sampler)
        params, loss = step(X[:, index], Y[:, index], params, net, learning_rate)
        losses.append(loss)
        if progress is not None:
            progress(1)
    return params, losses


def train_full_batch(
    X: np.ndarray,
    Y: np.ndarray,
    params: Params,
    net: Net,
    *,
    learning_rate: float,
    iterations: int,
    cost_every: int,
    progress: Progress | None = None,
) -> tuple[Params, list[float]]:
    """``iterations`` full-batch steps; returns the parameters and the cost at steps
    0, ``cost_every``, 2 ``cost_every``, ... (before that step's update), then after the last."""
    costs: list[float] = []
    for iteration in range(iterations):
        params, loss = step(X, Y, params, net, learning_rate)
        if iteration % cost_every == 0:
            costs.append(loss)
        if progress is not None:
            progress(1)
    _, caches = forward(X, params, net.hidden, net.output)
    costs.append(cost(caches[-1].Z, Y, net.output))
    return params, costs


def smooth(values: list[float], window: int) -> np.ndarray:
    """The trailing mean of the last ``window`` values at each point (fewer at the start)."""
    series = np.asarray(values, dtype=float)
    totals = np.cumsum(series)
    counts = np.minimum(np.arange(1, series.size + 1), window)
    shifted = np.concatenate([np.zeros(window), totals])[: series.size]
    result: np.ndarray = (totals - shifted) / counts
    return result
