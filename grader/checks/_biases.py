"""Zero biases in a shape that adds like a column: graded as the column they stand for.

``b = 0`` or ``np.zeros(n)`` instead of ``np.zeros((n, 1))`` is a slip in the biases' shape, and
only that: the weights may be exactly right. The biases' own checks say so (keys and shapes,
with the shape the function gave); every other check, the values compared with the reference,
the weight properties and the training outcome, reads such a bias as the zero column it stands
for, so the weights keep their points. Shapes read that way: a scalar ``()``, ``(1,)``,
``(1, 1)`` and ``(n,)``, all zeros. Anything else (nonzero values, a row ``(1, n)``) stays as it
is and fails where it does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from grader.types import Params


def _stands_for_column(value: np.ndarray, rows: int) -> bool:
    return value.shape in ((), (1,), (1, 1), (rows,)) and not np.any(value)


def as_columns(params: Params, shapes: Mapping[str, tuple[int, ...]]) -> Params:
    """``params`` with each zero bias in a shape that adds like a column given as that column;
    ``params`` itself when there is none."""
    fixed = {
        key: np.zeros(shape)
        for key, shape in shapes.items()
        if key.startswith("b")
        and key in params
        and params[key].shape != shape
        and _stands_for_column(params[key], shape[0])
    }
    return {**params, **fixed} if fixed else params
