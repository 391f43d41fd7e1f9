"""Small data files for the experiments' loaders, written byte by byte from their formats'
definitions (not with the code under test): IDX files, MNIST folders, PNG images."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

IDX_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}
MNIST_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def idx_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    """An IDX header: two zero bytes, the type code, the rank and the big-endian sizes."""
    return bytes([0, 0, IDX_CODES[np.dtype(dtype)], len(shape)]) + struct.pack(
        f">{len(shape)}I", *shape
    )


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding: the header, then the elements, big-endian."""
    data = array.astype(array.dtype.newbyteorder(">")).tobytes()
    return idx_header(array.dtype, array.shape) + data


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def mnist_like(
    rng: np.random.Generator, n: int, classes: tuple[int, ...] = tuple(range(10))
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 28x28 byte images whose class shows in which rows are bright, and their labels."""
    labels = np.array([classes[i % len(classes)] for i in range(n)], dtype=np.uint8)
    images = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
    for image, label in zip(images, labels, strict=True):
        image[2 * label : 2 * label + 6] = 250
    return images, labels


def write_mnist(
    folder: Path,
    rng: np.random.Generator,
    sizes: tuple[int, int] = (60, 20),
    classes: tuple[int, ...] = tuple(range(10)),
    compress: bool = True,
) -> dict[str, np.ndarray]:
    """An MNIST folder of ``sizes`` training and test images; returns what it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, n in zip(("train", "test"), sizes, strict=True):
        images, labels = mnist_like(rng, n, classes)
        images_stem, labels_stem = MNIST_STEMS[split]
        suffix = ".gz" if compress else ""
        write_idx(folder / f"{images_stem}{suffix}", images, compress)
        write_idx(folder / f"{labels_stem}{suffix}", labels, compress)
        written[f"{split}_images"], written[f"{split}_labels"] = images, labels
    return written


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG of 8-bit ``pixels``: shape ``(h, w)`` grey or ``(h, w, 3)`` RGB."""
    height, width = pixels.shape[:2]
    colour = 0 if pixels.ndim == 2 else 2
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    rows = pixels.reshape(height, -1).astype(np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + chunks + _chunk(b"IEND", b"")


def write_png(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(pixels))
    return path


def write_image_folder(
    folder: Path, rng: np.random.Generator, per_class: int = 5, size: tuple[int, int] = (6, 4)
) -> dict[str, list[np.ndarray]]:
    """Two classes of RGB PNGs, ``size`` (width, height): bright on the left for ``left``,
    on the right for ``right``; returns each class's images in name order."""
    width, height = size
    written: dict[str, list[np.ndarray]] = {"left": [], "right": []}
    for name, bright in (("left", slice(0, width // 2)), ("right", slice(width // 2, width))):
        for index in range(per_class):
            pixels = rng.integers(0, 60, size=(height, width, 3), dtype=np.uint8)
            pixels[:, bright] += 180
            write_png(folder / name / f"{index:03d}.png", pixels)
            written[name].append(pixels)
    return written
