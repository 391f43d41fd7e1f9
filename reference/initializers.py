"""The four weight initializers of the exercise, and the one home of their scales and draws.

The initializers follow the exercise's contract to the letter: the global generator is seeded once
with ``np.random.seed(3)`` and every layer draws ``np.random.randn(n_l, n_prev)`` in order, so the
draws of later layers depend on the sizes of earlier ones. Biases are zeros for every method.
``seed`` answers the same exercise set with another seed (a course's new term).

``weight_std(method, fan_in, fan_out)`` is each method's standard deviation for a layer and
``seeded_draws(layer_dims, seed)`` rebuilds the standard-normal numbers that construction draws,
from a generator of its own; the grader, its diagnosis and the release use these two and write
no formula of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

Params = dict[str, np.ndarray]

SEED = 3
RANDOM_SCALE = 10.0


def he_scale(fan_in: int) -> float:
    """He et al. (2015): sqrt(2 / fan_in), which keeps the spread of ReLU activations steady."""
    return float(np.sqrt(2.0 / fan_in))


def xavier_scale(fan_in: int) -> float:
    """Xavier in the exercise's form: sqrt(1 / fan_in), suited to tanh and sigmoid."""
    return float(np.sqrt(1.0 / fan_in))


# Each method's scale for a layer of (fan_in inputs, fan_out units); none of the exercise's four
# reads fan_out, a method whose scale does (Glorot's) is given it wherever a layer is drawn.
WEIGHT_SCALES: dict[str, Callable[[int, int | None], float]] = {
    "zeros": lambda fan_in, fan_out: 0.0,
    "random": lambda fan_in, fan_out: RANDOM_SCALE,
    "he": lambda fan_in, fan_out: he_scale(fan_in),
    "xavier": lambda fan_in, fan_out: xavier_scale(fan_in),
}


def weight_std(method: str, fan_in: int, fan_out: int | None = None) -> float:
    """The standard deviation ``method`` draws a layer of ``fan_in`` inputs and ``fan_out`` units
    with (0 for zeros); ``fan_out`` may be left out for a scale that does not depend on it."""
    if method not in WEIGHT_SCALES:
        raise ValueError(f"unknown method {method!r}; expected one of {sorted(WEIGHT_SCALES)}")
    return float(WEIGHT_SCALES[method](int(fan_in), None if fan_out is None else int(fan_out)))


def seeded_draws(layer_dims: Sequence[int], seed: int = SEED) -> list[np.ndarray]:
    """The standard-normal draws of ``np.random.seed(seed)`` then ``randn(n_l, n_prev)`` per layer,
    from a ``RandomState`` of their own: the global generator is not touched."""
    state = np.random.RandomState(seed)
    dims = [int(n) for n in layer_dims]
    return [state.randn(dims[layer], dims[layer - 1]) for layer in range(1, len(dims))]


def _seeded_gaussian(layer_dims: Sequence[int], method: str, seed: int = SEED) -> Params:
    """Seed the global generator once, then draw each layer's weights times the method's scale."""
    np.random.seed(seed)
    params: Params = {}
    for layer in range(1, len(layer_dims)):
        fan_in, fan_out = int(layer_dims[layer - 1]), int(layer_dims[layer])
        params[f"W{layer}"] = np.random.randn(fan_out, fan_in) * weight_std(method, fan_in, fan_out)
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def initialize_parameters_zeros(layers_dims: Sequence[int], seed: int = SEED) -> Params:
    """Every weight and bias zero: the symmetric start that no gradient step can break (it
    draws nothing, so ``seed`` changes nothing)."""
    params: Params = {}
    for layer in range(1, len(layers_dims)):
        fan_in, fan_out = int(layers_dims[layer - 1]), int(layers_dims[layer])
        params[f"W{layer}"] = np.zeros((fan_out, fan_in))
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def initialize_parameters_random(layers_dims: Sequence[int], seed: int = SEED) -> Params:
    """Standard-normal weights times 10: large enough to saturate the sigmoid output."""
    return _seeded_gaussian(layers_dims, "random", seed)


def initialize_parameters_he(layers_dims: Sequence[int], seed: int = SEED) -> Params:
    """Standard-normal weights times He's sqrt(2 / fan_in)."""
    return _seeded_gaussian(layers_dims, "he", seed)


def initialize_parameters_xavier(layers_dims: Sequence[int], seed: int = SEED) -> Params:
    """Standard-normal weights times Xavier's sqrt(1 / fan_in)."""
    return _seeded_gaussian(layers_dims, "xavier", seed)


class Initializer(Protocol):
    def __call__(self, layers_dims: Sequence[int], seed: int = ..., /) -> Params: ...


INITIALIZERS: dict[str, Initializer] = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
}
