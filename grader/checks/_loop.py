"""The one per-function grading loop: exact cases, properties, outcome, then a diagnosis.

``grade_functions(spec, program)`` grades every function of an assignment; production passes the
sandboxed worker as the program, tests pass ``grader.sandbox.local_program``: both take this same
path. A function that is not defined scores 0 with the closest name the submission does define;
one whose definition could not be loaded scores 0 with the reason.

Each function gets its own ``CallLog`` (and a second one for its hidden cases, whose caller runs
them apart, so nothing the function saw there can reach a visible message): calls are memoised
by argument and, once a call times out, runs out of memory or kills the worker, later calls
return that failure without calling again. A dead worker thus costs its own function the
remaining points and never another function's. All calls of one function together may take
``FUNCTION_BUDGET_CALLS`` times the limit of one call; the program enforces that.

The outcome call is made twice after the same seeding: a function whose two answers differ draws
from something the exercise does not control, and fails every check that compares values, so it
gets the same grade on every run (``msg.NONDETERMINISTIC``).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from grader import messages as msg
from grader.checks._exact import check_exact
from grader.checks._hard_coding import earned_visible, later_answer_differs, printed_inputs
from grader.checks._outcome import check_outcome
from grader.checks._properties import check_properties
from grader.checks._training import Outcome, OutcomeCache, Trainer
from grader.diagnosis import Evidence, diagnose
from grader.results import CheckResult, FunctionResult
from grader.spec import BASE_PRESEED, OUTCOME, AssignmentSpec, FunctionSpec
from grader.types import (
    DEAD,
    Caller,
    CallResult,
    Params,
    Program,
)

Dims = tuple[int, ...]


@dataclass(frozen=True)
class GradedFunction:
    """One function's result, and what the feedback page draws: its start for the outcome model
    (``outcome_dims``, called after ``BASE_PRESEED``) and what training from it gave."""

    result: FunctionResult
    start: Params | None = None
    outcome: Outcome | None = None


class CallLog:
    """A caller that remembers every result and stops calling once the worker is dead (out of
    time, of memory, or killed). ``partner``: another log of the same function (its hidden
    cases), which stops with this one."""

    def __init__(self, caller: Caller, partner: CallLog | None = None) -> None:
        self._caller = caller
        self._memo: dict[tuple[str, Dims, int | None], CallResult] = {}
        self.results: dict[tuple[Dims, int | None], CallResult] = {}
        self.count = 0
        self._death: list[CallResult] = partner._death if partner is not None else []

    @property
    def dead(self) -> CallResult | None:
        return self._death[0] if self._death else None

    def __call__(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        key = (type(layer_dims).__name__, tuple(layer_dims), preseed)
        if key in self._memo:
            return self._memo[key]
        if self.dead is not None:
            reason = self.dead.message or self.dead.status.value
            return CallResult(self.dead.status, message=msg.CALL_NOT_RUN.format(reason=reason))
        result = self.again(layer_dims, preseed)
        self._memo[key] = result
        self.results.setdefault((tuple(layer_dims), preseed), result)
        return result

    def again(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        """Call the function, whatever was remembered (unless the worker is dead)."""
        if self.dead is not None:
            reason = self.dead.message or self.dead.status.value
            return CallResult(self.dead.status, message=msg.CALL_NOT_RUN.format(reason=reason))
        self.count += 1
        result = self._caller(layer_dims, preseed)
        if result.status in DEAD:
            self._death.append(result)
        return result


@functools.lru_cache(maxsize=64)
def expected_params(method: str, layer_dims: Dims) -> Params:
    """The reference's answer, computed without disturbing the host's global random state."""
    import reference

    # The exercise's contract is the global seed; put the host's global state back afterwards.
    state = np.random.get_state()  # noqa: NPY002
    try:
        params = reference.INITIALIZERS[method](list(layer_dims))
    finally:
        np.random.set_state(state)  # noqa: NPY002
    for value in params.values():
        value.setflags(write=False)
    return params


def grade_function(
    entry: FunctionSpec,
    caller: Caller,
    *,
    hidden_caller: Caller | None = None,
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> GradedFunction:
    """Every check of one function; the probes and a diagnosis only when something failed.
    The hidden cases go through ``hidden_caller`` when it is another caller."""
    log = CallLog(caller)
    apart = hidden_caller is not None and hidden_caller is not caller
    hidden = CallLog(hidden_caller, partner=log) if apart and hidden_caller is not None else log
    fresh = _extensions(entry, hidden)  # first in a process of their own, before hidden cases
    exact = [
        check_exact(
            entry,
            case,
            (hidden if case.hidden else log)(list(case.layer_dims), BASE_PRESEED),
            expected_params(entry.method, case.layer_dims),
        )
        for case in entry.exact_cases
    ]
    properties = check_properties(entry, log, printed_inputs(entry))
    outcome_call = log(list(entry.outcome_dims), BASE_PRESEED)
    changed = differs(outcome_call, log.again(list(entry.outcome_dims), BASE_PRESEED))
    late = _extensions(entry, log)  # after every other visible call
    earned = earned_visible(entry, exact, late, {d: expected_params(entry.method, d) for d in late})
    unstable = changed is not None or later_answer_differs(late, fresh)
    if unstable:
        text = (
            msg.NONDETERMINISTIC.format(name=entry.name, dims=list(entry.outcome_dims), key=changed)
            if changed is not None
            else msg.NONDETERMINISTIC_LATER.format(name=entry.name)
        )
        earned = [_failed(check, text) for check in earned]
        outcome_check, outcome = _failed(_outcome_slot(entry), text), None
    else:
        outcome_check, outcome = check_outcome(entry, outcome_call, trainer=trainer, cache=cache)
    checks = (*earned, *properties, outcome_check)
    start = outcome_call.value if outcome_call.ok and not unstable else None
    if all(check.passed for check in checks):
        return GradedFunction(FunctionResult(entry.name, checks), start, outcome)
    for probe in entry.probes:
        log(list(probe.layer_dims), probe.preseed)
    visible_passed = all(
        c.passed for c, case in zip(exact, entry.exact_cases, strict=True) if not case.hidden
    )
    evidence = Evidence(
        entry.method,
        {k: r for k, r in {**hidden.results, **log.results}.items() if k[0] not in late},
        tuple(c.layer_dims for c in entry.visible_cases),
        visible_passed,
        tuple(c.layer_dims for c in entry.exact_cases if c.hidden),
        functools.partial(expected_params, entry.method),
    )
    return GradedFunction(FunctionResult(entry.name, checks, diagnose(evidence)), start, outcome)


def _extensions(entry: FunctionSpec, log: CallLog) -> dict[Dims, CallResult]:
    """The function's answers on the extensions of its visible cases (never quoted)."""
    return {dims: log(list(dims), BASE_PRESEED) for dims in entry.extensions}


def differs(first: CallResult, again: CallResult) -> str | None:
    """What differs between two calls that should have given the same answer (None: nothing)."""
    if again.status in DEAD or (not first.ok and not again.ok):
        return None  # no second answer to compare with, or two failures alike
    if first.status is not again.status or first.value is None or again.value is None:
        return msg.NONDETERMINISTIC_KEYS
    if sorted(first.value) != sorted(again.value):
        return msg.NONDETERMINISTIC_KEYS
    for key in first.value:
        one, two = first.value[key], again.value[key]
        if one.shape != two.shape or not np.array_equal(one, two, equal_nan=True):
            return key
    return None


def _outcome_slot(entry: FunctionSpec) -> CheckResult:
    return CheckResult(OUTCOME, entry.name, 0.0, entry.outcome_points, False)


def _failed(check: CheckResult, message: str) -> CheckResult:
    return replace(check, points=0.0, passed=False, message=message)


def outcome_starts(spec: AssignmentSpec, program: Program) -> dict[str, Params | None]:
    """Each graded function's start for its outcome check, by name, without grading it.

    One call per defined function with ``outcome_dims`` after ``BASE_PRESEED``, exactly the
    call its grading makes, so a batch can collect the starts of many submissions, train them
    together (``train_outcomes``) and then grade each with the outcomes already cached. A
    function that is not defined, or whose call fails, maps to ``None``.
    """
    defined = program.defined()
    starts: dict[str, Params | None] = {}
    for entry in spec.functions:
        if entry.name not in defined:
            starts[entry.name] = None
            continue
        result = program.caller(entry.name)(list(entry.outcome_dims), BASE_PRESEED)
        starts[entry.name] = result.value if result.ok else None
    return starts


def _closest(name: str, defined: Sequence[str], graded: Sequence[str]) -> str | None:
    """The defined name most like ``name``, unless it is more like another graded function."""

    def likeness(a: str, b: str) -> float:
        return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()

    others = [g for g in graded if g != name]
    for candidate in difflib.get_close_matches(name, list(defined), n=5, cutoff=0.6):
        if candidate in graded:
            continue
        if all(likeness(candidate, name) >= likeness(candidate, other) for other in others):
            return candidate
    return None


def missing_function(
    entry: FunctionSpec, defined_names: Sequence[str], graded_names: Sequence[str] = ()
) -> FunctionResult:
    """Every check failed, with the closest name the submission does define."""
    closest = _closest(entry.name, defined_names, graded_names)
    suggestion = (
        msg.MISSING_SUGGESTION.format(candidate=closest, name=entry.name)
        if closest
        else msg.MISSING_NO_SUGGESTION
    )
    message = msg.MISSING_FUNCTION.format(name=entry.name, suggestion=suggestion)
    return FunctionResult(entry.name, entry.failed_checks(message))


def grade_functions(
    spec: AssignmentSpec,
    program: Program,
    *,
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> list[GradedFunction]:
    """Grade every function of the spec in the program; one failing never costs another."""
    defined = program.defined()
    graded: list[GradedFunction] = []
    for entry in spec.functions:
        reason = None if entry.name in defined else program.missing_reason(entry.name)
        if reason is not None:  # its cell does not compile, or loading it stopped the worker
            message = msg.GRADE_NOT_LOADED.format(name=entry.name, reason=reason)
            graded.append(GradedFunction(FunctionResult(entry.name, entry.failed_checks(message))))
        elif entry.name not in defined:
            result = missing_function(entry, sorted(defined), spec.graded_functions)
            graded.append(GradedFunction(result))
        else:
            caller, hidden = program.caller(entry.name), program.caller(entry.name, hidden=True)
            graded.append(
                grade_function(entry, caller, hidden_caller=hidden, trainer=trainer, cache=cache)
            )
    return graded
