"""A folder of images with one subfolder per class, as columns of pixels in [0, 1].

``folder/cat/001.jpg``, ``folder/dog/001.png`` ...: the subfolders' names are the classes, in
sorted order. Each image is read with Pillow (PNG, JPEG, BMP, GIF, TIFF, WebP), scaled to [0, 1]
by its own range (0..255 for 8 bits a channel, 0..65535 for a 16-bit grey image, none for
floating point, which must lie in [0, 1] already), turned into RGB, resized to a fixed
``(width, height)`` and flattened row by row, channels last, into one column: the layout of the
course's ``reshape(m, -1).T``. An image's size is judged from its header, before it is
decoded: one of more than ``MAX_IMAGE_PIXELS`` is refused, and a JPEG much larger than the
target is decoded at a fraction of its size. Pillow is imported only here, when a folder is
read; it comes with matplotlib, or with the ``images`` extra.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reference.experiments.datasets import DataError, Dataset, refuse_broken_link, split_every

if TYPE_CHECKING:
    from types import ModuleType

    from PIL import Image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
PIXEL_LEVELS = 255
SIXTEEN_BIT_LEVELS = 65535
DEEP_MODES = ("I", "F")  # Pillow's single-channel 32-bit integer and float modes
# Pixels of one image as stored (after a JPEG's reduced decoding): a 32-megapixel photo. Its
# decoding and conversion then cost some 400 MB at most, where Pillow's own limit (179 million
# pixels, a decompression bomb) would let a 16-bit grey image cost gigabytes.
MAX_IMAGE_PIXELS = 1 << 25
# Bytes of a folder's columns (float64): 2 GiB, some 21,800 images at 64x64, where the course's
# comparison uses 100. The columns are filled in place, so the peak is not twice this.
MAX_COLUMN_BYTES = 1 << 31


def _pillow() -> ModuleType:
    try:
        from PIL import Image
    except ModuleNotFoundError:
        raise DataError(
            "reading a folder of images needs Pillow: pip install 'initgrade[images]'"
        ) from None
    return Image


def class_folders(folder: Path) -> list[Path]:
    """The class subfolders of ``folder``, sorted by name; hidden ones are left out, and a
    link that cannot be followed is an error naming it (it may have been meant for a class)."""
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder")
    shown = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for path in shown:
        refuse_broken_link(path)
    found = [path for path in shown if path.is_dir()]
    if not found:
        raise DataError(
            f"{folder}: no class subfolders; expected one subfolder of images per class"
            " (or MNIST's IDX files)"
        )
    return found


def image_files(class_folder: Path) -> list[Path]:
    """The images in one class folder, sorted by name; one named as an image whose link cannot
    be followed is an error naming it, as an unreadable image is."""
    found = []
    for path in sorted(class_folder.iterdir()):
        if path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith("."):
            refuse_broken_link(path)
            if path.is_file():
                found.append(path)
    if not found:
        raise DataError(f"{class_folder}: no images ({', '.join(IMAGE_SUFFIXES)})")
    return found


def _full_scale(image: Image.Image, path: Path) -> float:
    """The value of a white pixel in a single-channel image of more than 8 bits."""
    if image.mode.startswith("I;16") or (image.mode == "I" and image.format == "PNG"):
        return SIXTEEN_BIT_LEVELS  # Pillow before 10 opens a 16-bit PNG as mode "I"
    if image.mode == "F":
        return 1.0
    raise DataError(
        f"{path}: {image.mode} pixels (32-bit integers) have no range to scale from; save it"
        " with 8 or 16 bits a channel, or as floating point in [0, 1]"
    )


def _deep_pixels(image: Image.Image, size: tuple[int, int], path: Path) -> np.ndarray:
    """A single-channel image of 16-bit integers or floats as ``(height, width, 3)`` values
    in [0, 1], scaled by its own range before it is resized (in floating point)."""
    grey = np.array(image, dtype=np.float32)  # a copy, scaled in place: 4 bytes a pixel
    grey /= _full_scale(image, path)
    if not np.isfinite(grey).all():
        raise DataError(f"{path}: some pixels are not numbers (NaN or infinite)")
    if grey.min() < 0 or grey.max() > 1:
        raise DataError(
            f"{path}: floating-point pixels must lie in [0, 1]; these run from"
            f" {grey.min():.4g} to {grey.max():.4g}"
        )
    pillow = _pillow()
    unit = pillow.fromarray(grey)  # mode "F"
    if unit.size != size:
        unit = unit.resize(size, pillow.Resampling.BILINEAR)
    return np.repeat(np.asarray(unit, dtype=np.float64)[:, :, np.newaxis], 3, axis=2)


def _pixels(image: Image.Image, size: tuple[int, int], path: Path) -> np.ndarray:
    """``image`` as ``(height, width, 3)`` values in [0, 1]: 8-bit images through RGB, deeper
    single-channel ones (16-bit, 32-bit float) scaled by their own range."""
    if image.mode in DEEP_MODES or image.mode.startswith("I;16"):
        return _deep_pixels(image, size, path)
    rgb = image.convert("RGB")
    if rgb.size != size:
        rgb = rgb.resize(size, _pillow().Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.float64) / PIXEL_LEVELS


def _require_size(image: Image.Image, size: tuple[int, int], path: Path) -> None:
    """Before decoding: let a JPEG decode at 1/2, 1/4 or 1/8 of its size when that is still at
    least ``size``, then refuse an image of more than ``MAX_IMAGE_PIXELS``."""
    image.draft(None, size)
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise DataError(
            f"{path}: {width}x{height} pixels, {width * height:,}; this reader takes images of"
            f" at most {MAX_IMAGE_PIXELS:,} pixels (they are resized to {size[0]}x{size[1]})"
        )


def read_image(path: Path, size: tuple[int, int]) -> np.ndarray:
    """One image as a flat row of ``height * width * 3`` values in [0, 1]."""
    Image = _pillow()
    try:
        with warnings.catch_warnings():
            # Pillow warns of images above half its own limit; this reader refuses them
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                _require_size(image, size, path)
                pixels = _pixels(image, size, path)
    except DataError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise DataError(f"{path}: not a readable image ({error})") from None
    return pixels.reshape(-1)


def _require_room(folder: Path, count: int, size: tuple[int, int]) -> None:
    """Refuse, before any image is read, a folder whose columns would pass ``MAX_COLUMN_BYTES``."""
    nbytes = count * size[0] * size[1] * 3 * np.dtype(np.float64).itemsize
    if nbytes > MAX_COLUMN_BYTES:
        raise DataError(
            f"{folder}: {count:,} images of {size[0]}x{size[1]} would take {nbytes:,} bytes as"
            f" columns; this reader takes at most {MAX_COLUMN_BYTES:,} (use fewer images)"
        )


def load_image_folder(folder: Path, size: tuple[int, int]) -> Dataset:
    """Every image under ``folder``'s class subfolders, resized to ``size`` (width, height);
    every fifth image of each class, in name order, is held out for testing. The columns are
    counted, and their room taken, before the first image is read."""
    folders = class_folders(folder)
    found = [(label, path) for label, cf in enumerate(folders) for path in image_files(cf)]
    _require_room(folder, len(found), size)
    X = np.empty((size[0] * size[1] * 3, len(found)))
    for column, (_, path) in enumerate(found):
        X[:, column] = read_image(path, size)
    name = f"images ({folder}, {size[0]}x{size[1]})"
    labels = np.asarray([label for label, _ in found])
    return split_every(name, X, labels, [p.name for p in folders])
