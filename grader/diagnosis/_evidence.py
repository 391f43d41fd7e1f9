"""What the diagnosis looks at: every call the grader made of one function, and the verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from grader.spec import BASE_PRESEED
from grader.types import CallResult, Params

Dims = tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """What the grader saw of one function: calls by (layers_dims, preseed), in the order each
    worker made them, and the visible verdicts.

    ``hidden`` are the hidden cases' layers_dims: their calls inform a diagnosis, but a
    diagnosis never quotes them. ``expected`` gives the reference's answer for a layers_dims."""

    method: str
    calls: Mapping[tuple[Dims, int | None], CallResult]
    visible: tuple[Dims, ...]
    visible_passed: bool
    hidden: tuple[Dims, ...] = ()
    expected: Callable[[Dims], Params] | None = None

    def params(self, dims: Dims, preseed: int | None = BASE_PRESEED) -> Params | None:
        result = self.calls.get((dims, preseed))
        return result.value if result is not None and result.ok else None

    def quotable(self, dims: Dims) -> bool:
        return dims not in self.hidden
