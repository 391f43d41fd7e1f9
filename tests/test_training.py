"""Training: the fast trainer against the readable loop, and the course's outcome table."""

from __future__ import annotations

import numpy as np
import pytest

from reference import (
    INITIALIZERS,
    accuracy,
    backward_propagation,
    compute_cost,
    forward_propagation,
    load_dataset,
    model,
    train,
    train_many,
    update_parameters,
)
from reference.initializers import Params
from tests.published import ACCURACY, HE_COST_AT_STEP_0, ZEROS_COST

COST_ATOL = 1e-12
PARAM_RTOL = 1e-12


def readable_train(
    X: np.ndarray, Y: np.ndarray, params: Params, learning_rate: float, steps: int, activation: str
) -> tuple[Params, list[float]]:
    """The course's loop, one readable call per stage: the oracle for ``train``."""
    costs = []
    for step in range(steps):
        _, caches = forward_propagation(X, params, activation)
        if step % 1000 == 0:
            costs.append(compute_cost(caches[-1].Z, Y))
        params = update_parameters(
            params, backward_propagation(Y, caches, activation), learning_rate
        )
    return params, costs


def assert_same_training(
    got: tuple[Params, list[float]], expected: tuple[Params, list[float]]
) -> None:
    np.testing.assert_allclose(got[1], expected[1], rtol=0, atol=COST_ATOL, err_msg="costs")
    assert sorted(got[0]) == sorted(expected[0])
    for key, value in expected[0].items():
        np.testing.assert_allclose(got[0][key], value, rtol=PARAM_RTOL, atol=0, err_msg=key)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return load_dataset()


@pytest.fixture(scope="module")
def trained(data: tuple[np.ndarray, ...]) -> dict[str, tuple[Params, list[float]]]:
    """The course's four runs, each trained once for the whole module."""
    train_X, train_Y, _, _ = data
    layers_dims = [train_X.shape[0], 10, 5, 1]
    return {name: train(train_X, train_Y, init(layers_dims)) for name, init in INITIALIZERS.items()}


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("dims", [[2, 1], [2, 3, 1], [2, 10, 5, 1], [2, 7, 6, 4, 3, 1]])
def test_train_takes_the_same_steps_as_the_readable_loop(data, dims, activation) -> None:
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["he"](dims)
    expected = readable_train(train_X, train_Y, start, 0.05, 1001, activation)
    assert_same_training(train(train_X, train_Y, start, 0.05, 1001, activation), expected)


@pytest.mark.slow
@pytest.mark.parametrize("init", ["random", "he"])
def test_train_stays_on_the_readable_loop_for_3000_steps_even_from_the_x10_start(
    data, init
) -> None:
    # From the x10 start the trajectory is chaotic: a one-ulp difference anywhere grows to
    # visible size within a few thousand steps, so agreement here means the same arithmetic.
    train_X, train_Y, _, _ = data
    start = INITIALIZERS[init]([2, 10, 5, 1])
    expected = readable_train(train_X, train_Y, start, 0.01, 3000, "relu")
    assert_same_training(train(train_X, train_Y, start, 0.01, 3000), expected)


def test_train_leaves_the_parameters_passed_in_unchanged(data) -> None:
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["he"]([2, 4, 3, 1])
    before = {key: value.copy() for key, value in start.items()}
    trained, _ = train(train_X, train_Y, start, num_iterations=10)
    assert trained is not start
    for key, value in before.items():
        np.testing.assert_array_equal(start[key], value, err_msg=f"{key} was modified")


def test_costs_are_recorded_every_1000_steps_before_the_update(data) -> None:
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["xavier"]([2, 10, 5, 1])
    _, costs = train(train_X, train_Y, start, num_iterations=2001)
    assert len(costs) == 3  # steps 0, 1000 and 2000
    _, caches = forward_propagation(train_X, start)
    np.testing.assert_allclose(
        costs[0], compute_cost(caches[-1].Z, train_Y), rtol=0, atol=COST_ATOL, err_msg="step 0"
    )


def test_zero_steps_return_the_starting_parameters_and_no_costs(data) -> None:
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["he"]([2, 3, 1])
    params, costs = train(train_X, train_Y, start, num_iterations=0)
    assert costs == []
    for key, value in start.items():
        np.testing.assert_array_equal(params[key], value, err_msg=key)


def test_train_refuses_an_unknown_hidden_activation(data) -> None:
    train_X, train_Y, _, _ = data
    with pytest.raises(ValueError, match="hidden_activation"):
        train(train_X, train_Y, INITIALIZERS["he"]([2, 3, 1]), hidden_activation="sigmoid")


def test_train_refuses_labels_of_the_wrong_shape(data) -> None:
    train_X, train_Y, _, _ = data
    with pytest.raises(ValueError, match="shape"):
        train(train_X, train_Y.ravel(), INITIALIZERS["he"]([2, 3, 1]))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ACCURACY))
def test_each_initialization_reaches_its_published_accuracy(data, trained, name) -> None:
    train_X, train_Y, test_X, test_Y = data
    params, _ = trained[name]
    got = (accuracy(train_X, train_Y, params), accuracy(test_X, test_Y, params))
    np.testing.assert_allclose(got, ACCURACY[name], rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.slow
def test_he_starts_at_the_published_cost(trained) -> None:
    _, costs = trained["he"]
    assert len(costs) == 15
    np.testing.assert_allclose(
        costs[0], HE_COST_AT_STEP_0, rtol=0, atol=COST_ATOL, err_msg="step 0"
    )


@pytest.mark.slow
def test_zeros_never_leave_log_2(trained) -> None:
    _, costs = trained["zeros"]
    np.testing.assert_allclose(costs, ZEROS_COST, rtol=0, atol=COST_ATOL, err_msg="zeros costs")


@pytest.mark.slow
def test_the_x10_start_has_a_finite_cost_that_training_brings_down(trained) -> None:
    _, costs = trained["random"]
    assert np.all(np.isfinite(costs))
    assert costs[-1] < costs[0] / 10


def test_model_trains_the_named_initialization_and_prints_its_costs(data, capsys) -> None:
    train_X, train_Y, _, _ = data
    params = model(train_X, train_Y, num_iterations=2001, print_cost=True, initialization="he")
    expected, _ = train(train_X, train_Y, INITIALIZERS["he"]([2, 10, 5, 1]), num_iterations=2001)
    for key, value in expected.items():
        np.testing.assert_array_equal(params[key], value, err_msg=key)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Cost after iteration 0",
        "Cost after iteration 1000",
        "Cost after iteration 2000",
    ]


def test_model_refuses_an_unknown_initialization(data) -> None:
    train_X, train_Y, _, _ = data
    with pytest.raises(ValueError, match="initialization"):
        model(train_X, train_Y, initialization="glorot")


def assert_bit_equal(got: tuple[Params, list[float]], expected: tuple[Params, list[float]]) -> None:
    assert got[1] == expected[1], "costs"
    assert sorted(got[0]) == sorted(expected[0])
    for key, value in expected[0].items():
        assert got[0][key].tobytes() == value.tobytes(), f"{key} differs in some bit"


def odd_starts(dims: list[int]) -> list[Params]:
    """Starts a grader meets: the course's four, negative zeros, biases, and an overflowing one."""
    rng = np.random.default_rng(11)
    starts = [init(dims) for init in INITIALIZERS.values()]
    negative_zeros = {key: -np.zeros_like(value) for key, value in starts[0].items()}
    negative_zeros["W1"] = rng.standard_normal(starts[0]["W1"].shape) * -0.0
    with_biases = {
        k: v if k[0] == "W" else rng.standard_normal(v.shape) for k, v in starts[2].items()
    }
    wild = {key: value * 1000.0 for key, value in starts[1].items()}
    return [*starts, negative_zeros, with_biases, wild]


@pytest.mark.parametrize(
    ("dims", "activation", "steps"),
    [([2, 10, 5, 1], "relu", 2001), ([2, 7, 6, 4, 3, 1], "relu", 1001), ([2, 3, 1], "tanh", 501)],
)
def test_train_is_the_readable_loop_to_the_last_bit(data, dims, activation, steps) -> None:
    # [2, 7, 6, 4, 3, 1] first differs in a last bit after 548 steps when the engine folds
    # where the kernel does not allow it, so it takes the plain engine here.
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["he"](dims)
    expected = readable_train(train_X, train_Y, start, 0.05, steps, activation)
    assert_bit_equal(train(train_X, train_Y, start, 0.05, steps, activation), expected)


@pytest.mark.parametrize(
    ("dims", "activation"), [([2, 10, 5, 1], "relu"), ([2, 4, 3, 1], "tanh"), ([2, 1], "relu")]
)
def test_train_many_gives_each_start_what_train_gives_it_alone(data, dims, activation) -> None:
    train_X, train_Y, _, _ = data
    starts = odd_starts(dims)
    with np.errstate(all="ignore"):
        stacked = train_many(train_X, train_Y, starts, 0.01, 1500, activation)
        alone = [train(train_X, train_Y, s, 0.01, 1500, activation) for s in starts]
    assert len(stacked) == len(starts)
    for got, expected in zip(stacked, alone, strict=True):
        assert_bit_equal(got, expected)


@pytest.mark.slow
def test_sixteen_stacked_starts_reach_what_each_reaches_alone_after_15000_steps(data) -> None:
    train_X, train_Y, test_X, test_Y = data
    rng = np.random.default_rng(5)
    starts = odd_starts([2, 10, 5, 1])
    while len(starts) < 16:  # x10 draws: chaotic, so any difference would grow
        starts.append({k: rng.standard_normal(v.shape) * 10.0 for k, v in starts[1].items()})
    with np.errstate(all="ignore"):
        stacked = train_many(train_X, train_Y, starts)
        for got, start in zip(stacked, starts, strict=True):
            expected = train(train_X, train_Y, start)
            assert_bit_equal(got, expected)
            assert accuracy(test_X, test_Y, got[0]) == accuracy(test_X, test_Y, expected[0])


def test_train_many_leaves_its_starts_unchanged_and_takes_no_starts(data) -> None:
    train_X, train_Y, _, _ = data
    starts = [INITIALIZERS["he"]([2, 4, 1]), INITIALIZERS["random"]([2, 4, 1])]
    before = [{k: v.copy() for k, v in s.items()} for s in starts]
    train_many(train_X, train_Y, starts, num_iterations=5)
    for start, saved in zip(starts, before, strict=True):
        for key, value in saved.items():
            np.testing.assert_array_equal(start[key], value, err_msg=f"{key} was modified")
    assert train_many(train_X, train_Y, []) == []


def test_train_many_refuses_starts_of_different_shapes(data) -> None:
    train_X, train_Y, _, _ = data
    starts = [INITIALIZERS["he"]([2, 4, 1]), INITIALIZERS["he"]([2, 3, 1])]
    with pytest.raises(ValueError, match=r"start 1 has layer sizes \[2, 3, 1\]"):
        train_many(train_X, train_Y, starts)


def test_train_refuses_weights_that_do_not_chain(data) -> None:
    train_X, train_Y, _, _ = data
    start = INITIALIZERS["he"]([2, 4, 1])
    start["W2"] = np.zeros((1, 3))
    with pytest.raises(ValueError, match=r"W2 has shape \(1, 3\)"):
        train(train_X, train_Y, start)
