"""The random streams a student's function may draw from, rebuilt with generators of their own.

A ``Source`` names one way of getting random numbers: numpy's legacy generator (what
``np.random.seed`` and ``np.random.randn`` use, or a ``RandomState`` of one's own) or the new
one (``np.random.default_rng``), a seed (``None``: the function does not seed, so it draws from
whatever state the grader left, the call's *preseed*), and a distribution (``normal``: ``randn``,
``standard_normal``, ``normal``; ``uniform``: ``rand``, ``random``, ``uniform``). Drawn in one
go, each is a stream of numbers; a function's draws are consecutive pieces of it.

The host's global generator is never touched. Streams are cached: the exercise seed's stream
and the two preseed streams serve every grading, and the short prefixes of every seed searched
are built once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# The seeds searched when a function's numbers are not the exercise seed's: every small number,
# and the few larger ones people type (years, digit runs).
SEARCHED_SEEDS: tuple[int, ...] = (
    *range(0, 257),
    314,
    500,
    666,
    777,
    999,
    1000,
    1024,
    1234,
    4321,
    12345,
    54321,
    123456,
    1337,
    31337,
    9999,
    99999,
    *range(2015, 2031),
)
PREFIX = 256  # numbers of each searched seed's stream kept for the search
LONG = 1 << 15  # numbers of a chosen stream kept for placing every layer of a call
GENERATORS = ("legacy", "pcg")
DISTRIBUTIONS = ("normal", "uniform")


@dataclass(frozen=True)
class Source:
    """Where numbers come from: ``generator`` seeded with ``seed`` (None: the call's preseed)."""

    generator: str = "legacy"
    seed: int | None = None
    distribution: str = "normal"

    def seeded(self, preseed: int | None) -> int | None:
        """The seed the stream of a call starts from (None: it cannot be rebuilt)."""
        if self.seed is not None:
            return self.seed
        return preseed if self.generator == "legacy" else None


def generator(source: Source, seed: int) -> np.random.RandomState | np.random.Generator:
    """A fresh generator of ``source`` seeded with ``seed``."""
    if source.generator == "legacy":
        return np.random.RandomState(seed)
    return np.random.default_rng(seed)


def draw(
    state: np.random.RandomState | np.random.Generator, distribution: str, shape: tuple[int, ...]
) -> np.ndarray:
    """``shape`` numbers of ``distribution`` from ``state``, as the student's call draws them."""
    if isinstance(state, np.random.RandomState):
        if distribution == "normal":
            return state.standard_normal(shape)
        return state.random_sample(shape)
    if distribution == "normal":
        return state.standard_normal(shape)
    return state.random(shape)


@functools.lru_cache(maxsize=16)
def long_stream(source: Source, seed: int) -> np.ndarray:
    """The first ``LONG`` numbers of ``source`` seeded with ``seed``, read-only."""
    numbers = draw(generator(source, seed), source.distribution, (LONG,))
    numbers.setflags(write=False)
    return numbers


@functools.lru_cache(maxsize=4)
def prefixes(generator_name: str, distribution: str) -> np.ndarray:
    """A table of the first ``PREFIX`` numbers of every searched seed, one row per seed."""
    source = Source(generator_name, 0, distribution)
    table = np.stack(
        [draw(generator(source, seed), distribution, (PREFIX,)) for seed in SEARCHED_SEEDS]
    )
    table.setflags(write=False)
    return table
