"""How the spread of activations changes with depth under each weight scale.

The lecture's experiment behind the exercise: push standard-normal inputs through a stack of
fully connected layers without biases and look at every layer's outputs. With unit-variance
weights a sigmoid saturates at 0 and 1; with weights of 0.01 everything collapses to 0.5
(sigmoid) or to zero (ReLU); Xavier (tanh, sigmoid) and He (ReLU) keep the spread about the same
from layer to layer.

Examples are columns, as everywhere in the exercise: the inputs have shape
``(width, n_samples)`` and so does every layer's output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from reference.initializers import he_scale, xavier_scale
from reference.network import relu, sigmoid

DEFAULT_SEED = 0
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
}
NAMED_SCALES: dict[str, Callable[[int], float]] = {"xavier": xavier_scale, "he": he_scale}


def layer_std(weight_scale: float | str, fan_in: int) -> float:
    """The weights' standard deviation: the number itself, or the named rule at ``fan_in``."""
    if isinstance(weight_scale, str):
        if weight_scale not in NAMED_SCALES:
            raise ValueError(f"weight_scale must be a number or one of {sorted(NAMED_SCALES)}")
        return NAMED_SCALES[weight_scale](fan_in)
    return float(weight_scale)


def layer_activations(
    X: np.ndarray, weights: Sequence[np.ndarray], activation: str
) -> list[np.ndarray]:
    """Each layer's output ``activation(W @ A_prev)`` for the given weights, first to last."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    function, outputs, A = ACTIVATIONS[activation], [], X
    for W in weights:
        A = function(np.dot(W, A))
        outputs.append(A)
    return outputs


def activation_statistics(
    weight_scale: float | str,
    activation: str,
    n_layers: int = 5,
    width: int = 100,
    n_samples: int = 1000,
    rng: np.random.Generator | None = None,
) -> list[np.ndarray]:
    """Every layer's activations, each ``(width, n_samples)``, for N(0, 1) inputs.

    ``weight_scale`` is the weights' standard deviation (such as 1 or 0.01) or ``"xavier"`` /
    ``"he"``. Inputs and weights are drawn from ``rng``; without one, from a generator seeded
    with ``DEFAULT_SEED``, so the figure is the same on every run.
    """
    rng = np.random.default_rng(DEFAULT_SEED) if rng is None else rng
    X = rng.standard_normal((width, n_samples))
    std = layer_std(weight_scale, width)
    weights = [rng.standard_normal((width, width)) * std for _ in range(n_layers)]
    return layer_activations(X, weights, activation)
