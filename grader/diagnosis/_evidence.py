"""What the diagnosis looks at: every call the grader made of one function, and the verdicts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from grader.spec import BASE_PRESEED, SCALE_PROBE_DIMS, expected_shapes
from grader.types import CallResult, Params

Dims = tuple[int, ...]


@dataclass(frozen=True)
class Evidence:
    """What the grader saw of one function: calls by (layers_dims, preseed), visible verdicts."""

    method: str
    calls: Mapping[tuple[Dims, int | None], CallResult]
    visible: tuple[Dims, ...]
    visible_passed: bool

    def params(self, dims: Dims, preseed: int | None = BASE_PRESEED) -> Params | None:
        result = self.calls.get((dims, preseed))
        return result.value if result is not None and result.ok else None

    def shown(self) -> list[tuple[Dims, Params]]:
        """Visible cases then the large probe: the calls a diagnosis may quote."""
        dims = [*self.visible, SCALE_PROBE_DIMS]
        return [(d, p) for d in dims if (p := self.params(d)) is not None]


Detector: TypeAlias = Callable[[Evidence], str | None]


def layout_weights(params: Params, dims: Dims) -> list[np.ndarray] | None:
    """The weight matrices when the layout is right, else None."""
    shapes = expected_shapes(dims)
    if set(params) != set(shapes) or any(params[k].shape != s for k, s in shapes.items()):
        return None
    return [params[f"W{layer}"] for layer in range(1, len(dims))]
