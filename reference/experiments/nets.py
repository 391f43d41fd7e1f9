"""The experiments' L-layer classifier: ReLU or tanh hidden layers, a sigmoid or softmax output.

It is the network of ``reference.network`` with one more choice, the output: a sigmoid unit for
two classes (labels ``Y`` of shape ``(1, m)``) or a softmax over ``k`` classes (one-hot ``Y`` of
shape ``(k, m)``). Examples are columns and parameters are ``{"W1", "b1", ..., "WL", "bL"}``, as
in the exercise. Both outputs, each with its cross-entropy, give the output layer the gradient
``dZ_L = (A_L - Y) / m``, so the backward pass and the update are ``reference.network``'s own.

An initialization is named as in the exercise (``"zeros"``, ``"random"`` for x10, ``"he"``,
``"xavier"``) or as a fixed standard deviation, ``"std=0.01"``. Unlike the graded initializers,
these draw from the ``np.random.Generator`` they are given and leave the global state alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reference.initializers import WEIGHT_SCALES, Params, weight_std
from reference.network import LayerCache, compute_cost, relu, sigmoid

OUTPUTS = ("sigmoid", "softmax")
FIXED_STD = "std="
NAMES = {"zeros": "zeros", "random": "x10", "he": "He", "xavier": "Xavier"}


def fixed_std(init: str) -> float | None:
    """The number in ``"std=0.01"``; None for a named initialization."""
    if not init.startswith(FIXED_STD):
        return None
    try:
        std = float(init[len(FIXED_STD) :])
    except ValueError:
        std = math.nan
    if not (math.isfinite(std) and std > 0):
        raise ValueError(f"{init!r}: a fixed standard deviation must be a number above 0")
    return std


def check_init(init: str) -> None:
    """Refuse an initialization that is neither a named method nor ``"std=<number>"``."""
    if fixed_std(init) is None and init not in WEIGHT_SCALES:
        raise ValueError(
            f"unknown initialization {init!r}: expected one of {sorted(WEIGHT_SCALES)}"
            f" or {FIXED_STD}<number>"
        )


def init_label(init: str) -> str:
    """How a figure or a table names the initialization: ``He``, ``x10``, ``std 0.01``."""
    std = fixed_std(init)
    return NAMES[init] if std is None else f"std {std:g}"


def layer_scale(init: str, fan_in: int) -> float:
    """The standard deviation of a layer's weights under ``init`` (0 for zeros)."""
    std = fixed_std(init)
    return weight_std(init, fan_in) if std is None else std


def initialize(layer_dims: Sequence[int], init: str, rng: np.random.Generator) -> Params:
    """Weights ``N(0, 1) * scale`` drawn from ``rng`` layer by layer, biases zero."""
    check_init(init)
    params: Params = {}
    for layer in range(1, len(layer_dims)):
        fan_in, fan_out = int(layer_dims[layer - 1]), int(layer_dims[layer])
        scale = layer_scale(init, fan_in)
        params[f"W{layer}"] = rng.standard_normal((fan_out, fan_in)) * scale
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def softmax(Z: np.ndarray) -> np.ndarray:
    """Each column of ``Z`` turned into probabilities; the column's maximum is taken out first,
    so ``exp`` never overflows."""
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    result: np.ndarray = E / E.sum(axis=0, keepdims=True)
    return result


def forward(
    X: np.ndarray, params: Params, hidden: str, output: str
) -> tuple[np.ndarray, list[LayerCache]]:
    """The output ``A_L`` and one ``LayerCache`` per layer, first to last."""
    if hidden not in ("relu", "tanh") or output not in OUTPUTS:
        raise ValueError(f"hidden must be relu or tanh and output one of {OUTPUTS}")
    activation = relu if hidden == "relu" else np.tanh
    last = len(params) // 2
    caches: list[LayerCache] = []
    A = X
    for layer in range(1, last + 1):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = np.dot(W, A) + b
        if layer < last:
            A_next = activation(Z)
        else:
            A_next = sigmoid(Z) if output == "sigmoid" else softmax(Z)
        caches.append(LayerCache(A, W, Z, A_next))
        A = A_next
    return A, caches


def softmax_cost(ZL: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy of ``softmax(ZL)`` against one-hot ``Y``, from the log-softmax
    ``Z - max - log(sum(exp(Z - max)))``: finite however large the scores."""
    shifted = ZL - ZL.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-np.sum(Y * log_probs) / Y.shape[1])


def cost(ZL: np.ndarray, Y: np.ndarray, output: str) -> float:
    """The output's cross-entropy, from the output layer's pre-activation ``ZL``."""
    return compute_cost(ZL, Y) if output == "sigmoid" else softmax_cost(ZL, Y)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Labels ``0 .. n_classes - 1`` as columns of a ``(n_classes, m)`` indicator matrix."""
    Y = np.zeros((n_classes, labels.size))
    Y[labels.ravel(), np.arange(labels.size)] = 1.0
    return Y


def targets(labels: np.ndarray, output: str, n_classes: int) -> np.ndarray:
    """``Y`` for the output: the labels as a ``(1, m)`` row for a sigmoid, one-hot for softmax."""
    if output == "sigmoid":
        return labels.reshape(1, -1).astype(float)
    return one_hot(labels, n_classes)


def predict(X: np.ndarray, params: Params, hidden: str, output: str) -> np.ndarray:
    """The predicted class of each example, shape ``(m,)``: output above 0.5, or the argmax."""
    AL, _ = forward(X, params, hidden, output)
    classes: np.ndarray = (AL[0] > 0.5) if output == "sigmoid" else np.argmax(AL, axis=0)
    return classes.astype(np.int64)


def accuracy(X: np.ndarray, labels: np.ndarray, params: Params, hidden: str, output: str) -> float:
    """The share of examples whose predicted class is their label."""
    return float(np.mean(predict(X, params, hidden, output) == labels.ravel()))
