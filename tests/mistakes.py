"""A catalogue of wrong initializers, one per typical student mistake, written as a student would.

Each entry names the method it tries to implement, the function, the mistakes a diagnosis must
name (``grader.mistakes`` values, with the fields that must be right; ``grader.mutants._truth``
judges them), and checks (by name fragment) that must fail or must still pass. The catalogue ends
with the realistic mistakes of ``tests/realistic_mistakes.py``, written apart from the diagnosis.
Tests grade every entry through ``grader.sandbox.local_caller``; notebook fixtures can paste the
function's source.
"""

# ruff: noqa: E741 -- the course names the layer index `l`, and so do its students

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.mistakes import Mistake as M
from tests import realistic_mistakes
from tests.published import HE_2_4_1 as PUBLISHED_HE_2_4_1
from tests.published import RANDOM_3_2_1 as PUBLISHED_RANDOM_3_2_1


@dataclass(frozen=True)
class Mistake:
    name: str
    method: str
    fn: Callable[[list[int]], dict]
    expect: tuple[M, ...]  # the mistakes a diagnosis must name
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
    Mistake(
        "he_xavier",
        "he",
        he_xavier,
        (M.of("scale.expression", formula="sqrt(1 / fan_in)"),),
        (
            VISIBLE,
            HIDDEN,
            SCALE,
        ),
        (
            SHAPES,
            SEEDED,
        ),
    ),
    Mistake(
        "he_fan_out",
        "he",
        he_fan_out,
        (M.of("scale.expression", formula="sqrt(2 / fan_out)"),),
        (
            VISIBLE,
            SCALE,
        ),
        (SHAPES,),
    ),
    Mistake(
        "he_no_sqrt",
        "he",
        he_no_sqrt,
        (M.of("scale.expression", formula="2 / fan_in"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "he_no_scale",
        "he",
        he_no_scale,
        (M.of("scale.expression", formula="1"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake("he_times_10", "he", he_times_10, (M.of("scale.expression", formula="10"),), (SCALE,)),
    Mistake(
        "he_glorot",
        "he",
        he_glorot,
        (M.of("scale.expression", formula="sqrt(2 / (fan_in + fan_out))"),),
        (VISIBLE,),
    ),
    Mistake(
        "he_half",
        "he",
        he_half,
        (M.of("scale.expression", formula="0.5 * sqrt(2 / fan_in)"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "he_transposed",
        "he",
        he_transposed,
        (M.of("shape.transposed"),),
        (
            VISIBLE,
            SHAPES,
        ),
        (BIASES,),
    ),
    Mistake(
        "he_flat_biases",
        "he",
        he_flat_biases,
        (M.of("biases.shape", shape="(layers_dims[l],)"),),
        (SHAPES,),
        (VISIBLE,),  # a zero bias in a shape that adds like a column costs keys and shapes only
    ),
    Mistake(
        "he_scalar_biases",
        "he",
        he_scalar_biases,
        (M.of("biases.shape", shape="()"),),  # b = 0 is read as the 0-d array it adds like
        (SHAPES,),
        (VISIBLE,),
    ),
    Mistake(
        "he_random_biases", "he", he_random_biases, (M.of("biases.drawn", formula="1"),), (BIASES,)
    ),
    Mistake(
        "he_missing_last_layer",
        "he",
        he_missing_last_layer,
        (M.of("loop.stop", stop=-1),),
        (SHAPES,),
    ),
    Mistake(
        "he_lowercase_keys",
        "he",
        he_lowercase_keys,
        (M.of("keys.names", weights="w{}", biases="b{}"),),
        (SHAPES,),
    ),
    Mistake(
        "he_underscore_keys",
        "he",
        he_underscore_keys,
        (M.of("keys.names", weights="W_{}", biases="b_{}"),),
        (SHAPES,),
    ),
    Mistake(
        "he_word_keys",
        "he",
        he_word_keys,
        (M.of("keys.names", weights="weights{}", biases="biases{}"),),
        (SHAPES,),
    ),
    Mistake(
        "he_zero_based_keys",
        "he",
        he_zero_based_keys,
        (M.of("keys.numbering", letter="both", first=0),),
        (SHAPES,),
    ),
    Mistake("he_no_seed", "he", he_no_seed, (M.of("seed.missing"),), (SEEDED,), (SCALE,)),
    Mistake(
        "he_no_seed_xavier",
        "he",
        he_no_seed_xavier,
        (
            M.of("seed.missing"),
            M.of("scale.expression", formula="sqrt(1 / fan_in)"),
        ),
        (
            SEEDED,
            SCALE,
        ),
    ),
    Mistake(
        "he_seed_1",
        "he",
        he_seed_1,
        (M.of("seed.value", seed=1),),
        (VISIBLE,),
        (
            SEEDED,
            SCALE,
        ),
    ),
    Mistake("he_reseed", "he", he_reseed_per_layer, (M.of("seed.per_layer"),), (VISIBLE,)),
    Mistake(
        "he_default_rng", "he", he_default_rng, (M.of("draws.generator"),), (VISIBLE,), (SEEDED,)
    ),
    Mistake(
        "he_uniform",
        "he",
        he_uniform,
        (M.of("draws.distribution", distribution="uniform", low="0", high="sqrt(2 / fan_in)"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "he_hard_coded",
        "he",
        he_hard_coded,
        (M.of("example.hard_coded", examples=[[2, 4, 1], [3, 1, 2]]),),
        (HIDDEN, VISIBLE),
    ),
    Mistake("he_clears_input", "he", he_clears_input, (M.of("input.mutated"),), (UNCHANGED,)),
    Mistake(
        "he_raises",
        "he",
        he_raises,
        (M.of("raised.other", kind="NotImplementedError"),),
        (
            VISIBLE,
            HIDDEN,
            OUTCOME,
        ),
    ),
    Mistake(
        "random_times_1",
        "random",
        random_times_1,
        (M.of("scale.expression", formula="1"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "random_times_001",
        "random",
        random_times_001,
        (M.of("scale.expression", formula="0.01"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "random_times_5",
        "random",
        random_times_5,
        (M.of("scale.expression", formula="5"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "random_he_scale",
        "random",
        random_he_scale,
        (M.of("scale.expression", formula="sqrt(2 / fan_in)"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "random_seed_0",
        "random",
        random_seed_0,
        (M.of("seed.value", seed=0),),
        (VISIBLE,),
        (SCALE,),
    ),
    Mistake(
        "random_no_seed", "random", random_no_seed, (M.of("seed.missing"),), (SEEDED,), (SCALE,)
    ),
    Mistake("random_reseed", "random", random_reseed_per_layer, (M.of("seed.per_layer"),)),
    Mistake(
        "random_default_rng", "random", random_default_rng, (M.of("draws.generator"),), (VISIBLE,)
    ),
    Mistake(
        "random_uniform",
        "random",
        random_uniform,
        (M.of("draws.distribution", distribution="uniform", low="0", high="10"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "random_random_biases",
        "random",
        random_random_biases,
        (M.of("biases.drawn", formula="10"),),
        (BIASES,),
    ),
    Mistake(
        "random_hard_coded",
        "random",
        random_hard_coded,
        (M.of("example.hard_coded", examples=[[3, 2, 1]]),),
        (HIDDEN, VISIBLE),
    ),
    Mistake(
        "zeros_ones",
        "zeros",
        zeros_ones,
        (M.of("weights.constant", value=1.0),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "zeros_random_weights",
        "zeros",
        zeros_random_weights,
        (M.of("weights.drawn", formula="0.01"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "zeros_transposed",
        "zeros",
        zeros_transposed,
        (M.of("shape.transposed"),),
        (
            VISIBLE,
            SHAPES,
        ),
    ),
    Mistake(
        "zeros_flat_biases",
        "zeros",
        zeros_flat_biases,
        (M.of("biases.shape", shape="(1, layers_dims[l])"),),
        (
            VISIBLE,
            SHAPES,
        ),
    ),
    Mistake("zeros_missing_last", "zeros", zeros_missing_last_layer, (M.of("loop.stop", stop=-1),)),
    Mistake(
        "zeros_lowercase_keys",
        "zeros",
        zeros_lowercase_keys,
        (M.of("keys.names", weights="w{}", biases="b{}"),),
        (SHAPES,),
    ),
    Mistake(
        "zeros_returns_list",
        "zeros",
        zeros_returns_list,
        (M.of("returned.type", key=""),),
        (
            VISIBLE,
            SHAPES,
        ),
    ),
    Mistake(
        "he_randn_tuple",
        "he",
        he_randn_tuple,
        (M.of("raised.randn_tuple", kind="TypeError"),),
        (VISIBLE,),
    ),
    Mistake(
        "zeros_two_numbers",
        "zeros",
        zeros_two_numbers,
        (M.of("raised.zeros_numbers", kind="TypeError"),),
        (VISIBLE,),
    ),
    Mistake(
        "zeros_int_in_key",
        "zeros",
        zeros_int_in_key,
        (M.of("raised.key_int", kind="TypeError"),),
        (VISIBLE,),
    ),
    Mistake(
        "he_past_the_end",
        "he",
        he_past_the_end,
        (M.of("raised.index", kind="IndexError"),),
        (VISIBLE,),
    ),
    Mistake(
        "zeros_global_read",
        "zeros",
        zeros_global_read,
        (M.of("raised.name_layers_dims", kind="NameError"),),
        (VISIBLE,),
    ),
    Mistake(
        "random_returns_none",
        "random",
        random_returns_none,
        (M.of("returned.none", key=""),),
        (VISIBLE,),
    ),
    Mistake(
        "random_normal",
        "random",
        random_normal_of_sizes,
        (M.of("returned.number", key="W1"),),
        (VISIBLE,),
    ),
    Mistake(
        "zeros_return_in_loop",
        "zeros",
        zeros_return_in_loop,
        (M.of("loop.fixed", count=1),),
        (HIDDEN,),
    ),
    Mistake(
        "zeros_fixed_layers",
        "zeros",
        zeros_fixed_two_layers,
        (M.of("loop.fixed", count=2),),
        (HIDDEN,),
    ),
    Mistake(
        "he_rows_fan_in",
        "he",
        he_rows_from_fan_in,
        (M.of("shape.axis", axis="rows", source="layers_dims[l - 1]"),),
    ),
    Mistake(
        "he_column_order", "he", he_drawn_transposed_back, (M.of("draws.transposed"),), (VISIBLE,)
    ),
    Mistake("he_reversed", "he", he_layers_reversed, (M.of("draws.order"),), (VISIBLE,)),
    Mistake(
        "random_bias_draws",
        "random",
        random_bias_drawn_then_zeroed,
        (M.of("draws.extra", where="after_weights", count="layers_dims[l]"),),
        (VISIBLE,),
    ),
    Mistake(
        "he_scale_added",
        "he",
        he_scale_added,
        (M.of("scale.added", formula="sqrt(2 / fan_in)"),),
        (
            VISIBLE,
            SCALE,
        ),
    ),
    Mistake(
        "he_floor_division",
        "he",
        he_floor_division,
        (M.of("scale.expression", formula="sqrt(2 // fan_in)"),),
        (VISIBLE,),
    ),
    Mistake(
        "he_float32",
        "he",
        he_float32,
        (M.of("dtype.not_float64", dtype="float32", letter="W"),),
        (FLOAT64,),
        (
            VISIBLE,
            SCALE,
        ),
    ),
)
MISTAKES += tuple(
    Mistake(name, method, fn, expect) for name, method, fn, expect in realistic_mistakes.WRONG
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
