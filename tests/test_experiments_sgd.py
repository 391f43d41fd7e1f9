"""Gradient descent for the experiments: seeded batches, full-batch records, and smoothing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from reference.experiments.nets import initialize, targets
from reference.experiments.sgd import (
    Net,
    batches,
    smooth,
    step,
    train_full_batch,
    train_minibatch,
)

NET = Net("relu", "softmax")


def _problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    X, labels = rng.random((5, 40)), rng.integers(0, 3, 40)
    return X, targets(labels, "softmax", 3), initialize([5, 6, 3], "he", rng)


def test_each_batch_holds_distinct_examples_and_the_seed_decides_them() -> None:
    first = list(itertools.islice(batches(50, 8, np.random.default_rng(3)), 5))
    again = list(itertools.islice(batches(50, 8, np.random.default_rng(3)), 5))
    other = list(itertools.islice(batches(50, 8, np.random.default_rng(4)), 5))
    for batch in first:
        assert len(set(batch.tolist())) == 8
        assert batch.min() >= 0
        assert batch.max() < 50
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    assert len(next(batches(5, 8, np.random.default_rng(0)))) == 5  # all, when fewer


def test_minibatch_sgd_is_a_function_of_its_generator_and_records_every_step() -> None:
    X, Y, params = _problem()
    runs = [
        train_minibatch(
            X,
            Y,
            params,
            NET,
            learning_rate=0.1,
            iterations=30,
            batch_size=8,
            rng=np.random.default_rng(9),
        )
        for _ in range(2)
    ]
    assert len(runs[0][1]) == 30
    assert runs[0][1] == runs[1][1]
    np.testing.assert_array_equal(runs[0][0]["W1"], runs[1][0]["W1"])


def test_full_batch_training_records_the_cost_before_each_recorded_step_and_after_the_last() -> (
    None
):
    X, Y, params = _problem(1)
    trained, costs = train_full_batch(
        X, Y, params, NET, learning_rate=0.5, iterations=25, cost_every=10
    )
    assert len(costs) == 4  # steps 0, 10, 20, then after step 25
    replay, seen = params, []
    for _ in range(25):
        replay, loss = step(X, Y, replay, NET, 0.5)
        seen.append(loss)
    assert costs[:3] == [seen[0], seen[10], seen[20]]
    np.testing.assert_array_equal(trained["W2"], replay["W2"])
    assert costs[-1] < costs[0]


def test_a_progress_callback_hears_of_every_step() -> None:
    X, Y, params = _problem(2)
    steps: list[int] = []
    train_full_batch(
        X, Y, params, NET, learning_rate=0.1, iterations=7, cost_every=3, progress=steps.append
    )
    train_minibatch(
        X,
        Y,
        params,
        NET,
        learning_rate=0.1,
        iterations=5,
        batch_size=4,
        rng=np.random.default_rng(0),
        progress=steps.append,
    )
    assert sum(steps) == 12


def test_smoothing_is_the_trailing_mean_of_the_window() -> None:
    values = [4.0, 2.0, 6.0, 0.0, 8.0]
    expected = [4.0, 3.0, 4.0, 8 / 3, 14 / 3]
    np.testing.assert_allclose(smooth(values, 3), expected)
    np.testing.assert_allclose(smooth(values, 1), values)
    assert smooth(values, 10)[-1] == pytest.approx(4.0)
