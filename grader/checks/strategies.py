"""The inputs graded functions get: the hypothesis strategy the tests draw ``layers_dims`` with,
and the fixed list of inputs every property run of a grading tries (drawn without hypothesis, so
that they never change with its version)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from grader.spec import PROPERTY_SEED

if TYPE_CHECKING:  # hypothesis is for the tests; grading draws its inputs without it
    from hypothesis import strategies as st

MIN_LAYERS, MAX_LAYERS = 2, 6  # sizes in a layers_dims, input and output included
MIN_UNITS, MAX_UNITS = 1, 64

# The small networks a student should see first when a property fails: each property run starts
# with these, before any generated input.
SMALL_EXAMPLES: tuple[Sequence[int], ...] = ([1, 1], [2, 1], [3, 2, 1], [2, 4, 1], [1, 3, 2, 1])


def layer_dims(
    *,
    min_layers: int = MIN_LAYERS,
    max_layers: int = MAX_LAYERS,
    min_units: int = MIN_UNITS,
    max_units: int = MAX_UNITS,
) -> st.SearchStrategy[Sequence[int]]:
    """``layers_dims`` as students pass them: input size first, output size last.

    Lists and tuples alike, of ``min_layers`` to ``max_layers`` sizes, each between ``min_units``
    and ``max_units``."""
    if not 2 <= min_layers <= max_layers:
        raise ValueError(f"need 2 <= min_layers <= max_layers, got {min_layers}, {max_layers}")
    if not 1 <= min_units <= max_units:
        raise ValueError(f"need 1 <= min_units <= max_units, got {min_units}, {max_units}")
    from hypothesis import strategies as st

    sizes = st.lists(
        st.integers(min_value=min_units, max_value=max_units),
        min_size=min_layers,
        max_size=max_layers,
    )
    return st.one_of(sizes, sizes.map(tuple))


@functools.lru_cache(maxsize=8)
def property_inputs(count: int, seed: int = PROPERTY_SEED) -> tuple[Sequence[int], ...]:
    """The ``layers_dims`` every property run tries, in order: ``SMALL_EXAMPLES``, then up to
    ``count`` more, without repeats.

    They are drawn from numpy's legacy ``RandomState(seed)``, whose stream numpy keeps the same
    in every version (its policy for the legacy generator), by the recipe below and nothing else:
    the inputs are a function of the spec (``count`` and ``PROPERTY_SEED``) alone, the same in an
    editable checkout and an installed wheel, on every machine, Python and hypothesis version.
    Like hypothesis, the recipe favours the sizes where mistakes show: layers of 1 unit, the
    largest layers, small networks. Every input is a list, as the exercise documents and the
    notebook passes: a function that works on lists is right even if a tuple would break it."""
    state = np.random.RandomState(seed)
    unique: dict[tuple[int, ...], Sequence[int]] = {}
    for dims in SMALL_EXAMPLES:
        unique.setdefault(tuple(dims), list(dims))
    for _ in range(count):
        sizes = [_size(state) for _ in range(int(state.randint(MIN_LAYERS, MAX_LAYERS + 1)))]
        unique.setdefault(tuple(sizes), sizes)
    return tuple(unique.values())


def _size(state: np.random.RandomState) -> int:
    """One layer's size: 1 a fifth of the time, the largest a tenth, small a third, else any."""
    pick = float(state.random_sample())
    if pick < 0.2:
        return MIN_UNITS
    if pick < 0.3:
        return MAX_UNITS
    if pick < 0.6:
        return int(state.randint(MIN_UNITS, 6))
    return int(state.randint(MIN_UNITS, MAX_UNITS + 1))
