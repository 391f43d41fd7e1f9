"""The worker writes each returned array's ``.npy`` bytes itself: they must load with numpy's own
reader, without pickles, to the very array returned, and take the grader's strict fast path."""

from __future__ import annotations

import io

import numpy as np
import pytest

from grader.sandbox import _decode as decode
from grader.sandbox.child.returns import Converter

CONVERTER = Converter(np, 64, 1 << 30)
RNG = np.random.default_rng(5)
ARRAYS = [
    RNG.standard_normal((3, 2)),
    RNG.standard_normal((4, 7)).T,  # Fortran order
    RNG.standard_normal(5),
    np.float64(2.5) * np.ones(()),
    np.zeros((0, 3)),
    np.arange(12, dtype=np.int32).reshape(3, 4),  # converted to float64
    RNG.standard_normal((64, 64))[::2, ::3],  # neither C nor Fortran contiguous
    RNG.standard_normal((1, 1, 1, 1, 1, 1, 1, 2)),
]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.shape}-{a.dtype}")
def test_the_npy_bytes_load_to_the_array_returned(array: np.ndarray) -> None:
    blob = CONVERTER.npy(array)
    assert (len(blob) - array.size * 8) % 64 == 0  # the header aligned as numpy aligns it
    loaded = np.load(io.BytesIO(blob), allow_pickle=False)
    fast = decode._NPY_1_0.match(blob)
    assert fast is not None, blob[:128]
    assert int.from_bytes(blob[8:10], "little") + 10 == fast.end()
    read = decode.read_npy(blob)
    for got in (loaded, read):
        assert got.dtype == np.float64
        assert got.shape == array.shape
        assert np.array_equal(got, array.astype(np.float64))
