"""Points that hard-coding cannot earn.

The visible cases are the notebook's own examples, whose answers are printed in it: a function
can return them from a table and do anything else on every other input. An answer matched there
is evidence of a working function only when the function builds its answers the same way where
it could not have copied them. So the examples' answers count only when the function also gives
the reference's answer on at least one hidden case (inputs no notebook shows). Otherwise:

- the visible cases keep their verdict as numbers for the diagnosis, but not their points;
- the properties, which are also tried on the examples' ``layers_dims``, are judged without
  those inputs.

Hard-coded answers added to any other behaviour then score what that behaviour scores alone. A
spec without hidden cases has nothing to confirm with, and its examples count as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from grader import messages as msg
from grader.results import CheckResult
from grader.spec import FunctionSpec

Dims = tuple[int, ...]


def confirmed(entry: FunctionSpec, exact: Sequence[CheckResult]) -> bool:
    """Whether the examples' answers count: some hidden case passed, or there is none.
    ``exact`` holds one result per ``entry.exact_cases``, in order."""
    hidden = [check for check, case in zip(exact, entry.exact_cases, strict=True) if case.hidden]
    return not hidden or any(check.passed for check in hidden)


def unconfirmed_examples(entry: FunctionSpec, exact: Sequence[CheckResult]) -> frozenset[Dims]:
    """The examples' ``layers_dims`` whose answers judge nothing (none when ``confirmed``)."""
    if confirmed(entry, exact):
        return frozenset()
    return frozenset(tuple(case.layer_dims) for case in entry.visible_cases)


def confirmed_visible(entry: FunctionSpec, exact: Sequence[CheckResult]) -> list[CheckResult]:
    """``exact`` with the points of passed visible cases withheld unless ``confirmed``."""
    if confirmed(entry, exact):
        return list(exact)
    return [
        _withheld(check, case.layer_dims) if check.passed and not case.hidden else check
        for check, case in zip(exact, entry.exact_cases, strict=True)
    ]


def _withheld(check: CheckResult, layer_dims: Sequence[int]) -> CheckResult:
    message = msg.VISIBLE_NOT_CONFIRMED.format(dims=list(layer_dims))
    return replace(check, points=0.0, passed=False, message=message)
