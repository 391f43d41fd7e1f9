"""How the loop takes its numbers from a stream, read off where each layer's numbers sit.

``place_all`` places the layers of the training calls in the source ``_sources.identify`` found,
and ``orders`` explains their offsets by the loop: the layers drawn in order or last first, the
seed set again in each layer (at its top or at its end), numbers drawn before the loop and in
every layer (a count that is fixed, a layer size, or the weights' own count). Each part's few
candidates are proposed from the first offsets and kept only if they give all of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from grader.diagnosis._calls import Call
from grader.diagnosis._hypothesis import Count, Stream
from grader.diagnosis._keys import SHIFTS
from grader.diagnosis._placing import VALUE_RTOL, Placement, find
from grader.diagnosis._sources import Layer, placeable, stream_of
from grader.diagnosis._streams import Source
from grader.diagnosis._structure import Dims

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
        if stream is not None and layer.weights is not None and placeable(layer.weights):
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
