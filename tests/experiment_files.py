"""Small data files for the experiments' loaders, written byte by byte from their formats'
definitions (not with the code under test): IDX files, MNIST folders, PNG images (8 or 16 bits
a channel) and TIFF images of 32-bit floats."""

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
    """A PNG of ``pixels``: shape ``(h, w)`` grey or ``(h, w, 3)`` RGB, 8 bits a sample for
    ``uint8``, 16 (big-endian) for ``uint16``."""
    height, width = pixels.shape[:2]
    colour = 0 if pixels.ndim == 2 else 2
    depth, stored = (16, ">u2") if pixels.dtype == np.uint16 else (8, "u1")
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    rows = pixels.reshape(height, -1).astype(stored)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + chunks + _chunk(b"IEND", b"")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG's signature and header announcing a ``width`` x ``height`` grey image, and no
    pixels: what a reader sees before it decodes anything."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IEND", b"")


TIFF_SHORT, TIFF_LONG = 3, 4


def tiff_float_bytes(pixels: np.ndarray) -> bytes:
    """A little-endian, uncompressed, one-strip TIFF of grey 32-bit float ``pixels`` (h, w)."""
    height, width = pixels.shape
    data = pixels.astype("<f4").tobytes()
    entries = [  # tag, type, value: in tag order, as TIFF requires
        (256, TIFF_LONG, width),
        (257, TIFF_LONG, height),
        (258, TIFF_SHORT, 32),  # bits per sample
        (259, TIFF_SHORT, 1),  # no compression
        (262, TIFF_SHORT, 1),  # black is zero
        (273, TIFF_LONG, 8 + 2 + 12 * 10 + 4),  # the strip starts right after the directory
        (277, TIFF_SHORT, 1),  # samples per pixel
        (278, TIFF_LONG, height),  # rows per strip
        (279, TIFF_LONG, len(data)),
        (339, TIFF_SHORT, 3),  # sample format: IEEE floating point
    ]
    directory = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, kind, 1)
        + (struct.pack("<HH", value, 0) if kind == TIFF_SHORT else struct.pack("<I", value))
        for tag, kind, value in entries
    )
    return b"II*\x00" + struct.pack("<I", 8) + directory + struct.pack("<I", 0) + data


def write_png(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(pixels))
    return path


def write_tiff(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tiff_float_bytes(pixels))
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
