"""The students' helper module computes what reference/ computes, behind the course's signatures."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import matplotlib.pyplot as plt
import numpy as np
import pytest

from reference import data, network
from reference.initializers import (
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_zeros,
)
from tests.published import HE_COST_AT_STEP_0

ASSIGNMENT = Path(__file__).resolve().parent.parent / "assignments" / "initialization"
COURSE_DIMS = [2, 10, 5, 1]
# The course's names, as the notebook imports them.
COURSE_NAMES = [
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
]


@pytest.fixture(scope="module")
def utils() -> ModuleType:
    spec = importlib.util.spec_from_file_location("init_utils", ASSIGNMENT / "init_utils.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def circles() -> tuple[np.ndarray, np.ndarray]:
    train_X, train_Y, _, _ = data.load_dataset()
    return train_X, train_Y


@pytest.fixture(params=["zeros", "random", "he"])
def params(request) -> dict[str, np.ndarray]:
    initializer = {
        "zeros": initialize_parameters_zeros,
        "random": initialize_parameters_random,
        "he": initialize_parameters_he,
    }[request.param]
    return initializer(COURSE_DIMS)


def test_the_module_exports_the_course_names_and_no_initializer(utils):
    assert utils.__all__[: len(COURSE_NAMES)] == COURSE_NAMES
    assert all(callable(getattr(utils, name)) for name in COURSE_NAMES)
    assert not [name for name in vars(utils) if name.startswith("initialize")]


def test_forward_propagation_returns_the_output_and_the_course_cache(utils, circles, params):
    X, _ = circles
    a3, cache = utils.forward_propagation(X, params)
    expected, layers = network.forward_propagation(X, params)
    np.testing.assert_array_equal(a3, expected)
    assert len(cache) == 12
    for index, layer in enumerate(layers, start=1):
        z, a, W, b = cache[4 * (index - 1) : 4 * index]
        for name, got, want in [
            ("z", z, layer.Z),
            ("a", a, layer.A),
            ("W", W, params[f"W{index}"]),
            ("b", b, params[f"b{index}"]),
        ]:
            np.testing.assert_array_equal(got, want, err_msg=f"{name}{index}")


def test_backward_propagation_gives_the_reference_gradients_and_the_course_keys(
    utils, circles, params
):
    X, Y = circles
    _, cache = utils.forward_propagation(X, params)
    grads = utils.backward_propagation(X, Y, cache)
    # The course's dict, in the course's order.
    assert list(grads) == [
        "dz3",
        "dW3",
        "db3",
        "da2",
        "dz2",
        "dW2",
        "db2",
        "da1",
        "dz1",
        "dW1",
        "db1",
    ]
    _, layers = network.forward_propagation(X, params)
    expected = network.backward_propagation(Y, layers)
    for key, value in expected.items():
        np.testing.assert_array_equal(grads[key], value, err_msg=key)
    # The intermediate terms are the ones the weight gradients are made of.
    inputs = [X, cache[1], cache[5]]
    for layer in (1, 2, 3):
        np.testing.assert_allclose(
            grads[f"dz{layer}"] @ inputs[layer - 1].T, grads[f"dW{layer}"], err_msg=f"dz{layer}"
        )
    np.testing.assert_array_equal(grads["da2"], params["W3"].T @ grads["dz3"])


def test_update_parameters_takes_one_step_of_the_given_size(utils, circles):
    X, Y = circles
    params = initialize_parameters_he(COURSE_DIMS)
    _, cache = utils.forward_propagation(X, params)
    grads = utils.backward_propagation(X, Y, cache)
    updated = utils.update_parameters(params, grads, 0.5)
    for key in params:
        np.testing.assert_array_equal(
            updated[key], params[key] - 0.5 * grads[f"d{key}"], err_msg=key
        )


def test_compute_loss_from_z3_is_the_reference_cost(utils, circles, params):
    X, Y = circles
    a3, cache = utils.forward_propagation(X, params)
    assert utils.compute_loss(a3, Y, z3=cache[8]) == network.compute_cost(cache[8], Y)


def test_compute_loss_from_a3_alone_agrees_where_the_output_is_not_saturated(utils, circles):
    X, Y = circles
    a3, cache = utils.forward_propagation(X, initialize_parameters_he(COURSE_DIMS))
    assert utils.compute_loss(a3, Y) == pytest.approx(network.compute_cost(cache[8], Y), rel=1e-12)


def test_compute_loss_from_a3_alone_stays_finite_when_saturated(utils):
    loss = utils.compute_loss(np.array([[0.0, 1.0]]), np.array([[1, 0]]))
    assert np.isfinite(loss)
    assert loss > 30


def test_the_he_cost_at_step_0_is_the_published_one(utils, circles):
    X, Y = circles
    a3, cache = utils.forward_propagation(X, initialize_parameters_he(COURSE_DIMS))
    # The course's printed cost at iteration 0 for He (DESIGN.md); ours comes from z3, not a3.
    assert utils.compute_loss(a3, Y, z3=cache[8]) == pytest.approx(HE_COST_AT_STEP_0, rel=1e-14)


def test_predict_prints_the_accuracy_and_returns_the_labels(utils, circles, capsys):
    X, Y = circles
    params = initialize_parameters_random(COURSE_DIMS)
    labels = utils.predict(X, Y, params)
    np.testing.assert_array_equal(labels, network.predict(X, params))
    assert capsys.readouterr().out == f"Accuracy: {network.accuracy(X, Y, params)}\n"


def test_predict_dec_returns_booleans(utils, circles):
    X, _ = circles
    params = initialize_parameters_he(COURSE_DIMS)
    decisions = utils.predict_dec(params, X)
    assert decisions.dtype == bool
    np.testing.assert_array_equal(decisions, network.predict(X, params) == 1)


def test_load_dataset_is_the_reference_data_and_leaves_the_global_state_alone(utils):
    np.random.seed(1234)
    before = np.random.get_state()[1].copy()
    figures = plt.get_fignums()
    loaded = utils.load_dataset()
    assert np.array_equal(np.random.get_state()[1], before)
    assert plt.get_fignums() == figures
    for got, want, name in zip(
        loaded, data.load_dataset(), ["train_X", "train_Y", "test_X", "test_Y"], strict=True
    ):
        np.testing.assert_array_equal(got, want, err_msg=name)
    assert [array.shape for array in loaded] == [(2, 300), (1, 300), (2, 100), (1, 100)]


def test_plot_decision_boundary_draws_the_regions_and_the_points_on_the_current_axes(
    utils, circles
):
    X, Y = circles
    params = initialize_parameters_he(COURSE_DIMS)
    figure = plt.figure()
    try:
        utils.plot_decision_boundary(lambda points: utils.predict_dec(params, points.T), X, Y)
        axes = plt.gca()
        assert axes.figure is figure
        assert len(plt.get_fignums()) >= 1
        assert axes.collections, "nothing was drawn"
    finally:
        plt.close(figure)
