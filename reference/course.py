"""The course's helper signatures, as thin adapters over reference/.

The student notebook calls its helpers with the course's names and argument orders (a 3-layer
network whose cache is a flat tuple, ``predict(X, y, parameters)`` that prints the accuracy, and
so on). These adapters give reference/ that face without a second copy of its arithmetic; the
release command copies them, with the reference code they use, into the assignment's
``init_utils.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from reference.activations import layer_activations
from reference.data import load_dataset
from reference.initializers import Params
from reference.network import (
    LayerCache,
    accuracy,
    compute_cost,
    relu,
    sigmoid,
    update_parameters,
)
from reference.network import _hidden_gradient as _relu_gradient
from reference.network import backward_propagation as _backward_propagation
from reference.network import forward_propagation as _forward_propagation
from reference.network import predict as _predict
from reference.plots import plot_activation_histograms
from reference.plots import plot_decision_boundary as _plot_decision_boundary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# The names the assignment's notebook imports from init_utils: the course's, in its order, first.
__all__ = [  # noqa: RUF022
    "sigmoid",
    "relu",
    "compute_loss",
    "forward_propagation",
    "backward_propagation",
    "update_parameters",
    "predict",
    "load_dataset",
    "plot_decision_boundary",
    "predict_dec",
    # For the optional experiment at the end of the notebook.
    "layer_activations",
    "plot_activation_histograms",
]
CourseCache = tuple[np.ndarray, ...]


def forward_propagation(X: np.ndarray, parameters: Params) -> tuple[np.ndarray, CourseCache]:
    """LINEAR -> RELU -> ... -> LINEAR -> SIGMOID; returns the output and a flat cache.

    The cache holds ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)`` for the course's
    3-layer network (four entries per layer in general).
    """
    output, layers = _forward_propagation(X, parameters)
    cache: list[np.ndarray] = []
    for index, layer in enumerate(layers, start=1):
        cache += [layer.Z, layer.A, layer.W, parameters[f"b{index}"]]
    return output, tuple(cache)


def _layer_caches(X: np.ndarray, cache: CourseCache) -> list[LayerCache]:
    """The per-layer caches of reference/network.py, rebuilt from the course's flat tuple."""
    layers, A_prev = [], X
    for start in range(0, len(cache), 4):
        Z, A, W, _ = cache[start : start + 4]
        layers.append(LayerCache(A_prev, W, Z, A))
        A_prev = A
    return layers


def backward_propagation(X: np.ndarray, Y: np.ndarray, cache: CourseCache) -> dict[str, np.ndarray]:
    """The course's gradient dict: ``dW``/``db`` of every layer plus the ``dz``/``da`` in between.

    ``dW`` and ``db`` come from reference/network.py; the intermediate ``dz`` and ``da`` that the
    course also returns are rebuilt the same way the reference backward pass goes.
    """
    layers = _layer_caches(X, cache)
    weights = _backward_propagation(Y, layers)
    grads: dict[str, np.ndarray] = {}
    dz = 1.0 / Y.shape[1] * (layers[-1].A - Y)
    for index in range(len(layers), 0, -1):
        grads[f"dz{index}"] = dz
        grads[f"dW{index}"] = weights[f"dW{index}"]
        grads[f"db{index}"] = weights[f"db{index}"]
        if index > 1:
            grads[f"da{index - 1}"] = np.dot(layers[index - 1].W.T, dz)
            dz = _relu_gradient(grads[f"da{index - 1}"], layers[index - 2].A, "relu")
    return grads


def compute_loss(a3: np.ndarray, Y: np.ndarray, z3: np.ndarray | None = None) -> float:
    """Mean cross-entropy of the output ``a3`` against the labels ``Y``.

    Pass the output layer's pre-activation ``z3`` (``cache[8]``) to get the exact cost even where
    the sigmoid has saturated to exactly 0 or 1. Without it, ``z3`` is recovered from ``a3``,
    which is exact up to rounding and stays finite because ``a3`` is first kept inside (0, 1).
    """
    if z3 is None:
        inside = np.clip(a3, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg)
        z3 = np.log(inside) - np.log1p(-inside)
    return compute_cost(z3, Y)


def predict(X: np.ndarray, y: np.ndarray, parameters: Params) -> np.ndarray:
    """Predicted labels (0/1, shape ``(1, m)``); prints the accuracy against ``y``."""
    print("Accuracy: " + str(accuracy(X, y, parameters)))  # noqa: T201
    return _predict(X, parameters)


def predict_dec(parameters: Params, X: np.ndarray) -> np.ndarray:
    """Predicted labels as booleans (``True`` for class 1), for plotting decision boundaries."""
    return _predict(X, parameters).astype(bool)


def plot_decision_boundary(
    model: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray
) -> Axes:
    """Shade the plane by ``model``'s predictions and draw the points, on the current axes.

    As in the course, ``model`` takes points as rows, shape ``(k, 2)``: pass
    ``lambda x: predict_dec(parameters, x.T)``. ``X`` has shape ``(2, m)`` and ``y`` ``(1, m)``.
    """
    import matplotlib.pyplot as plt  # only here, so that importing the helpers opens no figure

    return _plot_decision_boundary(plt.gca(), lambda points: model(points.T), X, y)
