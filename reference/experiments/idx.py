"""The IDX file format that MNIST is distributed in, read into numpy arrays.

An IDX file is two zero bytes, a byte naming the element type, a byte giving the number of
dimensions ``d``, then ``d`` big-endian unsigned 32-bit sizes, then the elements in row-major
order, big-endian. The file may be gzip-compressed as a whole (``.gz``, recognised by its first
two bytes). Anything else is a ``DataError`` that names the file and what is wrong with it.

The header is read and judged before the elements: a caller's ``accept`` may refuse its shape
or type, and no file holds more than ``MAX_BYTES`` of elements. Only then are the elements read:
a plain file's size is compared with the header's first, and a gzip file is decompressed as it
is read, never past one byte more than its header announces, so neither a huge file nor a small
gzip file that decompresses to a huge one costs more memory than the header allows.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reference.experiments.datasets import DataError

IDX_TYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
# Elements of one file: MNIST's largest, the training images, holds 47 MB; this many bytes of
# pixels are 2 GiB once scaled to float64 for training.
MAX_BYTES = 1 << 28
CHUNK = 1 << 20  # bytes read (or decompressed) at a time


@dataclass(frozen=True)
class IdxHeader:
    """What an IDX header announces: the element type (native byte order) and the shape."""

    dtype: np.dtype[Any]
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def describe(self) -> str:
        return f"shape {self.shape} of {self.dtype.name}"


Accept = Callable[[IdxHeader], None]  # raises a DataError when the header is not wanted


class _Source:
    """A file's bytes, read on demand; a gzip file's decompressed as they are read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.raw: io.BufferedReader = path.open("rb")
        except FileNotFoundError:
            raise DataError(f"{path}: no such file") from None
        except OSError as error:
            raise DataError(f"{path}: cannot be read ({error.strerror or error})") from None
        self.compressed = self.raw.read(2) == GZIP_MAGIC
        self.raw.seek(0)
        self.stream: io.BufferedIOBase = (
            gzip.GzipFile(fileobj=self.raw) if self.compressed else self.raw
        )
        self.size = None if self.compressed else os.fstat(self.raw.fileno()).st_size

    def read(self, n: int) -> bytearray:
        """Up to ``n`` bytes; fewer only at the end of the file."""
        data = bytearray()
        try:
            while len(data) < n and (chunk := self.stream.read(min(CHUNK, n - len(data)))):
                data += chunk
        except (OSError, EOFError, zlib.error) as error:
            if not self.compressed:
                raise DataError(f"{self.path}: cannot be read ({error})") from None
            raise DataError(f"{self.path}: a damaged gzip file ({error})") from None
        return data

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


def read_header(source: _Source) -> IdxHeader:
    """The header at the start of ``source``, checked to be a well-formed IDX header."""
    path, start = source.path, source.read(4)
    if len(start) < 4 or start[:2] != b"\x00\x00":
        raise DataError(f"{path}: not an IDX file (it does not start with two zero bytes)")
    code, ndim = start[2], start[3]
    if code not in IDX_TYPES:
        raise DataError(f"{path}: unknown IDX element type 0x{code:02x}")
    if ndim == 0:
        raise DataError(f"{path}: its IDX header gives 0 dimensions; an IDX file has 1 or more")
    sizes = source.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DataError(f"{path}: the IDX header is cut short ({4 + len(sizes)} bytes)")
    shape = struct.unpack(f">{ndim}I", sizes)
    return IdxHeader(IDX_TYPES[code].newbyteorder("="), shape)


def _bound(header: IdxHeader, path: Path, max_bytes: int) -> None:
    """Refuse a header announcing more than ``max_bytes`` of elements. A size of 0 counts as 1
    here: numpy cannot shape even an empty array whose other sizes multiply past that."""
    nbytes = math.prod(max(size, 1) for size in header.shape) * header.dtype.itemsize
    if nbytes > max_bytes:
        zero = " (counting its sizes of 0 as 1)" if 0 in header.shape else ""
        raise DataError(
            f"{path}: its header announces {header.describe()}, {nbytes:,} bytes{zero}; this"
            f" reader takes at most {max_bytes:,}"
        )


def _elements(source: _Source, header: IdxHeader) -> bytearray:
    """The elements that follow the header, exactly as many bytes as it announces."""
    path, expected = source.path, 4 + 4 * len(header.shape) + header.nbytes
    if source.size is not None and source.size != expected:
        raise DataError(
            f"{path}: {source.size} bytes, but its header announces {expected}"
            f" ({header.describe()}): {_damage(source.size < expected)}"
        )
    data = source.read(header.nbytes)
    if len(data) < header.nbytes or source.read(1):
        verb = "decompresses to" if source.compressed else "holds"
        short = len(data) < header.nbytes
        raise DataError(
            f"{path}: {verb} {'fewer' if short else 'more'} bytes than its header announces"
            f" ({expected}, {header.describe()}): {_damage(short)}"
        )
    return data


def _damage(short: bool) -> str:
    return "the file is truncated or damaged" if short else "the file is damaged or not IDX"


def read_idx(path: Path, accept: Accept | None = None, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzip-compressed or not), in native byte
    order. ``accept`` sees the header before any element is read and may refuse it."""
    source = _Source(path)
    try:
        header = read_header(source)
        if accept is not None:
            accept(header)
        _bound(header, path, max_bytes)
        data = _elements(source, header)
    finally:
        source.close()
    stored = np.frombuffer(data, header.dtype.newbyteorder(">")).reshape(header.shape)
    return stored.astype(header.dtype)
