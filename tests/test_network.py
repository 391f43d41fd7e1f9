"""The network's pieces: activations, forward pass, cost, backward pass, update and prediction."""

from __future__ import annotations

import numpy as np
import pytest

from reference import (
    accuracy,
    backward_propagation,
    compute_cost,
    forward_propagation,
    initialize_parameters_random,
    initialize_parameters_zeros,
    load_dataset,
    predict,
    relu,
    sigmoid,
    update_parameters,
)
from reference.initializers import Params

SEED = 20240601
GRADIENT_DIMS = [3, 5, 4, 1]
GRADIENT_EXAMPLES = 8
# Central differences have truncation error O(eps^2) and rounding error O(1e-16 / eps); with
# eps = 1e-6 both stay near 1e-10 in absolute terms (a correct gradient here agrees to ~3e-8
# relative). The tolerances leave room for that and still sit orders of magnitude below the
# O(1) relative error of a real mistake such as a missing 1/m or a wrong mask.
EPS = 1e-6
GRADIENT_RTOL = 1e-6
GRADIENT_ATOL = 1e-9
# ReLU has a kink at 0: keep every pre-activation at least this far from it, so that no
# difference step crosses it.
KINK_MARGIN = 1e-3


def random_network(
    dims: list[int], m: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, Params]:
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    params: Params = {}
    for layer in range(1, len(dims)):
        params[f"W{layer}"] = rng.standard_normal((dims[layer], dims[layer - 1])) * 0.8
        params[f"b{layer}"] = rng.standard_normal((dims[layer], 1)) * 0.1
    return X, Y, params


def cost_of(X: np.ndarray, Y: np.ndarray, params: Params, hidden_activation: str) -> float:
    _, caches = forward_propagation(X, params, hidden_activation)
    return compute_cost(caches[-1].Z, Y)


def numerical_gradient(
    X: np.ndarray, Y: np.ndarray, params: Params, key: str, hidden_activation: str
) -> np.ndarray:
    grad = np.zeros_like(params[key])
    for index in np.ndindex(grad.shape):
        shifted = {name: value.copy() for name, value in params.items()}
        shifted[key][index] += EPS
        up = cost_of(X, Y, shifted, hidden_activation)
        shifted[key][index] -= 2 * EPS
        down = cost_of(X, Y, shifted, hidden_activation)
        grad[index] = (up - down) / (2 * EPS)
    return grad


def test_sigmoid_is_one_half_at_zero_and_saturates_without_warnings() -> None:
    np.testing.assert_array_equal(sigmoid(np.array([0.0, -1000.0, 1000.0])), [0.5, 0.0, 1.0])


def test_relu_zeroes_the_negative_part() -> None:
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])


@pytest.mark.parametrize("hidden_activation", ["relu", "tanh"])
def test_forward_pass_has_an_output_and_a_cache_per_layer(hidden_activation: str) -> None:
    X, _, params = random_network([4, 6, 3, 2, 1], 9, np.random.default_rng(SEED))
    AL, caches = forward_propagation(X, params, hidden_activation)
    assert AL.shape == (1, 9)
    assert [cache.Z.shape for cache in caches] == [(6, 9), (3, 9), (2, 9), (1, 9)]
    np.testing.assert_array_equal(caches[-1].A, AL, err_msg="last cache holds the output")
    np.testing.assert_array_equal(caches[0].A_prev, X, err_msg="first cache holds the input")


def test_cost_equals_the_cross_entropy_of_the_output() -> None:
    X, Y, params = random_network(GRADIENT_DIMS, 50, np.random.default_rng(SEED))
    AL, caches = forward_propagation(X, params)
    direct = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    np.testing.assert_allclose(compute_cost(caches[-1].Z, Y), direct, rtol=1e-12, err_msg="cost")


def test_cost_is_log_2_when_the_output_is_one_half() -> None:
    Y = np.array([[0, 1, 1, 0]])
    np.testing.assert_allclose(
        compute_cost(np.zeros((1, 4)), Y), np.log(2.0), rtol=1e-15, err_msg="cost"
    )


def test_cost_is_finite_where_the_sigmoid_saturates() -> None:
    ZL, Y = np.array([[-800.0, 800.0, 40.0]]), np.array([[1, 0, 1]])
    # -log(sigmoid(-800)) = 800 and -log(1 - sigmoid(800)) = 800; sigmoid(40) costs ~4e-18.
    np.testing.assert_allclose(compute_cost(ZL, Y), 1600.0 / 3, rtol=1e-12, err_msg="cost")


def test_cost_is_finite_for_the_x10_initialization_on_the_course_data() -> None:
    train_X, train_Y, _, _ = load_dataset()
    params = initialize_parameters_random([2, 10, 5, 1])
    assert np.isfinite(cost_of(train_X, train_Y, params, "relu"))


@pytest.mark.parametrize("hidden_activation", ["relu", "tanh"])
def test_backward_pass_matches_a_central_difference_gradient(hidden_activation: str) -> None:
    X, Y, params = random_network(GRADIENT_DIMS, GRADIENT_EXAMPLES, np.random.default_rng(SEED))
    _, caches = forward_propagation(X, params, hidden_activation)
    nearest_kink = min(float(np.min(np.abs(cache.Z))) for cache in caches[:-1])
    assert nearest_kink > KINK_MARGIN, "pick another seed: a pre-activation sits at the kink"
    grads = backward_propagation(Y, caches, hidden_activation)
    assert set(grads) == {f"d{key}" for key in params}
    for key in params:
        expected = numerical_gradient(X, Y, params, key, hidden_activation)
        np.testing.assert_allclose(
            grads[f"d{key}"], expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL, err_msg=f"d{key}"
        )


def test_update_takes_one_step_against_the_gradient_and_leaves_the_input_alone() -> None:
    X, Y, params = random_network(GRADIENT_DIMS, GRADIENT_EXAMPLES, np.random.default_rng(SEED))
    before = {key: value.copy() for key, value in params.items()}
    _, caches = forward_propagation(X, params)
    grads = backward_propagation(Y, caches)
    updated = update_parameters(params, grads, 0.1)
    for key, value in params.items():
        np.testing.assert_array_equal(value, before[key], err_msg=f"{key} was modified")
        np.testing.assert_array_equal(updated[key], value - 0.1 * grads[f"d{key}"], err_msg=key)


def test_predict_returns_integer_labels_from_a_one_half_threshold() -> None:
    X, _, params = random_network(GRADIENT_DIMS, 40, np.random.default_rng(SEED))
    labels = predict(X, params)
    AL, _ = forward_propagation(X, params)
    assert labels.shape == (1, 40)
    assert np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(labels, (AL > 0.5).astype(int), err_msg="labels")


def test_an_output_of_exactly_one_half_predicts_0() -> None:
    X = np.ones((2, 3))
    np.testing.assert_array_equal(predict(X, initialize_parameters_zeros([2, 3, 1])), [[0, 0, 0]])


def test_accuracy_is_the_fraction_of_labels_predicted() -> None:
    X, Y, params = random_network(GRADIENT_DIMS, 40, np.random.default_rng(SEED))
    expected = float(np.mean(predict(X, params) == Y))
    assert accuracy(X, Y, params) == expected
    assert isinstance(accuracy(X, Y, params), float)


def test_an_unknown_hidden_activation_is_refused() -> None:
    X, _, params = random_network(GRADIENT_DIMS, 4, np.random.default_rng(SEED))
    with pytest.raises(ValueError, match="hidden_activation"):
        forward_propagation(X, params, "softmax")
