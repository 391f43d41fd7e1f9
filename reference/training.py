"""Full-batch gradient descent for the networks of ``reference.network``, one start or many.

``train`` is the grader's hot path and ``train_many`` its batch form: K starts of the same
layer sizes in one stacked computation (``reference.engine``), each getting the numbers it gets
trained alone, bit for bit. Neither calls the readable functions of ``reference.network`` step
by step: the engine runs the same arithmetic in preallocated buffers, and the first run of each
shape checks that it does (``reference.exactness``). Where the check fails, training takes the
engine without folded biases, or else the readable loop: slower, never different.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference.engine import Engine, layer_dims_of
from reference.exactness import is_exact, readable_train
from reference.initializers import INITIALIZERS, Params
from reference.network import HIDDEN_ACTIVATIONS, compute_cost, n_layers

COST_EVERY = 1000
# The course's model, as the exercise publishes it: its hidden layers, learning rate and steps.
MODEL_HIDDEN_UNITS = (10, 5)
LEARNING_RATE = 0.01
NUM_ITERATIONS = 15000
Trained = tuple[Params, list[float]]


def _check_inputs(X: np.ndarray, Y: np.ndarray, params: Params, hidden_activation: str) -> None:
    if hidden_activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"hidden_activation must be one of {HIDDEN_ACTIVATIONS}, got {hidden_activation!r}"
        )
    if X.ndim != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError(
            f"expected X of shape (n_x, m) and Y of shape (1, m), got {X.shape}, {Y.shape}"
        )
    expected = {f"{kind}{layer}" for layer in range(1, n_layers(params) + 1) for kind in "Wb"}
    if set(params) != expected or not params:
        raise ValueError(f"expected parameters {sorted(expected)}, got {sorted(params)}")
    dims = (X.shape[0], *layer_dims_of(params)[1:])
    for layer in range(1, len(dims)):
        shapes = {"W": (dims[layer], dims[layer - 1]), "b": (dims[layer], 1)}
        for kind, shape in shapes.items():
            if np.shape(params[f"{kind}{layer}"]) != shape:
                raise ValueError(
                    f"{kind}{layer} has shape {np.shape(params[f'{kind}{layer}'])}; layer sizes"
                    f" {list(dims)} (n_x = {X.shape[0]}) need {shape}"
                )


def _check_starts(
    X: np.ndarray, Y: np.ndarray, starts: Sequence[Params], hidden_activation: str
) -> None:
    """Every start valid on its own, and all of one shape, so that they stack."""
    for params in starts:
        _check_inputs(X, Y, params, hidden_activation)
    dims = [layer_dims_of(params) for params in starts]
    for index, other in enumerate(dims):
        if other != dims[0]:
            raise ValueError(
                f"start {index} has layer sizes {list(other)}, start 0 has {list(dims[0])}:"
                " train_many stacks starts of one shape; call it once per shape"
            )


def _engine(
    X: np.ndarray, Y: np.ndarray, starts: Sequence[Params], learning_rate: float, relu: bool
) -> Engine | None:
    """The fastest engine that is exact for these sizes on this machine, if any is."""
    dims = layer_dims_of(starts[0])
    fortran = bool(X.flags.f_contiguous and not X.flags.c_contiguous)
    for fold in (True, False):
        if is_exact(dims, len(starts), X.shape[1], fortran, relu, fold):
            return Engine(X, Y, starts, learning_rate, relu=relu, fold=fold)
    return None


def train(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Params,
    learning_rate: float = LEARNING_RATE,
    num_iterations: int = NUM_ITERATIONS,
    hidden_activation: str = "relu",
) -> Trained:
    """Run ``num_iterations`` full-batch gradient steps from ``parameters`` (left unchanged).

    Returns the final parameters and the cost at steps 0, 1000, 2000, ...: each the cost of
    the parameters before that step's update, as the course's training loop records it.
    """
    [trained] = train_many(X, Y, [parameters], learning_rate, num_iterations, hidden_activation)
    return trained


def train_many(
    X: np.ndarray,
    Y: np.ndarray,
    starts: Sequence[Params],
    learning_rate: float = LEARNING_RATE,
    num_iterations: int = NUM_ITERATIONS,
    hidden_activation: str = "relu",
) -> list[Trained]:
    """``train`` from each of ``starts`` (left unchanged), all in one stacked computation.

    The starts must share their layer sizes. Result ``k`` is what ``train`` returns for
    ``starts[k]``, bit for bit; memory grows with ``len(starts)`` (about 0.2 MB per start for
    the course's network on its 300 points), so split a long list into chunks of a few dozen.
    """
    _check_starts(X, Y, starts, hidden_activation)
    if not starts:
        return []
    relu = hidden_activation == "relu"
    engine = _engine(X, Y, starts, learning_rate, relu)
    if engine is None:
        return [
            readable_train(X, Y, s, learning_rate, num_iterations, relu, COST_EVERY) for s in starts
        ]
    costs: list[list[float]] = [[] for _ in starts]
    with np.errstate(over="ignore"):  # exp(-Z_L) overflows to inf for a saturated output: fine
        for step in range(0, num_iterations, COST_EVERY):  # a recorded step, then the rest
            engine.forward()
            for k, curve in enumerate(costs):
                curve.append(compute_cost(-engine.neg_ZL[k], engine.Y))
            engine.backward()
            engine.steps(min(COST_EVERY, num_iterations - step) - 1)
    return list(zip(engine.params(), costs, strict=True))


def model(
    X: np.ndarray,
    Y: np.ndarray,
    learning_rate: float = LEARNING_RATE,
    num_iterations: int = NUM_ITERATIONS,
    print_cost: bool = False,
    initialization: str = "he",
) -> Params:
    """The course's three-layer ReLU model, trained from the named initialization."""
    if initialization not in INITIALIZERS:
        raise ValueError(
            f"initialization must be one of {sorted(INITIALIZERS)}, got {initialization!r}"
        )
    layers_dims = [X.shape[0], *MODEL_HIDDEN_UNITS, 1]
    parameters, costs = train(
        X, Y, INITIALIZERS[initialization](layers_dims), learning_rate, num_iterations
    )
    if print_cost:
        for index, cost in enumerate(costs):
            print(f"Cost after iteration {index * COST_EVERY}: {cost}")  # noqa: T201
    return parameters
