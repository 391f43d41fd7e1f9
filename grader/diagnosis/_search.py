"""The search: propose hypotheses from a few calls, keep those that rebuild every call.

For each structure that explains the keys and shapes (simplest first), the weights are either one
constant or drawn; drawn weights get their source and the loop's order of drawing
(``_draws``), then each layer's factor (and shift, clipping bound...) is measured against the
draws a hypothesis of that stream would make in that layer, on every call, and the factors are
fitted by a scale expression (``_fit``). The biases and the dtypes are read the same way. Every
hypothesis so composed is run on every call (``_hypothesis.run``); only those that rebuild all of
them are returned. Structures, streams and expressions tried are capped by constants, so the
work is bounded whatever a submission returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from grader.diagnosis._calls import Call, training
from grader.diagnosis._draws import orders, place_all
from grader.diagnosis._hypothesis import (
    CannotRun,
    Count,
    Hypothesis,
    ScaleTable,
    Stream,
    Values,
    run,
)
from grader.diagnosis._keys import split, structures
from grader.diagnosis._measure import layers_of, raw, rows, values_for
from grader.diagnosis._mistakes import stream_mistakes, structure_mistakes
from grader.diagnosis._placing import VALUE_RTOL, close, rtol_of
from grader.diagnosis._sources import identify
from grader.diagnosis._structure import Dims, Structure
from grader.spec import FunctionSpec
from grader.types import Params

MAX_STRUCTURES = 4  # structures completed, at most
MAX_STREAMS = 3  # streams completed per structure, at most
MEASURED_CALLS = 14  # calls whose layers a scale expression is fitted to (then checked on all)
Cost = Callable[[Hypothesis], int]


def _constant(arrays: list[np.ndarray]) -> float | None:
    """The one number every entry of every array holds, or None."""
    if not arrays:
        return None
    numbers = np.concatenate([a.ravel() for a in arrays])
    if numbers.size == 0 or not np.all(numbers == numbers[0]):
        return None
    return float(numbers[0])


def _dtypes(structure: Structure, calls: Sequence[Call]) -> tuple[tuple[str, str], ...] | None:
    found: dict[str, str] = {}
    spellings = {structure.weights.spelling: "W"}
    if structure.biases is not None:
        spellings[structure.biases.spelling] = "b"
    for call in calls:
        for key, dtype in call.result.dtypes:
            letter = spellings.get(split(key)[0])
            if letter is None or found.setdefault(letter, dtype) != dtype:
                return None
    return tuple(sorted(found.items()))


# -- composing and checking -------------------------------------------------------------------


def reproduces(h: Hypothesis, calls: Sequence[Call], table: ScaleTable | None = None) -> bool:
    """Whether ``h`` rebuilds every call that returned parameters."""
    table = table or ScaleTable(h, rows(calls, h.structure))
    tolerance = {letter: rtol_of(dtype) for letter, dtype in h.dtypes}
    for call in calls:
        if not call.ok:
            continue  # failed calls are named as they are, unless a hypothesis explains them
        try:
            got = run(h, call.dims, call.seeded, table)
        except (CannotRun, IndexError, ValueError, KeyError):
            return False
        if not _same(h.structure, got, call.params, tolerance):
            return False
    return True


def _same(structure: Structure, got: Params, want: Params, tolerance: dict[str, float]) -> bool:
    if set(got) != set(want):
        return False
    spellings = {structure.weights.spelling: "W"}
    if structure.biases is not None:
        spellings[structure.biases.spelling] = "b"
    for key in want:
        rtol = tolerance.get(spellings.get(split(key)[0], ""), VALUE_RTOL)
        if not close(got[key], want[key], rtol):
            return False
    return True


def _rtol(dtypes: tuple[tuple[str, str], ...], letter: str) -> float:
    return rtol_of(dict(dtypes).get(letter))


class Budget:
    """The cost of the simplest hypothesis found so far: parts of a costlier one are not
    completed (a structure or a stream that alone already costs more)."""

    def __init__(self, rules: FunctionSpec) -> None:
        self.rules = rules
        self.best: int | None = None

    def over(self, structure: Structure, stream: Stream | None = None) -> bool:
        partial = len(structure_mistakes(structure))
        if stream is not None and not self.rules.zero:
            partial += len(stream_mistakes(stream, self.rules.seed))
        return self.best is not None and partial > self.best


def _weights(
    structure: Structure,
    ok: Sequence[Call],
    dtypes: tuple[tuple[str, str], ...],
    budget: Budget,
) -> Iterator[tuple[Stream, Values]]:
    arrays = [x.weights for c in ok for x in layers_of(structure, c) if x.weights is not None]
    constant = _constant(arrays)
    if constant is not None:
        yield Stream(), Values(drawn=False, constant=constant)
        return
    train = training(list(ok))
    per_call = [(call, layers_of(structure, call)) for call in train]
    first = next(((c, ls) for c, ls in per_call if ls), None)
    if first is None:
        return
    measured = ok[:MEASURED_CALLS]
    rtol = _rtol(dtypes, "W")
    for source in identify(*first, budget.rules.seed, rtol):
        placed = [place_all(source, call, layers, rtol) for call, layers in per_call]
        for stream in orders(source, placed)[:MAX_STREAMS]:
            if budget.over(structure, stream):
                continue
            drawn = raw(Hypothesis(structure, stream), measured)
            for values in values_for("W", structure, measured, drawn, rtol):
                yield stream, values


def _constant_biases(structure: Structure, ok: Sequence[Call]) -> Values | None:
    if structure.biases is None:
        return Values(drawn=False)
    arrays = [x.biases for c in ok for x in layers_of(structure, c) if x.biases is not None]
    constant = _constant(arrays) if arrays else 0.0
    return None if constant is None else Values(drawn=False, constant=constant)


def _drawn_biases(
    structure: Structure, stream: Stream, ok: Sequence[Call], dtypes: tuple[tuple[str, str], ...]
) -> Iterator[tuple[Stream, Values]]:
    """Biases drawn from the stream, where it has extra numbers of their size in every layer."""
    if structure.biases is None or stream.extra != Count(shift=0):
        return
    drawn = replace(stream, extra=Count(), bias_first=stream.extra_first, extra_first=False)
    h = Hypothesis(structure, drawn, Values(), Values())
    measured = ok[:MEASURED_CALLS]
    draws = raw(h, measured)
    for values in values_for("b", structure, measured, draws, _rtol(dtypes, "b")):
        yield drawn, values


def candidates(ok: Sequence[Call], cost: Cost, budget: Budget) -> Iterator[tuple[int, Hypothesis]]:
    """Hypotheses proposed from the calls that returned, with their cost, simplest structures
    first."""
    pairs = [(c.dims, c.params) for c in ok]
    for structure in structures(pairs, lambda s: len(structure_mistakes(s)))[:MAX_STRUCTURES]:
        dtypes = _dtypes(structure, ok)
        if budget.over(structure):
            break
        if dtypes is None:
            continue
        bare = Hypothesis(structure, dtypes=dtypes)
        biases = _constant_biases(structure, ok)
        for stream, weights in _weights(structure, ok, dtypes, budget):
            if biases is not None:
                h = replace(bare, stream=stream, weights=weights, biases=biases)
                yield cost(h), h
                continue
            for drawn, values in _drawn_biases(structure, stream, ok, dtypes):
                h = replace(bare, stream=drawn, weights=weights, biases=values)
                yield cost(h), h


def search(calls: Sequence[Call], rules: FunctionSpec, cost: Cost) -> list[Hypothesis]:
    """The simplest hypotheses that rebuild every call (several when equally simple)."""
    ok = [c for c in calls if c.ok]
    if not ok:
        return []
    first = training(ok)
    rest = [c for c in calls if c not in first]
    found: list[Hypothesis] = []
    budget = Budget(rules)
    for score, h in candidates(ok, cost, budget):
        if (budget.best is not None and score > budget.best) or h in found:
            continue
        table = ScaleTable(h, rows(calls, h.structure))
        if not reproduces(h, first, table) or not reproduces(h, rest, table):
            continue
        if budget.best is None or score < budget.best:
            budget.best, found = score, [h]
        else:
            found.append(h)
    return found


def explained_failures(h: Hypothesis, calls: Sequence[Call]) -> set[tuple[Dims, int | None]]:
    """The calls that raised IndexError where ``h`` reads past the end of the list too."""
    explained = set()
    table = ScaleTable(h, rows(calls, h.structure))
    for call in calls:
        if call.raised != "IndexError":
            continue
        try:
            run(h, call.dims, call.seeded, table)
        except IndexError:
            explained.add((call.dims, call.preseed))
        except (CannotRun, ValueError, KeyError):
            continue
    return explained
