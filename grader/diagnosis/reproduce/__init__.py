"""Diagnosis by reproduction: name a mistake only when a hypothesis rebuilds the student's numbers.

``reproduce(evidence)`` returns a ``grader.mistakes.Diagnosis``. Its mistakes are what the grader
saw directly (an exception with the student's line, a value that is not parameters, an unfilled
template, a call that never returned, the input list changed, another dtype), each cause once,
and the deviations of the simplest hypothesis about the student's code that rebuilds every call
that returned (``_search``); equally simple hypotheses are its alternatives. When no hypothesis
rebuilds the numbers, it names no cause for them and states facts instead (``_facts``).
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.diagnosis._evidence import Evidence
from grader.diagnosis.reproduce._calls import Call, calls, made
from grader.diagnosis.reproduce._facts import facts
from grader.diagnosis.reproduce._failures import constant_output, dtypes, failures, mutated
from grader.diagnosis.reproduce._hypothesis import Hypothesis
from grader.diagnosis.reproduce._measure import layers_of
from grader.diagnosis.reproduce._mistakes import mistakes
from grader.diagnosis.reproduce._search import Cost, explained_failures, search
from grader.diagnosis.reproduce._state import shared
from grader.mistakes import Diagnosis, Mistake

__all__ = ["reproduce"]


Named = tuple[list[tuple[Mistake, ...]], set[tuple[tuple[int, ...], int | None]]]


def _named(ev: Evidence, found: Sequence[Call]) -> Named:
    """The mistakes of each simplest hypothesis, and the failed calls the first explains."""
    constant = constant_output(found, ev.visible)
    if constant is not None:
        return [(constant,)], set()
    cost: Cost = lambda h: len(mistakes(h, ev.method))  # noqa: E731
    hypotheses: list[Hypothesis] = search(found, ev.method, cost)
    if not hypotheses:
        kept = shared(made(ev), ev.method, cost)
        if kept is None:
            return [], set()
        return [(*mistakes(kept[0], ev.method), kept[1])], set()
    named = list(dict.fromkeys(mistakes(h, ev.method) for h in hypotheses))
    return named, explained_failures(hypotheses[0], found)


def reproduce(ev: Evidence) -> Diagnosis:
    try:
        return _reproduce(ev)
    finally:
        layers_of.cache_clear()  # it holds this function's arrays


def _reproduce(ev: Evidence) -> Diagnosis:
    found = calls(ev)
    named, explained = _named(ev, found)
    seen = failures(found, explained) + dtypes(found) + mutated(found)
    if named:
        first, *others = named
        return Diagnosis((*first, *seen), tuple((*o, *seen) for o in others))
    returned = any(c.ok for c in found)
    shown = facts(found, ev.method, ev.visible, ev.expected) if returned else ()
    return Diagnosis(tuple(seen), (), shown) if seen or shown else Diagnosis()
