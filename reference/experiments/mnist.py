"""MNIST from a folder of its four IDX files, and, when asked, their download with a checksum.

The folder holds the training and test images and labels under their distributed names
(``train-images-idx3-ubyte`` and so on), each gzip-compressed (``.gz``) or not; the dotted names
some copies use (``train-images.idx3-ubyte``) are found too. Pixels are scaled from 0..255 to
[0, 1] and each image becomes a column of 784 values, row by row. Each file's header is judged
before its data is read: images must be unsigned bytes of at most ``MAX_PIXELS`` (64x64) pixels,
labels whole numbers, one per image.

``fetch_mnist`` downloads the missing files from a mirror, keeping a file only when its SHA-256
is the published one; nothing runs it unless a user asks (``--download``).
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from reference.experiments.datasets import DataError, Dataset, refuse_broken_link, sha256_of
from reference.experiments.idx import IdxHeader, read_idx

PARTS = {
    "train images": "train-images-idx3-ubyte",
    "train labels": "train-labels-idx1-ubyte",
    "test images": "t10k-images-idx3-ubyte",
    "test labels": "t10k-labels-idx1-ubyte",
}
MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_SHA256 = {  # the published checksums of the four compressed files
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
}
PIXEL_LEVELS = 255
N_CLASSES = 10
# Pixels of one image: as many as the 64x64 a folder's images are resized to. MNIST's have
# 28x28; a net's first layer has this many weights per unit, so this bounds its size too.
MAX_PIXELS = 64 * 64
DOWNLOAD_TIMEOUT = 60.0  # seconds without an answer before a download gives up


def candidates(folder: Path, stem: str) -> list[Path]:
    """The names a part may have in ``folder``: plain or ``.gz``, dashed or dotted."""
    dotted = stem.replace("-idx", ".idx")
    return [folder / f"{name}{suffix}" for name in (stem, dotted) for suffix in ("", ".gz")]


def find_part(folder: Path, stem: str) -> Path | None:
    """The file in ``folder`` that holds the part named ``stem``, if there is one; a link in
    its place that cannot be followed is an error naming it, not a missing part."""
    for path in candidates(folder, stem):
        if path.is_file():
            return path
        refuse_broken_link(path)
    return None


def has_mnist(folder: Path) -> bool:
    """Whether ``folder`` holds at least one of MNIST's four files."""
    return any(find_part(folder, stem) is not None for stem in PARTS.values())


def accept_images(header: IdxHeader, path: Path) -> None:
    """Refuse, before reading them, images that are not a stack of unsigned bytes of at most
    ``MAX_PIXELS`` each, or none at all."""
    if len(header.shape) != 3 or header.dtype != np.uint8:
        raise DataError(
            f"{path}: expected 3-D unsigned bytes (images x rows x columns),"
            f" got {len(header.shape)}-D {header.dtype}"
        )
    count, rows, columns = header.shape
    if count == 0:
        raise DataError(f"{path}: holds no images ({header.describe()})")
    if rows * columns == 0 or rows * columns > MAX_PIXELS:
        raise DataError(
            f"{path}: images of {rows}x{columns} pixels; the experiments take 1 to"
            f" {MAX_PIXELS:,} pixels an image (MNIST's are 28x28)"
        )


def accept_labels(header: IdxHeader, path: Path) -> None:
    """Refuse, before reading them, labels that are not one whole number per image."""
    if len(header.shape) != 1:
        raise DataError(
            f"{path}: labels must be 1-D, one per image; these are {len(header.shape)}-D"
            f" ({header.describe()})"
        )
    if header.dtype.kind not in "iu":
        raise DataError(
            f"{path}: labels must be whole numbers (IDX types 0x08, 0x09, 0x0B or 0x0C);"
            f" these are {header.dtype}"
        )


def _read_part(
    folder: Path, part: str, accept: Callable[[IdxHeader, Path], None]
) -> tuple[Path, np.ndarray]:
    path = find_part(folder, PARTS[part])
    if path is None:
        raise DataError(
            f"{folder / PARTS[part]}(.gz): the MNIST {part} are missing; the folder needs"
            f" {', '.join(PARTS.values())} (each may be .gz); --download fetches them"
        )
    found = path
    return found, read_idx(found, lambda header: accept(header, found))


def _split(folder: Path, which: str) -> tuple[np.ndarray, np.ndarray]:
    """One split's images as columns in [0, 1] and its labels, checked against each other."""
    images_path, images = _read_part(folder, f"{which} images", accept_images)
    labels_path, labels = _read_part(folder, f"{which} labels", accept_labels)
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{labels_path}: {labels.shape[0]} labels for the {images.shape[0]} images of"
            f" {images_path.name}"
        )
    outside = labels[(labels < 0) | (labels >= N_CLASSES)]
    if outside.size:
        raise DataError(f"{labels_path}: a label of {int(outside[0])}; digits are 0 to 9")
    X = images.reshape(images.shape[0], -1).T / PIXEL_LEVELS
    return X, labels.astype(np.int64)


def load_mnist(folder: Path) -> Dataset:
    """MNIST's training and test sets from ``folder``: columns of 784 pixels in [0, 1]."""
    X_train, labels_train = _split(folder, "train")
    X_test, labels_test = _split(folder, "test")
    classes = tuple(str(digit) for digit in range(N_CLASSES))
    return Dataset(f"MNIST ({folder})", X_train, labels_train, X_test, labels_test, classes)


def _download(url: str, target: Path, sha256: str) -> None:
    """``url`` saved as ``target`` when its SHA-256 is ``sha256``; otherwise nothing is kept."""
    try:
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise DataError(f"{target.parent}: cannot be written ({error.strerror})") from None
    try:
        with (
            os.fdopen(handle, "wb") as stream,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,
        ):
            while chunk := response.read(1 << 20):
                stream.write(chunk)
        if sha256_of(Path(partial)) != sha256:
            raise DataError(f"{url}: the download's SHA-256 is not the published one; not kept")
        os.replace(partial, target)
    except (urllib.error.URLError, OSError) as error:
        raise DataError(f"{url}: could not be downloaded ({error}) to {target}") from None
    finally:
        Path(partial).unlink(missing_ok=True)


def fetch_mnist(
    folder: Path, mirror: str = MNIST_MIRROR, checksums: Mapping[str, str] = MNIST_SHA256
) -> list[Path]:
    """Download each of MNIST's files that ``folder`` lacks; returns the files downloaded."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"{folder}: cannot hold MNIST's files ({error.strerror})") from None
    fetched = []
    for stem in PARTS.values():
        if find_part(folder, stem) is None:
            target = folder / f"{stem}.gz"
            _download(mirror + target.name, target, checksums[target.name])
            fetched.append(target)
    return fetched
