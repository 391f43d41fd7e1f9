"""``grade_notebook``: one submission from file to ``Report``, through every step of the design.

load (``grader.notebook``) -> extract (``grader.extract``) -> isolate (``grader.sandbox``) ->
check and diagnose (``grader.grading``) -> optionally execute (``grader.execute``). Each step
turns what a student could have done wrong into data; only a fault of the grader or of the machine
raises. The defaults of every run-time option live in this function's signature.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import messages as msg
from grader.notebook._extract import Extraction, extract
from grader.notebook._load import LoadedNotebook, load_notebook
from grader.results import FunctionResult, Report
from grader.sandbox._client import Worker
from grader.spec import BASE_PRESEED, SPEC, AssignmentSpec
from grader.types import CallResult, CallStatus, Limits, Params

if TYPE_CHECKING:
    from grader.checks._loop import Caller
    from grader.checks._outcome import OutcomeCache

__all__ = ["Graded", "grade_notebook", "grade_submission"]

# All calls of one function together may take this many times the limit of one call: a correct
# function needs a fraction of one limit for its ~70 calls; a slow one then stops costing time.
FUNCTION_BUDGET_CALLS = 2


@dataclass(frozen=True)
class Graded:
    """A report, plus what the feedback page draws: each function's start for the outcome model."""

    report: Report
    outcome_params: dict[str, Params] = field(default_factory=dict)
    executed: object | None = None  # the executed notebook (nbformat node) with --execute


def grade_notebook(path: str | Path, **options: Any) -> Report:
    """Grade the notebook at ``path``: the report of ``grade_submission``, whose signature holds
    the options and their defaults."""
    return grade_submission(path, **options).report


def grade_submission(
    path: str | Path,
    *,
    timeout: float | None = None,
    memory_mb: int | None = None,
    execute: bool = False,
    spec: AssignmentSpec = SPEC,
    cache: OutcomeCache | None = None,
) -> Graded:
    """Grade one notebook. ``timeout`` is the limit of one call of a student function in seconds
    and ``memory_mb`` the worker's address space; unset, the assignment's limits apply.
    ``execute`` also runs the whole notebook in a sandboxed kernel, for the record."""
    start = time.perf_counter()
    limits = run_limits(spec.limits, timeout=timeout, memory_mb=memory_mb)
    helpers = [spec.directory / f"{module}.py" for module in spec.helper_modules]
    # The worker boots (Python and numpy, ~0.25 s) while the notebook is read and extracted.
    with Worker(None, helper_dirs=[h for h in helpers if h.is_file()], limits=limits) as worker:
        loaded = load_notebook(path)
        if not isinstance(loaded, LoadedNotebook):
            reason = loaded.reason
            report = Report.without_results(str(path), loaded.sha256 or "", reason, spec)
            return Graded(_timed(report, start))
        extraction = extract(loaded)
        worker.load(
            extraction.program,
            origin=extraction.origin,
            missing_reasons=extraction.compile_errors,
        )
        graded = _grade_extraction(loaded, extraction, spec, worker, cache)
    if execute:
        graded = _with_execution(graded, loaded, spec, limits)
    return replace(graded, report=_timed(graded.report, start))


def run_limits(
    base: Limits, *, timeout: float | None = None, memory_mb: int | None = None
) -> Limits:
    """The assignment's limits with this run's overrides; the worker's life grows with the call."""
    limits = base
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout}")
        wall = max(base.wall_seconds, 4 * timeout)
        limits = replace(limits, call_seconds=timeout, wall_seconds=wall)
        limits = replace(limits, cpu_seconds=max(limits.cpu_seconds, int(wall) + 1))
    if memory_mb is not None:
        if memory_mb < 256:
            raise ValueError(f"memory must be at least 256 MB (numpy needs ~200), not {memory_mb}")
        limits = replace(limits, memory_mb=memory_mb)
    return limits


def _grade_extraction(
    loaded: LoadedNotebook,
    extraction: Extraction,
    spec: AssignmentSpec,
    worker: Worker,
    cache: OutcomeCache | None,
) -> Graded:
    # The checks (hypothesis, the reference) load while the worker loads the program.
    from grader.checks._outcome import default_cache

    cache = cache or default_cache()
    defined = worker.defined()
    functions, starts = _grade_functions(spec, worker, defined, extraction, cache)
    warnings = (*loaded.warnings, *extraction.warnings, *worker.load_warnings)
    report = Report(
        str(loaded.path),
        loaded.sha256,
        tuple(functions),
        warnings=warnings,
        output_tail=worker.output_tail,
    )
    return Graded(report, starts)


def _grade_functions(
    spec: AssignmentSpec,
    worker: Worker,
    defined: set[str],
    extraction: Extraction,
    cache: OutcomeCache,
) -> tuple[list[FunctionResult], dict[str, Params]]:
    from grader.checks._loop import grade_function, missing_function

    results: list[FunctionResult] = []
    starts: dict[str, Params] = {}
    names = sorted(defined | set(extraction.functions))
    for entry in spec.functions:
        reason = None if entry.name in defined else worker.missing_reason(entry.name)
        if reason is not None:  # its cell does not compile, or loading it stopped the worker
            message = msg.GRADE_NOT_LOADED.format(name=entry.name, reason=reason)
            results.append(FunctionResult(entry.name, entry.failed_checks(message)))
        elif entry.name not in defined:
            results.append(missing_function(entry, names, spec.graded_functions))
        else:
            caller = _recording_caller(worker, entry.name, tuple(entry.outcome_dims), starts)
            budget = FUNCTION_BUDGET_CALLS * worker.limits.call_seconds
            results.append(grade_function(entry, caller, cache=cache, time_budget=budget))
    return results, starts


def _recording_caller(
    worker: Worker, name: str, outcome_dims: Sequence[int], starts: dict[str, Params]
) -> Caller:
    """A caller into the worker that keeps the student's start for the outcome model."""

    def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        result = worker.call(name, layer_dims, preseed)
        if (
            result.status is CallStatus.OK
            and result.value is not None
            and tuple(layer_dims) == tuple(outcome_dims)
            and preseed == BASE_PRESEED
        ):
            starts.setdefault(name, result.value)
        return result

    return call


def _with_execution(
    graded: Graded, loaded: LoadedNotebook, spec: AssignmentSpec, limits: Limits
) -> Graded:
    from grader.sandbox._kernel import execute_notebook

    helpers = [spec.directory / f"{module}.py" for module in spec.helper_modules]
    executed, errors = execute_notebook(
        loaded.nb, limits=limits, helper_dirs=[h for h in helpers if h.is_file()]
    )
    notes = tuple(msg.GRADE_EXECUTION_NOTE.format(error=e) for e in errors)
    report = replace(graded.report, warnings=(*graded.report.warnings, *notes))
    return replace(graded, report=report, executed=executed)


def _timed(report: Report, start: float) -> Report:
    return replace(report, timing={**report.timing, "seconds": time.perf_counter() - start})
