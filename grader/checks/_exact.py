"""Exact and structural checks: pure functions from call results to ``CheckResult`` values.

``compare_params`` finds the first way a parameter dict differs from the expected one, walking the
layers in order (W1, b1, W2, ...) so the report names the earliest problem. ``check_exact`` turns
that difference into a message: for a visible case it names the key, the shape, the index and
both values; for a hidden case it names only the key and the kind of problem, never an expected
value, an expected shape or the hidden ``layers_dims``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from grader import messages as msg
from grader.checks._biases import as_columns
from grader.results import CheckResult
from grader.sentences import weights_hint
from grader.spec import (
    EXACT_ATOL,
    EXACT_RTOL,
    ExactCase,
    FunctionSpec,
    expected_keys,
)
from grader.types import CallResult, Params

DifferenceKind = Literal["missing", "extra", "shape", "nonfinite", "value"]


@dataclass(frozen=True)
class Difference:
    """The first way ``got`` differs from ``expected``."""

    kind: DifferenceKind
    key: str = ""
    keys: tuple[str, ...] = ()
    got_shape: tuple[int, ...] = ()
    expected_shape: tuple[int, ...] = ()
    index: tuple[int, ...] = ()
    got_value: float = 0.0
    expected_value: float = 0.0
    count: int = 0
    size: int = 0


def _key_order(keys: Sequence[str], reference_order: Sequence[str]) -> list[str]:
    rank = {key: i for i, key in enumerate(reference_order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


def structure_difference(got: Params, shapes: dict[str, tuple[int, ...]]) -> Difference | None:
    """Missing or extra keys, a wrong shape or a non-finite entry; None when the layout is right."""
    order = list(shapes)
    missing = [key for key in order if key not in got]
    if missing:
        return Difference("missing", keys=tuple(missing))
    extra = _key_order([key for key in got if key not in shapes], order)
    if extra:
        return Difference("extra", keys=tuple(extra))
    for key in order:
        if got[key].shape != shapes[key]:
            return Difference("shape", key, got_shape=got[key].shape, expected_shape=shapes[key])
        if not np.isfinite(got[key]).all():
            return Difference("nonfinite", key)
    return None


def compare_params(
    got: Params, expected: Params, rtol: float = EXACT_RTOL, atol: float = EXACT_ATOL
) -> Difference | None:
    """The first difference between two parameter dicts, or None when they agree."""
    shapes = {key: value.shape for key, value in expected.items()}
    problem = structure_difference(got, shapes)
    if problem is not None:
        return problem
    for key in expected:
        close = np.isclose(got[key], expected[key], rtol=rtol, atol=atol)
        if not close.all():
            index = tuple(int(i) for i in np.argwhere(~close)[0])
            return Difference(
                "value",
                key,
                index=index,
                got_value=float(got[key][index]),
                expected_value=float(expected[key][index]),
                count=int((~close).sum()),
                size=int(close.size),
            )
    return None


def _shape_formula(key: str) -> str:
    layer = int(key[1:])
    if key.startswith("W"):
        return msg.WEIGHT_SHAPE_FORMULA.format(l=layer, prev=layer - 1)
    return msg.BIAS_SHAPE_FORMULA.format(l=layer)


def _names(keys: Sequence[str]) -> str:
    return ", ".join(repr(key) for key in keys)


def describe_visible(
    diff: Difference, layer_dims: Sequence[int], entry: FunctionSpec, got_keys: Sequence[str] = ()
) -> str:
    """The full message for a difference on ``layers_dims`` the student may see."""
    dims = list(layer_dims)
    wanted = _names(expected_keys(dims))
    if diff.kind == "missing":
        got = _names(sorted(got_keys)) or "no keys"
        return msg.MISSING_KEYS.format(
            dims=dims, missing=_names(diff.keys), got=got, expected=wanted
        )
    if diff.kind == "extra":
        return msg.EXTRA_KEYS.format(dims=dims, extra=_names(diff.keys), expected=wanted)
    if diff.kind == "shape":
        return msg.WRONG_SHAPE.format(
            dims=dims,
            key=diff.key,
            got=diff.got_shape,
            expected=diff.expected_shape,
            formula=_shape_formula(diff.key),
        )
    if diff.kind == "nonfinite":
        return msg.NOT_FINITE.format(dims=dims, key=diff.key, what="nan or inf")
    weights = diff.key.startswith("W")
    hint = weights_hint(entry.scale.text, entry.seed) if weights else msg.HINT_BIASES
    return msg.WRONG_VALUE.format(
        dims=dims,
        key=diff.key,
        index=list(diff.index),
        got=diff.got_value,
        expected=diff.expected_value,
        count=diff.count,
        size=diff.size,
        hint=hint,
    )


def describe_hidden(diff: Difference, case: ExactCase) -> str:
    """A hidden case's message: which key and what kind of problem, nothing more."""
    problem = msg.HIDDEN_PROBLEM[diff.kind].format(
        key=diff.key, keys=_names(diff.keys), count=len(diff.keys)
    )
    return msg.HIDDEN_FAILED.format(label=case.label, length=len(case.layer_dims), problem=problem)


def _call_failure(result: CallResult, case: ExactCase) -> str:
    reason = result.message or result.status.value
    if case.hidden:  # what happened, not what the function said: it may repeat the hidden dims
        reason = msg.HIDDEN_CALL_REASON.get(result.status.value, result.status.value)
        problem = msg.HIDDEN_PROBLEM["call"].format(reason=reason)
        return msg.HIDDEN_FAILED.format(
            label=case.label, length=len(case.layer_dims), problem=problem
        )
    return msg.CALL_FAILED.format(dims=list(case.layer_dims), reason=reason)


def check_exact(
    entry: FunctionSpec, case: ExactCase, result: CallResult, expected: Params
) -> CheckResult:
    """Compare one call with the reference's parameters for the same ``layers_dims``."""

    def verdict(passed: bool, message: str) -> CheckResult:
        points = case.points if passed else 0.0
        inputs = () if passed or case.hidden else entry.quote(case.layer_dims)
        return CheckResult(
            case.name, entry.name, points, case.points, passed, message, case.visibility, inputs
        )

    if not result.ok or result.value is None:
        return verdict(False, _call_failure(result, case))
    shapes = {key: value.shape for key, value in expected.items()}
    diff = compare_params(as_columns(result.value, shapes), expected)  # the biases' shape is
    if diff is None:  # the properties' to check: b = 0 here compares as the zero column
        return verdict(True, msg.PASSED)
    if case.hidden:
        return verdict(False, describe_hidden(diff, case))
    return verdict(False, describe_visible(diff, case.layer_dims, entry, list(result.value)))
