"""The circles data set: the same points as the course's scikit-learn call, and no side effects."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest

from reference import load_dataset, make_circles

# The course's call: sklearn.datasets.make_circles(n_samples=..., noise=.05) with numpy's global
# generator seeded by np.random.seed(1) for the training set and np.random.seed(2) for the test set.
COURSE_SPLITS = {"train": (300, 1), "test": (100, 2)}
NOISE, FACTOR = 0.05, 0.8


@pytest.fixture
def global_rng_restored() -> Iterator[None]:
    """Let a test reseed numpy's global generator; put the caller's state back afterwards."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def circles_from_global_seed(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """make_circles written another way: radii per point, angles as multiples of a step.

    ``linspace(0, 2*pi, n, endpoint=False)`` is ``arange(n) * (2*pi / n)``, the shuffle of
    ``arange(n)`` is ``permutation(n)``, and both draw from the global generator, as the course's
    call did.
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    angles = np.concatenate(
        [np.arange(n_out) * (2 * np.pi / n_out), np.arange(n_in) * (2 * np.pi / n_in)]
    )
    radii = np.concatenate([np.ones(n_out), np.full(n_in, FACTOR)])
    points = np.column_stack([np.cos(angles) * radii, np.sin(angles) * radii])
    np.random.seed(seed)
    order = np.random.permutation(n_samples)
    points = points[order] + np.random.normal(0.0, NOISE, size=(n_samples, 2))
    labels = (radii[order] == FACTOR).astype(int)
    return points.T, labels.reshape(1, n_samples)


@pytest.mark.usefixtures("global_rng_restored")
def test_load_dataset_matches_make_circles_from_the_seeded_global_generator() -> None:
    train_X, train_Y, test_X, test_Y = load_dataset()
    got = {"train": (train_X, train_Y), "test": (test_X, test_Y)}
    for split, (n_samples, seed) in COURSE_SPLITS.items():
        X, Y = circles_from_global_seed(n_samples, seed)
        np.testing.assert_array_equal(got[split][0], X, err_msg=f"{split}_X")
        np.testing.assert_array_equal(got[split][1], Y, err_msg=f"{split}_Y")


def test_load_dataset_has_the_course_shapes_and_dtypes() -> None:
    train_X, train_Y, test_X, test_Y = load_dataset()
    assert train_X.shape == (2, 300)
    assert train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100)
    assert test_Y.shape == (1, 100)
    assert train_X.dtype == np.float64
    assert test_X.dtype == np.float64
    assert np.issubdtype(train_Y.dtype, np.integer)
    assert np.issubdtype(test_Y.dtype, np.integer)


def test_labels_are_0_and_1_in_equal_numbers() -> None:
    _, train_Y, _, test_Y = load_dataset()
    for name, Y in (("train", train_Y), ("test", test_Y)):
        assert set(np.unique(Y)) == {0, 1}, name
        assert 2 * int(Y.sum()) == Y.size, name


def test_load_dataset_leaves_the_global_random_state_untouched() -> None:
    before = np.random.get_state()
    load_dataset()
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(after[1], before[1], err_msg="Mersenne Twister key")
    assert before[2:] == after[2:]


def test_load_dataset_draws_no_figure() -> None:
    before = plt.get_fignums()
    load_dataset()
    assert plt.get_fignums() == before


def test_load_dataset_gives_the_same_points_on_every_call() -> None:
    first, second = load_dataset(), load_dataset()
    for name, a, b in zip(("train_X", "train_Y", "test_X", "test_Y"), first, second, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_without_noise_the_points_lie_on_the_two_circles() -> None:
    X, y = make_circles(51, noise=0.0, random_state=np.random.RandomState(0))
    radii = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radii[y == 0], 1.0, rtol=1e-12, err_msg="outer circle")
    np.testing.assert_allclose(radii[y == 1], FACTOR, rtol=1e-12, err_msg="inner circle")


def test_an_odd_number_of_points_puts_the_extra_one_on_the_inner_circle() -> None:
    _, y = make_circles(7, noise=NOISE, random_state=np.random.RandomState(0))
    assert (int((y == 0).sum()), int((y == 1).sum())) == (3, 4)


def test_make_circles_returns_rows_of_points_and_integer_labels() -> None:
    X, y = make_circles(10, noise=NOISE, random_state=np.random.RandomState(0), factor=0.5)
    assert X.shape == (10, 2)
    assert y.shape == (10,)
    assert np.issubdtype(y.dtype, np.integer)
