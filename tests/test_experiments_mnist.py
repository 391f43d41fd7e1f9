"""MNIST from a folder of IDX files, and its download, on small files the tests write."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from reference.experiments import DataError, fetch_mnist, load_data, load_mnist
from reference.experiments.mnist import MNIST_SHA256, PARTS
from tests.experiment_files import MNIST_STEMS, idx_bytes, idx_header, write_idx, write_mnist


def test_a_folder_of_gzipped_idx_files_loads_as_columns_of_pixels_in_0_1(tmp_path: Path) -> None:
    written = write_mnist(tmp_path, np.random.default_rng(0), sizes=(30, 10))
    data = load_mnist(tmp_path)
    assert data.X_train.shape == (784, 30)
    assert data.X_test.shape == (784, 10)
    first = written["train_images"][0].reshape(-1) / 255
    np.testing.assert_array_equal(data.X_train[:, 0], first, err_msg="first training image")
    np.testing.assert_array_equal(data.labels_test, written["test_labels"], err_msg="labels")
    assert data.classes == tuple("0123456789")


def test_plain_and_dotted_file_names_are_found_too(tmp_path: Path) -> None:
    written = write_mnist(tmp_path, np.random.default_rng(1), sizes=(8, 4), compress=False)
    for stem in PARTS.values():
        (tmp_path / stem).rename(tmp_path / stem.replace("-idx", ".idx"))
    data = load_data(tmp_path, (8, 8))
    np.testing.assert_array_equal(data.labels_train, written["train_labels"], err_msg="labels")


def test_a_missing_part_is_an_error_naming_it_and_what_the_folder_needs(tmp_path: Path) -> None:
    write_mnist(tmp_path, np.random.default_rng(2), sizes=(8, 4))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\(\.gz\): the MNIST test labels"):
        load_mnist(tmp_path)


def test_labels_that_do_not_match_the_images_are_an_error_naming_the_file(tmp_path: Path) -> None:
    write_mnist(tmp_path, np.random.default_rng(3), sizes=(8, 4))
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(labels, np.zeros(7, dtype=np.uint8), compress=True)
    with pytest.raises(DataError, match="7 labels for the 8 images") as raised:
        load_mnist(tmp_path)
    assert str(labels) in str(raised.value)


def test_a_corrupt_image_file_is_an_error_naming_it(tmp_path: Path) -> None:
    write_mnist(tmp_path, np.random.default_rng(4), sizes=(8, 4), compress=False)
    images = tmp_path / MNIST_STEMS["train"][0]
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(DataError, match="truncated or damaged") as raised:
        load_mnist(tmp_path)
    assert str(images) in str(raised.value)


def _mirror(folder: Path, rng: np.random.Generator) -> tuple[str, dict[str, str]]:
    """A local mirror (a file:// URL) of MNIST-like files, and their SHA-256."""
    write_mnist(folder, rng, sizes=(6, 3))
    checksums = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.glob("*.gz")
    }
    return folder.as_uri() + "/", checksums


def test_fetching_downloads_the_missing_files_and_checks_them(tmp_path: Path) -> None:
    mirror, checksums = _mirror(tmp_path / "mirror", np.random.default_rng(5))
    target = tmp_path / "mnist"
    fetched = fetch_mnist(target, mirror, checksums)
    assert sorted(path.name for path in fetched) == sorted(checksums)
    assert load_mnist(target).X_train.shape == (784, 6)
    assert fetch_mnist(target, mirror, checksums) == []  # nothing is fetched twice


def test_a_download_with_the_wrong_checksum_is_refused_and_not_kept(tmp_path: Path) -> None:
    mirror, checksums = _mirror(tmp_path / "mirror", np.random.default_rng(6))
    checksums["train-labels-idx1-ubyte.gz"] = "0" * 64
    target = tmp_path / "mnist"
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: the download's SHA-256"):
        fetch_mnist(target, mirror, checksums)
    assert sorted(path.name for path in target.iterdir()) == ["train-images-idx3-ubyte.gz"]


def test_a_download_that_fails_is_an_error_naming_the_address(tmp_path: Path) -> None:
    empty = (tmp_path / "empty").as_uri() + "/"
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: could not be downloaded"):
        fetch_mnist(tmp_path / "mnist", empty)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_the_published_checksums_cover_the_four_compressed_files() -> None:
    assert sorted(MNIST_SHA256) == sorted(f"{stem}.gz" for stem in PARTS.values())
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in MNIST_SHA256.values())


def test_idx_bytes_of_the_right_kind_but_the_wrong_rank_are_refused(tmp_path: Path) -> None:
    write_mnist(tmp_path, np.random.default_rng(7), sizes=(8, 4), compress=False)
    flat = tmp_path / MNIST_STEMS["test"][0]
    flat.write_bytes(idx_bytes(np.zeros((4, 784), dtype=np.uint8)))
    with pytest.raises(DataError, match="expected 3-D unsigned bytes"):
        load_mnist(tmp_path)


def test_a_download_folder_that_cannot_be_made_is_an_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    with pytest.raises(DataError, match="cannot hold MNIST's files") as raised:
        fetch_mnist(blocker / "mnist", tmp_path.as_uri() + "/")
    assert str(blocker / "mnist") in str(raised.value)


@pytest.mark.parametrize("label", [10, -1])
def test_a_label_that_is_not_a_digit_is_an_error_naming_the_file(
    tmp_path: Path, label: int
) -> None:
    write_mnist(tmp_path, np.random.default_rng(8), sizes=(8, 4))
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(labels, np.array([1, 2, label, 3, 4, 5, 6, 7], dtype=np.int32), compress=True)
    with pytest.raises(DataError, match=f"a label of {label}; digits are 0 to 9") as raised:
        load_mnist(tmp_path)
    assert str(labels) in str(raised.value)


@pytest.mark.parametrize(
    ("split", "shape", "says"),
    [
        ("train", (0, 28, 28), "holds no images"),
        ("test", (0, 28, 28), "holds no images"),
        ("train", (0, 2**32 - 1, 2**32 - 1), "holds no images"),
        ("train", (8, 0, 0), "images of 0x0 pixels"),
        ("test", (4, 600, 600), "images of 600x600 pixels; the experiments take 1 to 4,096"),
    ],
)
def test_images_that_are_none_empty_or_too_big_are_refused_from_the_header_alone(
    tmp_path: Path, split: str, shape: tuple[int, ...], says: str
) -> None:
    write_mnist(tmp_path, np.random.default_rng(9), sizes=(8, 4), compress=False)
    images = tmp_path / MNIST_STEMS[split][0]
    images.write_bytes(idx_header(np.uint8, shape))  # no pixels follow: none are read
    with pytest.raises(DataError, match=says) as raised:
        load_mnist(tmp_path)
    assert str(images) in str(raised.value)


@pytest.mark.parametrize(
    ("labels", "says"),
    [
        (np.arange(8, dtype=np.uint8).reshape(8, 1), r"labels must be 1-D, one per image"),
        (np.array([0, 1, 2, 3, 4, 5, 6, np.nan], np.float32), "labels must be whole numbers"),
        (np.full(8, 3.7, np.float32), "labels must be whole numbers"),
    ],
)
def test_labels_that_are_not_one_whole_number_per_image_are_an_error_naming_the_file(
    tmp_path: Path, labels: np.ndarray, says: str
) -> None:
    write_mnist(tmp_path, np.random.default_rng(10), sizes=(8, 4), compress=False)
    path = write_idx(tmp_path / MNIST_STEMS["train"][1], labels)
    with pytest.raises(DataError, match=says) as raised:
        load_mnist(tmp_path)
    assert str(path) in str(raised.value)


def test_a_part_that_is_a_looping_link_is_named_as_such_not_as_missing(tmp_path: Path) -> None:
    write_mnist(tmp_path, np.random.default_rng(11), sizes=(8, 4), compress=False)
    images = tmp_path / MNIST_STEMS["train"][0]
    images.unlink()
    images.symlink_to(images.name)
    with pytest.raises(DataError, match="a symbolic link that cannot be followed") as raised:
        load_data(tmp_path, (8, 8))
    assert str(images) in str(raised.value)
