"""Realistic wrong initializers, written apart from the diagnosis, with what a diagnosis must say.

Each function was written the way a student writes the exercise, by an author who had not read the
diagnosis code, with the mistake labelled in words; the labels are given here as mistake values
(``grader.mistakes``): the ids and the fields that must be right. A few are correct, written in
unusual ways, and must earn full marks. ``tests/mistakes.py`` adds the wrong ones to its catalogue.
"""

# ruff: noqa: B007, B020, B905, E741, RUF007, T201, UP031 -- the code is written as students write it

from __future__ import annotations

import math

import numpy as np

from grader.mistakes import Mistake as M


def he_sqrt2_over_fan_in(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2) / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_product_of_sizes_under_root(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        n_in = layers_dims[l - 1]
        n_out = layers_dims[l]
        # He: variance 2 / (number of weights in the layer)
        parameters["W" + str(l)] = np.random.randn(n_out, n_in) * np.sqrt(2 / (n_out * n_in))
        parameters["b" + str(l)] = np.zeros((n_out, 1))
    return parameters


def he_fan_in_plus_bias_unit(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        fan_in = layers_dims[l - 1] + 1  # +1 for the bias unit
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / fan_in
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_two_over_sqrt_fan_in(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * (
            2 / np.sqrt(layers_dims[l - 1])
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))

    return parameters


def he_fan_out_and_bias_from_previous_layer(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l - 1], 1))
        ### END CODE HERE ###
    return parameters


def he_glorot_uniform(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        fan_in, fan_out = layers_dims[l - 1], layers_dims[l]
        limit = np.sqrt(6 / (fan_in + fan_out))
        parameters["W" + str(l)] = np.random.uniform(-limit, limit, (fan_out, fan_in))
        parameters["b" + str(l)] = np.zeros((fan_out, 1))
    return parameters


def he_power_half_precedence(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        he = (2 / layers_dims[l - 1]) ** 1 / 2
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * he
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_layer_index_as_fan_in(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / l
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_scale_from_number_of_layers(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters
    scale = np.sqrt(2 / len(layers_dims))  # He scaling factor

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_seed_moved_into_loop(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        np.random.seed(3)  # so that your numbers match the expected ones
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2.0 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_seed_reset_after_each_draw(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        np.random.seed(3)  # reset the seed so results are reproducible

    return parameters


def he_bias_drawn_before_weights(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1) * 0  # biases start at zero
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        ### END CODE HERE ###
    return parameters


def he_transposed_draw(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        # draw (n_in, n_out) like in the lecture, then transpose to (n_out, n_in)
        W = np.random.randn(layers_dims[l - 1], layers_dims[l]) * np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = W.T
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_default_rng(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    rng = np.random.default_rng(3)  # new numpy API
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = rng.standard_normal(
            (layers_dims[l], layers_dims[l - 1])
        ) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_draws_standardised(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        W = np.random.randn(layers_dims[l], layers_dims[l - 1])
        W = (W - np.mean(W)) / np.std(W)  # make sure it is exactly N(0, 1)
        parameters["W" + str(l)] = W * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_fstring_keys_shifted(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters[f"W{l - 1}"] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters[f"b{l - 1}"] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_last_layer_missing_and_xavier(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            1.0 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_integer_division_in_root(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 // layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_pops_input_size(layers_dims):
    np.random.seed(3)
    parameters = {}
    n_prev = layers_dims.pop(0)  # input size, has no parameters
    l = 1
    for n in layers_dims:
        parameters["W" + str(l)] = np.random.randn(n, n_prev) * np.sqrt(2 / n_prev)
        parameters["b" + str(l)] = np.zeros((n, 1))
        n_prev = n
        l += 1
    return parameters


def he_returns_list_of_tuples(layers_dims):
    np.random.seed(3)
    parameters = []
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        W = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        b = np.zeros((layers_dims[l], 1))
        parameters.append((W, b))
    return parameters


def he_float32_weights(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l - 1])
        ).astype(np.float32)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_uniform_rand_and_flat_bias(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.rand(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros(layers_dims[l])
    return parameters


def he_seed_one_and_times_ten(layers_dims):
    np.random.seed(1)
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1])
            * 10
            * np.sqrt(2 / layers_dims[l - 1])
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_bias_left_none(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = None
        ### END CODE HERE ###
    return parameters


def he_randn_given_a_tuple(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        shape = (layers_dims[l], layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.randn(shape) * np.sqrt(2 / layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_clipped_to_ten(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        W = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["W" + str(l)] = np.clip(W, -10, 10)  # avoid huge weights
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_flat_vector_offset_not_advanced(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    # draw all the weights at once, then cut them into layers
    total = sum(layers_dims[l] * layers_dims[l - 1] for l in range(1, L + 1))
    flat = np.random.randn(total) * 10
    for l in range(1, L + 1):
        size = layers_dims[l] * layers_dims[l - 1]
        parameters["W" + str(l)] = flat[:size].reshape(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_centered_uniform(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = (
            np.random.rand(layers_dims[l], layers_dims[l - 1]) - 0.5
        ) * 10  # centred around 0
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_keys_named_by_size(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(layers_dims[l])] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        )
        parameters["b" + str(layers_dims[l])] = np.zeros((layers_dims[l], 1))
    return parameters


def random_zero_based_keys(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(L):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l + 1], layers_dims[l]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l + 1], 1))
    return parameters


def random_loop_variable_reused_for_bias(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        b = []
        for l in range(layers_dims[l]):
            b.append([0.0])
        parameters["b" + str(l)] = np.array(b)
    return parameters


def random_zeros_two_arguments_for_bias(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros(layers_dims[l], 1)
        ### END CODE HERE ###
    return parameters


def random_next_layer_index(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l + 1], layers_dims[l]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l + 1], 1))
    return parameters


def random_parameters_kept_in_global(layers_dims):
    global parameters  # so that the model cell can use them
    if "parameters" not in globals():
        parameters = {}
    np.random.seed(3)
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_ten_inside_shape(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1] * 10)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_bias_drawn_first_times_ten(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        # random initialization for everything
        parameters["b" + str(l)] = np.random.randn(layers_dims[l], 1) * 10
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
    return parameters


def random_float32_and_row_bias(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.float32(
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        )
        parameters["b" + str(l)] = np.zeros((1, layers_dims[l]))
        ### END CODE HERE ###
    return parameters


def random_no_seed_zero_based_keys(layers_dims):
    parameters = {}
    for i in range(len(layers_dims) - 1):
        parameters["W" + str(i)] = np.random.randn(layers_dims[i + 1], layers_dims[i]) * 10
        parameters["b" + str(i)] = np.zeros((layers_dims[i + 1], 1))
    return parameters


def random_truncated_to_int(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        ).astype(int)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def random_fan_in_from_previous_weights(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        n_prev = parameters["W" + str(l - 1)].shape[0]
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], n_prev) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_last_layer_missing_flat_bias(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros(layers_dims[l])
    return parameters


def random_seed_in_loop_transposed(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        np.random.seed(3)
        parameters["W" + str(l)] = (np.random.randn(layers_dims[l - 1], layers_dims[l]) * 10).T
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_transposed_weights_row_bias(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters (the input has none)

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.zeros((layers_dims[l - 1], layers_dims[l]))
        parameters["b" + str(l)] = np.zeros((1, layers_dims[l]))
        ### END CODE HERE ###
    return parameters


def zeros_two_positional_sizes(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.zeros(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def zeros_integer_arrays(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters (the input has none)

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=int)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1), dtype=int)
        ### END CODE HERE ###
    return parameters


def zeros_nested_python_lists(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = [[0] * layers_dims[l - 1] for _ in range(layers_dims[l])]
        parameters["b" + str(l)] = [[0] for _ in range(layers_dims[l])]
    return parameters


def zeros_loop_past_the_end(layers_dims):
    parameters = {}

    for l in range(1, len(layers_dims) + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def zeros_lowercase_keys_scalar_bias(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["w" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = 0  # broadcasting takes care of the shape
    return parameters


def zeros_return_inside_loop(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters (the input has none)

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
        return parameters


def zeros_bias_like_weights(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        W = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["W" + str(l)] = W
        parameters["b" + str(l)] = np.zeros_like(W)
    return parameters


def zeros_layer_zero_included(layers_dims):
    parameters = {}

    for l in range(len(layers_dims)):
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_keras_style_transposed_with_both_fans(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        fan_in = layers_dims[l - 1]
        fan_out = layers_dims[l]
        # kernel is (fan_in, fan_out) like in Keras, we need (fan_out, fan_in)
        kernel = np.random.randn(fan_in, fan_out) * np.sqrt(2 / (fan_in + fan_out))
        parameters["W" + str(l)] = kernel.T
        parameters["b" + str(l)] = np.zeros((fan_out, 1))
    return parameters


def random_seed_zero_flat_bias(layers_dims):
    np.random.seed(0)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10
        parameters["b" + str(l)] = np.zeros((layers_dims[l],))
    return parameters


def zeros_float32_last_layer_missing(layers_dims):
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters (the input has none)

    for l in range(1, L):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=np.float32)
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1), dtype=np.float32)
        ### END CODE HERE ###
    return parameters


def he_debug_draw_left_in(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    print(np.random.randn(2, 2))  # check the seed works
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(
            2 / layers_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_uniform_pm_ten_bias_keys_shifted(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.uniform(-10, 10, (layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l - 1)] = np.zeros((layers_dims[l], 1))
    return parameters


def he_normal_with_sigma(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        sigma = np.sqrt(2 / layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.normal(0, sigma, (layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def he_enumerate_zip_math_sqrt(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l, (n_prev, n) in enumerate(zip(layers_dims[:-1], layers_dims[1:]), start=1):
        parameters["W%d" % l] = np.random.randn(n, n_prev) * math.sqrt(2 / n_prev)
        parameters["b%d" % l] = np.zeros((n, 1))
    return parameters


def he_inverse_power_of_half_fan_in(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters["W" + str(l)] = (
            np.random.randn(layers_dims[l], layers_dims[l - 1]) * (layers_dims[l - 1] / 2) ** -0.5
        )
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters


def random_update_with_dict(layers_dims):
    np.random.seed(3)
    parameters = dict()
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        parameters.update(
            {
                "W%d" % l: np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10,
                "b%d" % l: np.zeros((layers_dims[l], 1)),
            }
        )
    return parameters


def random_standard_normal_shape_tuple(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        shape = (layers_dims[l], layers_dims[l - 1])
        parameters["W" + str(l)] = np.random.standard_normal(shape) * 10
        parameters["b" + str(l)] = np.zeros((shape[0], 1))
        ### END CODE HERE ###
    return parameters


def random_flat_vector_sliced_in_order(layers_dims):
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1

    sizes = [layers_dims[l] * layers_dims[l - 1] for l in range(1, L + 1)]
    flat = np.random.randn(sum(sizes)) * 10
    start = 0
    for l in range(1, L + 1):
        end = start + sizes[l - 1]
        parameters["W" + str(l)] = flat[start:end].reshape(layers_dims[l], layers_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
        start = end
    return parameters


def random_zero_based_loop_shifted_keys(layers_dims):
    np.random.seed(3)  # so that your numbers match the expected ones
    parameters = {}
    L = len(layers_dims) - 1  # number of layers with parameters

    for l in range(L):
        parameters["W" + str(l + 1)] = np.random.randn(layers_dims[l + 1], layers_dims[l]) * 10
        parameters["b" + str(l + 1)] = np.zeros((layers_dims[l + 1], 1))
    return parameters


def zeros_ordered_dict(layers_dims):
    from collections import OrderedDict

    parameters = OrderedDict()
    L = len(layers_dims) - 1  # number of layers with parameters (the input has none)

    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.zeros(shape=(layers_dims[l], layers_dims[l - 1]), dtype=float)
        parameters["b" + str(l)] = np.zeros(shape=(layers_dims[l], 1), dtype=float)
    return parameters


def zeros_full_range_with_guard(layers_dims):
    parameters = {}

    for l in range(len(layers_dims)):
        if l == 0:
            continue  # the input layer has no parameters
        parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters


# (name, method, function, what a diagnosis must name)
WRONG = (
    (
        "he_sqrt2_over_fan_in",
        "he",
        he_sqrt2_over_fan_in,
        (M.of("scale.expression", formula="sqrt(2) / fan_in"),),
    ),
    (
        "he_product_of_sizes_under_root",
        "he",
        he_product_of_sizes_under_root,
        (M.of("scale.expression", formula="sqrt(2 / (fan_in * fan_out))"),),
    ),
    (
        "he_fan_in_plus_bias_unit",
        "he",
        he_fan_in_plus_bias_unit,
        (M.of("scale.expression", formula="sqrt(2 / (fan_in + 1))"),),
    ),
    (
        "he_two_over_sqrt_fan_in",
        "he",
        he_two_over_sqrt_fan_in,
        (M.of("scale.expression", formula="2 / sqrt(fan_in)"),),
    ),
    (
        "he_fan_out_and_bias_from_previous_layer",
        "he",
        he_fan_out_and_bias_from_previous_layer,
        (
            M.of("biases.shape", shape="(layers_dims[l - 1], 1)"),
            M.of("scale.expression", formula="sqrt(2 / fan_out)"),
        ),
    ),
    (
        "he_glorot_uniform",
        "he",
        he_glorot_uniform,
        (
            M.of(
                "draws.distribution",
                distribution="uniform",
                low="-sqrt(6 / (fan_in + fan_out))",
                high="sqrt(6 / (fan_in + fan_out))",
            ),
        ),
    ),
    (
        "he_power_half_precedence",
        "he",
        he_power_half_precedence,
        (M.of("scale.expression", formula="1 / fan_in"),),
    ),
    (
        "he_layer_index_as_fan_in",
        "he",
        he_layer_index_as_fan_in,
        (M.of("scale.expression", formula="sqrt(2 / l)"),),
    ),
    (
        "he_scale_from_number_of_layers",
        "he",
        he_scale_from_number_of_layers,
        (M.of("scale.expression", formula="sqrt(2 / n)"),),
    ),
    ("he_seed_moved_into_loop", "he", he_seed_moved_into_loop, (M.of("seed.per_layer"),)),
    (
        "he_seed_reset_after_each_draw",
        "he",
        he_seed_reset_after_each_draw,
        (M.of("seed.after_each_layer"),),
    ),
    (
        "he_bias_drawn_before_weights",
        "he",
        he_bias_drawn_before_weights,
        (M.of("draws.extra", where="before_weights", count="layers_dims[l]"),),
    ),
    ("he_transposed_draw", "he", he_transposed_draw, (M.of("draws.transposed"),)),
    ("he_default_rng", "he", he_default_rng, (M.of("draws.generator"),)),
    (
        "he_draws_standardised",
        "he",
        he_draws_standardised,
        (M.of("draws.transform", transform="standardise", bound=0.0),),
    ),
    (
        "he_fstring_keys_shifted",
        "he",
        he_fstring_keys_shifted,
        (M.of("keys.numbering", letter="both", first=0),),
    ),
    (
        "he_last_layer_missing_and_xavier",
        "he",
        he_last_layer_missing_and_xavier,
        (
            M.of("loop.stop", stop=-1),
            M.of("scale.expression", formula="sqrt(1 / fan_in)"),
        ),
    ),
    (
        "he_integer_division_in_root",
        "he",
        he_integer_division_in_root,
        (M.of("scale.expression", formula="sqrt(2 // fan_in)"),),
    ),
    ("he_pops_input_size", "he", he_pops_input_size, (M.of("input.mutated"),)),
    (
        "he_returns_list_of_tuples",
        "he",
        he_returns_list_of_tuples,
        (M.of("returned.type", key=""),),
    ),
    (
        "he_float32_weights",
        "he",
        he_float32_weights,
        (M.of("dtype.not_float64", dtype="float32", letter="W"),),
    ),
    (
        "he_uniform_rand_and_flat_bias",
        "he",
        he_uniform_rand_and_flat_bias,
        (
            M.of("biases.shape", shape="(layers_dims[l],)"),
            M.of("draws.distribution", distribution="uniform", low="0", high="sqrt(2 / fan_in)"),
        ),
    ),
    (
        "he_seed_one_and_times_ten",
        "he",
        he_seed_one_and_times_ten,
        (
            M.of("seed.value", seed=1),
            M.of("scale.expression", formula="10 * sqrt(2 / fan_in)"),
        ),
    ),
    ("he_bias_left_none", "he", he_bias_left_none, (M.of("submission.unfilled", key="b1"),)),
    (
        "he_randn_given_a_tuple",
        "he",
        he_randn_given_a_tuple,
        (M.of("raised.randn_tuple", kind="TypeError"),),
    ),
    (
        "random_clipped_to_ten",
        "random",
        random_clipped_to_ten,
        (M.of("draws.transform", transform="clip", bound=10.0),),
    ),
    (
        "random_flat_vector_offset_not_advanced",
        "random",
        random_flat_vector_offset_not_advanced,
        (M.of("seed.per_layer"),),
    ),
    (
        "random_centered_uniform",
        "random",
        random_centered_uniform,
        (M.of("draws.distribution", distribution="uniform", low="-5", high="5"),),
    ),
    (
        "random_keys_named_by_size",
        "random",
        random_keys_named_by_size,
        (M.of("keys.by_size", letter="both", code="layers_dims[l]"),),
    ),
    (
        "random_zero_based_keys",
        "random",
        random_zero_based_keys,
        (M.of("keys.numbering", letter="both", first=0),),
    ),
    (
        "random_loop_variable_reused_for_bias",
        "random",
        random_loop_variable_reused_for_bias,
        (M.of("keys.by_size", letter="b", code="layers_dims[l] - 1"),),
    ),
    (
        "random_zeros_two_arguments_for_bias",
        "random",
        random_zeros_two_arguments_for_bias,
        (M.of("raised.zeros_numbers", kind="TypeError"),),
    ),
    (
        "random_next_layer_index",
        "random",
        random_next_layer_index,
        (M.of("raised.index", kind="IndexError"),),
    ),
    (
        "random_parameters_kept_in_global",
        "random",
        random_parameters_kept_in_global,
        (M.of("state.shared_dict"),),
    ),
    (
        "random_ten_inside_shape",
        "random",
        random_ten_inside_shape,
        (
            M.of("shape.axis", axis="columns", source="layers_dims[l - 1] * 10"),
            M.of("scale.expression", formula="1"),
        ),
    ),
    (
        "random_bias_drawn_first_times_ten",
        "random",
        random_bias_drawn_first_times_ten,
        (M.of("biases.drawn", formula="10"),),
    ),
    (
        "random_float32_and_row_bias",
        "random",
        random_float32_and_row_bias,
        (
            M.of("biases.shape", shape="(1, layers_dims[l])"),
            M.of("dtype.not_float64", dtype="float32", letter="W"),
        ),
    ),
    (
        "random_no_seed_zero_based_keys",
        "random",
        random_no_seed_zero_based_keys,
        (
            M.of("keys.numbering", letter="both", first=0),
            M.of("seed.missing"),
        ),
    ),
    (
        "random_truncated_to_int",
        "random",
        random_truncated_to_int,
        (M.of("dtype.not_float64", dtype="int64", letter="W"),),
    ),
    (
        "random_fan_in_from_previous_weights",
        "random",
        random_fan_in_from_previous_weights,
        (M.of("raised.key_error", kind="KeyError"),),
    ),
    (
        "random_last_layer_missing_flat_bias",
        "random",
        random_last_layer_missing_flat_bias,
        (
            M.of("loop.stop", stop=-1),
            M.of("biases.shape", shape="(layers_dims[l],)"),
        ),
    ),
    (
        "random_seed_in_loop_transposed",
        "random",
        random_seed_in_loop_transposed,
        (
            M.of("seed.per_layer"),
            M.of("draws.transposed"),
        ),
    ),
    (
        "zeros_transposed_weights_row_bias",
        "zeros",
        zeros_transposed_weights_row_bias,
        (
            M.of("shape.transposed"),
            M.of("biases.shape", shape="(1, layers_dims[l])"),
        ),
    ),
    (
        "zeros_two_positional_sizes",
        "zeros",
        zeros_two_positional_sizes,
        (M.of("raised.zeros_numbers", kind="TypeError"),),
    ),
    (
        "zeros_integer_arrays",
        "zeros",
        zeros_integer_arrays,
        (M.of("dtype.not_float64", dtype="int64", letter="both"),),
    ),
    (
        "zeros_nested_python_lists",
        "zeros",
        zeros_nested_python_lists,
        (M.of("returned.value", key="W1"),),
    ),
    (
        "zeros_loop_past_the_end",
        "zeros",
        zeros_loop_past_the_end,
        (M.of("raised.index", kind="IndexError"),),
    ),
    (
        "zeros_lowercase_keys_scalar_bias",
        "zeros",
        zeros_lowercase_keys_scalar_bias,
        (M.of("keys.names", weights="w{}"), M.of("biases.shape", shape="()")),
    ),
    ("zeros_return_inside_loop", "zeros", zeros_return_inside_loop, (M.of("loop.fixed", count=1),)),
    (
        "zeros_bias_like_weights",
        "zeros",
        zeros_bias_like_weights,
        (M.of("biases.shape", shape="(layers_dims[l], layers_dims[l - 1])"),),
    ),
    (
        "zeros_layer_zero_included",
        "zeros",
        zeros_layer_zero_included,
        (M.of("loop.start", start=0),),
    ),
    (
        "he_keras_style_transposed_with_both_fans",
        "he",
        he_keras_style_transposed_with_both_fans,
        (
            M.of("draws.transposed"),
            M.of("scale.expression", formula="sqrt(2 / (fan_in + fan_out))"),
        ),
    ),
    (
        "random_seed_zero_flat_bias",
        "random",
        random_seed_zero_flat_bias,
        (
            M.of("biases.shape", shape="(layers_dims[l],)"),
            M.of("seed.value", seed=0),
        ),
    ),
    (
        "zeros_float32_last_layer_missing",
        "zeros",
        zeros_float32_last_layer_missing,
        (
            M.of("loop.stop", stop=-1),
            M.of("dtype.not_float64", dtype="float32", letter="both"),
        ),
    ),
    (
        "he_debug_draw_left_in",
        "he",
        he_debug_draw_left_in,
        (M.of("draws.extra", where="before_loop", count="4"),),
    ),
    (
        "random_uniform_pm_ten_bias_keys_shifted",
        "random",
        random_uniform_pm_ten_bias_keys_shifted,
        (
            M.of("keys.numbering", letter="b", first=0),
            M.of("draws.distribution", distribution="uniform", low="-10", high="10"),
        ),
    ),
)

# (name, method, function): correct, and worth full marks
CORRECT = (
    ("he_normal_with_sigma", "he", he_normal_with_sigma),
    ("he_enumerate_zip_math_sqrt", "he", he_enumerate_zip_math_sqrt),
    ("he_inverse_power_of_half_fan_in", "he", he_inverse_power_of_half_fan_in),
    ("random_update_with_dict", "random", random_update_with_dict),
    ("random_standard_normal_shape_tuple", "random", random_standard_normal_shape_tuple),
    ("random_flat_vector_sliced_in_order", "random", random_flat_vector_sliced_in_order),
    ("random_zero_based_loop_shifted_keys", "random", random_zero_based_loop_shifted_keys),
    ("zeros_ordered_dict", "zeros", zeros_ordered_dict),
    ("zeros_full_range_with_guard", "zeros", zeros_full_range_with_guard),
)
