"""The IDX file format that MNIST is distributed in, read into numpy arrays.

An IDX file is two zero bytes, a byte naming the element type, a byte giving the number of
dimensions ``d``, then ``d`` big-endian unsigned 32-bit sizes, then the elements in row-major
order, big-endian. The file may be gzip-compressed as a whole (``.gz``, recognised by its first
two bytes). Anything else is a ``DataError`` that names the file and what is wrong with it.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
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


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if it is gzip."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror or error})") from None
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: a damaged gzip file ({error})") from None


def parse_idx(data: bytes, path: Path) -> np.ndarray:
    """The array an IDX file's bytes hold, in native byte order; ``path`` names it in errors."""
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise DataError(f"{path}: not an IDX file (it does not start with two zero bytes)")
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        raise DataError(f"{path}: unknown IDX element type 0x{code:02x}")
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{path}: the IDX header is cut short ({len(data)} bytes)")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_TYPES[code]
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise DataError(
            f"{path}: {len(data)} bytes, but its header announces {expected}"
            f" (shape {tuple(shape)} of {dtype.name}): the file is truncated or damaged"
        )
    array: np.ndarray = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path: Path) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzip-compressed or not)."""
    return parse_idx(read_bytes(path), path)
