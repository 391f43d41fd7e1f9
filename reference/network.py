"""A fully connected binary classifier: forward pass, cost, backward pass, update and prediction.

Hidden layers are LINEAR -> ``hidden_activation`` (ReLU or tanh) and the output layer is
LINEAR -> SIGMOID, for any number of layers. Examples are columns: ``X`` has shape
``(n_x, m)`` and ``Y`` shape ``(1, m)``. The arithmetic follows the course's code step for step
(``1 / (1 + exp(-z))``, ``dZ_L = (A_L - Y) / m`` written as ``1/m * (A_L - Y)``, ``W - lr * dW``),
so a trajectory computed here matches the course's to the last bit where the course is finite.
The cost is the one exception: it is computed from ``Z_L`` rather than ``A_L`` so that it stays
finite when the output saturates.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reference.initializers import Params

Grads = dict[str, np.ndarray]
HIDDEN_ACTIVATIONS = ("relu", "tanh")


class LayerCache(NamedTuple):
    """What one layer's backward step needs from its forward step."""

    A_prev: np.ndarray
    W: np.ndarray
    Z: np.ndarray
    A: np.ndarray


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-Z))``; saturates to exactly 0 or 1 far out."""
    with np.errstate(over="ignore"):
        result: np.ndarray = 1.0 / (1.0 + np.exp(-Z))
    return result


def relu(Z: np.ndarray) -> np.ndarray:
    """``max(0, Z)`` elementwise."""
    result: np.ndarray = np.maximum(0, Z)
    return result


def _check_activation(hidden_activation: str) -> None:
    if hidden_activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"hidden_activation must be one of {HIDDEN_ACTIVATIONS}, got {hidden_activation!r}"
        )


def n_layers(params: Params) -> int:
    """The number of weight layers ``L`` in a ``{"W1", "b1", ..., "WL", "bL"}`` dict."""
    return len(params) // 2


def forward_propagation(
    X: np.ndarray, params: Params, hidden_activation: str = "relu"
) -> tuple[np.ndarray, list[LayerCache]]:
    """The output ``A_L`` (shape ``(1, m)``) and one ``LayerCache`` per layer, first to last."""
    _check_activation(hidden_activation)
    hidden = relu if hidden_activation == "relu" else np.tanh
    L = n_layers(params)
    caches: list[LayerCache] = []
    A = X
    for layer in range(1, L + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = np.dot(W, A) + b
        A_next = sigmoid(Z) if layer == L else hidden(Z)
        caches.append(LayerCache(A, W, Z, A_next))
        A = A_next
    return A, caches


def compute_cost(ZL: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy of ``sigmoid(ZL)`` against labels ``Y``, computed stably from ``ZL``.

    Per example, ``-y log(s) - (1 - y) log(1 - s)`` with ``s = sigmoid(z)`` equals
    ``log(1 + exp(z)) - y z``, and ``np.logaddexp(0, z)`` evaluates ``log(1 + exp(z))`` without
    overflow, so the cost is finite even when ``sigmoid(z)`` rounds to 0 or 1. The mean is taken
    as the course takes it, ``1/m`` times the sum.
    """
    m = Y.shape[1]
    return float(1.0 / m * np.sum(np.logaddexp(0.0, ZL) - Y * ZL))


def _hidden_gradient(dA: np.ndarray, A: np.ndarray, hidden_activation: str) -> np.ndarray:
    """``dZ`` for a hidden layer from ``dA`` and the layer's output ``A``."""
    if hidden_activation == "relu":
        return dA * (A > 0)
    return dA * (1.0 - A**2)


def backward_propagation(
    Y: np.ndarray, caches: list[LayerCache], hidden_activation: str = "relu"
) -> Grads:
    """Gradients ``{"dW1", "db1", ..., "dWL", "dbL"}`` of the mean cross-entropy."""
    _check_activation(hidden_activation)
    m = Y.shape[1]
    grads: Grads = {}
    dZ = 1.0 / m * (caches[-1].A - Y)
    for layer in range(len(caches), 0, -1):
        cache = caches[layer - 1]
        grads[f"dW{layer}"] = np.dot(dZ, cache.A_prev.T)
        grads[f"db{layer}"] = np.sum(dZ, axis=1, keepdims=True)
        if layer > 1:
            dA_prev = np.dot(cache.W.T, dZ)
            dZ = _hidden_gradient(dA_prev, cache.A_prev, hidden_activation)
    return grads


def update_parameters(params: Params, grads: Grads, learning_rate: float) -> Params:
    """One gradient-descent step ``W - learning_rate * dW``; returns a new dict."""
    updated: Params = {}
    for layer in range(1, n_layers(params) + 1):
        for name in (f"W{layer}", f"b{layer}"):
            updated[name] = params[name] - learning_rate * grads[f"d{name}"]
    return updated


def predict(X: np.ndarray, params: Params, hidden_activation: str = "relu") -> np.ndarray:
    """Labels 0/1 as an integer array of shape ``(1, m)``: 1 where the output exceeds 0.5."""
    AL, _ = forward_propagation(X, params, hidden_activation)
    return (AL > 0.5).astype(np.int64)


def accuracy(
    X: np.ndarray, Y: np.ndarray, params: Params, hidden_activation: str = "relu"
) -> float:
    """The fraction of examples whose predicted label equals ``Y``."""
    return float(np.mean(predict(X, params, hidden_activation) == Y))
