"""A folder of class subfolders of images: PNGs the tests write come back as columns in [0, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reference.experiments import DataError, load_data, load_image_folder
from reference.experiments import image_folder as folders
from tests.experiment_files import (
    png_bytes,
    png_header_only,
    write_image_folder,
    write_png,
    write_tiff,
)


def test_pngs_of_the_target_size_read_back_exactly_as_columns(tmp_path: Path) -> None:
    written = write_image_folder(tmp_path, np.random.default_rng(0), per_class=5, size=(6, 4))
    data = load_image_folder(tmp_path, (6, 4))
    assert data.classes == ("left", "right")
    assert data.X_train.shape == (6 * 4 * 3, 8)
    assert data.X_test.shape == (6 * 4 * 3, 2)
    # examples in class then name order; every fifth (the 5th of each class here) is held out
    expected_train = [*written["left"][:4], *written["right"][:4]]
    for column, pixels in enumerate(expected_train):
        np.testing.assert_array_equal(
            data.X_train[:, column], pixels.reshape(-1) / 255, err_msg=f"column {column}"
        )
    np.testing.assert_array_equal(data.labels_train, [0, 0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(data.labels_test, [0, 1])


def test_images_of_other_sizes_and_grey_images_are_resized_to_rgb_columns(tmp_path: Path) -> None:
    write_png(tmp_path / "a" / "big.png", np.full((40, 30, 3), (200, 100, 0), dtype=np.uint8))
    write_png(tmp_path / "b" / "grey.png", np.full((3, 5), 51, dtype=np.uint8))
    data = load_image_folder(tmp_path, (8, 8))
    X = np.concatenate([data.X_train, data.X_test], axis=1)
    assert X.shape == (8 * 8 * 3, 2)
    pixels = X.T.reshape(2, 8, 8, 3)
    np.testing.assert_allclose(pixels[0], np.broadcast_to([200 / 255, 100 / 255, 0], (8, 8, 3)))
    np.testing.assert_allclose(pixels[1], np.full((8, 8, 3), 0.2))


def test_a_file_that_is_not_an_image_is_an_error_naming_it(tmp_path: Path) -> None:
    write_image_folder(tmp_path, np.random.default_rng(1), per_class=2)
    broken = tmp_path / "right" / "001.png"
    broken.write_bytes(png_bytes(np.zeros((4, 6, 3), dtype=np.uint8))[:30])
    with pytest.raises(DataError, match="not a readable image") as raised:
        load_image_folder(tmp_path, (6, 4))
    assert str(broken) in str(raised.value)


def test_a_folder_without_class_subfolders_is_an_error_saying_what_it_needs(
    tmp_path: Path,
) -> None:
    write_png(tmp_path / "lonely.png", np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(DataError, match="no class subfolders; expected one subfolder") as raised:
        load_data(tmp_path, (4, 4))
    assert str(tmp_path) in str(raised.value)


def test_a_class_folder_without_images_is_an_error_naming_it(tmp_path: Path) -> None:
    write_image_folder(tmp_path, np.random.default_rng(2), per_class=2)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images here")
    with pytest.raises(DataError, match="empty: no images"):
        load_image_folder(tmp_path, (6, 4))


def test_a_missing_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nowhere: no such file or folder"):
        load_data(tmp_path / "nowhere", (4, 4))
    (tmp_path / "file.png").write_bytes(b"")
    with pytest.raises(DataError, match=r"file\.png: expected a folder"):
        load_data(tmp_path / "file.png", (4, 4))


def _columns(data) -> np.ndarray:
    return np.concatenate([data.X_train, data.X_test], axis=1)


def test_16_bit_and_floating_point_images_are_scaled_by_their_own_range(tmp_path: Path) -> None:
    deep = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000  # up to 55,000 of 65,535
    unit = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    write_png(tmp_path / "a" / "deep.png", deep)
    write_tiff(tmp_path / "b" / "unit.tif", unit)
    pixels = _columns(load_image_folder(tmp_path, (4, 3))).T.reshape(2, 3, 4, 3)
    for channel in range(3):
        np.testing.assert_allclose(pixels[0, ..., channel], deep / 65535, rtol=1e-6)
        np.testing.assert_allclose(pixels[1, ..., channel], unit, rtol=1e-6)


def test_a_16_bit_image_resizes_to_what_its_8_bit_twin_resizes_to(tmp_path: Path) -> None:
    eight = np.random.default_rng(3).integers(0, 256, size=(12, 10), dtype=np.uint8)
    write_png(tmp_path / "a" / "eight.png", eight)
    write_png(tmp_path / "b" / "sixteen.png", eight.astype(np.uint16) * 257)  # 255 -> 65535
    pixels = _columns(load_image_folder(tmp_path, (5, 6))).T
    np.testing.assert_allclose(pixels[1], pixels[0], atol=1 / 255)  # 8-bit rounds once more


@pytest.mark.parametrize(
    ("values", "says"),
    [
        (np.full((2, 2), 3.5), "must lie in \\[0, 1\\]; these run from 3.5"),
        (np.full((2, 2), np.nan), "NaN"),
    ],
)
def test_floating_point_pixels_outside_0_1_are_an_error_naming_the_image(
    tmp_path: Path, values: np.ndarray, says: str
) -> None:
    write_image_folder(tmp_path, np.random.default_rng(4), per_class=2)
    odd = write_tiff(tmp_path / "left" / "odd.tif", values)
    with pytest.raises(DataError, match=says) as raised:
        load_image_folder(tmp_path, (6, 4))
    assert str(odd) in str(raised.value)


def test_an_image_name_whose_link_loops_is_an_error_naming_it(tmp_path: Path) -> None:
    write_image_folder(tmp_path, np.random.default_rng(5), per_class=2)
    loop = tmp_path / "left" / "loop.png"
    loop.symlink_to(loop.name)
    with pytest.raises(DataError, match="a symbolic link that cannot be followed") as raised:
        load_image_folder(tmp_path, (6, 4))
    assert str(loop) in str(raised.value)


def test_an_image_too_big_to_decode_is_refused_from_its_header(tmp_path: Path) -> None:
    write_image_folder(tmp_path, np.random.default_rng(6), per_class=2)
    huge = tmp_path / "right" / "huge.png"
    huge.write_bytes(png_header_only(10_000, 10_000))  # no pixels: decoding would fail
    with pytest.raises(DataError, match="10000x10000 pixels, 100,000,000; this reader") as raised:
        load_image_folder(tmp_path, (6, 4))
    assert str(huge) in str(raised.value)


def _gradient_photo(folder: Path, name: str, fmt: str) -> None:
    from PIL import Image

    rows, columns = np.mgrid[0:192, 0:256]
    pixels = np.stack([rows * 255 // 191, columns * 255 // 255, (rows + columns) // 2], axis=2)
    (folder / name).mkdir(parents=True)
    Image.fromarray(pixels.astype(np.uint8)).save(folder / name / f"photo.{fmt}", quality=95)


def test_a_jpeg_far_larger_than_the_target_is_decoded_reduced_to_nearly_the_same_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gradient_photo(tmp_path, "a", "jpg")
    _gradient_photo(tmp_path, "b", "png")
    jpeg, png = _columns(load_image_folder(tmp_path, (16, 12))).T
    np.testing.assert_allclose(jpeg, png, atol=0.03)
    # decoded at an eighth of 256x192, the JPEG stays within a limit its PNG twin exceeds
    monkeypatch.setattr(folders, "MAX_IMAGE_PIXELS", 32 * 24)
    folders.read_image(tmp_path / "a" / "photo.jpg", (16, 12))
    with pytest.raises(DataError, match="256x192 pixels"):
        folders.read_image(tmp_path / "b" / "photo.png", (16, 12))


def test_a_class_name_whose_link_loops_is_an_error_naming_it(tmp_path: Path) -> None:
    write_image_folder(tmp_path, np.random.default_rng(7), per_class=2)
    (tmp_path / "cats").symlink_to("cats")
    with pytest.raises(DataError, match="cats: a symbolic link that cannot be followed"):
        load_image_folder(tmp_path, (6, 4))


def test_a_folder_the_system_will_not_list_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_image_folder(tmp_path, np.random.default_rng(8), per_class=2)
    listed = Path.iterdir

    def iterdir(self: Path):  # as chmod 000 does for anyone but root
        if self.name == "right":
            raise PermissionError(13, "Permission denied", str(self))
        return listed(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(DataError, match="right: cannot be read \\(Permission denied\\)"):
        load_data(tmp_path, (6, 4))


def test_a_folder_of_more_images_than_memory_allows_is_refused_before_any_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_image_folder(tmp_path, np.random.default_rng(9), per_class=3)
    (tmp_path / "left" / "broken.png").write_bytes(b"not a png")  # never opened
    monkeypatch.setattr(folders, "MAX_COLUMN_BYTES", 6 * 4 * 3 * 8 * 6)  # room for 6 of 7
    with pytest.raises(DataError, match="7 images of 6x4 would take 4,032 bytes") as raised:
        load_image_folder(tmp_path, (6, 4))
    assert str(tmp_path) in str(raised.value)
