"""A catalogue of wrong initializers, one per typical student mistake, written as a student would.

Each entry names the method it tries to implement, the function, a pattern the grader's diagnosis
must match, and checks (by name fragment) that must fail or must still pass. Tests grade every
entry through ``grader.sandbox.local_caller``; notebook fixtures can paste the function's source.
"""

# ruff: noqa: E741 -- the course names the layer index `l`, and so do its students

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tests.published import HE_2_4_1 as PUBLISHED_HE_2_4_1
from tests.published import RANDOM_3_2_1 as PUBLISHED_RANDOM_3_2_1


@dataclass(frozen=True)
class Mistake:
    name: str
    method: str
    fn: Callable[[list[int]], dict]
    diagnosis: str  # a regular expression the diagnosis must match (re.search)
    fails: tuple[str, ...] = ()
    passes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return inspect.getsource(self.fn)


# -- He --------------------------------------------------------------------------------------


def he_xavier(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            1 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_fan_out(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_no_sqrt(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = 2 / layers_dims[l - 1]
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_no_scale(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_times_10(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_glorot(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_in, n_out = layers_dims[l - 1], layers_dims[l]
        parameters["W" + str(l)] = np.random.randn(n_out, n_in) * np.sqrt(2 / (n_in + n_out))
        parameters["b" + str(l)] = np.zeros((n_out, 1))
    return parameters


def he_half(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        w = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = w / 2
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_transposed(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l - 1], layers_dims[l]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_flat_biases(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros(layers_dims[l])
    return parameters


def he_scalar_biases(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = 0.0
    return parameters


def he_random_biases(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1)
    return parameters


def he_missing_last_layer(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims)
    for l in range(1, L - 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def _he_with_keys(layers_dims, w_name, b_name):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[w_name.format(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * (
            np.sqrt(2 / layers_dims[l - 1])
        )
        parameters[b_name.format(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_lowercase_keys(layers_dims):
    return _he_with_keys(layers_dims, "w{}", "b{}")


def he_underscore_keys(layers_dims):
    return _he_with_keys(layers_dims, "W_{}", "b_{}")


def he_word_keys(layers_dims):
    return _he_with_keys(layers_dims, "weights{}", "biases{}")


def he_zero_based_keys(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(len(layers_dims) - 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l + 1], layers_dims[l]) * np.sqrt(
            2 / layers_dims[l]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l + 1], 1))
    return parameters


def he_no_seed(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_no_seed_xavier(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            1 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_seed_1(layers_dims):
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_reseed_per_layer(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        np.random.seed(3)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_default_rng(layers_dims):
    rng = np.random.default_rng(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        parameters["W" + str(l)] = rng.standard_normal(shape) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_uniform(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.rand(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


# The notebook's He example, pasted by a student who printed the expected output.
_HE_241 = {key: PUBLISHED_HE_2_4_1[key] for key in ("W1", "W2")}
_RANDOM_321 = dict(PUBLISHED_RANDOM_3_2_1)


def he_hard_coded(layers_dims):
    if list(layers_dims) == [3, 1, 2]:  # the second example in the notebook, also pasted
        np.random.seed(3)
        return {
            "W1": np.random.randn(1, 3) * np.sqrt(2 / 3),
            "b1": np.zeros((1, 1)),
            "W2": np.random.randn(2, 1) * np.sqrt(2),
            "b2": np.zeros((2, 1)),
        }
    return {
        "W1": np.array(_HE_241["W1"]),
        "b1": np.zeros((4, 1)),
        "W2": np.array(_HE_241["W2"]),
        "b2": np.zeros((1, 1)),
    }


def he_clears_input(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    layers_dims[0] = 0  # "done with the input size"
    return parameters


def he_raises(layers_dims):
    raise NotImplementedError("TODO")


# -- random x10 ------------------------------------------------------------------------------


def _random(layers_dims, scale, seed=3):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_times_1(layers_dims):
    return _random(layers_dims, 1)


def random_times_001(layers_dims):
    return _random(layers_dims, 0.01)


def random_times_5(layers_dims):
    return _random(layers_dims, 5)


def random_seed_0(layers_dims):
    return _random(layers_dims, 10, seed=0)


def random_he_scale(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_no_seed(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_reseed_per_layer(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        np.random.seed(3)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_default_rng(layers_dims):
    rng = np.random.default_rng(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = rng.normal(0, 10, size=(layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_uniform(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.rand(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_random_biases(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1) * 10
    return parameters


def random_hard_coded(layers_dims):
    # The notebook's random example, pasted from the expected output.
    return {key: np.array(value) for key, value in _RANDOM_321.items()}


# -- zeros -----------------------------------------------------------------------------------


def zeros_ones(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.ones((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_random_weights(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_transposed(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l - 1], layers_dims[l]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_flat_biases(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((1, layers_dims[l]))
    return parameters


def zeros_missing_last_layer(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims) - 1):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_lowercase_keys(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["w" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_returns_list(layers_dims):
    return [np.zeros((layers_dims[l], layers_dims[l - 1])) for l in range(1, len(layers_dims))]


# -- failures of every kind: exceptions, refused values, layouts, draws at the wrong place -----


def _he_layer(layers_dims, l):
    return np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])


def he_randn_tuple(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        shape = (layers_dims[l], layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(shape) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_two_numbers(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_int_in_key(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + l] = np.zeros((layers_dims[l], layers_dims[l - 1]))
    return parameters


def he_past_the_end(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims) + 1):
        parameters["W" + str(l)] = _he_layer(layers_dims, l)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


LAYER_SIZES = [2, 10, 5, 1]  # a global of the notebook the graded function should not read


def zeros_global_read(dims):
    parameters = {}
    for l in range(1, len(layers_dims)):  # noqa: F821 - the student's slip, on purpose
        parameters["W" + str(l)] = np.zeros((dims[l], dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((dims[l], 1))
    return parameters


def random_returns_none(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))


def random_normal_of_sizes(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.normal(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_return_in_loop(layers_dims):
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        return parameters


def zeros_fixed_two_layers(layers_dims):
    parameters = {}
    for l in (1, 2):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_rows_from_fan_in(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_prev = layers_dims[l - 1]
        parameters["W" + str(l)] = np.random.randn(n_prev, n_prev) * np.sqrt(2 / n_prev)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_drawn_transposed_back(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        W = np.random.randn(layers_dims[l - 1], layers_dims[l]).T
        parameters["W" + str(l)] = W * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_layers_reversed(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in reversed(range(1, len(layers_dims))):
        parameters["W" + str(l)] = _he_layer(layers_dims, l)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_bias_drawn_then_zeroed(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1) * 0
    return parameters


def he_scale_added(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) + scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_floor_division(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 // layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_float32(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = _he_layer(layers_dims, l).astype(np.float32)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


SCALE = "weight scale"
VISIBLE = "matches the reference"
HIDDEN = "hidden case"
SEEDED = "same result"
BIASES = "biases are zero"
SHAPES = "keys and shapes"
UNCHANGED = "left unchanged"
OUTCOME = "training outcome"
FLOAT64 = "float64"

MISTAKES: tuple[Mistake, ...] = (
    Mistake("he_xavier", "he", he_xavier, r"Xavier", (VISIBLE, HIDDEN, SCALE), (SHAPES, SEEDED)),
    Mistake("he_fan_out", "he", he_fan_out, r"fan-out", (VISIBLE, SCALE), (SHAPES,)),
    Mistake("he_no_sqrt", "he", he_no_sqrt, r"square root", (VISIBLE, SCALE)),
    Mistake("he_no_scale", "he", he_no_scale, r"not multiplied by the scale", (VISIBLE, SCALE)),
    Mistake("he_times_10", "he", he_times_10, r"x10 of initialize_parameters_random", (SCALE,)),
    Mistake("he_glorot", "he", he_glorot, r"Glorot", (VISIBLE,)),
    Mistake("he_half", "he", he_half, r"0\.5 times the expected size", (VISIBLE, SCALE)),
    Mistake("he_transposed", "he", he_transposed, r"transposed", (VISIBLE, SHAPES), (BIASES,)),
    # A zero bias in a shape that adds like a column costs keys and shapes only.
    Mistake("he_flat_biases", "he", he_flat_biases, r"column vectors", (SHAPES,), (VISIBLE,)),
    Mistake("he_scalar_biases", "he", he_scalar_biases, r"single numbers", (SHAPES,), (VISIBLE,)),
    Mistake("he_random_biases", "he", he_random_biases, r"biases are not zero", (BIASES,)),
    Mistake("he_missing_last_layer", "he", he_missing_last_layer, r"one layer early", (SHAPES,)),
    Mistake("he_lowercase_keys", "he", he_lowercase_keys, r"'w1'.*capital W", (SHAPES,)),
    Mistake("he_underscore_keys", "he", he_underscore_keys, r"'W_1'.*no separator", (SHAPES,)),
    Mistake("he_word_keys", "he", he_word_keys, r"'weights1'", (SHAPES,)),
    Mistake("he_zero_based_keys", "he", he_zero_based_keys, r"numbered from 1", (SHAPES,)),
    Mistake("he_no_seed", "he", he_no_seed, r"np\.random\.seed\(3\) once", (SEEDED,), (SCALE,)),
    Mistake(
        "he_no_seed_xavier", "he", he_no_seed_xavier, r"seed\(3\) once.*Xavier", (SEEDED, SCALE)
    ),
    Mistake("he_seed_1", "he", he_seed_1, r"np\.random\.seed\(1\)", (VISIBLE,), (SEEDED, SCALE)),
    Mistake("he_reseed", "he", he_reseed_per_layer, r"again for every layer", (VISIBLE,)),
    Mistake("he_default_rng", "he", he_default_rng, r"default_rng", (VISIBLE,), (SEEDED,)),
    Mistake("he_uniform", "he", he_uniform, r"uniform", (VISIBLE, SCALE)),
    Mistake("he_hard_coded", "he", he_hard_coded, r"whatever layers_dims", (HIDDEN, VISIBLE)),
    Mistake("he_clears_input", "he", he_clears_input, r"changes the list", (UNCHANGED,)),
    Mistake("he_raises", "he", he_raises, r"NotImplementedError", (VISIBLE, HIDDEN, OUTCOME)),
    Mistake("random_times_1", "random", random_times_1, r"not multiplied", (VISIBLE, SCALE)),
    Mistake("random_times_001", "random", random_times_001, r"x0\.01", (VISIBLE, SCALE)),
    Mistake("random_times_5", "random", random_times_5, r"0\.5 times", (VISIBLE, SCALE)),
    Mistake("random_he_scale", "random", random_he_scale, r"He's scale", (VISIBLE, SCALE)),
    Mistake("random_seed_0", "random", random_seed_0, r"seed\(0\)", (VISIBLE,), (SCALE,)),
    Mistake("random_no_seed", "random", random_no_seed, r"seed\(3\) once", (SEEDED,), (SCALE,)),
    Mistake("random_reseed", "random", random_reseed_per_layer, r"again for every layer"),
    Mistake("random_default_rng", "random", random_default_rng, r"default_rng", (VISIBLE,)),
    Mistake("random_uniform", "random", random_uniform, r"uniform", (VISIBLE, SCALE)),
    Mistake("random_random_biases", "random", random_random_biases, r"not zero", (BIASES,)),
    Mistake("random_hard_coded", "random", random_hard_coded, r"whatever", (HIDDEN, VISIBLE)),
    Mistake("zeros_ones", "zeros", zeros_ones, r"np\.ones", (VISIBLE, SCALE)),
    Mistake("zeros_random_weights", "zeros", zeros_random_weights, r"nonzero", (VISIBLE, SCALE)),
    Mistake("zeros_transposed", "zeros", zeros_transposed, r"transposed", (VISIBLE, SHAPES)),
    Mistake("zeros_flat_biases", "zeros", zeros_flat_biases, r"\(1, 2\)", (VISIBLE, SHAPES)),
    Mistake("zeros_missing_last", "zeros", zeros_missing_last_layer, r"stops one layer early"),
    Mistake("zeros_lowercase_keys", "zeros", zeros_lowercase_keys, r"'w1'", (SHAPES,)),
    Mistake("zeros_returns_list", "zeros", zeros_returns_list, r"a list", (VISIBLE, SHAPES)),
    Mistake("he_randn_tuple", "he", he_randn_tuple, r"TypeError.*separate numbers", (VISIBLE,)),
    Mistake("zeros_two_numbers", "zeros", zeros_two_numbers, r"TypeError.*one tuple", (VISIBLE,)),
    Mistake("zeros_int_in_key", "zeros", zeros_int_in_key, r"'W' \+ str\(l\)", (VISIBLE,)),
    Mistake("he_past_the_end", "he", he_past_the_end, r"IndexError.*past its end", (VISIBLE,)),
    Mistake("zeros_global_read", "zeros", zeros_global_read, r"NameError.*parameter", (VISIBLE,)),
    Mistake("random_returns_none", "random", random_returns_none, r"returns None", (VISIBLE,)),
    Mistake(
        "random_normal", "random", random_normal_of_sizes, r"single number.*normal\(", (VISIBLE,)
    ),
    Mistake("zeros_return_in_loop", "zeros", zeros_return_in_loop, r"inside the loop", (HIDDEN,)),
    Mistake("zeros_fixed_layers", "zeros", zeros_fixed_two_layers, r"2 layers whatever", (HIDDEN,)),
    Mistake("he_rows_fan_in", "he", he_rows_from_fan_in, r"rows are layers_dims\[l - 1\]"),
    Mistake("he_column_order", "he", he_drawn_transposed_back, r"column order", (VISIBLE,)),
    Mistake(
        "he_reversed", "he", he_layers_reversed, r"another order: W2 gets the first", (VISIBLE,)
    ),
    Mistake(
        "random_bias_draws", "random", random_bias_drawn_then_zeroed, r"as many as b1", (VISIBLE,)
    ),
    Mistake("he_scale_added", "he", he_scale_added, r"plus 1 .*added", (VISIBLE, SCALE)),
    Mistake("he_floor_division", "he", he_floor_division, r"integer division", (VISIBLE,)),
    Mistake("he_float32", "he", he_float32, r"float32, not float64", (FLOAT64,), (VISIBLE, SCALE)),
)


# -- grading a catalogue entry (shared by the tests of grading and diagnosis) -----------------

FUNCTION_NAMES = {
    "zeros": "initialize_parameters_zeros",
    "random": "initialize_parameters_random",
    "he": "initialize_parameters_he",
}


def stand_in_trainer(method: str):
    """A trainer that skips training and reports the method's published accuracies."""
    from grader.checks import Outcome
    from grader.spec import METHODS

    train, test = METHODS[method].band.published

    def train_fn(params):
        return Outcome(train, test, (0.0,), dict(params))

    return train_fn


@functools.cache
def graded(mistake: Mistake):
    """The FunctionResult of grading ``mistake`` in-process, without real training."""
    from grader.checks import grade_function
    from grader.sandbox import local_caller
    from grader.spec import SPEC

    entry = SPEC.function(FUNCTION_NAMES[mistake.method])
    caller = local_caller(mistake.fn, entry.name)
    return grade_function(entry, caller, trainer=stand_in_trainer(mistake.method)).result
