"""Which keys come back: the layers a function makes, read from their numbers and shapes.

For each letter (``W`` and ``b``) the layer numbers of the returned keys are compared with
1..L, on every call that returned parameters: a return inside the loop gives layer 1 alone
whatever the input; one key for every layer gives a single key holding the last layer; a fixed
loop gives the same layers whatever the input; a shifted loop or key number gives 0..L, 2..L,
1..L-1 or 2..L+1, told apart by which layer's shape each key has.
"""

from __future__ import annotations

import re

from grader.diagnosis._evidence import Dims, Evidence
from grader.mistakes import Diagnosis, Mistake
from grader.spec import expected_keys, expected_shapes
from grader.types import Params

KEY = re.compile(r"([Wb])(\d+)")


def _numbers(params: Params, letter: str) -> set[int] | None:
    """The layer numbers of ``letter``'s keys, or None when a key is not of the form W3 / b3."""
    found = set()
    for key in params:
        match = KEY.fullmatch(key)
        if match is None:
            return None
        if match.group(1) == letter:
            found.add(int(match.group(2)))
    return found


def _shape_of_layer(params: Params, key: str, dims: Dims, layer: int) -> bool:
    """Whether ``params[key]`` has the shape layer ``layer`` of ``dims`` should have."""
    wanted = expected_shapes(dims).get(f"{key[0]}{layer}")
    return key in params and params[key].shape == wanted


def _per_call(letter: str, returned: list[tuple[Dims, Params]]) -> list[tuple[Dims, set[int]]]:
    found = []
    for dims, params in returned:
        numbers = _numbers(params, letter)
        if numbers is not None:
            found.append((dims, numbers))
    return found


def _across_calls(letter: str, ev: Evidence, dims: Dims, params: Params) -> Mistake | None:
    """Mistakes seen only by comparing inputs of several lengths."""
    calls = [(d, n) for d, n in _per_call(letter, ev.returned()) if len(d) > 2]
    lengths = {len(d) for d, _ in calls}
    same = {frozenset(n) for _, n in calls}
    if len(same) != 1 or len(lengths) < 2:
        return None
    (numbers,) = same
    if numbers == {1} and _shape_of_layer(params, f"{letter}1", dims, 1):
        return Mistake.of("layout.return_in_loop", dims=list(dims))
    if len(numbers) == 1:
        (only,) = numbers
        key = f"{letter}{only}"
        if _shape_of_layer(params, key, dims, len(dims) - 1):
            return Mistake.of("layout.same_key", key=key, dims=list(dims), letter=letter)
    if numbers == set(range(1, len(numbers) + 1)):
        keys = [k for k in expected_keys([0] * (len(numbers) + 1))]
        wanted = len(dims) - 1
        return Mistake.of(
            "layout.fixed_layers", count=len(numbers), keys=keys, dims=list(dims), wanted=wanted
        )
    return None


def _in_one_call(letter: str, dims: Dims, params: Params, numbers: set[int]) -> Mistake | None:
    """Mistakes one call shows: the loop or the key numbers shifted by one."""
    last = len(dims) - 1
    if numbers == set(range(0, last + 1)) and f"{letter}0" in params:
        return Mistake.of("layout.loop_from_0", letter=letter)
    if (
        numbers == set(range(2, last + 1))
        and last >= 2
        and all(_shape_of_layer(params, f"{letter}{n}", dims, n) for n in numbers)
    ):
        return Mistake.of("layout.loop_from_2", dims=list(dims), letter=letter)
    if numbers == set(range(1, last)):
        return Mistake.of("layout.missing_last", dims=list(dims), layer=last)
    for shift in (-1, 1):
        if numbers == {n + shift for n in range(1, last + 1)} and all(
            _shape_of_layer(params, f"{letter}{n + shift}", dims, n) for n in range(1, last + 1)
        ):
            got = sorted((k for k in params if k[0] == letter), key=lambda k: int(k[1:]))
            expected = [f"{letter}{n}" for n in range(1, last + 1)]
            return Mistake.of(
                "layout.numbered_from", first=1 + shift, got=got, expected=expected, letter=letter
            )
    return None


def layout(ev: Evidence) -> Diagnosis | None:
    """The keys of a call that the student may see are not W1, b1, ..., WL, bL."""
    for dims, params in ev.returned():
        if not ev.quotable(dims) or set(params) == set(expected_keys(dims)):
            continue
        if not params:
            return Diagnosis((Mistake.of("layout.empty", dims=list(dims)),))
        for letter in "Wb":
            numbers = _numbers(params, letter)
            if numbers is None or numbers == set(range(1, len(dims))):
                continue
            found = _across_calls(letter, ev, dims, params) or _in_one_call(
                letter, dims, params, numbers
            )
            if found is not None:
                return Diagnosis((found,))
        return None
    return None
