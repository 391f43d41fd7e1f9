"""Correct rewrites of the graded functions: other ways students write the same answer.

Each must earn full marks. They differ from the solution in form only: loop styles, helpers,
``math.sqrt``, ``dict(...)``, ``OrderedDict``, comprehensions, type hints and docstrings, other
spellings of the same draws. Draws stay in the exercise's order (one ``randn`` per layer after a
single ``np.random.seed(SEED)``, SEED being the exercise's seed, filled in by ``rewrites()``),
which is the contract, not a style.
"""

from __future__ import annotations

ZEROS, RANDOM, HE = (
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
)

REWRITES: tuple[tuple[str, str, str], ...] = (
    (
        ZEROS,
        "comprehension over the layers",
        """
def initialize_parameters_zeros(layers_dims):
    pairs = list(zip(layers_dims[:-1], layers_dims[1:]))
    weights = {f"W{i}": np.zeros((n, n_prev)) for i, (n_prev, n) in enumerate(pairs, start=1)}
    biases = {f"b{i}": np.zeros((n, 1)) for i, (_, n) in enumerate(pairs, start=1)}
    return {**weights, **biases}
""",
    ),
    (
        ZEROS,
        "while loop and dict()",
        """
def initialize_parameters_zeros(layers_dims):
    parameters = dict()
    l = 1
    while l < len(layers_dims):
        parameters["W%d" % l] = np.zeros(shape=(layers_dims[l], layers_dims[l - 1]))
        parameters["b%d" % l] = np.zeros(shape=(layers_dims[l], 1))
        l += 1
    return parameters
""",
    ),
    (
        ZEROS,
        "type hints, a docstring and OrderedDict",
        '''
from collections import OrderedDict


def initialize_parameters_zeros(layers_dims: list[int]) -> "OrderedDict[str, np.ndarray]":
    """All-zero weights and biases, layer by layer."""
    parameters: OrderedDict[str, np.ndarray] = OrderedDict()
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=float)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1), dtype=np.float64)
    return parameters
''',
    ),
    (
        ZEROS,
        "a helper and np.full",
        """
def zero_layer(n, n_prev):
    return np.full((n, n_prev), 0.0), np.zeros((n, 1))


def initialize_parameters_zeros(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)], parameters["b" + str(l)] = zero_layer(
            layers_dims[l], layers_dims[l - 1]
        )
    return parameters
""",
    ),
    (
        RANDOM,
        "zip over neighbouring sizes",
        """
def initialize_parameters_random(layers_dims):
    np.random.seed(SEED)
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims, layers_dims[1:]), start=1):
        parameters[f"W{l}"] = np.random.randn(n, n_prev) * 10
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters
""",
    ),
    (
        RANDOM,
        "standard_normal with a shape tuple",
        """
def initialize_parameters_random(layers_dims):
    np.random.seed(SEED)
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        shape = (layers_dims[l], layers_dims[l - 1])
        parameters['W' + str(l)] = 10 * np.random.standard_normal(shape)
        parameters['b' + str(l)] = np.zeros((shape[0], 1))
    return parameters
""",
    ),
    (
        RANDOM,
        "np.random.normal with the scale",
        """
def initialize_parameters_random(layers_dims):
    np.random.seed(SEED)
    parameters = dict()
    for l in range(1, len(layers_dims)):
        size = (layers_dims[l], layers_dims[l - 1])
        parameters['W' + str(l)] = np.random.normal(loc=0.0, scale=10.0, size=size)
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""",
    ),
    (
        RANDOM,
        "a helper, a docstring and type hints",
        '''
def draw_layer(rows: int, columns: int, scale: float = 10.0) -> np.ndarray:
    """One layer's weights: standard normal draws times the scale."""
    return np.random.randn(*(rows, columns)) * scale


def initialize_parameters_random(layers_dims: list) -> dict:
    """Large random weights (x10) and zero biases."""
    np.random.seed(SEED)
    parameters = {}
    for layer in range(1, len(layers_dims)):
        parameters["W" + str(layer)] = draw_layer(layers_dims[layer], layers_dims[layer - 1])
        parameters["b" + str(layer)] = np.zeros((layers_dims[layer], 1))
    return parameters
''',
    ),
    (
        HE,
        "math.sqrt",
        """
import math


def initialize_parameters_he(layers_dims):
    np.random.seed(SEED)
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L):
        scale = math.sqrt(2 / layers_dims[l - 1])
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""",
    ),
    (
        HE,
        "the root split in two",
        """
def initialize_parameters_he(layers_dims):
    np.random.seed(SEED)
    parameters = {}
    for l in range(1, len(layers_dims)):
        fan_in = layers_dims[l - 1]
        W = np.random.randn(layers_dims[l], fan_in) * np.sqrt(2) / np.sqrt(fan_in)
        parameters['W' + str(l)] = W
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""",
    ),
    (
        HE,
        "a power of one half and OrderedDict",
        """
import collections


def initialize_parameters_he(layers_dims):
    np.random.seed(SEED)
    parameters = collections.OrderedDict()
    for l in range(1, len(layers_dims)):
        scale = (2.0 / layers_dims[l - 1]) ** 0.5
        parameters['W' + str(l)] = scale * np.random.randn(layers_dims[l], layers_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
""",
    ),
    (
        HE,
        "a comprehension over the layers",
        '''
def initialize_parameters_he(layers_dims):
    """He initialization: randn times sqrt(2 / fan_in), zero biases."""
    np.random.seed(SEED)
    weights = [
        np.random.randn(n, n_prev) * np.sqrt(2 / n_prev)
        for n_prev, n in zip(layers_dims[:-1], layers_dims[1:])
    ]
    parameters = {}
    for l, W in enumerate(weights, start=1):
        parameters.update({"W" + str(l): W, "b" + str(l): np.zeros((W.shape[0], 1))})
    return parameters
''',
    ),
    (
        HE,
        "a dict subclass that is only a name",
        '''
class Parameters(dict):
    """The network's parameters by name."""


def initialize_parameters_he(layers_dims):
    np.random.seed(SEED)
    parameters = Parameters()
    for l in range(1, len(layers_dims)):
        n, n_prev = layers_dims[l], layers_dims[l - 1]
        parameters[f"W{l}"] = np.random.normal(0, np.sqrt(2 / n_prev), (n, n_prev))
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters
''',
    ),
)
