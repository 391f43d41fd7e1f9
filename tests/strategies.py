"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def layer_dims(
    min_layers: int = 2, max_layers: int = 6, min_units: int = 1, max_units: int = 64
) -> st.SearchStrategy[Sequence[int]]:
    """``layers_dims`` as students pass them: input size first, output size last.

    Yields lists and tuples alike, of ``min_layers`` to ``max_layers`` sizes, each between
    ``min_units`` and ``max_units``.
    """
    sizes = st.lists(
        st.integers(min_value=min_units, max_value=max_units),
        min_size=min_layers,
        max_size=max_layers,
    )
    return st.one_of(sizes, sizes.map(tuple))
