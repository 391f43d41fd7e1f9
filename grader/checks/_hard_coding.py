"""Points that hard-coding cannot earn.

The visible cases are the notebook's own examples, whose answers are printed in it: a function
can return them from a table and do anything else on every other input. So no point is ever
decided by what the function answers on a printed input:

- a visible case's points are earned on its *extensions* (``ExactCase.extensions``): the
  example with one more layer, and with a wider last layer, sizes printed nowhere. With one seed
  at the top and the draws in layer order, the reference's answer there starts with the printed
  answer exactly, so the function earns them by building the printed answer where it is not
  printed. Its answer on the example itself only chooses the message;
- the properties are judged without the printed inputs (``printed_inputs``): they are called
  like the others but decide nothing.

On an extension, only the entries the notebook cannot give away are compared (``counted``): not
those where the example's printed arrays sit (the first layers, the first rows of the wider
layer), and for a method that draws, not those built from the seeded stream's first
``FunctionSpec.printed_draws`` draws, which the notebook's examples print (He's ``[2, 4, 1]`` prints
the first 12, whatever the sizes they are drawn for). A table keyed on the start of
``layers_dims``, or a table of printed draws, fills only entries that are not compared. An
extension with no such entry is no evidence and decides nothing.

Adding the printed answers to any function then changes no point: a table of them scores what
the function without the table scores. The price is the other way round: a function right on
every extension and wrong on the example itself keeps the example's points (its message says
what differs there), and one right on the example but not on its extensions loses them (its
message says where the construction stops, never the extensions' sizes or values).

The extensions are also where a function's answers could depend on when it is called (a counter
kept between calls, right on its first calls only). They are asked after every other visible call
and again, each one first, in a process where the function has not run (the schedule's
``repeat``, ``later_answer_differs``); answers that differ fail every check that compares
values, as any answer that changes from call to call does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from grader import messages as msg
from grader.checks._biases import as_columns
from grader.checks._exact import Difference, compare_params
from grader.mistakes import Quoted
from grader.results import CheckResult
from grader.spec import ExactCase, FunctionSpec, expected_shapes
from grader.types import CallResult, Params

Dims = tuple[int, ...]
Expected = Mapping[Dims, Params]


def printed_inputs(entry: FunctionSpec) -> frozenset[Dims]:
    """The ``layers_dims`` whose answers the notebook prints: no property is judged on them."""
    return frozenset(tuple(case.layer_dims) for case in entry.visible_cases)


def earned_visible(
    entry: FunctionSpec,
    exact: Sequence[CheckResult],
    answers: Mapping[Dims, CallResult],
    expected: Expected,
) -> list[CheckResult]:
    """``exact`` (one result per ``entry.exact_cases``) with each visible case's points decided
    on its extensions: ``answers`` holds the function's answer on each, ``expected`` the
    reference's."""
    return [
        check
        if case.hidden or not case.extensions
        else _earned(case, check, _first_problem(entry, case, answers, expected))
        for check, case in zip(exact, entry.exact_cases, strict=True)
    ]


def later_answer_differs(late: Mapping[Dims, CallResult], again: Mapping[Dims, CallResult]) -> bool:
    """Whether an extension's answer late among the function's calls (``late``) differs from its
    answer first in a process where the function had not run (``again``; an extension missing
    there was not asked again). Compared where the late call returned parameters (one that did
    not earns nothing): an answer that differs, or no answer, differs."""
    for dims, one in late.items():
        two = again.get(dims)
        if two is None or not one.ok or one.value is None:
            continue
        if not two.ok or not _same(one.value, two.value):
            return True
    return False


def _same(one: Params | None, two: Params | None) -> bool:
    if one is None or two is None:
        return one is two
    if sorted(one) != sorted(two):
        return False
    return all(
        one[key].shape == two[key].shape and np.array_equal(one[key], two[key], equal_nan=True)
        for key in one
    )


def counted(
    entry: FunctionSpec, case: ExactCase, extension: Dims
) -> dict[str, npt.NDArray[np.bool_]]:
    """Per key of the reference's answer on ``extension``, the entries that are evidence: not
    where ``case``'s printed arrays sit, and (a method that draws) not built from a printed draw."""
    printed = expected_shapes(case.layer_dims)
    marks: dict[str, npt.NDArray[np.bool_]] = {}
    drawn = 0
    for key, shape in expected_shapes(extension).items():
        mark = np.ones(shape, dtype=bool)
        if key in printed:
            rows, columns = printed[key]
            mark[:rows, :columns] = False
        if key.startswith("W") and not entry.zero:
            order = drawn + np.arange(mark.size).reshape(shape)
            mark &= order >= entry.printed_draws
            drawn += mark.size
        marks[key] = mark
    return marks


def _first_problem(
    entry: FunctionSpec, case: ExactCase, answers: Mapping[Dims, CallResult], expected: Expected
) -> tuple[Dims, str] | None:
    """The first extension of ``case`` on which the function misses the reference's answer where
    it counts (``counted``), with what went wrong in words that name no size and no value; None
    when it gets every one."""
    for extension in case.extensions:
        marks = counted(entry, case, extension)
        if not any(mark.any() for mark in marks.values()):
            continue  # every entry of it is printed: no evidence
        result = answers[extension]
        if not result.ok or result.value is None:
            reason = msg.HIDDEN_CALL_REASON.get(result.status.value, result.status.value)
            return extension, msg.HIDDEN_PROBLEM["call"].format(reason=reason)
        reference = expected[extension]
        shapes = {key: value.shape for key, value in reference.items()}
        answer = _only_counted(as_columns(result.value, shapes), reference, marks)
        diff = compare_params(answer, reference)
        if diff is not None:
            return extension, _problem(diff)
    return None


def _only_counted(
    answer: Params, reference: Params, marks: Mapping[str, npt.NDArray[np.bool_]]
) -> Params:
    """``answer`` with the reference's values where an entry is no evidence (same shapes only:
    a wrong shape or key is left for the comparison to report)."""
    kept = dict(answer)
    for key, mark in marks.items():
        value = answer.get(key)
        if isinstance(value, np.ndarray) and value.shape == mark.shape:
            kept[key] = np.where(mark, value, reference[key])
    return kept


def _problem(diff: Difference) -> str:
    names = ", ".join(repr(key) for key in diff.keys)
    return msg.HIDDEN_PROBLEM[diff.kind].format(key=diff.key, keys=names, count=len(diff.keys))


def _which(case: ExactCase, extension: Dims) -> str:
    longer = len(extension) > len(case.layer_dims)
    return msg.EXTENSION_LONGER if longer else msg.EXTENSION_WIDER


def _earned(case: ExactCase, check: CheckResult, problem: tuple[Dims, str] | None) -> CheckResult:
    dims = list(case.layer_dims)
    if problem is not None:
        if not check.passed:
            return check  # wrong on the example too: its own message says what differs there
        extension, what = problem
        message = msg.VISIBLE_NOT_EXTENDED.format(
            dims=dims, which=_which(case, extension), problem=what
        )
        inputs = (Quoted(tuple(dims), True),)
        return replace(check, points=0.0, passed=False, message=message, inputs=inputs)
    if check.passed:
        return check
    message = msg.VISIBLE_EARNED_ON_EXTENSIONS.format(dims=dims, differs=check.message)
    return replace(check, points=case.points, passed=True, message=message)
