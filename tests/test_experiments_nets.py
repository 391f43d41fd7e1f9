"""The experiments' L-layer classifier: outputs, costs, gradients, initializations, and zeros."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference.experiments.nets import (
    accuracy,
    cost,
    forward,
    init_label,
    initialize,
    layer_scale,
    one_hot,
    softmax,
    softmax_cost,
    targets,
)
from reference.experiments.sgd import Net, train_full_batch
from reference.network import backward_propagation

LN2 = math.log(2)


def test_softmax_columns_are_probabilities_even_for_huge_scores() -> None:
    Z = np.array([[1000.0, -1000.0, 0.0], [999.0, 1000.0, 0.0], [0.0, 0.0, 0.0]])
    P = softmax(Z)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=0), 1.0, err_msg="column sums")
    np.testing.assert_allclose(P[:, 2], 1 / 3, err_msg="equal scores")
    np.testing.assert_allclose(P[0, 0], 1 / (1 + math.exp(-1)), err_msg="a difference of 1")


def test_the_softmax_cost_is_the_cross_entropy_and_stays_finite_far_out() -> None:
    rng = np.random.default_rng(0)
    Z, labels = rng.standard_normal((4, 6)), np.array([0, 1, 2, 3, 0, 1])
    Y = one_hot(labels, 4)
    naive = -np.mean(np.log(softmax(Z)[labels, np.arange(6)]))
    np.testing.assert_allclose(softmax_cost(Z, Y), naive, rtol=1e-12)
    far = softmax_cost(np.array([[2000.0], [0.0]]), np.array([[0.0], [1.0]]))
    assert far == pytest.approx(2000.0)


def _numerical_gradient(X, Y, params, net, name, h=1e-6):
    grad = np.zeros_like(params[name])
    for index in np.ndindex(grad.shape):
        shifted = []
        for sign in (1, -1):
            moved = {k: v.copy() for k, v in params.items()}
            moved[name][index] += sign * h
            _, caches = forward(X, moved, net.hidden, net.output)
            shifted.append(cost(caches[-1].Z, Y, net.output))
        grad[index] = (shifted[0] - shifted[1]) / (2 * h)
    return grad


@pytest.mark.parametrize(
    ("net", "classes"),
    [(Net("tanh", "softmax"), 3), (Net("relu", "softmax"), 4), (Net("tanh", "sigmoid"), 2)],
)
def test_the_backward_pass_is_the_gradient_of_the_cost_for_either_output(
    net: Net, classes: int
) -> None:
    rng = np.random.default_rng(1)
    X, labels = rng.standard_normal((3, 7)), rng.integers(0, classes, 7)
    Y = targets(labels, net.output, classes)
    params = initialize([3, 5, 4, Y.shape[0]], "xavier", rng)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    _, caches = forward(X, params, net.hidden, net.output)
    grads = backward_propagation(Y, caches, net.hidden)
    for name in params:
        numerical = _numerical_gradient(X, Y, params, net, name)
        np.testing.assert_allclose(grads[f"d{name}"], numerical, rtol=1e-5, atol=1e-8, err_msg=name)


def test_initializations_scale_the_same_draws_by_their_rule() -> None:
    dims = [50, 20, 3]
    draws = initialize(dims, "std=1", np.random.default_rng(7))
    for init, first_scale in (
        ("he", math.sqrt(2 / 50)),
        ("xavier", math.sqrt(1 / 50)),
        ("random", 10.0),
        ("std=0.01", 0.01),
        ("zeros", 0.0),
    ):
        params = initialize(dims, init, np.random.default_rng(7))
        np.testing.assert_allclose(params["W1"], draws["W1"] * first_scale, err_msg=init)
        assert layer_scale(init, 20) * draws["W2"] == pytest.approx(params["W2"])
        assert not params["b1"].any()
        assert params["b2"].shape == (3, 1)


def test_initializing_leaves_the_global_generator_alone() -> None:
    np.random.seed(12345)
    expected = np.random.random()
    np.random.seed(12345)
    initialize([4, 3, 1], "he", np.random.default_rng(0))
    assert np.random.random() == expected


@pytest.mark.parametrize("bad", ["gaussian", "std=0", "std=-1", "std=nan", "std=big"])
def test_an_unknown_initialization_is_refused_with_the_ones_there_are(bad: str) -> None:
    with pytest.raises(ValueError, match=bad.replace("=", ".")):
        initialize([2, 1], bad, np.random.default_rng(0))


def test_initializations_have_readable_labels() -> None:
    assert [init_label(i) for i in ("zeros", "random", "he", "xavier", "std=0.01")] == [
        "zeros",
        "x10",
        "He",
        "Xavier",
        "std 0.01",
    ]


def test_predictions_are_the_thresholded_or_most_probable_class() -> None:
    X = np.array([[1.0, -1.0]])
    sigmoid_params = {"W1": np.array([[3.0]]), "b1": np.zeros((1, 1))}
    assert accuracy(X, np.array([1, 0]), sigmoid_params, "relu", "sigmoid") == 1.0
    softmax_params = {"W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1))}
    assert accuracy(X, np.array([0, 1]), softmax_params, "tanh", "softmax") == 1.0


@settings(max_examples=20)
@given(
    n_per_class=st.integers(1, 60),
    n_x=st.integers(1, 12),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
)
@example(n_per_class=50, n_x=64, hidden=[5, 5], seed=0)
def test_zeros_keeps_every_hidden_unit_identical_and_the_cost_at_ln_2(
    n_per_class: int, n_x: int, hidden: list[int], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, 2 * n_per_class))
    Y = rng.permutation(np.repeat([0.0, 1.0], n_per_class)).reshape(1, -1)
    start = initialize([n_x, *hidden, 1], "zeros", rng)
    net = Net("tanh", "sigmoid")
    params, costs = train_full_batch(
        X, Y, start, net, learning_rate=0.0075, iterations=200, cost_every=10
    )
    # The mean of 2n equal terms ln 2 rounds to ln 2 or a neighbour a few units in the last
    # place away, whatever n; the output bias drifts by rounding alone (below 1e-15).
    np.testing.assert_allclose(costs, LN2, rtol=0, atol=1e-15, err_msg="cost")
    _, caches = forward(X, params, net.hidden, net.output)
    for layer, cache in enumerate(caches[:-1], start=1):
        assert (cache.A[0] == cache.A).all(), f"hidden layer {layer}: units differ"
        assert not params[f"W{layer}"].any(), f"W{layer} moved"
    assert abs(float(params[f"b{len(hidden) + 1}"][0, 0])) < 1e-15
    assert accuracy(X, Y, params, "tanh", "sigmoid") == 0.5
