"""What the diagnosis looks at: every call the grader made of one function, and the verdicts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from grader.mistakes import Diagnosis
from grader.spec import BASE_PRESEED, METHODS, SCALE_PROBE_DIMS, FunctionSpec, expected_shapes
from grader.types import CallResult, Params

Dims = tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """What the grader saw of one function: calls by (layers_dims, preseed), visible verdicts.

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

    def shown(self) -> list[tuple[Dims, Params]]:
        """Visible cases then the large probe: the calls a diagnosis may quote first."""
        dims = [*self.visible, SCALE_PROBE_DIMS]
        return [(d, p) for d in dims if (p := self.params(d)) is not None]

    def quotable(self, dims: Dims) -> bool:
        return dims not in self.hidden

    def results(self) -> Iterator[tuple[Dims, CallResult]]:
        """Every call made after ``BASE_PRESEED``: the visible cases and the probe first, then
        the rest in the order they were made."""
        first = [*self.visible, SCALE_PROBE_DIMS]
        later = [d for (d, preseed) in self.calls if preseed == BASE_PRESEED and d not in first]
        for dims in [*first, *later]:
            result = self.calls.get((dims, BASE_PRESEED))
            if result is not None:
                yield dims, result

    def returned(self) -> list[tuple[Dims, Params]]:
        """Every call that returned parameters (after ``BASE_PRESEED``), visible ones first."""
        return [(d, r.value) for d, r in self.results() if r.ok and r.value is not None]


Detector: TypeAlias = Callable[[Evidence], Diagnosis | None]


def layout_weights(params: Params, dims: Dims) -> list[np.ndarray] | None:
    """The weight matrices when the layout is right, else None."""
    shapes = expected_shapes(dims)
    if set(params) != set(shapes) or any(params[k].shape != s for k, s in shapes.items()):
        return None
    return [params[f"W{layer}"] for layer in range(1, len(dims))]
