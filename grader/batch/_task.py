"""One task grades one submission: it carries only data and returns only data.

A ``GradeTask`` holds the submission's bytes and name, the run's options and the assignment's
model it is graded against (``spec``: the whole model travels with every task, so a worker
grades what the batch was given, never its own default), never a path to read: a Dask worker on
another machine shares no disk with the batch. Where the model's folder of helper modules is not
on the worker's machine, the worker's own copy of the course's folder is used (its helpers are
generated from the same reference). ``grade_task`` returns JSON text
(the report as ``Report.to_dict()``, and the feedback page as HTML text when asked for), so the
batch reads back plain data whichever executor carried it.

A grading that stops making progress (a fault of the grader, since the sandbox already bounds
the student's code) has its process ended by SIGALRM after ``deadline`` seconds; the executor
then records the submission as failed and the batch goes on. Tasks in one process run one at a
time: the reference initializers seed numpy's global generator, which threads would share.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from grader.batch._outcomes import collect_starts, prime_cache, train_starts
from grader.results import grader_version as grader_version
from grader.spec import ASSIGNMENT_DIR, SPEC, AssignmentSpec

if TYPE_CHECKING:
    from grader.api import Graded

_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class GradeTask:
    key: int  # the submission's id in the gradebook: the batch's bookkeeping, not the worker's
    source: str  # the submitted file's name, as the report shows it
    data: bytes
    timeout: float | None = None
    memory_mb: int | None = None
    feedback: bool = False
    deadline: float = 600.0
    accept_weak_isolation: bool = False  # grade without user namespaces (see initgrade grade)
    # What the task does (grader.batch._outcomes): "grade"; "starts", collect the outcome starts;
    # "train", train the starts ``data`` holds. ``outcomes``: trained outcomes a grading may use.
    phase: str = "grade"
    outcomes: str = ""
    # With ``feedback``: the feedback page's file name, for the pages' links; the notebook's own
    # page is rendered beside it only when this is set.
    page: str = ""
    spec: AssignmentSpec = field(default=SPEC)

    def local_spec(self) -> AssignmentSpec:
        """``spec``, with its helpers' folder on this machine (see the module docstring)."""
        if self.spec.directory.is_dir():
            return self.spec
        return replace(self.spec, directory=ASSIGNMENT_DIR)


def grade_task(task: GradeTask) -> str:
    """Grade ``task`` and return ``{"report": ..., "html": ..., "notebook": ..., "page": ...}`` as
    JSON text (or, for the other phases, what ``grader.batch._outcomes`` answers): with
    ``feedback``, the feedback page and the submitted notebook rendered, both drawn here, in the
    worker, and in "page" why the feedback page lacks its plots (None when it does not)."""
    from grader.api import grade_bytes

    with _ONE_AT_A_TIME:
        _alarm(task.deadline)
        ends = time.monotonic() + task.deadline
        try:
            if task.phase != "grade":
                return _other_phase(task)
            prime_cache(task.outcomes)
            graded = grade_bytes(
                task.data,
                task.source,
                timeout=task.timeout,
                memory_mb=task.memory_mb,
                feedback=task.feedback,
                spec=task.local_spec(),
                accept_weak_isolation=task.accept_weak_isolation,
            )
            pages = _pages(task, graded, ends) if task.feedback else (None, None, None)
        finally:
            _alarm(0.0)
    html, notebook, failure = pages
    result = {"report": graded.report.to_dict(), "html": html, "notebook": notebook}
    return json.dumps({**result, "page": failure})


def _pages(
    task: GradeTask, graded: Graded, ends: float
) -> tuple[str | None, str | None, str | None]:
    """The feedback page and the notebook's page. A notebook that cannot be rendered, or not
    before the task's own deadline (``ends``) comes near, gets a page that says so; the report
    is not touched either way, so a page never costs a grade."""
    from grader.reports.notebook import failure_page, notebook_path, render_notebook

    if not task.page:
        html, failure = _feedback_page(graded, None)
        return html, None, failure
    page = Path(task.page)
    beside = notebook_path(page).name
    html, failure = _feedback_page(graded, beside)
    title = Path(task.source).name
    seconds = (ends - time.monotonic()) * 0.8  # the rest: to send the pages back
    try:
        notebook = render_notebook(
            task.data, title=title, graded=graded.cells, feedback_href=page.name, seconds=seconds
        )
    except Exception as error:  # a fault of the page's own code: the page says so
        notebook = failure_page(title, page.name, f"{type(error).__name__}: {error}")
    return html, notebook.html, failure


def _feedback_page(graded: Graded, notebook: str | None) -> tuple[str | None, str | None]:
    """The feedback page, or None when its plots failed (the batch then writes it without), and
    why its plots are missing: the page's failure, never the grade's."""
    from grader.reports.html import render_html
    from grader.reports.optional import failure_text

    try:
        html = render_html(
            graded.report, feedback=graded.feedback, notebook=notebook, cells=graded.cells
        )
    except Exception:  # the plots, drawn from a student's numbers; the grade stands
        return None, failure_text()
    return html, graded.failures.get("feedback plots")


def _other_phase(task: GradeTask) -> str:
    if task.phase == "train":
        return train_starts(task.data)
    if task.phase == "starts":
        return collect_starts(
            task.data, task.source, timeout=task.timeout, memory_mb=task.memory_mb,
            accept_weak_isolation=task.accept_weak_isolation, spec=task.local_spec(),
        )  # fmt: skip
    raise ValueError(f"no such batch phase: {task.phase!r}")


def _alarm(seconds: float) -> None:
    """End this process ``seconds`` from now (0: never). SIGALRM keeps its default action, which
    the kernel carries out whatever the process is doing, even inside a C call that holds the
    GIL; no handler is installed (none could run then)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)


def start_worker(parent: int) -> None:
    """A local pool worker's first steps: end with the batch, and import what grading needs so
    that its first task is not slower than the others.

    A worker whose batch was killed (SIGKILL leaves no time to stop the pool) would otherwise
    wait for tasks forever; it checks every half second that its parent is still the batch."""
    watcher = threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True)
    watcher.start()
    import grader.api
    import grader.checks  # noqa: F401


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
