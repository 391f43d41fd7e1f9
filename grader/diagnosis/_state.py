"""State kept between calls: a parameters dictionary made once, outside the function.

Such a function adds each call's layers to the same dictionary and returns it, so a call also
returns the keys earlier calls left. The calls are replayed in the order a grading makes them
(the visible calls, then the hidden cases, in the same worker or, failing that, in one of their
own). A hypothesis is proposed from the calls that overwrote every key of the call before (their
dictionary holds nothing stale: the first call, and each that made more layers than all before
it), and believed only when its layers, added to one dictionary call after call, rebuild every
call.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from grader.diagnosis._calls import Call
from grader.diagnosis._hypothesis import CannotRun, Hypothesis, ScaleTable, run
from grader.diagnosis._measure import rows
from grader.diagnosis._placing import close
from grader.diagnosis._search import Cost, search
from grader.mistakes import Mistake
from grader.spec import FunctionSpec, expected_shapes
from grader.types import Params


def _stale(found: Sequence[Call]) -> bool:
    """Whether some call returned more keys than its layers_dims has layers."""
    return any(c.ok and len(c.params) > len(expected_shapes(c.dims)) for c in found)


def _fresh(ordered: Sequence[Call]) -> list[Call]:
    """The calls whose dictionary holds nothing an earlier call left."""
    ok = [c for c in ordered if c.ok]
    if not ok:
        return []
    later = [b for a, b in itertools.pairwise(ok) if set(a.params) < set(b.params)]
    return [ok[0], *later]


def _runs(made: Sequence[Call]) -> list[list[Sequence[Call]]]:
    """Where the hidden cases may have run: among the other calls as listed, after them in the
    same worker, or in a worker of their own; each way as a list of workers' call orders."""
    shown = [c for c in made if c.quotable]
    hidden = [c for c in made if not c.quotable]
    return [[made], [[*shown, *hidden]], [shown, hidden]]


def _replays(h: Hypothesis, workers: list[Sequence[Call]], table: ScaleTable) -> bool:
    return all(_replays_one(h, ordered, table) for ordered in workers)


def _replays_one(h: Hypothesis, ordered: Sequence[Call], table: ScaleTable) -> bool:
    state: Params = {}
    for call in ordered:
        try:
            state.update(run(h, call.dims, call.seeded, table))
        except (CannotRun, IndexError, ValueError, KeyError):
            return False
        if not call.ok:
            continue
        if set(state) != set(call.params):
            return False
        if not all(close(state[k], call.params[k]) for k in state):
            return False
    return True


def shared(
    made: Sequence[Call], rules: FunctionSpec, cost: Cost
) -> tuple[Hypothesis, Mistake] | None:
    """The simplest hypothesis that rebuilds every call (``made``: as the evidence lists them)
    through one shared dictionary."""
    if not _stale(made):
        return None
    for workers in _runs(made):
        for h in search(_fresh(workers[0]), rules, cost):
            table = ScaleTable(h, rows(made, h.structure))
            if _replays(h, workers, table):
                return h, _mistake(made)
    return None


def _mistake(found: Sequence[Call]) -> Mistake:
    """Where the stale keys show: the smallest call a student may see that has some."""
    stale = [
        c for c in found if c.ok and c.quotable and set(c.params) - set(expected_shapes(c.dims))
    ]
    call = min(stale, key=lambda c: (len(c.dims), sum(c.dims)))
    extra = sorted(set(call.params) - set(expected_shapes(call.dims)))
    return Mistake.of("state.shared_dict", dims=list(call.dims), extra=extra)
