"""What differs, when no hypothesis rebuilds the numbers: facts, never a guessed cause.

Each fact is an observation on the smallest call a student may see that shows it (the notebook's
own example first): keys missing or extra, a shape, answers that change with the global random
state, biases that are not zero, each layer's spread against the method's, what the numbers look
like (their mean, spread, range, sign), and the first value of a notebook example that differs.
Ids: ``fact.keys``, ``fact.shape``, ``fact.changes_with_state``, ``fact.biases_nonzero``,
``fact.scale``, ``fact.distribution``, ``fact.value_differs``, ``fact.weights_nonzero``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from grader.diagnosis._calls import Call
from grader.mistakes import Mistake
from grader.spec import (
    BASE_PRESEED,
    EXACT_ATOL,
    EXACT_RTOL,
    OTHER_PRESEED,
    FunctionSpec,
    expected_shapes,
)
from grader.stats import rms, scale_consistent
from grader.types import Params

Dims = tuple[int, ...]
MAX_FACTS = 3


def _shown(found: Sequence[Call]) -> list[Call]:
    """Quotable calls that returned, after BASE_PRESEED: the notebook's examples first, then the
    smallest."""
    ok = [c for c in found if c.ok and c.quotable and c.preseed == BASE_PRESEED]
    head = ok[:1]
    return head + sorted(ok[1:], key=lambda c: (len(c.dims), sum(c.dims), c.dims))


def _keys(call: Call) -> Mistake | None:
    wanted = set(expected_shapes(call.dims))
    got = set(call.params)
    if got == wanted:
        return None
    return Mistake.of(
        "fact.keys", dims=list(call.dims), missing=sorted(wanted - got), extra=sorted(got - wanted)
    )


def _shape(call: Call) -> Mistake | None:
    for key, shape in expected_shapes(call.dims).items():
        value = call.params.get(key)
        if value is not None and value.shape != shape:
            return Mistake.of(
                "fact.shape",
                dims=list(call.dims),
                key=key,
                got=list(value.shape),
                expected=list(shape),
            )
    return None


def _state(found: Sequence[Call]) -> Mistake | None:
    by_input: dict[Dims, dict[int | None, Params]] = {}
    for call in found:
        if call.ok and call.quotable:
            by_input.setdefault(call.dims, {})[call.preseed] = call.params
    for dims, answers in by_input.items():
        one, two = answers.get(BASE_PRESEED), answers.get(OTHER_PRESEED)
        if one is None or two is None:
            continue
        for key in sorted(one):
            if key in two and (
                one[key].shape != two[key].shape
                or not np.array_equal(one[key], two[key], equal_nan=True)
            ):
                return Mistake.of("fact.changes_with_state", dims=list(dims), key=key)
    return None


def _weights(call: Call) -> Mistake | None:
    """Weights that are not zero, in the zeros initialization."""
    for key in expected_shapes(call.dims):
        value = call.params.get(key)
        if key.startswith("W") and value is not None and np.any(value != 0):
            count = int(np.count_nonzero(value))
            return Mistake.of("fact.weights_nonzero", dims=list(call.dims), key=key, count=count)
    return None


def _biases(call: Call) -> Mistake | None:
    for key in expected_shapes(call.dims):
        value = call.params.get(key)
        if key.startswith("b") and value is not None and np.any(value != 0):
            return Mistake.of(
                "fact.biases_nonzero", dims=list(call.dims), key=key, value=_number(value.flat[0])
            )
    return None


def _number(value: float) -> float | str:
    value = float(value)
    return value if np.isfinite(value) else str(value)


def _scale(call: Call, rules: FunctionSpec) -> Mistake | None:
    """The layer whose spread is furthest from the method's, when one is out of its range."""
    if rules.zero:
        return None
    worst: tuple[float, str, float, float] | None = None
    for key, shape in expected_shapes(call.dims).items():
        value = call.params.get(key)
        if not key.startswith("W") or value is None or value.shape != shape or value.size < 2:
            continue
        expected = rules.scale.value(shape[1], shape[0])
        if not np.isfinite(value).all() or scale_consistent(value, expected):
            continue
        got = rms(value)
        off = abs(np.log(got / expected)) if got > 0 else np.inf
        if worst is None or off > worst[0]:
            worst = (float(off), key, got, expected)
    if worst is None:
        return None
    _, key, got, expected = worst
    return Mistake.of(
        "fact.scale",
        dims=list(call.dims),
        key=key,
        got=got,
        expected=expected,
        ratio=got / expected,
    )


def _distribution(call: Call, rules: FunctionSpec) -> Mistake | None:
    weights = [v for k, v in sorted(call.params.items()) if k.startswith("W") and v.size >= 20]
    if rules.zero or not weights:
        return None
    value = max(weights, key=lambda v: v.size)
    key = next(k for k, v in call.params.items() if v is value)
    if not np.isfinite(value).all():
        return Mistake.of("fact.distribution", dims=list(call.dims), key=key, finite=False)
    mean, spread = float(np.mean(value)), float(np.std(value))
    skew = float(np.mean(((value - mean) / spread) ** 3)) if spread > 0 else 0.0
    unlike_normal = (
        abs(mean) > 4 * spread / np.sqrt(value.size) or abs(skew) > 1.0 or np.all(value >= 0)
    )
    if not unlike_normal:
        return None
    return Mistake.of(
        "fact.distribution", dims=list(call.dims), key=key, finite=True, mean=mean, std=spread,
        low=float(np.min(value)), high=float(np.max(value)), nonnegative=bool(np.all(value >= 0)),
    )  # fmt: skip


def _value(
    found: Sequence[Call], visible: Sequence[Dims], expected: Callable[[Dims], Params] | None
) -> Mistake | None:
    """The first entry of a notebook example that differs (their values are printed there)."""
    if expected is None:
        return None
    for call in found:
        if not call.ok or call.dims not in visible or call.preseed != BASE_PRESEED:
            continue
        for key, want in expected(call.dims).items():
            got = call.params.get(key)
            if got is None or got.shape != want.shape:
                continue
            near = np.isclose(got, want, rtol=EXACT_RTOL, atol=EXACT_ATOL)
            if near.all():
                continue
            index = [int(i) for i in np.argwhere(~near)[0]]
            return Mistake.of(
                "fact.value_differs", dims=list(call.dims), key=key, index=index,
                got=_number(got[tuple(index)]), expected=float(want[tuple(index)]),
            )  # fmt: skip
    return None


def _numbers(found: Sequence[Call], rules: FunctionSpec, shown: list[Call]) -> list[Mistake | None]:
    """What the numbers themselves show; when they change with the generator's state, only
    that (any number quoted would differ on the next run)."""
    state = _state(found)
    if state is not None:
        return [state]
    gathered: list[Mistake | None] = []
    if rules.zero:
        gathered.append(next((m for c in shown if (m := _weights(c)) is not None), None))
    gathered.append(next((m for c in shown if (m := _biases(c)) is not None), None))
    gathered.append(next((m for c in reversed(shown) if (m := _scale(c, rules)) is not None), None))
    gathered.append(
        next((m for c in reversed(shown) if (m := _distribution(c, rules)) is not None), None)
    )
    return gathered


def facts(
    found: Sequence[Call],
    rules: FunctionSpec,
    visible: Sequence[Dims],
    expected: Callable[[Dims], Params] | None,
) -> tuple[Mistake, ...]:
    """At most ``MAX_FACTS`` observations, the ones that say most first."""
    shown = _shown(found)
    gathered: list[Mistake | None] = []
    for judge in (_keys, _shape):
        gathered.append(next((m for c in shown if (m := judge(c)) is not None), None))
    if not any(gathered):
        gathered += _numbers(found, rules, shown)
    if _state(found) is None:
        gathered.append(_value(found, visible, expected))
    return tuple(m for m in gathered if m is not None)[:MAX_FACTS]
