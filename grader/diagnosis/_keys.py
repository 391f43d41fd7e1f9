"""Read a loop's structure off the keys and shapes of every call that returned.

Keys: each key is split into its spelling and its number (``'weights_3'`` is ``weights_{}``
and 3); the two spellings are the weights and the biases, told apart by their letters or,
failing that, by their shapes. Numbers: ``l + k`` for a small ``k`` gives the loop's first and
last index in every call; a number read from the sizes (``layers_dims[l] + k``) or one number for
every layer is tried with the loops already found. Axes: each is ``layers_dims[l + k]`` (Python's
negative indices included), that times a whole number or plus one, or a fixed size. Each part is
searched over its small space on all calls at once, and the structures that fit every call are
ranked by a cost; of two that are the same code with ``l`` counted from elsewhere, the cheaper
is kept.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence

import numpy as np

from grader.diagnosis._structure import Axis, Dims, Letter, Loop, Structure
from grader.types import Params

KEY = re.compile(r"^(\D*?)(\d+)(\D*)$")
SHIFTS = (-2, -1, 0, 1)  # layers_dims[l + k] an axis may read
KEY_SHIFTS = (0, -1, 1)  # a key's number: l + k, or layers_dims[l + j] + k
SIZED = (0, -1)
STARTS = (1, 0, 2)
WEIGHT_WORDS = ("weight", "w", "theta", "kernel")
BIAS_WORDS = ("bias", "b", "intercept")
Calls = Sequence[tuple[Dims, Params]]
Sized = list[tuple[Dims, int, np.ndarray]]  # (layers_dims, l, the array that layer left)


@functools.lru_cache(maxsize=4096)
def split(key: str) -> tuple[str, int | None]:
    """``'W_3'`` -> ``('W_{}', 3)``; a key without a number is its own spelling."""
    escaped = key.replace("{", "{{").replace("}", "}}")
    match = KEY.match(escaped)
    if match is None:
        return escaped, None
    prefix, number, suffix = match.groups()
    return f"{prefix}{{}}{suffix}", int(number)


def _role_by_name(spelling: str) -> str | None:
    words = re.sub(r"[^a-z]", "", spelling.replace("{}", "").lower())
    w = any(words == x or (len(x) > 1 and x in words) for x in WEIGHT_WORDS)
    b = any(words == x or (len(x) > 1 and x in words) for x in BIAS_WORDS)
    return "W" if w and not b else "b" if b and not w else None


def _looks_like_bias(arrays: list[np.ndarray]) -> bool:
    return all(a.ndim < 2 or a.shape[1] == 1 for a in arrays)


def roles(calls: Calls) -> dict[str, str] | None:
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


# -- axes ----------------------------------------------------------------------------------------


def _axis_options(
    dims: np.ndarray, lengths: np.ndarray, layers: np.ndarray, sizes: np.ndarray
) -> list[Axis]:
    """The axes every (layers_dims, l, size) agrees with, the exercise's kinds first.

    ``dims`` holds one row per array (its call's layers_dims, padded), ``lengths`` their lengths,
    ``layers`` the loop index that made the array, ``sizes`` the axis's size."""
    options = []
    rows = np.arange(len(sizes))
    for shift in SHIFTS:
        position = layers + shift
        if np.any((position >= lengths) | (position < -lengths)):
            continue
        read = dims[rows, np.where(position < 0, position + lengths, position)]
        if np.array_equal(read, sizes):
            options.append(Axis(shift))
            continue
        options += [
            Axis(shift, plus=plus) for plus in (1, -1) if np.array_equal(read + plus, sizes)
        ]
        times = sizes // np.maximum(read, 1)
        whole = bool(np.all(read > 0)) and np.array_equal(times * read, sizes)
        if whole and len(set(times.tolist())) == 1 and times[0] > 1:
            options.append(Axis(shift, times=int(times[0])))
    if len(set(sizes.tolist())) == 1:
        options.append(Axis(size=int(sizes[0])))
    return options


def _letters(sized: Sized, spelling: str, numbering: dict[str, int | None]) -> list[Letter]:
    ndims = {a.ndim for _, _, a in sized}
    if len(ndims) != 1 or not sized:
        return []
    ndim = ndims.pop()
    width = max(len(d) for d, _, _ in sized)
    dims = np.array([list(d) + [0] * (width - len(d)) for d, _, _ in sized], dtype=np.int64)
    lengths = np.array([len(d) for d, _, _ in sized], dtype=np.int64)
    layers = np.array([layer for _, layer, _ in sized], dtype=np.int64)
    per_axis = [
        _axis_options(dims, lengths, layers, np.array([a.shape[i] for _, _, a in sized]))
        for i in range(ndim)
    ]
    return [
        Letter(spelling, tuple(axes), **numbering)  # type: ignore[arg-type]
        for axes in itertools.product(*per_axis)
    ]


# -- numbers and loops -----------------------------------------------------------------------------


def _numbered(calls: Calls, spelling: str) -> list[tuple[Dims, dict[int | None, np.ndarray]]]:
    return [
        (dims, {split(k)[1]: v for k, v in params.items() if split(k)[0] == spelling})
        for dims, params in calls
    ]


def _loops(layer_sets: list[tuple[Dims, list[int]]]) -> list[Loop]:
    """The loops that give exactly these layer indices in every call."""
    found = []
    for start in STARTS:
        if any(ls and ls[0] != start for _, ls in layer_sets):
            continue
        for fixed in (False, True):
            stops = {ls[-1] + 1 - (0 if fixed else len(d)) for d, ls in layer_sets if ls}
            if len(stops) == 1:
                loop = Loop(start, stops.pop(), fixed)
                if all(list(loop.layers(d)) == ls for d, ls in layer_sets):
                    found.append(loop)
    return found


Numbered = list[tuple[Dims, dict[int | None, np.ndarray]]]
Options = list[tuple[Loop, Letter]]


def _by_index(numbered: Numbered, spelling: str) -> Options:
    """Keys numbered l + k: the numbers give the loop."""
    found: Options = []
    if any(None in arrays for _, arrays in numbered):
        return []
    counted = [(d, {int(n or 0): a for n, a in by.items()}) for d, by in numbered]
    for shift in KEY_SHIFTS:
        layer_sets = [(d, sorted(n - shift for n in by)) for d, by in counted]
        loops = _loops(layer_sets)
        if not loops:
            continue
        sized = [(d, n - shift, a) for d, by in counted for n, a in by.items()]
        letters = _letters(sized, spelling, {"shift": shift})
        found += [(loop, letter) for loop in loops for letter in letters]
    return found


def _kept(structure_loop: Loop, probe: Letter, calls: Calls, spelling: str) -> Sized | None:
    """The (layers_dims, l, array) each key of ``probe``'s numbering leaves, when its keys are
    exactly the call's keys of this spelling."""
    sized = []
    for dims, params in calls:
        own = {k: v for k, v in params.items() if split(k)[0] == spelling}
        try:
            kept = Structure(structure_loop, probe, None).kept(probe, dims)
        except IndexError:
            return None
        if set(kept) != set(own):
            return None
        sized += [(dims, layer, own[key]) for key, layer in kept.items()]
    return sized


def _by_other(calls: Calls, spelling: str, loops: Sequence[Loop]) -> list[tuple[Loop, Letter]]:
    """Keys numbered from the sizes, or one number for every layer, with the loops known."""
    numberings: list[dict[str, int | None]] = [
        {"sized": at, "shift": k} for at in SIZED for k in KEY_SHIFTS
    ]
    fixed = {
        n for _, params in calls for k in params if split(k)[0] == spelling for n in [split(k)[1]]
    }
    if len(fixed) == 1:
        numberings.append({"fixed": fixed.pop(), "shift": 0})
    found = []
    for loop, numbering in itertools.product(dict.fromkeys([Loop(), *loops]), numberings):
        probe = Letter(spelling, (), **numbering)
        sized = _kept(loop, probe, calls, spelling)
        if sized is not None:
            found += [(loop, letter) for letter in _letters(sized, spelling, numbering)]
    return found


def letter_options(
    calls: Calls, spelling: str, loops: Sequence[Loop] = (), by_index: Options | None = None
) -> list[tuple[Loop, Letter]]:
    """Every (loop, letter) that explains the keys and shapes of ``spelling`` in every call;
    ``loops``: loops the other letter's numbers showed."""
    found = by_index if by_index is not None else _by_index(_numbered(calls, spelling), spelling)
    known = [*loops, *(loop for loop, _ in found)]
    return found + [o for o in _by_other(calls, spelling, known) if o not in found]


def structures(calls: Calls, cost: Callable[[Structure], int]) -> list[Structure]:
    """Every structure that explains all calls' keys and shapes, simplest first; of structures
    that are the same code with ``l`` counted from elsewhere, the simplest only."""
    found_roles = roles(calls)
    if found_roles is None or "W" not in found_roles:
        return []
    indexed = {s: _by_index(_numbered(calls, s), s) for s in found_roles.values()}
    shown = list(dict.fromkeys(loop for found in indexed.values() for loop, _ in found))
    options = {
        letter: letter_options(calls, spelling, shown, indexed[spelling])
        for letter, spelling in found_roles.items()
    }
    if "b" in options:
        found = [
            Structure(lw, w, b)
            for (lw, w), (lb, b) in itertools.product(options["W"], options["b"])
            if lw == lb
        ]
    else:
        found = [Structure(loop, w, None) for loop, w in options["W"]]
    found.sort(key=lambda s: (cost(s), _order(s)))
    kept: dict[Structure, Structure] = {}
    for structure in found:
        kept.setdefault(structure.moved(1 - structure.loop.start), structure)
    return list(kept.values())


def _order(structure: Structure) -> tuple[int, ...]:
    letters = [x for x in (structure.weights, structure.biases) if x is not None]
    axes = [a for letter in letters for a in letter.axes]
    return (sum(a.shift is None for a in axes), sum(abs(a.shift or 0) for a in axes))
