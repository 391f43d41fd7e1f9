"""The inputs graded functions get: hypothesis strategies shared by the grader and the tests, and
the fixed list of inputs every property run tries."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
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


@functools.lru_cache(maxsize=8)
def property_inputs(count: int) -> tuple[Sequence[int], ...]:
    """The ``layers_dims`` every property run tries, in order: ``SMALL_EXAMPLES``, then up to
    ``count`` more drawn from ``layer_dims()``, without repeats.

    Drawn once per process by a derandomized hypothesis run, with the constants hypothesis would
    otherwise mix in from whatever source files happen to be loaded left out: the inputs depend
    on ``count`` and hypothesis's version alone, not on where or how the grader is installed,
    and a submission's grading spends no time generating them."""
    drawn: list[Sequence[int]] = []

    @given(layer_dims())
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    def draw(dims: Sequence[int]) -> None:
        drawn.append(dims)

    with _without_local_constants():
        draw()
    unique: dict[tuple[str, tuple[int, ...]], Sequence[int]] = {}
    for dims in (*SMALL_EXAMPLES, *drawn):
        unique.setdefault((type(dims).__name__, tuple(dims)), dims)
    return tuple(unique.values())


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Hypothesis draws, now and then, constants found in the "local" source files it sees
    loaded; for grading, the inputs must not depend on those."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # a hypothesis laid out differently: nothing to switch off
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or cache is None:
        yield
        return
    empty = Constants()
    cache.cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
