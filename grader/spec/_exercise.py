"""The exercise record and the grading policy: the facts every method of an assignment shares.

``Exercise`` holds what the notebook and the outcome training agree on: the seed every graded
initializer calls ``np.random.seed`` with, the notebook's example sizes, the network the
outcome trains (its sizes, learning rate and steps) and the data it trains on. ``Policy`` holds
how the grader grades: tolerances, the seeds set before each call, the size of the property run,
the probe's sizes. Both are part of the model's digest, so changing any of them regrades.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.errors import SpecError
from grader.results import Visibility


def _sizes(name: str, dims: Sequence[int], *, least: int = 2) -> tuple[int, ...]:
    found = tuple(dims)
    if len(found) < least or not all(type(n) is int and n >= 1 for n in found):
        raise SpecError(
            f"{name} must be a list of at least {least} positive whole numbers, not {list(found)}"
        )
    return found


@dataclass(frozen=True)
class Exercise:
    """What the notebook, the reference and the outcome training share; see the module doc."""

    seed: int
    example_dims: tuple[int, ...]  # the notebook's example call, for every method by default
    outcome_dims: tuple[int, ...]  # the network trained from a student's start
    learning_rate: float
    steps: int
    data_seeds: tuple[int, int]  # the training set's, then the test set's
    data_sizes: tuple[int, int]  # points in each
    noise: float

    def __post_init__(self) -> None:
        if type(self.seed) is not int or not 0 <= self.seed < 2**32:
            raise SpecError(f"seed must be a whole number from 0 to 2**32 - 1, not {self.seed!r}")
        object.__setattr__(self, "example_dims", _sizes("example_dims", self.example_dims))
        object.__setattr__(self, "outcome_dims", _sizes("outcome_dims", self.outcome_dims))
        if not (isinstance(self.learning_rate, float) and 0 < self.learning_rate < 10):
            raise SpecError(f"learning_rate must be a number above 0, not {self.learning_rate!r}")
        if type(self.steps) is not int or self.steps < 1:
            raise SpecError(f"steps must be a whole number above 0, not {self.steps!r}")
        if len(self.data_seeds) != 2 or len(self.data_sizes) != 2:
            raise SpecError(
                "data_seeds and data_sizes are pairs: the training set's, the test set's"
            )


@dataclass(frozen=True)
class Policy:
    """How the grader grades; the values and their derivations are ``grader.spec._model``'s."""

    exact_rtol: float
    exact_atol: float
    base_preseed: int
    other_preseed: int
    property_seed: int
    scale_probe_dims: tuple[int, ...]
    hidden_visibility: Visibility
