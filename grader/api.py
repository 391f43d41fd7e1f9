"""``grade_submission`` / ``grade_notebook``: one submission from file to report.

load (``grader.notebook``) -> extract -> isolate (``grader.sandbox``) -> check and diagnose
(``grader.checks``) -> optionally execute (``grader.sandbox.execute_notebook``). Each step turns
what a student could have done wrong into data. When the grader itself fails on a submission,
the result is still a report: every check failed with ``messages.GRADER_FAILED`` and the
traceback in ``Report.internal``, for course staff only. The defaults of every run-time option
live in ``grade_submission``'s signature.
"""

from __future__ import annotations

import hashlib
import math
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader import messages as msg
from grader.errors import UsageError
from grader.mistakes import Mistake
from grader.notebook import (
    Extraction,
    LoadedNotebook,
    LoadFailure,
    extract,
    load_notebook,
    load_notebook_bytes,
)
from grader.results import Report, grader_version
from grader.sandbox import Sandbox, SandboxRefused
from grader.spec import SPEC, AssignmentSpec, spec_digest
from grader.types import Limits
from grader.untrusted import safe_path, safe_text

if TYPE_CHECKING:
    from grader.checks import FunctionFeedback, GradedFunction, OutcomeCache

__all__ = ["Graded", "grade_bytes", "grade_notebook", "grade_submission", "run_limits"]

MAX_CALL_SECONDS = 3600.0  # an option above this is a typo, not a grading policy
MIN_MEMORY_MB = 256  # numpy alone maps ~200 MB of address space
MAX_MEMORY_MB = 1 << 20


@dataclass(frozen=True)
class Graded:
    """A report, and what the feedback page draws (with ``feedback=True``) and the executed
    notebook (with ``execute=True``). ``cells``: the cell (0-based) that defines each graded
    function the notebook has, for the pages that link to it. ``failures`` says, for course
    staff, which of those extras could not be made and why; it never changes the report."""

    report: Report
    feedback: Mapping[str, FunctionFeedback] = field(default_factory=dict)
    executed: object | None = None  # an nbformat NotebookNode
    failures: Mapping[str, str] = field(default_factory=dict)
    cells: Mapping[str, int] = field(default_factory=dict)


def grade_notebook(
    path: str | Path,
    *,
    timeout: float | None = None,
    memory_mb: int | None = None,
    execute: bool = False,
    spec: AssignmentSpec = SPEC,
    cache: OutcomeCache | None = None,
    accept_weak_isolation: bool = False,
) -> Report:
    """Grade the notebook at ``path`` and return its report; see ``grade_submission``."""
    graded = grade_submission(
        path,
        timeout=timeout,
        memory_mb=memory_mb,
        execute=execute,
        spec=spec,
        cache=cache,
        accept_weak_isolation=accept_weak_isolation,
    )
    return graded.report


def grade_submission(
    path: str | Path,
    *,
    timeout: float | None = None,
    memory_mb: int | None = None,
    execute: bool = False,
    feedback: bool = False,
    spec: AssignmentSpec = SPEC,
    cache: OutcomeCache | None = None,
    accept_weak_isolation: bool = False,
) -> Graded:
    """Grade one notebook. ``timeout`` is the limit of one call of a student function in seconds
    and ``memory_mb`` the worker's address space; unset, the assignment's limits apply.
    ``execute`` also runs the whole notebook in a sandboxed kernel, for the record; ``feedback``
    also computes what the HTML feedback page draws. Without Linux user namespaces grading is
    refused (a report says so, for course staff) unless ``accept_weak_isolation`` accepts that
    a submission could then read the answer key. Raises ``UsageError`` for an option out of
    range; never raises for anything in the submission."""
    name = safe_path(Path(path))  # the student's file name: through the door
    source = _Source(name, lambda: load_notebook(path), lambda: _sha256_or_empty(Path(path)))
    return _grade_source(
        source, timeout=timeout, memory_mb=memory_mb, execute=execute, feedback=feedback,
        spec=spec, cache=cache, accept_weak_isolation=accept_weak_isolation,
    )  # fmt: skip


def grade_bytes(
    data: bytes,
    name: str,
    *,
    timeout: float | None = None,
    memory_mb: int | None = None,
    execute: bool = False,
    feedback: bool = False,
    spec: AssignmentSpec = SPEC,
    cache: OutcomeCache | None = None,
    accept_weak_isolation: bool = False,
) -> Graded:
    """Grade a notebook given as its bytes, as ``grade_submission`` grades a file: the same
    loading checks (size cap, UTF-8, JSON, format) and the same report, with ``name`` (the
    submitted file's name) standing for the path. For a grading where the file is elsewhere,
    such as a batch task on another machine."""
    source = _Source(
        safe_path(Path(name)),  # a name, escaped already or not: shown
        lambda: load_notebook_bytes(data, name),
        lambda: hashlib.sha256(data).hexdigest(),
    )
    return _grade_source(
        source, timeout=timeout, memory_mb=memory_mb, execute=execute, feedback=feedback,
        spec=spec, cache=cache, accept_weak_isolation=accept_weak_isolation,
    )  # fmt: skip


@dataclass(frozen=True)
class _Source:
    """What is graded: its name in the report, how to load it, and its digest should that fail."""

    name: str
    load: Callable[[], LoadedNotebook | LoadFailure]
    sha256: Callable[[], str]


def _grade_source(
    source: _Source,
    *,
    timeout: float | None,
    memory_mb: int | None,
    execute: bool,
    feedback: bool,
    spec: AssignmentSpec,
    cache: OutcomeCache | None,
    accept_weak_isolation: bool,
) -> Graded:
    start = time.perf_counter()
    limits = run_limits(spec.limits, timeout=timeout, memory_mb=memory_mb)
    options = {"execute": execute, "feedback": feedback, "weak": accept_weak_isolation}
    try:
        graded = _grade(source, spec, limits, cache, **options)
    except SandboxRefused as refused:  # this machine cannot grade safely: staff must act
        report = Report.without_results(
            source.name, source.sha256(), msg.GRADER_FAILED, spec, internal=str(refused)
        )
        graded = Graded(report)
    except Exception:  # the grader's own failure on this submission: still a report
        report = Report.without_results(
            source.name, source.sha256(), msg.GRADER_FAILED, spec,
            internal=traceback.format_exc(),
        )  # fmt: skip
        graded = Graded(report)
    timing = {**graded.report.timing, "total": time.perf_counter() - start}
    report = replace(
        graded.report, timing=timing, grader_version=grader_version(),
        policy_digest=spec_digest(spec, limits=limits),
    )  # fmt: skip
    return replace(graded, report=report)


def run_limits(
    base: Limits, *, timeout: float | None = None, memory_mb: int | None = None
) -> Limits:
    """The assignment's limits with this run's overrides; the worker's life grows with the call."""
    limits = base
    if timeout is not None:
        if not (isinstance(timeout, int | float) and math.isfinite(timeout)):
            raise UsageError(msg.USAGE_TIMEOUT.format(value=timeout, most=MAX_CALL_SECONDS))
        if not 0 < timeout <= MAX_CALL_SECONDS:
            raise UsageError(msg.USAGE_TIMEOUT.format(value=timeout, most=MAX_CALL_SECONDS))
        wall = max(base.wall_seconds, 4 * timeout)
        limits = replace(limits, call_seconds=float(timeout), wall_seconds=wall)
        limits = replace(limits, cpu_seconds=max(limits.cpu_seconds, int(wall) + 1))
    if memory_mb is not None:
        if type(memory_mb) is not int or not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
            raise UsageError(
                msg.USAGE_MEMORY.format(value=memory_mb, least=MIN_MEMORY_MB, most=MAX_MEMORY_MB)
            )
        limits = replace(limits, memory_mb=memory_mb)
    return limits


def _grade(
    source: _Source,
    spec: AssignmentSpec,
    limits: Limits,
    cache: OutcomeCache | None,
    *,
    execute: bool,
    feedback: bool,
    weak: bool,
) -> Graded:
    helpers = [h for h in _helper_files(spec) if h.is_file()]
    graded_names = spec.graded_functions
    # The zygote boots (Python and numpy, ~0.2 s) while the notebook is read and extracted.
    with Sandbox(
        helper_dirs=helpers, limits=limits, graded=graded_names, accept_weak_isolation=weak
    ) as sandbox:
        loaded = source.load()
        if not isinstance(loaded, LoadedNotebook):
            return Graded(
                Report.without_results(source.name, loaded.sha256 or "", loaded.reason, spec)
            )
        extraction = extract(loaded, graded=graded_names, template_imports=spec.template_imports)
        sandbox.load(
            extraction.program, origin=extraction.origin, missing_reasons=extraction.compile_errors
        )
        # The checks (hypothesis, the reference) load while the zygote boots.
        from grader.checks import default_cache, grade_functions

        cache = cache or default_cache()
        functions = grade_functions(spec, sandbox, cache=cache)
        functions = [_left_out_named(f, extraction.left_out) for f in functions]
        functions, notes = marked_unfilled(spec, loaded, extraction, functions)
        report = Report(
            source.name,
            loaded.sha256,
            tuple(function.result for function in functions),
            warnings=(*loaded.warnings, *notes, *sandbox.load_warnings),
            output_tail=sandbox.output_tail,
        )
    cells = {name: at.cell for name, at in extraction.functions.items() if name in graded_names}
    graded = Graded(report, cells=cells)
    graded = _with_feedback(graded, spec, functions, cache) if feedback else graded
    return _with_execution(graded, loaded, spec, limits) if execute else graded


def _with_feedback(
    graded: Graded, spec: AssignmentSpec, functions: list[GradedFunction], cache: OutcomeCache
) -> Graded:
    """The plots' data; when that fails, the report stands as it is, the page shows no plots,
    and the failure is the page's (``Graded.failures``)."""
    from grader.checks import build_feedback

    try:
        return replace(graded, feedback=build_feedback(spec, functions, cache=cache))
    except Exception as error:  # the plots' data, from a student's numbers: the grades stand
        failure = safe_text(f"{type(error).__name__}: {error}", limit=300)
        return replace(graded, failures={**graded.failures, "feedback plots": failure})


def _left_out_named(function: GradedFunction, left_out: Mapping[str, str]) -> GradedFunction:
    """A NameError for a name that only a top-level line left out of grading assigns names that
    line (``Extraction.left_out``)."""
    diagnosis = function.result.diagnosis
    if diagnosis is None or not left_out:
        return function

    def named(mistake: Mistake) -> Mistake:
        line = left_out.get(str(mistake.get("name")))
        if mistake.id != "raised.name" or line is None:
            return mistake
        return Mistake(mistake.id, (*mistake.fields, ("left_out", line)))

    mistakes = tuple(named(m) for m in diagnosis.mistakes)
    if mistakes == diagnosis.mistakes:
        return function
    result = replace(function.result, diagnosis=replace(diagnosis, mistakes=mistakes))
    return replace(function, result=result)


def marked_unfilled(
    spec: AssignmentSpec,
    loaded: LoadedNotebook,
    extraction: Extraction,
    functions: list[GradedFunction],
) -> tuple[list[GradedFunction], tuple[str, ...]]:
    """Each function that earned nothing and is still the template, said so once (its cell's
    compile error, which the template causes, is left out of the warnings); the warnings."""
    from grader.checks import GradedFunction, unfilled_result
    from grader.notebook import unfilled

    names = unfilled(loaded.cells, spec.graded_functions)
    names = {f.result.name for f in functions if f.result.name in names and f.result.score == 0}
    if not names:
        return functions, extraction.warnings
    marked = [
        GradedFunction(unfilled_result(spec.function(f.result.name)))
        if f.result.name in names
        else f
        for f in functions
    ]
    caused = {
        msg.EXTRACT_CELL_BROKEN.format(
            where=msg.EXTRACT_WHERE.format(cell=e.cell + 1, line=e.line), error=e.message
        )
        for e in extraction.cell_errors
        if e.functions and set(e.functions) <= names
    }
    return marked, tuple(note for note in extraction.warnings if note not in caused)


def _helper_files(spec: AssignmentSpec) -> list[Path]:
    return [spec.directory / f"{module}.py" for module in spec.helper_modules]


def _with_execution(
    graded: Graded, loaded: LoadedNotebook, spec: AssignmentSpec, limits: Limits
) -> Graded:
    from grader.sandbox import execute_notebook

    helpers = [h for h in _helper_files(spec) if h.is_file()]
    executed, errors = execute_notebook(loaded.nb, limits=limits, helper_dirs=helpers)
    notes = tuple(msg.GRADE_EXECUTION_NOTE.format(error=e) for e in errors)
    report = replace(graded.report, warnings=(*graded.report.warnings, *notes))
    return replace(graded, report=report, executed=executed)


def _sha256_or_empty(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    except OSError:
        return ""
