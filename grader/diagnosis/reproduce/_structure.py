"""The structure of a student's loop, read from the keys and shapes of every call that returned.

Which keys: each key is split into its spelling and its number (``'weights_3'`` is
``weights_{}`` and 3); the two spellings are weights and biases, told apart by their letters
or, failing that, by their shapes. Which layers: the key number is the loop index plus a fixed
shift, or one number for every layer (each layer overwrites the last). The loop runs from a
first index to a last one that follows ``len(layers_dims)`` or is a fixed number. Which sizes:
each axis of each array is ``layers_dims[l + k]`` for a small ``k`` (Python's negative indices
included) or a fixed number. Every part is searched over its small space on its own, on all
calls together, and the combinations that fit every call are ranked by how many parts differ
from the exercise's.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grader.types import Params

Dims = tuple[int, ...]
KEY = re.compile(r"^(\D*?)(\d+)(\D*)$")
SHIFTS = (-2, -1, 0, 1)  # layers_dims[l + k] an axis may read
KEY_SHIFTS = (0, -1, 1)  # key number = l + k
STARTS = (1, 0, 2)
WEIGHT_WORDS = ("weight", "w", "theta", "kernel")
BIAS_WORDS = ("bias", "b", "intercept")


@dataclass(frozen=True)
class Axis:
    """An axis's size: ``layers_dims[l + shift]``, or a fixed ``size``."""

    shift: int | None = None
    size: int | None = None

    def length(self, dims: Dims, layer: int) -> int:
        """The size in one layer; IndexError as Python gives it past the end."""
        if self.shift is None:
            return int(self.size or 0)
        index = layer + self.shift
        if index >= len(dims) or index < -len(dims):
            raise IndexError("list index out of range")
        return int(dims[index])


@dataclass(frozen=True)
class Letter:
    """How one kind of array is keyed and shaped: its spelling (``'W{}'``), the key number's
    shift from the loop index, or one ``fixed`` number for every layer, and its axes."""

    spelling: str
    axes: tuple[Axis, ...]
    shift: int = 0
    fixed: int | None = None

    def key(self, layer: int) -> str:
        number = self.fixed if self.fixed is not None else layer + self.shift
        return self.spelling.format(number) if "{}" in self.spelling else self.spelling

    def shape(self, dims: Dims, layer: int) -> tuple[int, ...]:
        return tuple(axis.length(dims, layer) for axis in self.axes)


@dataclass(frozen=True)
class Loop:
    """``range(start, len(layers_dims) + stop)``, or ``range(start, stop)`` when ``fixed``."""

    start: int = 1
    stop: int = 0
    fixed: bool = False

    def layers(self, dims: Dims) -> range:
        return range(self.start, self.stop if self.fixed else len(dims) + self.stop)


@dataclass(frozen=True)
class Structure:
    loop: Loop
    weights: Letter
    biases: Letter | None


REFERENCE = Structure(
    Loop(),
    Letter("W{}", (Axis(0), Axis(-1))),
    Letter("b{}", (Axis(0), Axis(size=1))),
)


# -- reading the keys --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def split(key: str) -> tuple[str, int | None]:
    """``'W_3'`` -> ``('W_{}', 3)``; a key without a number is its own spelling."""
    match = KEY.match(key)
    if match is None:
        return key.replace("{", "{{").replace("}", "}}"), None
    prefix, number, suffix = match.groups()
    escape = lambda s: s.replace("{", "{{").replace("}", "}}")  # noqa: E731
    return f"{escape(prefix)}{{}}{escape(suffix)}", int(number)


def _words(spelling: str) -> str:
    return re.sub(r"[^a-z]", "", spelling.replace("{}", "").lower())


def _role_by_name(spelling: str) -> str | None:
    words = _words(spelling)
    w = any(words == x or (len(x) > 1 and x in words) for x in WEIGHT_WORDS)
    b = any(words == x or (len(x) > 1 and x in words) for x in BIAS_WORDS)
    return "W" if w and not b else "b" if b and not w else None


def _looks_like_bias(arrays: list[np.ndarray]) -> bool:
    return all(a.ndim < 2 or a.shape[1] == 1 for a in arrays) and not any(
        np.any(a != 0) and a.ndim == 2 and a.shape[1] > 1 for a in arrays
    )


def roles(calls: Sequence[tuple[Dims, Params]]) -> dict[str, str] | None:
    """Which spelling holds the weights and which the biases: {'W': ..., 'b': ...}."""
    arrays: dict[str, list[np.ndarray]] = {}
    for _, params in calls:
        for key, value in params.items():
            arrays.setdefault(split(key)[0], []).append(value)
    spellings = sorted(arrays, key=lambda s: -len(arrays[s]))
    if not spellings or len(spellings) > 2:
        return None
    named = {s: _role_by_name(s) for s in spellings}
    if len(spellings) == 2 and sorted(str(v) for v in named.values()) == ["W", "b"]:
        return {str(v): s for s, v in named.items()}
    by_shape = {s: ("b" if _looks_like_bias(arrays[s]) else "W") for s in spellings}
    if len(spellings) == 1:
        return {by_shape[spellings[0]]: spellings[0]}
    if sorted(by_shape.values()) == ["W", "b"]:
        return {v: s for s, v in by_shape.items()}
    return None


# -- numbers, loop and axes ----------------------------------------------------------------------


def _numbered(
    calls: Sequence[tuple[Dims, Params]], spelling: str
) -> list[tuple[Dims, dict[int | None, np.ndarray]]]:
    found = []
    for dims, params in calls:
        found.append((dims, {split(k)[1]: v for k, v in params.items() if split(k)[0] == spelling}))
    return found


def _axis_options(sizes: list[tuple[Dims, int, int]]) -> list[Axis]:
    """The axes every (layers_dims, layer, size) agrees with, the exercise's kinds first."""
    options = []
    for shift in SHIFTS:
        if all(-len(d) <= l + shift < len(d) and d[l + shift] == n for d, l, n in sizes):
            options.append(Axis(shift))
    fixed = {n for _, _, n in sizes}
    if len(fixed) == 1:
        options.append(Axis(size=fixed.pop()))
    return options


def _loops(layer_sets: list[tuple[Dims, list[int]]]) -> list[Loop]:
    """The loops that give exactly these layer indices in every call."""
    found = []
    for start in STARTS:
        if any(ls and ls[0] != start for _, ls in layer_sets):
            continue
        stops = {ls[-1] + 1 - len(d) for d, ls in layer_sets if ls}
        if len(stops) == 1:
            loop = Loop(start, stops.pop())
            if all(list(loop.layers(d)) == ls for d, ls in layer_sets):
                found.append(loop)
        fixed = {ls[-1] + 1 for _, ls in layer_sets if ls}
        if len(fixed) == 1:
            loop = Loop(start, fixed.pop(), fixed=True)
            if all(list(loop.layers(d)) == ls for d, ls in layer_sets):
                found.append(loop)
    return found


def letter_options(
    calls: Sequence[tuple[Dims, Params]], spelling: str
) -> list[tuple[Loop, Letter]]:
    """Every (loop, letter) that explains the keys and shapes of ``spelling`` in every call."""
    numbered = _numbered(calls, spelling)
    found: list[tuple[Loop, Letter]] = []
    for shift in KEY_SHIFTS:
        layer_sets = []
        for dims, arrays in numbered:
            if None in arrays:
                break
            layer_sets.append((dims, sorted(int(n) - shift for n in arrays)))  # type: ignore[arg-type]
        else:
            found += _with_axes(numbered, _loops(layer_sets), shift, spelling)
    found += _fixed_key(numbered, spelling)
    return found


def _with_axes(numbered, loops: list[Loop], shift: int, spelling: str) -> list[tuple[Loop, Letter]]:
    arrays = [(d, int(n) - shift, a) for d, by in numbered for n, a in by.items()]
    ndims = {a.ndim for _, _, a in arrays}
    if len(ndims) != 1 or not loops:
        return []
    ndim = ndims.pop()
    per_axis = [_axis_options([(d, l, a.shape[i]) for d, l, a in arrays]) for i in range(ndim)]
    found = []
    for axes in itertools.product(*per_axis):
        found += [(loop, Letter(spelling, tuple(axes), shift)) for loop in loops]
    return found


def _fixed_key(numbered, spelling: str) -> list[tuple[Loop, Letter]]:
    """One key for every layer: it holds the last layer the loop made."""
    numbers = {n for _, by in numbered for n in by}
    if len(numbers) != 1 or any(len(by) != 1 for _, by in numbered):
        return []
    number = numbers.pop()
    found = []
    for loop in (Loop(),):
        arrays = []
        for dims, by in numbered:
            layers = list(loop.layers(dims))
            if not layers:
                return []
            arrays.append((dims, layers[-1], by[number]))
        ndims = {a.ndim for _, _, a in arrays}
        if len(ndims) != 1:
            return []
        per_axis = [
            _axis_options([(d, l, a.shape[i]) for d, l, a in arrays]) for i in range(ndims.pop())
        ]
        for axes in itertools.product(*per_axis):
            found.append(
                (loop, Letter(spelling, tuple(axes), 0, number if number is not None else None))
            )
    return found


def _moved(structure: Structure, by: int) -> Structure:
    """The same code with its loop index counted ``by`` higher (``l`` read as ``l - by``)."""

    def letter(found: Letter | None) -> Letter | None:
        if found is None:
            return None
        axes = tuple(Axis(a.shift - by, None) if a.shift is not None else a for a in found.axes)
        return Letter(found.spelling, axes, found.shift - by, found.fixed)

    loop = structure.loop
    moved = Loop(loop.start + by, loop.stop + (by if loop.fixed else by), loop.fixed)
    weights = letter(structure.weights)
    assert weights is not None
    return Structure(moved, weights, letter(structure.biases))


def structures(
    calls: Sequence[tuple[Dims, Params]], cost: Callable[[Structure], int]
) -> list[Structure]:
    """Every structure that explains all calls' keys and shapes, simplest first; of structures
    that are the same code with the loop index counted from elsewhere, the simplest only."""
    found_roles = roles(calls)
    if found_roles is None or "W" not in found_roles:
        return []
    weights = letter_options(calls, found_roles["W"])
    biases: list[tuple[Loop, Letter]] = []
    if "b" in found_roles:
        biases = letter_options(calls, found_roles["b"])
        if not biases:
            return []
    found = []
    for loop, w in weights:
        if not biases:
            found.append(Structure(loop, w, None))
        found += [Structure(loop, w, b) for bl, b in biases if bl == loop]
    found.sort(key=lambda s: (cost(s), _order(s)))
    kept: dict[Structure, Structure] = {}
    for structure in found:
        kept.setdefault(_moved(structure, 1 - structure.loop.start), structure)
    return list(kept.values())


def _order(structure: Structure) -> tuple[int, ...]:
    axes = [a for letter in (structure.weights, structure.biases) if letter for a in letter.axes]
    return (sum(a.shift is None for a in axes), sum(abs(a.shift or 0) for a in axes))
