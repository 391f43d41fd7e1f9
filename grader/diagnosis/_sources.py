"""Which stream a student's weights come from: the first layer placed decides.

``identify`` tries the exercise's stream first, then the call's own global state (no seed), the
other distribution, the other generator, then every searched seed at once from a table of the
first numbers of each (as they are, their absolute values, their differences, which a shift
leaves alone). The number of seeds and of layers tried is fixed.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from grader.diagnosis._calls import Call
from grader.diagnosis._placing import (
    TRANSFORMS,
    VALUE_RTOL,
    Placement,
    find,
    fit,
    flat,
    layouts,
    signature_rtol,
)
from grader.diagnosis._streams import (
    PREFIX,
    SEARCHED_SEEDS,
    Source,
    long_stream,
    prefixes,
)


def first_sources(seed: int) -> tuple[Source, ...]:
    """The sources tried before any other seed: the exercise's ``seed``, and no seed."""
    return (
        Source("legacy", seed, "normal"),
        Source("legacy", None, "normal"),
        Source("legacy", seed, "uniform"),
        Source("legacy", None, "uniform"),
        Source("pcg", seed, "normal"),
        Source("pcg", seed, "uniform"),
    )


PLACED_LAYERS = 6  # layers of a call tried before a source is given up for it


@dataclass(frozen=True)
class Layer:
    """One layer of a call's loop: its index, the weights' shape there, and the student's weights
    and biases it left (None when a later layer overwrote its key)."""

    index: int
    shape: tuple[int, ...]
    weights: np.ndarray | None
    biases: np.ndarray | None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


def stream_of(source: Source, call: Call) -> np.ndarray | None:
    seed = source.seeded(call.seeded)
    return None if seed is None else long_stream(source, seed)


def placeable(weights: np.ndarray | None) -> bool:
    if weights is None:
        return False
    return weights.size >= 2 and bool(np.isfinite(weights).all()) and bool(np.any(weights))


def _first_placed(
    source: Source, call: Call, layers: Sequence[Layer], rtol: float
) -> Placement | None:
    stream = stream_of(source, call)
    if stream is None:
        return None
    for layer in [x for x in layers if placeable(x.weights)][:PLACED_LAYERS]:
        assert layer.weights is not None
        found = find(layer.weights, stream, (0,), rtol)
        if found is not None:
            return found
    return None


def _searched(call: Call, layers: Sequence[Layer], rtol: float) -> Iterator[Source]:
    """Sources of other seeds whose first numbers hold one of the call's layers."""
    for generator_name, distribution in itertools.product(("legacy", "pcg"), ("normal", "uniform")):
        tables = _signatures(generator_name, distribution)
        for layer in [x for x in layers if placeable(x.weights)][:2]:
            assert layer.weights is not None
            for row in _rows_holding(layer.weights, tables, rtol):
                yield Source(generator_name, SEARCHED_SEEDS[row], distribution)


@functools.lru_cache(maxsize=4)
def _signatures(generator_name: str, distribution: str) -> tuple[np.ndarray, ...]:
    """The prefix table as each signature sees it: the numbers, their absolute values, their
    differences (which a shift leaves alone)."""
    table = prefixes(generator_name, distribution)
    return table, np.abs(table), np.diff(table, axis=1)


def _rows_holding(weights: np.ndarray, tables: tuple[np.ndarray, ...], rtol: float) -> list[int]:
    """Rows of the prefix table in which ``weights`` sit (as they are, abs, or shifted)."""
    table = tables[0]
    rows: list[int] = []
    for layout in layouts(weights):
        w = flat(weights, layout)
        if w.size > PREFIX:
            continue
        for values, base in zip((w, np.abs(w), np.diff(w)), tables, strict=True):
            nonzero = np.flatnonzero(values)
            if nonzero.size < 2:
                continue
            i, j = int(nonzero[0]), int(nonzero[1])
            ratio, lag = values[j] / values[i], j - i
            hits = np.isclose(
                base[:, lag:], ratio * base[:, :-lag], rtol=signature_rtol(rtol), atol=0
            )
            for row, start in zip(*np.nonzero(hits), strict=True):
                offset = int(start) - i
                inside = offset >= 0 and offset + w.size <= PREFIX and row not in rows
                piece = table[row, offset : offset + w.size] if inside else None
                if piece is not None and fit(w, piece, TRANSFORMS, rtol) is not None:
                    rows.append(int(row))
    return rows


def identify(
    first: Call, layers: Sequence[Layer], seed: int, rtol: float = VALUE_RTOL
) -> list[Source]:
    """The sources the first call's numbers may come from, the exercise's (``seed``) first."""
    for source in first_sources(seed):
        if _first_placed(source, first, layers, rtol) is not None:
            return [source]
    found: list[Source] = []
    for source in _searched(first, layers, rtol):
        if source not in found and _first_placed(source, first, layers, rtol) is not None:
            found.append(source)
        if len(found) >= 2:
            break
    return found
