"""Grade graded functions through callers: exact cases, properties, outcome, then a diagnosis.

A *caller* calls one student function once: ``caller(layers_dims, preseed) -> CallResult``. In
production it crosses the sandbox; in tests and for reference-side runs, ``local_caller(fn)`` wraps
a plain Python function and behaves the same way (copies and validates the output, turns exceptions
into ``CallStatus.EXCEPTION``, records ``layers_dims`` after the call). Nothing here knows about
notebooks or processes.

Each function gets its own ``CallLog``: calls are memoised by argument and, once a call times out,
runs out of memory or kills the worker, later calls return that failure without calling again. A
dead worker thus costs its own function the remaining points and never another function's.
"""

from __future__ import annotations

import difflib
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from grader import messages as msg
from grader.checks._exact import check_exact
from grader.checks._outcome import OutcomeCache, Trainer, check_outcome
from grader.checks._properties import DEAD, Caller, check_properties
from grader.diagnosis._detectors import Evidence, diagnose
from grader.results import FunctionResult
from grader.spec import BASE_PRESEED, AssignmentSpec, FunctionSpec
from grader.types import CallResult, CallStatus, Params

__all__ = ["CallLog", "Caller", "grade_function", "grade_functions", "local_caller"]

Dims = tuple[int, ...]


class CallLog:
    """A caller that remembers every result and stops calling once the worker is dead, or once
    the function's calls have used ``time_budget`` seconds (a function that fails slowly on every
    call must not hold the grading up for as long as the worker is allowed to live)."""

    def __init__(self, caller: Caller, time_budget: float | None = None) -> None:
        self._caller = caller
        self._budget = time_budget
        self.seconds = 0.0
        self._memo: dict[tuple[str, Dims, int | None], CallResult] = {}
        self.results: dict[tuple[Dims, int | None], CallResult] = {}
        self.count = 0
        self.dead: CallResult | None = None

    def __call__(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        key = (type(layer_dims).__name__, tuple(layer_dims), preseed)
        if key in self._memo:
            return self._memo[key]
        if self.dead is not None:
            reason = self.dead.message or self.dead.status.value
            return CallResult(self.dead.status, message=msg.CALL_NOT_RUN.format(reason=reason))
        self.count += 1
        start = time.perf_counter()
        result = self._caller(layer_dims, preseed)
        self.seconds += time.perf_counter() - start
        if result.status in DEAD:
            self.dead = result
        elif self._budget is not None and self.seconds > self._budget:
            text = msg.CALL_FUNCTION_BUDGET.format(seconds=self._budget)
            self.dead = CallResult(CallStatus.TIMEOUT, message=text)
        self._memo[key] = result
        self.results.setdefault((tuple(layer_dims), preseed), result)
        return result


@lru_cache(maxsize=64)
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
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
    time_budget: float | None = None,
) -> FunctionResult:
    """Every check of one function; the probes and a diagnosis only when something failed.
    ``time_budget`` caps the seconds all calls of this function may take together."""
    log = CallLog(caller, time_budget)
    exact = [
        check_exact(
            entry,
            case,
            log(list(case.layer_dims), BASE_PRESEED),
            expected_params(entry.method, case.layer_dims),
        )
        for case in entry.exact_cases
    ]
    properties = check_properties(entry, log)
    outcome_call = log(list(entry.outcome_dims), BASE_PRESEED)
    outcome = check_outcome(entry, outcome_call, trainer=trainer, cache=cache)
    checks = (*exact, *properties, outcome)
    if all(check.passed for check in checks):
        return FunctionResult(entry.name, checks)
    for probe in entry.probes:
        log(list(probe.layer_dims), probe.preseed)
    visible_passed = all(
        c.passed for c, case in zip(exact, entry.exact_cases, strict=True) if not case.hidden
    )
    evidence = Evidence(
        entry.method, log.results, tuple(c.layer_dims for c in entry.visible_cases), visible_passed
    )
    return FunctionResult(entry.name, checks, diagnose(evidence))


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
    close = [closest] if closest else []
    suggestion = (
        msg.MISSING_SUGGESTION.format(candidate=close[0], name=entry.name)
        if close
        else msg.MISSING_NO_SUGGESTION
    )
    message = msg.MISSING_FUNCTION.format(name=entry.name, suggestion=suggestion)
    return FunctionResult(entry.name, entry.failed_checks(message))


def grade_functions(
    spec: AssignmentSpec,
    callers: Mapping[str, Caller | None],
    *,
    defined_names: Sequence[str] = (),
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> list[FunctionResult]:
    """Grade every function of the spec; a missing one (caller None or absent) scores 0."""
    results = []
    for entry in spec.functions:
        caller = callers.get(entry.name)
        if caller is None:
            results.append(missing_function(entry, defined_names, spec.graded_functions))
        else:
            results.append(grade_function(entry, caller, trainer=trainer, cache=cache))
    return results


# -- calling a plain Python function as the sandbox would ---------------------------------------


def validate_params(value: object) -> tuple[Params | None, str]:
    """Copy a returned value into a dict of float64 arrays, or say why it is not one."""
    if not isinstance(value, dict):
        return None, msg.INVALID_NOT_DICT.format(kind=type(value).__name__)
    params: Params = {}
    for key, item in value.items():
        if not isinstance(key, str):
            return None, msg.INVALID_KEY.format(key=repr(key)[:40])
        try:
            array = np.array(item)
        except Exception:  # an object numpy cannot even look at
            return None, msg.INVALID_VALUE.format(key=key, kind=type(item).__name__)
        if array.dtype.kind not in "iuf":
            return None, msg.INVALID_VALUE.format(key=key, kind=f"array of {array.dtype}")
        params[key] = array.astype(np.float64)
    return params, ""


def local_caller(fn: Callable[..., object]) -> Caller:
    """A caller that runs ``fn`` in this process, with the sandbox's contract."""

    def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        argument = list(layer_dims) if isinstance(layer_dims, list) else tuple(layer_dims)
        if preseed is not None:
            np.random.seed(preseed)  # noqa: NPY002 - the global state is what preseed disturbs
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                value = fn(argument)
        except Exception as exc:  # the student's error is data, not a grader failure
            return CallResult(
                CallStatus.EXCEPTION,
                message=f"{type(exc).__name__}: {exc}",
                args_after=list(argument),
                seconds=time.perf_counter() - start,
            )
        seconds = time.perf_counter() - start
        params, problem = validate_params(value)
        status = CallStatus.OK if params is not None else CallStatus.INVALID
        return CallResult(status, params, problem, list(argument), seconds)

    return call
