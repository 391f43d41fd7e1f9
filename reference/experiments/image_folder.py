"""A folder of images with one subfolder per class, as columns of pixels in [0, 1].

``folder/cat/001.jpg``, ``folder/dog/001.png`` ...: the subfolders' names are the classes, in
sorted order. Each image is read with Pillow (PNG, JPEG, BMP, GIF, TIFF, WebP), turned into RGB,
resized to a fixed ``(width, height)``, scaled from 0..255 to [0, 1] and flattened row by row,
channels last, into one column: the layout of the course's ``reshape(m, -1).T``. Pillow is
imported only here, when a folder is read; it comes with matplotlib, or with the ``images``
extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reference.experiments.datasets import DataError, Dataset, split_every

if TYPE_CHECKING:
    from types import ModuleType

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
PIXEL_LEVELS = 255


def _pillow() -> ModuleType:
    try:
        from PIL import Image
    except ModuleNotFoundError:
        raise DataError(
            "reading a folder of images needs Pillow: pip install 'initgrade[images]'"
        ) from None
    return Image


def class_folders(folder: Path) -> list[Path]:
    """The class subfolders of ``folder``, sorted by name; hidden ones are left out."""
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder")
    found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not found:
        raise DataError(
            f"{folder}: no class subfolders; expected one subfolder of images per class"
            " (or MNIST's IDX files)"
        )
    return found


def image_files(class_folder: Path) -> list[Path]:
    """The images in one class folder, sorted by name."""
    found = sorted(
        p
        for p in class_folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )
    if not found:
        raise DataError(f"{class_folder}: no images ({', '.join(IMAGE_SUFFIXES)})")
    return found


def read_image(path: Path, size: tuple[int, int]) -> np.ndarray:
    """One image as a flat row of ``height * width * 3`` values in [0, 1]."""
    Image = _pillow()
    try:
        with Image.open(path) as image:
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise DataError(f"{path}: not a readable image ({error})") from None
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.BILINEAR)
    pixels: np.ndarray = np.asarray(rgb, dtype=np.float64).reshape(-1) / PIXEL_LEVELS
    return pixels


def load_image_folder(folder: Path, size: tuple[int, int]) -> Dataset:
    """Every image under ``folder``'s class subfolders, resized to ``size`` (width, height);
    every fifth image of each class, in name order, is held out for testing."""
    columns, labels = [], []
    folders = class_folders(folder)
    for label, class_folder in enumerate(folders):
        for path in image_files(class_folder):
            columns.append(read_image(path, size))
            labels.append(label)
    name = f"images ({folder}, {size[0]}x{size[1]})"
    classes = [p.name for p in folders]
    return split_every(name, np.stack(columns, axis=1), np.asarray(labels), classes)
