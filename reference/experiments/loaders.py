"""One door for a user's data: a folder of MNIST's IDX files or of class subfolders of images."""

from __future__ import annotations

import os
from pathlib import Path

from reference.experiments.datasets import DataError, Dataset, refuse_broken_link
from reference.experiments.image_folder import load_image_folder
from reference.experiments.mnist import has_mnist, load_mnist


def load_data(path: Path, image_size: tuple[int, int]) -> Dataset:
    """What ``path`` holds: MNIST's IDX files, or a folder with one subfolder of images per
    class (each image resized to ``image_size``, width by height). What the system refuses
    (a folder that cannot be listed, a file that cannot be opened) is a ``DataError`` naming
    the file or folder, as every other fault of the data is."""
    try:
        return _load(path, image_size)
    except OSError as error:
        where = os.fsdecode(error.filename) if error.filename is not None else str(path)
        raise DataError(f"{where}: cannot be read ({error.strerror or error})") from None


def _load(path: Path, image_size: tuple[int, int]) -> Dataset:
    refuse_broken_link(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if not path.is_dir():
        raise DataError(f"{path}: expected a folder of MNIST's IDX files or of class subfolders")
    if has_mnist(path):
        return load_mnist(path)
    return load_image_folder(path, image_size)
