"""The last detectors: arrays of another dtype than float64, and values that differ from the
reference in a way no other detector recognises (then the first difference on a visible case is
quoted, with the formula to compare with)."""

from __future__ import annotations

import numpy as np

from grader.diagnosis._evidence import Evidence
from grader.mistakes import Diagnosis, Mistake
from grader.spec import EXACT_ATOL, EXACT_RTOL


def not_float64(ev: Evidence) -> Diagnosis | None:
    for dims, result in ev.results():
        if result.ok and result.dtypes and ev.quotable(dims):
            key, dtype = result.dtypes[0]
            found = Mistake.of("dtype.not_float64", dtype=dtype, key=key, dims=list(dims))
            return Diagnosis((found,))
    return None


def unexplained(ev: Evidence) -> Diagnosis | None:
    """The first value of a visible case that differs from the reference's. Only the visible
    cases: their expected values are printed in the notebook, while another input's could repeat
    a hidden case's (every layers_dims starts from the same draws of the exercise's seed)."""
    if ev.expected is None:
        return None
    for dims in ev.visible:
        params = ev.params(dims)
        if params is None:
            continue
        expected = ev.expected(dims)
        for key, want in expected.items():
            got = params.get(key)
            if got is None or got.shape != want.shape:
                continue
            close = np.isclose(got, want, rtol=EXACT_RTOL, atol=EXACT_ATOL)
            if close.all():
                continue
            index = tuple(int(i) for i in np.argwhere(~close)[0])
            fact = Mistake.of(
                "fact.value_differs", dims=list(dims), key=key, index=list(index),
                got=float(got[index]), expected=float(want[index]), method=ev.method,
                seed=ev.seed, scale=ev.rules.scale.text,
            )  # fmt: skip
            return Diagnosis(facts=(fact,))
    return None
