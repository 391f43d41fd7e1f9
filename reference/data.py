"""The exercise's data set: two noisy concentric circles, one class each.

The course draws its points with scikit-learn's ``make_circles(n, noise=0.05)`` from numpy's
global generator, seeded with 1 for the training set and 2 for the test set. This module
reproduces those points bit for bit with numpy alone and draws from its own
``np.random.RandomState`` (the same stream as the seeded global one), so loading the data
leaves the caller's global random state as it was and draws no figure.
"""

from __future__ import annotations

import numpy as np

TRAIN_SEED = 1
TEST_SEED = 2
TRAIN_SIZE = 300
TEST_SIZE = 100
NOISE = 0.05
FACTOR = 0.8


def make_circles(
    n_samples: int,
    noise: float,
    random_state: np.random.RandomState,
    factor: float = FACTOR,
) -> tuple[np.ndarray, np.ndarray]:
    """Points on a circle of radius 1 (label 0) and one of radius ``factor`` (label 1).

    Returns ``X`` of shape ``(n_samples, 2)`` and integer labels ``y`` of shape ``(n_samples,)``,
    the same values as ``sklearn.datasets.make_circles`` with ``shuffle=True`` given the same
    generator: the outer circle holds ``n_samples // 2`` evenly spaced points and comes first,
    then the rows are permuted with ``random_state.shuffle`` and Gaussian noise is added.
    """
    n_out = n_samples // 2
    n_in = n_samples - n_out
    angles_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angles_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    xs = np.append(np.cos(angles_out), np.cos(angles_in) * factor)
    ys = np.append(np.sin(angles_out), np.sin(angles_in) * factor)
    X = np.vstack([xs, ys]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])

    order = np.arange(n_samples)
    random_state.shuffle(order)
    X, y = X[order], y[order]
    X += random_state.normal(scale=noise, size=X.shape)
    return X, y


def _course_split(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One split in the course's layout: ``X`` of shape ``(2, m)`` and ``Y`` of shape ``(1, m)``."""
    X, y = make_circles(n_samples, NOISE, np.random.RandomState(seed))
    return X.T, y.reshape((1, n_samples))


def load_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's ``(train_X, train_Y, test_X, test_Y)``: 300 training and 100 test points."""
    train_X, train_Y = _course_split(TRAIN_SIZE, TRAIN_SEED)
    test_X, test_Y = _course_split(TEST_SIZE, TEST_SEED)
    return train_X, train_Y, test_X, test_Y
