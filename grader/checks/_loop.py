"""The one per-function grading loop: exact cases, properties, outcome, then a diagnosis.

``grade_functions(spec, program)`` grades every function of an assignment; production passes the
sandboxed worker as the program, tests pass ``grader.sandbox.local_program``: both take this same
path. A function that is not defined scores 0 with the closest name the submission does define;
one whose definition could not be loaded scores 0 with the reason.

Each function's calls are a fixed schedule (``grader.checks._schedule``), a function of the spec
alone, which the program runs: in a sandbox, in a worker of the function's own, its hidden cases
last, so nothing the function sees in a hidden case can reach a visible message. Once a call
times out, runs out of memory or kills the worker, the later calls are not made and say why. A
dead worker thus costs its own function the remaining points and never another function's. All
calls of one function together may take ``FUNCTION_BUDGET_CALLS`` times the limit of one call;
the program enforces that. The checks then read the results (``Replay``), every call's.

The outcome call is made again after the same seeding, in a process where the function never ran
(``Schedule.repeat``): a function whose two answers differ draws from something the exercise
does not control, and fails every check that compares values, so it gets the same grade on every
run (``msg.NONDETERMINISTIC``); a cache kept between calls cannot make the two answers agree.
The visible cases' extensions are repeated the same way, and decide the visible cases' points
(``grader.checks._hard_coding``, ``msg.NONDETERMINISTIC_LATER``).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from grader import messages as msg
from grader.checks._exact import check_exact
from grader.checks._hard_coding import earned_visible, later_answer_differs, printed_inputs
from grader.checks._outcome import check_outcome, needs_scale
from grader.checks._properties import check_properties
from grader.checks._schedule import Replay, function_schedule
from grader.checks._training import Outcome, OutcomeCache, Trainer
from grader.diagnosis import Evidence, diagnose
from grader.mistakes import Diagnosis, Quoted
from grader.results import CheckResult, FunctionResult
from grader.sandbox import run_with_caller
from grader.spec import (
    BASE_PRESEED,
    OUTCOME,
    AssignmentSpec,
    FunctionSpec,
    check_reference,
)
from grader.types import Caller, CallResult, Params, Program, Ran, Schedule

Dims = tuple[int, ...]
STATE_KEPT = "state.shared_dict"  # the mistake that makes a fresh process answer otherwise
# Facts that quote layers_dims and keys only, never a number of the function's
STABLE_FACTS = frozenset({"fact.keys", "fact.shape", "fact.changes_with_state"})


@dataclass(frozen=True)
class GradedFunction:
    """One function's result, and what the feedback page draws: its start for the outcome model
    (``outcome_dims``, called after ``BASE_PRESEED``) and what training from it gave."""

    result: FunctionResult
    start: Params | None = None
    outcome: Outcome | None = None


@functools.lru_cache(maxsize=64)
def expected_params(method: str, layer_dims: Dims, seed: int | None = None) -> Params:
    """The reference's answer (for the exercise's ``seed``; None: the course's), computed
    without disturbing the host's global random state."""
    import reference

    # The exercise's contract is the global seed; put the host's global state back afterwards.
    state = np.random.get_state()  # noqa: NPY002
    try:
        initialize = reference.INITIALIZERS[method]
        dims = list(layer_dims)
        params = initialize(dims) if seed is None else initialize(dims, seed)
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
) -> GradedFunction:
    """Every check of one function, its schedule made through ``caller`` (in this process)."""
    schedule = function_schedule(entry)
    return grade_ran(entry, schedule, run_with_caller(caller, schedule), trainer, cache)


def grade_ran(
    entry: FunctionSpec,
    schedule: Schedule,
    ran: Ran,
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> GradedFunction:
    """Every check of one function from the results of its schedule; a diagnosis when something
    failed. Nothing of a hidden call reaches a visible message: hidden cases' messages name what
    happened by status, and the diagnosis sees only their numbers (``_numbers_only``)."""
    seen = Replay((*schedule.visible, *schedule.fresh), (*ran.visible, *ran.fresh))
    hidden = Replay(schedule.hidden, ran.hidden)
    exact = [
        check_exact(
            entry,
            case,
            (hidden if case.hidden else seen)(list(case.layer_dims), BASE_PRESEED),
            expected_params(entry.method, case.layer_dims, entry.seed),
        )
        for case in entry.exact_cases
    ]
    outcome_call = seen(list(entry.outcome_dims), BASE_PRESEED)
    properties = check_properties(
        entry, seen, printed_inputs(entry), others=exact_calls(entry, seen)
    )
    changed = differs(outcome_call, ran.repeat[0]) if ran.repeat else None
    late = {dims: seen(list(dims), BASE_PRESEED) for dims in entry.extensions}
    earned = earned_visible(
        entry, exact, late, {d: expected_params(entry.method, d, entry.seed) for d in late}
    )
    moved = changed is None and later_answer_differs(late, _repeated(schedule, ran, late))
    if changed is not None or moved:
        text = (
            msg.NONDETERMINISTIC_LATER.format(name=entry.name)
            if moved
            else msg.NONDETERMINISTIC.format(
                name=entry.name, dims=list(entry.outcome_dims), key=changed, seed=entry.seed
            )
        )
        inputs = () if moved else entry.quote(entry.outcome_dims)
        earned = [_failed(check, text, inputs) for check in earned]
        outcome_check, outcome = _failed(_outcome_slot(entry), text, inputs), None
    else:
        outcome_check, outcome = check_outcome(entry, outcome_call, trainer=trainer, cache=cache)
        outcome_check = needs_scale(outcome_check, properties)
    checks = (*earned, *properties, outcome_check)
    start = outcome_call.value if outcome_call.ok and changed is None and not moved else None
    if all(check.passed for check in checks):
        return GradedFunction(FunctionResult(entry.name, checks), start, outcome)
    diagnosis = diagnose(_evidence(entry, exact, seen, hidden, late, dict(ran.preseeds)))
    if changed is not None:
        diagnosis = _stable(diagnosis)
    return GradedFunction(FunctionResult(entry.name, checks, diagnosis), start, outcome)


def _stable(diagnosis: Diagnosis | None) -> Diagnosis | None:
    """What may be said of a function whose answers change from run to run: no number of its,
    which would change too (its checks say why it failed). The one cause that explains the
    change is a dictionary kept between calls (a fresh process has none), named as found;
    otherwise only the facts that quote no number are kept."""
    if diagnosis is None or STATE_KEPT in diagnosis.ids:
        return diagnosis
    facts = tuple(fact for fact in diagnosis.facts if fact.id in STABLE_FACTS)
    if not facts:
        return None
    dims = {tuple(fact.get("dims") or ()) for fact in facts}
    inputs = tuple(q for q in diagnosis.inputs if q.dims in dims)
    return Diagnosis(facts=facts, inputs=inputs)


def _evidence(
    entry: FunctionSpec,
    exact: Sequence[CheckResult],
    seen: Replay,
    hidden: Replay,
    late: Mapping[Dims, CallResult],
    preseeds: Mapping[int, int],
) -> Evidence:
    """What the diagnosis reads: every call in the order it was made (the visible worker's, its
    hidden cases last). The extensions are as hidden as the hidden cases: their numbers inform,
    nothing quotes them."""
    visible_passed = all(
        c.passed for c, case in zip(exact, entry.exact_cases, strict=True) if not case.hidden
    )
    calls = {
        key: _numbers_only(result) if key[0] in late else result
        for key, result in seen.by_dims.items()
    }
    calls.update((key, _numbers_only(result)) for key, result in hidden.by_dims.items())
    return Evidence(
        entry.method,
        calls,
        tuple(c.layer_dims for c in entry.visible_cases),
        visible_passed,
        (*(c.layer_dims for c in entry.exact_cases if c.hidden), *late),
        functools.partial(expected_params, entry.method, seed=entry.seed),
        entry,
        preseeds,
    )


def exact_calls(entry: FunctionSpec, seen: Caller) -> list[tuple[tuple[int, ...], CallResult]]:
    """The visible cases' and the outcome's calls, for the properties that every call must
    have (its keys and shapes, float64, zero biases, its argument left alone)."""
    dims = [*(c.layer_dims for c in entry.visible_cases), entry.outcome_dims]
    return [(d, seen(list(d), BASE_PRESEED)) for d in dims]


def _repeated(
    schedule: Schedule, ran: Ran, late: Mapping[Dims, CallResult]
) -> dict[Dims, CallResult]:
    """The repeat's answers on the extensions (``late``'s layers_dims), each made first in a
    process where the function had not run; none when the repeat was not made."""
    if not ran.repeat:
        return {}
    again = Replay(schedule.repeat, ran.repeat)
    return {dims: again(list(dims), BASE_PRESEED) for dims in late}


def _numbers_only(result: CallResult) -> CallResult:
    """A hidden call as the diagnosis may see it: its status and, when it returned parameters,
    their numbers; no text the function chose (a message, an exception's text, a dtype's key)."""
    return CallResult(result.status, value=result.value if result.ok else None)


def differs(first: CallResult, again: CallResult) -> str | None:
    """What differs between two calls that should have given the same answer (None: nothing).

    Compared only when the first returned parameters: a second call that then fails, in any
    way, differs too (a function cannot escape the comparison by failing where it is repeated)."""
    if not first.ok or first.value is None:
        return None
    if not again.ok or again.value is None or sorted(first.value) != sorted(again.value):
        return msg.NONDETERMINISTIC_KEYS
    for key in first.value:
        one, two = first.value[key], again.value[key]
        if one.shape != two.shape or not np.array_equal(one, two, equal_nan=True):
            return key
    return None


def _outcome_slot(entry: FunctionSpec) -> CheckResult:
    return CheckResult(OUTCOME, entry.name, 0.0, entry.outcome_points, False)


def _failed(check: CheckResult, message: str, inputs: tuple[Quoted, ...]) -> CheckResult:
    return replace(check, points=0.0, passed=False, message=message, inputs=inputs)


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
    """Grade every function of the spec in the program; one failing never costs another. The
    schedules of every defined function are run first (the program decides where each call is
    made), then checked. A method whose answer is not in reference/, drawn with its scale,
    raises ``SpecError`` before anything is called."""
    for entry in spec.functions:
        check_reference(entry)
    defined = program.defined()
    schedules = {e.name: function_schedule(e) for e in spec.functions if e.name in defined}
    ran = program.run(schedules) if schedules else {}
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
            schedule = schedules[entry.name]
            graded.append(grade_ran(entry, schedule, ran[entry.name], trainer, cache))
    return graded
