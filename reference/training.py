"""Full-batch gradient descent for the networks of ``reference.network``.

``train`` is the grader's hot path, so it does not call the readable functions of
``reference.network`` step by step. It runs the same arithmetic in preallocated buffers and
gets the same numbers, bit for bit on the machines we test on:

* every weight and bias lives in one flat vector, so the update is two numpy calls;
* the gradients of all biases are the row sums of one stacked ``dZ`` array, one call;
* the derivative masks of all hidden layers come from one call on their stacked outputs;
* the output layer's weights are stored negated, so the forward pass yields ``-Z_L``
  directly and ``1 / (1 + exp(-Z_L))`` needs no separate negation. Negating every term of a
  sum negates the rounded sum exactly, so this changes no bit of any result;
* the cost is evaluated only at the steps where it is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference.initializers import INITIALIZERS, Params
from reference.network import HIDDEN_ACTIVATIONS, compute_cost, n_layers

COST_EVERY = 1000
MODEL_HIDDEN_UNITS = (10, 5)
Views = tuple[np.ndarray, ...]


@dataclass(frozen=True)
class _Workspace:
    """Preallocated state of one training run; ``W``, ``b``, ``dW`` and ``dZ`` are views."""

    theta: np.ndarray  # all weights, then all biases; the output layer's stored negated
    grad: np.ndarray  # the gradient of theta, same layout
    W: Views
    b: Views
    dW: Views
    db: np.ndarray  # the bias part of grad
    A: Views  # X, then each hidden layer's output (rows of `hidden`)
    hidden: np.ndarray  # every hidden layer's output, stacked
    mask: np.ndarray  # the derivative of each hidden output, stacked like `hidden`
    dZ: Views  # rows of dZ_all, one block per layer
    dZ_all: np.ndarray
    neg_ZL: np.ndarray
    AL: np.ndarray
    Y: np.ndarray


def _views(flat: np.ndarray, shapes: Sequence[tuple[int, int]]) -> Views:
    """Consecutive views of ``flat`` with the given shapes."""
    views, start = [], 0
    for rows, cols in shapes:
        views.append(flat[start : start + rows * cols].reshape(rows, cols))
        start += rows * cols
    return tuple(views)


def _flat_parameters(params: Params) -> tuple[np.ndarray, np.ndarray, Views, Views, Views]:
    """``theta`` and ``grad`` buffers, and the ``W``, ``b``, ``dW`` views; theta holds ``params``.

    The output layer goes in negated.
    """
    w_shapes = [params[f"W{layer}"].shape for layer in range(1, n_layers(params) + 1)]
    n_weights = sum(rows * cols for rows, cols in w_shapes)
    size = n_weights + sum(rows for rows, _ in w_shapes)
    theta, grad = np.empty(size), np.empty(size)
    W = _views(theta, w_shapes)
    b = _views(theta[n_weights:], [(rows, 1) for rows, _ in w_shapes])
    for layer, (W_l, b_l) in enumerate(zip(W, b, strict=True), start=1):
        W_l[...], b_l[...] = params[f"W{layer}"], params[f"b{layer}"]
    np.negative(W[-1], out=W[-1])
    np.negative(b[-1], out=b[-1])
    return theta, grad, W, b, _views(grad, w_shapes)


def _allocate(X: np.ndarray, Y: np.ndarray, params: Params) -> _Workspace:
    """A fresh workspace holding a copy of ``params``."""
    theta, grad, W, b, dW = _flat_parameters(params)
    m, widths = X.shape[1], [W_l.shape[0] for W_l in W]
    hidden, dZ_all = np.empty((sum(widths[:-1]), m)), np.empty((sum(widths), m))
    X = np.asarray(X, dtype=np.float64)  # kept in its memory order: BLAS sums in that order
    return _Workspace(
        theta=theta,
        grad=grad,
        W=W,
        b=b,
        dW=dW,
        db=grad[theta.size - sum(widths) :],
        A=(X, *_views(hidden.ravel(), [(n, m) for n in widths[:-1]])),
        hidden=hidden,
        mask=np.empty_like(hidden),
        dZ=_views(dZ_all.ravel(), [(n, m) for n in widths]),
        dZ_all=dZ_all,
        neg_ZL=np.empty((widths[-1], m)),
        AL=np.empty((widths[-1], m)),
        Y=np.asarray(Y, dtype=np.float64),
    )


def _make_forward(ws: _Workspace, relu: bool) -> Callable[[], None]:
    """The forward pass: every hidden output, then ``-Z_L`` into ``ws.neg_ZL``."""
    add, zero = np.add, np.zeros(())
    # Bound ``W.dot`` methods: the views never move, and the bound call skips numpy's dispatch.
    layers = tuple(
        (W.dot, b, A_prev, A)
        for W, b, A_prev, A in zip(ws.W[:-1], ws.b[:-1], ws.A[:-1], ws.A[1:], strict=True)
    )
    W_L_dot, b_L, A_last, neg_ZL = ws.W[-1].dot, ws.b[-1], ws.A[-1], ws.neg_ZL

    def forward() -> None:
        for W_dot, b, A_prev, A in layers:
            W_dot(A_prev, A)
            add(A, b, A)
            if relu:
                np.maximum(A, zero, out=A)
            else:
                np.tanh(A, A)
        W_L_dot(A_last, neg_ZL)
        add(neg_ZL, b_L, neg_ZL)

    return forward


def _make_backward(ws: _Workspace, learning_rate: float, relu: bool) -> Callable[[], None]:
    """The output, the backward pass and the update, from what ``forward`` left in ``ws``."""
    add, sub, mul = np.add, np.subtract, np.multiply
    masks = _views(ws.mask.ravel(), [A.shape for A in ws.A[1:]])
    layers = tuple(
        (ws.dZ[i], ws.dZ[i].dot, ws.A[i].T, ws.dW[i], ws.W[i].T.dot, ws.dZ[i - 1], masks[i - 1])
        for i in range(len(ws.W) - 1, 0, -1)  # layer i + 1, from the last down to the second
    )
    neg_ZL, AL, Y, dZ_L, hidden, mask = ws.neg_ZL, ws.AL, ws.Y, ws.dZ[-1], ws.hidden, ws.mask
    dZ_1_dot, X_T, dW_1, dZ_all, db = ws.dZ[0].dot, ws.A[0].T, ws.dW[0], ws.dZ_all, ws.db
    theta, grad = ws.theta, ws.grad
    zero, one, inv_m, lr = (
        np.array(value, dtype=np.float64) for value in (0.0, 1.0, 1.0 / Y.shape[1], learning_rate)
    )

    def backward() -> None:
        np.exp(neg_ZL, AL)
        add(AL, one, AL)
        np.divide(one, AL, AL)
        sub(Y, AL, dZ_L)  # -(A_L - Y): negated, like the output layer's weights
        mul(dZ_L, inv_m, dZ_L)
        if relu:
            np.greater(hidden, zero, mask)
        else:
            mul(hidden, hidden, mask)
            sub(one, mask, mask)
        for dZ, dZ_dot, A_prev_T, dW, W_T_dot, dZ_prev, M in layers:
            dZ_dot(A_prev_T, dW)
            W_T_dot(dZ, dZ_prev)
            mul(dZ_prev, M, dZ_prev)
        dZ_1_dot(X_T, dW_1)
        add.reduce(dZ_all, axis=1, out=db)
        mul(grad, lr, grad)
        sub(theta, grad, theta)

    return backward


def _params_of(ws: _Workspace) -> Params:
    """The parameters held in ``ws`` as a fresh dict, the output layer's sign restored."""
    params: Params = {}
    for layer, (W, b) in enumerate(zip(ws.W, ws.b, strict=True), start=1):
        params[f"W{layer}"], params[f"b{layer}"] = W.copy(), b.copy()
    last = len(ws.W)
    params[f"W{last}"] *= -1.0
    params[f"b{last}"] *= -1.0
    return params


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


def train(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Params,
    learning_rate: float = 0.01,
    num_iterations: int = 15000,
    hidden_activation: str = "relu",
) -> tuple[Params, list[float]]:
    """Run ``num_iterations`` full-batch gradient steps from ``parameters`` (left unchanged).

    Returns the final parameters and the cost at steps 0, 1000, 2000, ...: each the cost of
    the parameters before that step's update, as the course's training loop records it.
    """
    _check_inputs(X, Y, parameters, hidden_activation)
    ws = _allocate(X, Y, parameters)
    relu = hidden_activation == "relu"
    forward, backward = _make_forward(ws, relu), _make_backward(ws, learning_rate, relu)
    costs: list[float] = []
    with np.errstate(over="ignore"):  # exp(-Z_L) overflows to inf for a saturated output: fine
        for step in range(num_iterations):
            forward()
            if step % COST_EVERY == 0:
                costs.append(compute_cost(-ws.neg_ZL, ws.Y))
            backward()
    return _params_of(ws), costs


def model(
    X: np.ndarray,
    Y: np.ndarray,
    learning_rate: float = 0.01,
    num_iterations: int = 15000,
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
