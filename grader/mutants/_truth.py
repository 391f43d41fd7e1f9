"""What a mutation did, as mistake values, and whether a diagnosis said so.

Each mutation states the mistakes it produces (``grader.mistakes.Mistake`` values with the fields
that matter: the seed it set, the spelling of its keys, the formula of its scale...). A diagnosis
``names`` a mutant when one of its hypotheses (the mistakes, or an equally simple alternative)
is exactly those mistakes; it is ``wrong`` when it names a mistake the mutant does not have;
``partly`` when it names some of them and nothing false; ``silent`` when it names none. A
mutation whose effect no hypothesis can rebuild (``np.empty``) states the fact a diagnosis must
report instead, and is named by it.

Formulas are compared by their values on every layer of the graded inputs, never by their text:
``sqrt(2 / fan_in)`` and ``sqrt(2) / sqrt(fan_in)`` are the same scale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from grader.mistakes import Diagnosis, Mistake

Expected = tuple[Mistake, ...]
FORMULA_FIELDS = ("formula", "low", "high")
STATE_FACT = "fact.changes_with_state"
NUMBER_FACTS = frozenset(
    {
        "fact.weights_nonzero",
        "fact.biases_nonzero",
        "fact.scale",
        "fact.distribution",
        "fact.value_differs",
    }
)
VERDICTS = ("named", "wrong", "partly", "silent")
# A diagnosis writes a constant without a short form to six digits (5e-7 relative at most); two
# different formulas differ by far more somewhere among the graded inputs' layers.
FORMULA_RTOL = 2e-6


@functools.lru_cache(maxsize=1)
def _scope() -> dict[str, object]:
    from grader.checks.strategies import property_inputs
    from grader.spec import PROPERTY_EXAMPLES, SCALE_PROBE_DIMS

    inputs = [tuple(d) for d in property_inputs(PROPERTY_EXAMPLES)] + [SCALE_PROBE_DIMS]
    rows = [(d, layer) for d in inputs for layer in range(1, len(d))]

    def column(f: Callable[[tuple[int, ...], int], int]) -> np.ndarray:
        return np.array([float(f(d, layer)) for d, layer in rows])

    return {
        "fan_in": column(lambda d, layer: d[layer - 1]),
        "fan_out": column(lambda d, layer: d[layer]),
        "l": column(lambda d, layer: layer),
        "L": column(lambda d, layer: len(d) - 1),
        "n": column(lambda d, layer: len(d)),
        "first": column(lambda d, layer: d[0]),
        "last": column(lambda d, layer: d[-1]),
        "sqrt": np.sqrt,
        "__builtins__": {},
    }


@functools.lru_cache(maxsize=4096)
def formula_values(text: str) -> tuple[float, ...] | None:
    """A formula's value in every layer of the graded inputs (None: it does not evaluate)."""
    scope = _scope()
    try:
        with np.errstate(all="ignore"):
            value = eval(text, dict(scope))  # our own formula text or a diagnosis field's
    except Exception:
        return None
    size = len(scope["l"])  # type: ignore[arg-type]
    return tuple(np.broadcast_to(np.asarray(value, dtype=np.float64), (size,)).tolist())


def same_formula(one: object, two: object) -> bool:
    if not isinstance(one, str) or not isinstance(two, str):
        return one == two
    a, b = formula_values(one), formula_values(two)
    if a is None or b is None:
        return one == two
    return bool(np.allclose(a, b, rtol=FORMULA_RTOL, atol=1e-12, equal_nan=True))


def matches(expected: Mistake, got: Mistake) -> bool:
    """Whether ``got`` is the mistake ``expected`` states (on the fields it states)."""
    if expected.id != got.id:
        return False
    for name, _ in expected.fields:
        want, have = expected.get(name), got.get(name)
        if name in FORMULA_FIELDS:
            if not same_formula(want, have):
                return False
        elif want != have:
            return False
    return True


def _covers(expected: Sequence[Mistake], named: Sequence[Mistake]) -> tuple[int, int]:
    """(expected mistakes named, named mistakes not expected)."""
    hit = sum(any(matches(e, m) for m in named) for e in expected)
    extra = sum(not any(matches(e, m) for e in expected) for m in named)
    return hit, extra


def _stated(fact: Mistake, facts: Sequence[Mistake]) -> bool:
    """Whether ``facts`` state ``fact``. Numbers that differ from one call to the next are all
    a diagnosis says of them (``grader.diagnosis._facts``: any number quoted would differ on the
    next run), so that fact states each fact about the numbers (``np.empty``'s, whose memory may
    or may not have been used before)."""
    if fact.id in NUMBER_FACTS and any(f.id == STATE_FACT for f in facts):
        return True
    return any(matches(fact, f) for f in facts)


def verdict(expected: Expected, diagnosis: Diagnosis | None) -> str:
    """named, wrong, partly or silent (see the module's docstring)."""
    diagnosis = diagnosis or Diagnosis()
    wanted_facts = [e for e in expected if e.is_fact]
    wanted = [e for e in expected if not e.is_fact]
    hypotheses = [diagnosis.mistakes, *diagnosis.alternatives] if diagnosis.mistakes else []
    if not wanted:
        if hypotheses:
            return "wrong"
        stated = all(_stated(f, diagnosis.facts) for f in wanted_facts)
        return "named" if stated and wanted_facts else "silent"
    for hypothesis in hypotheses:
        hit, extra = _covers(wanted, hypothesis)
        if hit == len(wanted) and not extra:
            return "named"
    if not hypotheses:
        return "silent"
    hit, extra = _covers(wanted, diagnosis.mistakes)
    return "wrong" if extra else "partly" if hit else "silent"
