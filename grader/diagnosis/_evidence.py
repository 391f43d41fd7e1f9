"""What the diagnosis looks at: every call the grader made of one function, and the verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from grader.spec import BASE_PRESEED, METHODS, FunctionSpec
from grader.types import CallResult, Params

Dims = tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """What the grader saw of one function: calls by (layers_dims, preseed), in the order each
    worker made them, and the visible verdicts.

    ``hidden`` are the hidden cases' layers_dims: their calls inform a diagnosis, but a
    diagnosis never quotes them. ``expected`` gives the reference's answer for a layers_dims.
    ``entry`` is the method's record (its scale, wrong scales, seed); without one, the record
    of ``method`` in the course's catalogue."""

    method: str
    calls: Mapping[tuple[Dims, int | None], CallResult]
    visible: tuple[Dims, ...]
    visible_passed: bool
    hidden: tuple[Dims, ...] = ()
    expected: Callable[[Dims], Params] | None = None
    entry: FunctionSpec | None = None
    # a call's preseed -> the one it was made after, where the grader's program chose another
    preseeds: Mapping[int, int] | None = None

    @property
    def rules(self) -> FunctionSpec:
        """The method's record: what it draws, with which scale, and the usual wrong scales."""
        return self.entry if self.entry is not None else METHODS[self.method]

    @property
    def seed(self) -> int:
        """The seed the exercise's construction calls ``np.random.seed`` with."""
        return self.rules.seed

    def params(self, dims: Dims, preseed: int | None = BASE_PRESEED) -> Params | None:
        result = self.calls.get((dims, preseed))
        return result.value if result is not None and result.ok else None

    def quotable(self, dims: Dims) -> bool:
        return dims not in self.hidden
