"""The experiments' data: a labelled set of images as columns, the bundled digits, and any of
the loaders chosen by what a folder holds.

A ``Dataset`` holds pixels scaled to [0, 1], one example per column (``X`` of shape ``(n_x, m)``),
with integer labels ``0 .. k - 1`` and the class names. The bundled default is the 8x8 digits of
``data/digits.npz`` (CC BY 4.0; ``data/DIGITS.md`` gives the source); where a set has no test
split of its own, every ``HOLD_OUT``-th example of each class is held out, so the split needs no
generator and is the same for every seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
DIGITS_FILE = DATA / "digits.npz"
DIGITS_SHA256 = "b2dab7b501728c22e9119ad76740b2e17c77a231e42d1e592380d90886f1a05e"
DIGITS_LEVELS = 16  # each pixel counts the set bits of a 4x4 block: 0 .. 16
HOLD_OUT = 5  # every fifth example of each class is held out where a set has no test split


class DataError(ValueError):
    """A data file or folder that is missing or cannot be read; the message names it."""


@dataclass(frozen=True)
class Dataset:
    """Training and test examples as columns in [0, 1], integer labels, and the class names."""

    name: str
    X_train: np.ndarray
    labels_train: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray
    classes: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[0])

    def describe(self) -> str:
        """One line: the name, then how many examples, features and classes."""
        return (
            f"{self.name}: {self.labels_train.size} training and {self.labels_test.size} test"
            f" examples of {self.n_features} features, {len(self.classes)} classes"
        )


def rank_within_class(labels: np.ndarray) -> np.ndarray:
    """Each example's place among the examples of its class, in order: 0, 1, 2, ..."""
    rank = np.zeros(labels.size, dtype=np.int64)
    for label in np.unique(labels):
        rank[labels == label] = np.arange(np.sum(labels == label))
    return rank


def split_every(
    name: str, X: np.ndarray, labels: np.ndarray, classes: Sequence[str], every: int = HOLD_OUT
) -> Dataset:
    """A ``Dataset`` that holds out the ``every``-th, ``2 every``-th, ... example of each class
    (in the given order) for testing: a stratified split that needs no generator."""
    test = rank_within_class(labels) % every == every - 1
    return Dataset(name, X[:, ~test], labels[~test], X[:, test], labels[test], tuple(classes))


def refuse_broken_link(path: Path) -> None:
    """A ``DataError`` when ``path`` is a symbolic link that cannot be followed (it loops, or
    its target is gone), so that it is named as such rather than taken for a missing file."""
    if not path.is_symlink():
        return
    try:
        path.stat()
    except OSError as error:
        raise DataError(
            f"{path}: a symbolic link that cannot be followed ({error.strerror or error})"
        ) from None


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_digits(path: Path = DIGITS_FILE) -> tuple[np.ndarray, np.ndarray]:
    """The bundled 8x8 digits as stored: ``images`` (1797, 8, 8) and ``labels`` (1797,), uint8."""
    if not path.is_file():
        raise DataError(f"{path}: the bundled digits are missing; reinstall initgrade")
    if sha256_of(path) != DIGITS_SHA256:
        raise DataError(f"{path}: the bundled digits are damaged (their SHA-256 differs)")
    with np.load(path, allow_pickle=False) as stored:
        return stored["images"], stored["labels"]


def load_digits() -> Dataset:
    """The 1,797 bundled digits, 10 classes, pixels scaled to [0, 1]; a fifth held out."""
    images, labels = read_digits()
    X = images.reshape(len(images), -1).T / DIGITS_LEVELS
    return split_every("8x8 digits", X, labels.astype(np.int64), [str(d) for d in range(10)])


def _pick(
    X: np.ndarray, labels: np.ndarray, chosen: Sequence[int], balanced: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The examples of the ``chosen`` classes, relabelled by their place in ``chosen``; with
    ``balanced``, only the first ``n`` of each class, ``n`` the smallest class's count."""
    keep = np.isin(labels, chosen)
    if balanced:
        keep &= rank_within_class(labels) < min(int(np.sum(labels == c)) for c in chosen)
    return X[:, keep], np.searchsorted(np.asarray(chosen), labels[keep])


def _require_examples_of(dataset: Dataset, indices: Sequence[int]) -> None:
    """Refuse a balanced choice of classes one of which has no training examples: it would
    keep none of any class."""
    absent = [i for i in indices if not np.any(dataset.labels_train == i)]
    if absent:
        present = ", ".join(dataset.classes[i] for i in np.unique(dataset.labels_train))
        chosen = ", ".join(dataset.classes[i] for i in indices)
        raise DataError(
            f"{dataset.name}: no training examples of class {dataset.classes[absent[0]]}, one"
            f" of the classes chosen ({chosen}); its training examples are of"
            f" {present or 'no class'}"
        )


def select_classes(dataset: Dataset, chosen: Sequence[str], balanced: bool = False) -> Dataset:
    """Only the examples of the ``chosen`` classes, relabelled ``0 .. len(chosen) - 1`` in the
    order of ``dataset.classes``; with ``balanced``, as many of each class (in training and
    in test), the first ones of each in the set's order."""
    unknown = [name for name in chosen if name not in dataset.classes]
    if unknown:
        raise DataError(f"{dataset.name} has no class {unknown[0]!r}; it has {dataset.classes}")
    indices = sorted(dataset.classes.index(name) for name in chosen)
    if balanced:
        _require_examples_of(dataset, indices)
    X_train, labels_train = _pick(dataset.X_train, dataset.labels_train, indices, balanced)
    X_test, labels_test = _pick(dataset.X_test, dataset.labels_test, indices, balanced)
    names = tuple(dataset.classes[i] for i in indices)
    return Dataset(
        f"{dataset.name}, classes {' and '.join(names)}",
        X_train,
        labels_train,
        X_test,
        labels_test,
        names,
    )
