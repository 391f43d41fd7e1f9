"""The IDX reader: bytes a test writes come back; a bad file is an error naming it."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reference.experiments import DataError, read_idx
from reference.experiments.idx import IdxHeader
from tests.experiment_files import IDX_CODES, idx_bytes, idx_header, write_idx


@given(
    array=hnp.arrays(
        dtype=st.sampled_from(sorted(IDX_CODES, key=str)),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5),
    ),
    compress=st.booleans(),
)
def test_an_idx_file_reads_back_the_array_that_was_written(
    tmp_path_factory: pytest.TempPathFactory, array: np.ndarray, compress: bool
) -> None:
    path = write_idx(tmp_path_factory.mktemp("idx") / "data.idx", array, compress)
    read = read_idx(path)
    assert read.dtype == array.dtype
    assert read.dtype.isnative
    np.testing.assert_array_equal(read, array, err_msg=str(path))


def test_mnist_style_bytes_read_as_images_of_unsigned_bytes(tmp_path: Path) -> None:
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    data = bytes([0, 0, 0x08, 3]) + (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(data + images.tobytes())
    np.testing.assert_array_equal(read_idx(path), images, err_msg="28x28 images")


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "t10k-labels-idx1-ubyte"
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: no such file"):
        read_idx(path)


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda data: data[:-3], "truncated or damaged"),
        (lambda data: data + b"\x00", "damaged or not IDX"),
        (lambda data: b"\x01" + data[1:], "not an IDX file"),
        (lambda data: data[:2] + b"\x07" + data[3:], "unknown IDX element type 0x07"),
        (lambda data: data[:6], "header is cut short"),
        (lambda data: b"", "not an IDX file"),
    ],
)
def test_a_damaged_idx_file_is_an_error_naming_the_file_and_the_damage(
    tmp_path: Path, damage, says: str
) -> None:
    path = tmp_path / "labels.idx"
    path.write_bytes(damage(idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))))
    with pytest.raises(DataError, match=says) as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


def test_a_damaged_gzip_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(50, dtype=np.uint8)))[:-10])
    with pytest.raises(DataError, match="damaged gzip") as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (idx_header(np.uint8, (0, 2**32 - 1, 2**32 - 1)), "counting its sizes of 0 as 1"),
        (idx_header(np.uint8, (10**9, 28, 28)), "784,000,000,000 bytes"),
        (idx_header(np.float64, (2**32 - 1,)), "reader takes at most"),
        (b"\x00\x00\x08\x00", "gives 0 dimensions"),
    ],
)
def test_a_header_announcing_no_dimensions_or_too_big_an_array_is_an_error_naming_the_file(
    tmp_path: Path, header: bytes, says: str
) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(header)
    with pytest.raises(DataError, match=says) as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


def test_the_header_is_shown_to_the_caller_before_any_element_is_read(tmp_path: Path) -> None:
    path = tmp_path / "images.idx"
    path.write_bytes(idx_header(np.uint8, (3, 600, 600)))  # the header alone: no elements

    def refuse(header: IdxHeader) -> None:
        raise DataError(f"refused {header.shape}")

    with pytest.raises(DataError, match=r"refused \(3, 600, 600\)"):
        read_idx(path, refuse)


def _peak_bytes_while_refused(path: Path, says: str) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=says):
            read_idx(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_file_is_decompressed_no_further_than_its_header_announces(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    member = gzip.compress(bytes(1 << 20))  # 1 MiB of zeros in about a kilobyte
    path.write_bytes(gzip.compress(idx_header(np.uint8, (2, 3, 4)) + bytes(24)) + member * 256)
    # all of it would be 256 MiB; the reader may stop one byte past the 24 announced
    assert _peak_bytes_while_refused(path, "decompresses to more bytes") < 8 << 20


def test_a_plain_file_longer_than_its_header_announces_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    with path.open("wb") as stream:
        stream.write(idx_header(np.uint8, (2, 3, 4)) + bytes(24))
        stream.truncate(256 << 20)  # sparse: nothing of it is written to disk
    assert _peak_bytes_while_refused(path, f"{256 << 20} bytes, but its header") < 8 << 20
