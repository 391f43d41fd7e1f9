"""Which stream a student's weights come from, and how the loop takes its numbers from it.

``identify`` finds the source of the first layer it can place, trying the exercise's stream
first, then the call's own global state (no seed), the other distribution, the other generator,
then every searched seed at once from a table of their first numbers. ``orders`` then places the
layers of the training calls in that source and explains their offsets by the loop: the layers
drawn in order or last first, the seed set again in each layer, numbers drawn before the loop
and in every layer (a count that is fixed, a layer size, or the weights' own count). Each part's
few candidates are proposed from the first offsets and kept only if they give all of them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from grader.diagnosis.reproduce._calls import Call
from grader.diagnosis.reproduce._hypothesis import Count, Stream
from grader.diagnosis.reproduce._keys import SHIFTS
from grader.diagnosis.reproduce._placing import (
    TRANSFORMS,
    VALUE_RTOL,
    Placement,
    find,
    fit,
    flat,
    layouts,
    signature_rtol,
)
from grader.diagnosis.reproduce._streams import (
    PREFIX,
    SEARCHED_SEEDS,
    Source,
    long_stream,
    prefixes,
)
from grader.diagnosis.reproduce._structure import Dims

SEED = 3  # the exercise's seed; TODO read from the assignment's model
FIRST_SOURCES = (
    Source("legacy", SEED, "normal"),
    Source("legacy", None, "normal"),
    Source("legacy", SEED, "uniform"),
    Source("legacy", None, "uniform"),
    Source("pcg", SEED, "normal"),
    Source("pcg", SEED, "uniform"),
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
    seed = source.seeded(call.preseed)
    return None if seed is None else long_stream(source, seed)


def _placeable(weights: np.ndarray | None) -> bool:
    if weights is None:
        return False
    return weights.size >= 2 and bool(np.isfinite(weights).all()) and bool(np.any(weights))


def _first_placed(
    source: Source, call: Call, layers: Sequence[Layer], rtol: float
) -> Placement | None:
    stream = stream_of(source, call)
    if stream is None:
        return None
    for layer in [x for x in layers if _placeable(x.weights)][:PLACED_LAYERS]:
        assert layer.weights is not None
        found = find(layer.weights, stream, (0,), rtol)
        if found is not None:
            return found
    return None


def _searched(call: Call, layers: Sequence[Layer], rtol: float) -> Iterator[Source]:
    """Sources of other seeds whose first numbers hold one of the call's layers."""
    for generator_name, distribution in itertools.product(("legacy", "pcg"), ("normal", "uniform")):
        tables = _signatures(generator_name, distribution)
        for layer in [x for x in layers if _placeable(x.weights)][:2]:
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


def identify(first: Call, layers: Sequence[Layer], rtol: float = VALUE_RTOL) -> list[Source]:
    """The sources the first call's numbers may come from, the exercise's first."""
    for source in FIRST_SOURCES:
        if _first_placed(source, first, layers, rtol) is not None:
            return [source]
    found: list[Source] = []
    for source in _searched(first, layers, rtol):
        if source not in found and _first_placed(source, first, layers, rtol) is not None:
            found.append(source)
        if len(found) >= 2:
            break
    return found


# -- the order the loop takes its numbers in --------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """Where each placeable layer of one call sits in the source's stream."""

    call: Call
    layers: tuple[Layer, ...]
    placements: tuple[Placement | None, ...]


def place_all(
    source: Source, call: Call, layers: Sequence[Layer], rtol: float = VALUE_RTOL
) -> Placed:
    stream = stream_of(source, call)
    found: list[Placement | None] = []
    expected = 0
    for layer in layers:
        placement = None
        if stream is not None and layer.weights is not None and _placeable(layer.weights):
            placement = find(layer.weights, stream, (expected, 0), rtol)
        found.append(placement)
        expected = (placement.offset if placement is not None else expected) + layer.size
    return Placed(call, tuple(layers), tuple(found))


def _counts(value: int, dims: Dims, layer: int, size: int) -> list[Count]:
    """Counts that give ``value`` numbers in this layer."""
    found = [Count(fixed=value)]
    for shift in SHIFTS:
        index = layer + shift
        if -len(dims) <= index < len(dims):
            for rest in (0, 1, -1):
                if dims[index] + rest == value:
                    found.append(Count(fixed=rest, shift=shift))
    for index in (0, -1):
        if dims[index] == value:
            found.append(Count(index=index))
    if size == value:
        found.append(Count(weights=True))
    return sorted(set(found), key=_count_order)


def _count_order(count: Count) -> tuple[int, ...]:
    return (
        count.shift is None and count.index is None and not count.weights and count.fixed != 0,
        count.fixed != 0,
        count.index is not None,
        count.weights,
    )


def _drawn(placed: Placed, reverse: bool) -> list[tuple[Layer, Placement | None]]:
    pairs = list(zip(placed.layers, placed.placements, strict=True))
    return pairs[::-1] if reverse else pairs


def _offsets(
    stream: Stream, dims: Dims, drawn: list[tuple[Layer, Placement | None]]
) -> list[int | None]:
    """The offset of each drawn layer's weights under ``stream`` (None: in another stream)."""
    found: list[int | None] = []
    position = 0 if stream.reseed else stream.before.value(dims, 0, 0)
    for number, (layer, _) in enumerate(drawn):
        size = layer.size
        if stream.reseed == "each" or (stream.reseed == "after" and number):
            position = 0
        extra = stream.extra.value(dims, layer.index, size)
        if stream.extra_first:
            position += extra
        found.append(None if stream.reseed == "after" and not number else position)
        position += size + (0 if stream.extra_first else extra)
    return found


def explains(stream: Stream, placed: Sequence[Placed]) -> bool:
    for one in placed:
        drawn = _drawn(one, stream.reverse)
        try:
            offsets = _offsets(stream, one.call.dims, drawn)
        except IndexError:
            return False
        for (_, placement), offset in zip(drawn, offsets, strict=True):
            if offset is not None and placement is not None and placement.offset != offset:
                return False
    return True


def orders(source: Source, placed: Sequence[Placed]) -> list[Stream]:
    """Every stream (order, reseeding, extra draws) that gives all placed offsets."""
    layouts_seen = {
        p.layout
        for one in placed
        for layer, p in zip(one.layers, one.placements, strict=True)
        if p is not None and min(layer.shape, default=0) > 1
    }
    if len(layouts_seen) > 1:
        return []
    base = Stream(source, layout=layouts_seen.pop() if layouts_seen else "C")
    found = []
    modes = itertools.product((False, True), ("", "each", "after"), (False, True))
    for reverse, reseed, extra_first in modes:
        shaped = replace(base, reverse=reverse, reseed=reseed, extra_first=extra_first)
        for extra in _extra_candidates(shaped, placed):
            for before in _before_candidates(replace(shaped, extra=extra), placed):
                stream = replace(shaped, extra=extra, before=before)
                if extra.none and extra_first:
                    continue  # the same stream as with extra_first False
                if explains(stream, placed):
                    found.append(stream)
    return sorted(set(found), key=stream_cost)


def stream_cost(stream: Stream) -> tuple[int, ...]:
    parts = (stream.reverse, bool(stream.reseed), not stream.before.none, not stream.extra.none)
    return (sum(parts), stream.extra_first, *map(int, parts))


def _first_gap(stream: Stream, placed: Sequence[Placed]) -> tuple[int, Dims, int, int] | None:
    """The first measured gap between two consecutive drawn layers: (gap, dims, layer, size)."""
    for one in placed:
        drawn = _drawn(one, stream.reverse)
        for (a, pa), (b, pb) in itertools.pairwise(drawn):
            if stream.reseed and pb is not None:
                return pb.offset, one.call.dims, b.index, b.size
            if pa is None or pb is None:
                continue
            gap = pb.offset - pa.offset - a.size
            layer = b if stream.extra_first else a
            return gap, one.call.dims, layer.index, layer.size
    return None


def _extra_candidates(stream: Stream, placed: Sequence[Placed]) -> list[Count]:
    gap = _first_gap(stream, placed)
    if gap is None:
        return [Count()]
    value, dims, layer, size = gap
    if value < 0:
        return []
    if value == 0:
        return [Count()]
    return _counts(value, dims, layer, size)


def _before_candidates(stream: Stream, placed: Sequence[Placed]) -> list[Count]:
    if stream.reseed:
        return [Count()]
    for one in placed:
        drawn = _drawn(one, stream.reverse)
        if not drawn or drawn[0][1] is None:
            continue
        layer, placement = drawn[0]
        assert placement is not None
        extra = stream.extra.value(one.call.dims, layer.index, layer.size)
        value = placement.offset - (extra if stream.extra_first else 0)
        if value < 0:
            return []
        if value == 0:
            return [Count()]
        return [c for c in _counts(value, one.call.dims, 0, 0) if c.shift is None]
    return [Count()]


def offsets_known(placed: Sequence[Placed]) -> int:
    return sum(p is not None for one in placed for p in one.placements)
