"""Which calls a graded function gets: a fixed schedule, a function of the spec alone.

``function_schedule(entry)`` lists, in order, every call a grading makes of one function,
whatever its answers are: the visible cases, each property input after ``BASE_PRESEED`` and
again after ``OTHER_PRESEED``, the outcome call, the diagnosis probes, the visible cases'
extensions (``grader.checks._hard_coding``; what they print is dropped unseen); then the hidden
cases, last, in the same process; and the outcome call and the extensions once more, as
``repeat``, each in a process where the function has never run (a cache kept by the function
cannot make the two agree). A call that appears twice (the first visible case is also a probe)
is made once.

The calls after ``OTHER_PRESEED`` ask whether the answer is the same whatever the global random
state. The program makes them after a preseed derived from the submission instead
(``Schedule.unknown_preseed``), so a function cannot recognise them; and ``FRESH_INPUTS`` of them
are made, as ``fresh``, each first in a process where the function has never run, and stand for
those calls, so an answer remembered from the first call cannot be replayed there.

``Replay`` answers the checks from the results of a schedule, as if they called the function.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from grader.checks.strategies import property_inputs
from grader.spec import BASE_PRESEED, OTHER_PRESEED, FunctionSpec
from grader.types import Call, CallResult, Schedule

Dims = tuple[int, ...]
Key = tuple[str, Dims, "int | None"]
FRESH_INPUTS = 2  # property inputs asked after OTHER_PRESEED in a fresh process (a fork each)


def function_schedule(entry: FunctionSpec) -> Schedule:
    """Every call of ``entry``'s function in a grading, in order."""
    cases = [Call(list(c.layer_dims), BASE_PRESEED) for c in entry.visible_cases]
    properties = [
        Call(dims, preseed)
        for dims in property_inputs(entry.property_examples)
        for preseed in (BASE_PRESEED, OTHER_PRESEED)
    ]
    outcome = Call(list(entry.outcome_dims), BASE_PRESEED)
    probes = [Call(list(p.layer_dims), p.preseed) for p in entry.probes]
    hidden = [Call(list(c.layer_dims), BASE_PRESEED) for c in entry.exact_cases if c.hidden]
    extensions = [Call(list(dims), BASE_PRESEED) for dims in entry.extensions]
    printed = {tuple(c.layer_dims) for c in entry.visible_cases}
    fresh = [c for c in properties if c.preseed == OTHER_PRESEED and tuple(c.dims) not in printed]
    shown = _once([*cases, *properties, outcome, *probes])
    visible = _once([*shown, *extensions])
    return Schedule(
        visible=visible,
        hidden=_once(hidden),
        repeat=(outcome, *extensions),
        fresh=tuple(fresh[:FRESH_INPUTS]),
        unknown_preseed=OTHER_PRESEED,
        unseen=len(visible) - len(shown),
    )


def _once(calls: Iterable[Call]) -> tuple[Call, ...]:
    """The calls in order, each made once."""
    unique: dict[Key, Call] = {}
    for call in calls:
        unique.setdefault(call.key, call)
    return tuple(unique.values())


class Replay:
    """A caller that answers the scheduled calls from their results (a call that was not
    scheduled is a bug of the grader, and raises)."""

    def __init__(self, calls: Sequence[Call], results: Sequence[CallResult]) -> None:
        self.results = {call.key: result for call, result in zip(calls, results, strict=True)}
        self.by_dims: dict[tuple[Dims, int | None], CallResult] = {}
        for call, result in zip(calls, results, strict=True):
            self.by_dims.setdefault((tuple(call.dims), call.preseed), result)

    def __call__(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        return self.results[Call(layer_dims, preseed).key]
