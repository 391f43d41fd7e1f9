"""The four weight initializers of the exercise.

These follow the exercise's contract to the letter: the global generator is seeded once with
``np.random.seed(3)`` and every layer draws ``np.random.randn(n_l, n_prev)`` in order, so the
draws of later layers depend on the sizes of earlier ones. Biases are zeros for every method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Params = dict[str, np.ndarray]

SEED = 3
RANDOM_SCALE = 10.0


def _seeded_gaussian(layer_dims: Sequence[int], scale: Callable[[int], float]) -> Params:
    """Seed the global generator once, then draw each layer's weights times ``scale(fan_in)``."""
    np.random.seed(SEED)
    params: Params = {}
    for layer in range(1, len(layer_dims)):
        fan_in, fan_out = int(layer_dims[layer - 1]), int(layer_dims[layer])
        params[f"W{layer}"] = np.random.randn(fan_out, fan_in) * scale(fan_in)
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def initialize_parameters_zeros(layers_dims: Sequence[int]) -> Params:
    """Every weight and bias zero: the symmetric start that no gradient step can break."""
    params: Params = {}
    for layer in range(1, len(layers_dims)):
        fan_in, fan_out = int(layers_dims[layer - 1]), int(layers_dims[layer])
        params[f"W{layer}"] = np.zeros((fan_out, fan_in))
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def initialize_parameters_random(layers_dims: Sequence[int]) -> Params:
    """Standard-normal weights times 10: large enough to saturate the sigmoid output."""
    return _seeded_gaussian(layers_dims, lambda fan_in: RANDOM_SCALE)


def initialize_parameters_he(layers_dims: Sequence[int]) -> Params:
    """He et al. (2015): standard-normal weights times sqrt(2 / fan_in), suited to ReLU."""
    return _seeded_gaussian(layers_dims, lambda fan_in: np.sqrt(2.0 / fan_in))


def initialize_parameters_xavier(layers_dims: Sequence[int]) -> Params:
    """Xavier (Glorot) in the exercise's form: standard-normal weights times sqrt(1 / fan_in)."""
    return _seeded_gaussian(layers_dims, lambda fan_in: np.sqrt(1.0 / fan_in))


INITIALIZERS: dict[str, Callable[[Sequence[int]], Params]] = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
}
