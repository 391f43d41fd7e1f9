"""Step 5 of grading: say what a wrong initializer's code does, only when it is certain.

``diagnose(evidence)`` returns a ``grader.mistakes.Diagnosis`` (or None when there is nothing to
say). Its mistakes are, first, what the grader saw directly: an exception with the student's
line, a value that is not parameters, an unfilled template, a call that never returned, the
list changed in place, another dtype; each cause once, with the calls it cost. Then the
deviations of the simplest *hypothesis* about the student's code that rebuilds every call that
returned, composed from independent parts, each searched over a small space (``_search``): the
loop's structure (``_keys``), the random stream (``_sources``, ``_draws``), how each layer's
numbers are made from their draws (``_measure``) and the scale expression (``_fit``), run with a
generator of its own (``_hypothesis``). Equally simple hypotheses that rebuild the numbers too
are its alternatives. When none does, no cause is named: ``_facts`` states what differs, on the
smallest call a student may see. Hidden cases inform a hypothesis but are never quoted.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from grader.diagnosis._calls import Call, calls, made
from grader.diagnosis._evidence import Evidence
from grader.diagnosis._facts import facts
from grader.diagnosis._failures import constant_output, dtypes, failures, mutated
from grader.diagnosis._measure import layers_of
from grader.diagnosis._mistakes import mistakes
from grader.diagnosis._search import Cost, explained_failures, search
from grader.diagnosis._state import shared
from grader.mistakes import Diagnosis, Mistake, quoted

__all__ = ["Evidence", "diagnose"]

Named = tuple[list[tuple[Mistake, ...]], set[tuple[tuple[int, ...], int | None]]]


def _named(ev: Evidence, found: Sequence[Call]) -> Named:
    """The mistakes of each simplest hypothesis, and the failed calls the first explains."""
    constant = constant_output(found, ev.visible)
    if constant is not None:
        return [(constant,)], set()
    cost: Cost = lambda h: len(mistakes(h, ev.rules))  # noqa: E731
    hypotheses = search(found, ev.rules, cost)
    if not hypotheses:
        kept = shared(made(ev), ev.rules, cost)
        if kept is None:
            return [], set()
        return [(*mistakes(kept[0], ev.rules), kept[1])], set()
    named = list(dict.fromkeys(mistakes(h, ev.rules) for h in hypotheses))
    return named, explained_failures(hypotheses[0], found)


def diagnose(ev: Evidence) -> Diagnosis | None:
    """What the grader can say about one wrong function (None: nothing)."""
    try:
        # a student's numbers may hold inf and nan, and ratios of them overflow: quietly
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            found = _diagnosed(ev)
    finally:
        layers_of.cache_clear()  # it holds this function's arrays
    if not found.mistakes and not found.facts:
        return None
    return replace(found, inputs=quoted(found.all_mistakes, ev.visible))


def _diagnosed(ev: Evidence) -> Diagnosis:
    found = calls(ev)
    named, explained = _named(ev, found)
    seen = failures(found, explained) + dtypes(found) + mutated(found)
    if named:
        first, *others = named
        return Diagnosis((*first, *seen), tuple((*o, *seen) for o in others))
    returned = any(c.ok for c in found)
    shown = facts(found, ev.rules, ev.visible, ev.expected) if returned else ()
    return Diagnosis(tuple(seen), (), shown)
