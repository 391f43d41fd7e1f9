"""Hypothesis strategies for the inputs graded functions get; shared by the grader and the tests."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

# The small networks a student should see first when a property fails: each property run starts
# with these, before any generated input.
SMALL_EXAMPLES: tuple[Sequence[int], ...] = ([1, 1], [2, 1], [3, 2, 1], (2, 4, 1), [1, 3, 2, 1])


def layer_dims(
    *, min_layers: int = 2, max_layers: int = 6, min_units: int = 1, max_units: int = 64
) -> st.SearchStrategy[Sequence[int]]:
    """``layers_dims`` as students pass them: input size first, output size last.

    Lists and tuples alike, of ``min_layers`` to ``max_layers`` sizes, each between ``min_units``
    and ``max_units``."""
    if not 2 <= min_layers <= max_layers:
        raise ValueError(f"need 2 <= min_layers <= max_layers, got {min_layers}, {max_layers}")
    if not 1 <= min_units <= max_units:
        raise ValueError(f"need 1 <= min_units <= max_units, got {min_units}, {max_units}")
    sizes = st.lists(
        st.integers(min_value=min_units, max_value=max_units),
        min_size=min_layers,
        max_size=max_layers,
    )
    return st.one_of(sizes, sizes.map(tuple))
