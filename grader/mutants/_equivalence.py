"""Is a mutant equivalent to the solution? Run it against the reference on many layers_dims.

The mutant is our own code (a copy of the solution with one change), so it runs in this process,
through ``grader.sandbox.local_caller``: the validator of returned values and the preseeds of a
grading. It is equivalent when, on every input, it returns the reference's keys and shapes, as
float64, with values equal to within ``RTOL`` (a few ulp of rounding), and leaves its argument
alone. The inputs are the spec's cases and probes, every property input, and more drawn here:
lists of 2 to 7 sizes from 1 to 80 (the exercise passes lists, and so does a grading).
"""

from __future__ import annotations

import collections
import functools
import math
from collections.abc import Sequence

import numpy as np

from grader.checks import expected_params
from grader.checks.strategies import property_inputs
from grader.sandbox import local_caller
from grader.spec import BASE_PRESEED, OTHER_PRESEED, SCALE_PROBE_DIMS, SPEC, FunctionSpec
from grader.types import CallResult, Params

RTOL = 1e-12  # reordered float operations differ by ~1e-16 relative; any real change by far more
EXTRA_INPUTS = 60
PRESEEDS = (BASE_PRESEED, OTHER_PRESEED)


@functools.lru_cache(maxsize=1)
def equivalence_inputs() -> tuple[Sequence[int], ...]:
    """Every layers_dims a mutant is compared on."""
    rng = np.random.default_rng(2024)
    drawn: list[Sequence[int]] = []
    for _ in range(EXTRA_INPUTS):
        drawn.append([int(n) for n in rng.integers(1, 81, size=int(rng.integers(2, 8)))])
    cases = [list(c.layer_dims) for e in SPEC.functions for c in e.exact_cases]
    fixed = [list(SCALE_PROBE_DIMS), *(list(e.outcome_dims) for e in SPEC.functions)]
    return (*cases, *fixed, *property_inputs(SPEC.functions[0].property_examples), *drawn)


def _same(result: CallResult, dims: Sequence[int], expected: Params) -> bool:
    value = result.value
    if not result.ok or value is None or result.dtypes or result.args_after != list(dims):
        return False
    if set(value) != set(expected):
        return False
    return all(
        value[key].shape == want.shape and np.allclose(value[key], want, rtol=RTOL, atol=0.0)
        for key, want in expected.items()
    )


def load_function(source: str, name: str) -> object:
    """The function ``name`` defined by ``source``, with the notebook's usual imports."""
    namespace: dict[str, object] = {"np": np, "math": math, "collections": collections}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # our own mutant, not student code
    return namespace[name]


def equivalent(source: str, entry: FunctionSpec) -> bool:
    """Whether the function in ``source`` gives the reference's answer on every input."""
    try:
        function = load_function(source, entry.name)
    except Exception:  # a mutant that does not even define the function
        return False
    caller = local_caller(function, entry.name)  # type: ignore[arg-type]
    for dims in equivalence_inputs():
        expected = expected_params(entry.method, tuple(dims), entry.seed)
        for preseed in PRESEEDS:
            if not _same(caller(dims, preseed), dims, expected):
                return False
    return True
