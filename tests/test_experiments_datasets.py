"""The bundled 8x8 digits, their split, and the choice of classes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from reference.experiments import DataError, Dataset, load_digits, select_classes
from reference.experiments.datasets import (
    DIGITS_FILE,
    DIGITS_SHA256,
    read_digits,
    split_every,
)

# The UCI optical-recognition test set (optdigits.tes): 1,797 images, this many of each digit.
PUBLISHED_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_the_bundled_digits_file_has_its_recorded_checksum() -> None:
    assert hashlib.sha256(DIGITS_FILE.read_bytes()).hexdigest() == DIGITS_SHA256


def test_the_bundled_digits_are_the_published_set_and_its_licence_sits_beside_them() -> None:
    images, labels = read_digits()
    assert images.shape == (1797, 8, 8)
    assert images.dtype == labels.dtype == np.uint8
    assert int(images.min()) == 0
    assert int(images.max()) == 16
    assert np.bincount(labels).tolist() == PUBLISHED_CLASS_COUNTS
    notice = (DIGITS_FILE.parent / "DIGITS.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice
    assert "Alpaydin" in notice


def test_a_damaged_or_missing_digits_file_is_an_error_naming_it(tmp_path: Path) -> None:
    stored = bytearray(DIGITS_FILE.read_bytes())
    stored[len(stored) // 2] ^= 0xFF
    damaged = tmp_path / "digits.npz"
    damaged.write_bytes(bytes(stored))
    with pytest.raises(DataError, match="damaged") as raised:
        read_digits(damaged)
    assert str(damaged) in str(raised.value)
    with pytest.raises(DataError, match="missing"):
        read_digits(tmp_path / "gone.npz")


def test_load_digits_gives_columns_in_0_1_and_holds_out_every_fifth_of_each_class() -> None:
    data = load_digits()
    assert data.X_train.shape == (64, 1442)
    assert data.X_test.shape == (64, 355)
    assert np.bincount(data.labels_test).tolist() == [n // 5 for n in PUBLISHED_CLASS_COUNTS]
    images, labels = read_digits()
    fifth_zero = np.flatnonzero(labels == 0)[4]
    np.testing.assert_array_equal(
        data.X_test[:, data.labels_test == 0][:, 0],
        images[fifth_zero].reshape(-1) / 16,
        err_msg="the fifth 0",
    )
    assert data.X_train.min() >= 0.0
    assert data.X_train.max() <= 1.0


def test_split_every_holds_out_every_fifth_example_of_each_class() -> None:
    labels = np.array([0, 1] * 6)
    data = split_every("n", np.arange(12.0).reshape(1, 12), labels, ["a", "b"], every=5)
    assert data.X_test.tolist() == [[8.0, 9.0]]
    assert data.labels_train.tolist() == [0, 1] * 4 + [0, 1]


def test_two_chosen_classes_are_relabelled_0_and_1_and_balanced_on_request() -> None:
    digits = load_digits()
    pair = select_classes(digits, ["8", "3"], balanced=True)
    assert pair.classes == ("3", "8")
    assert np.bincount(pair.labels_train).tolist() == [140, 140]
    assert np.bincount(pair.labels_test).tolist() == [34, 34]
    threes = digits.X_train[:, digits.labels_train == 3]
    np.testing.assert_array_equal(pair.X_train[:, pair.labels_train == 0], threes[:, :140])
    unbalanced = select_classes(digits, ["3", "8"])
    assert np.bincount(unbalanced.labels_train).tolist() == [147, 140]


def test_an_unknown_class_is_an_error_naming_the_classes_there_are() -> None:
    with pytest.raises(DataError, match="no class 'cat'"):
        select_classes(load_digits(), ["3", "cat"])


def test_a_balanced_choice_of_a_class_without_training_examples_names_that_class() -> None:
    labels = np.array([1, 2, 1, 2])  # classes "5" and "8" only
    X = np.zeros((3, 4))
    data = Dataset("some digits", X, labels, X, labels, ("3", "5", "8"))
    with pytest.raises(
        DataError, match=r"some digits: no training examples of class 3, one of the classes"
    ):
        select_classes(data, ["3", "8"], balanced=True)
