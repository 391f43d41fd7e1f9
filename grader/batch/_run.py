"""``run_batch``: find the submissions, skip what is graded, grade the rest, commit each result.

The parent process does all the bookkeeping: it reads each submission once to know its sha256,
records it, and leaves out what the gradebook already holds under the same sha256, grader
version and spec digest (unless ``force``). The rest becomes tasks, read again from the tree
only when a worker is free for them; each result is committed the moment it arrives, and its
feedback page written. A submission whose grading fails costs only itself: it is recorded as
failed with the reason, and tried again by the next batch.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from grader import messages as msg
from grader.api import run_limits
from grader.batch._executors import GradeFunction, Outcome, make_executor
from grader.batch._gradebook import Gradebook, GradeRow
from grader.batch._layout import Discovery, Found, discover
from grader.batch._progress import Progress
from grader.batch._sources import Tree, open_tree
from grader.batch._stacked import Shipped, train_first
from grader.batch._task import GradeTask, grade_task, grader_version
from grader.errors import UsageError
from grader.notebook import DEFAULT_MAX_BYTES, too_big
from grader.results import Report
from grader.spec import SPEC, AssignmentSpec, spec_digest
from grader.untrusted import Notes, safe_path

DEFAULT_TASK_SECONDS = 600.0
MAX_WORKERS = 512


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs; ``timeout`` and ``memory_mb`` are ``initgrade grade``'s limits."""

    workers: int | None = None  # local processes; None: one per core
    dask: str | None = None  # a Dask scheduler's address, instead of local processes
    force: bool = False
    feedback_dir: Path | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    task_seconds: float = DEFAULT_TASK_SECONDS
    assignment: str | None = None  # which nbgrader assignment, when the tree holds several
    accept_weak_isolation: bool = False  # as initgrade grade's flag of that name
    train_first: bool = False  # train every outcome the batch needs first, stacked (_stacked.py)
    notebook_pages: bool = True  # with feedback_dir: the notebook rendered beside each page
    student: str | None = None  # grade only this student's submissions, graded or not


@dataclass
class BatchSummary:
    found: int = 0
    graded: int = 0
    kept: int = 0
    paged: int = 0  # graded before, graded again to write the feedback page they lacked
    failed: int = 0
    ungradable: int = 0
    seconds: float = 0.0

    @property
    def finished(self) -> int:
        return self.graded + self.failed + self.ungradable


@dataclass(frozen=True)
class _Pending:
    found: Found
    submission: int
    sha256: str


@dataclass
class _Run:
    """One batch's state: the gradebook, the keys of its grades, and its counts."""

    book: Gradebook
    batch: int
    tree: Tree
    options: BatchOptions
    spec: AssignmentSpec
    version: str
    spec_hash: str
    summary: BatchSummary
    todo: list[_Pending] = field(default_factory=list)
    shipped: Shipped | None = None  # the outcomes trained first, when they were
    err: TextIO = field(default_factory=io.StringIO)  # where a page's failure is said

    def register(self, found: list[Found]) -> None:
        """Record every submission; keep for grading those without a standing grade."""
        for item in found:
            data = self._read(item)
            sha256 = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else ""
            args = (item.student, item.assignment, sha256, item.source, item.received)
            submission = self.book.submission(self.batch, *args)
            pending = _Pending(item, submission, sha256)
            again = self.options.force or self.options.student is not None
            if not again and self.book.is_graded(submission, *self._key):
                if self._has_page(pending):
                    self.summary.kept += 1
                    continue
                self.summary.paged += 1  # graded again, for the page a TA asked for
            if isinstance(data, str):
                self.store(pending, Report.without_results(item.source, "", data, self.spec))
            elif len(data) > DEFAULT_MAX_BYTES:
                reason = too_big(item.source, max(item.size, len(data))).reason
                self.store(pending, Report.without_results(item.source, sha256, reason, self.spec))
            else:
                self.todo.append(pending)

    def _has_page(self, pending: _Pending) -> bool:
        """False when ``--feedback-dir`` lacks this graded submission's page (a first batch run
        without it): the page needs the worker's plots and notebook, so it is graded again."""
        folder = self.options.feedback_dir
        name = feedback_name(pending.found.student, pending.sha256 or "unread")
        return folder is None or (folder / name).is_file()

    @property
    def _key(self) -> tuple[str, str]:
        return self.version, self.spec_hash

    def _read(self, item: Found) -> bytes | str:
        """The file's bytes (one more than the notebook cap at most), or why they cannot be read."""
        try:
            return self.tree.read(item.source, DEFAULT_MAX_BYTES + 1)
        except OSError as error:
            return msg.TASK_UNREADABLE.format(path=item.source, error=error.strerror or error)

    def tasks(self, progress: Progress) -> Any:
        """Each pending submission as a task, its bytes read only now."""
        for index, pending in enumerate(self.todo):
            data = self._read(pending.found)
            if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != pending.sha256:
                report = Report.without_results(
                    pending.found.source, pending.sha256, msg.TASK_CHANGED, self.spec
                )
                progress.update(failed=self.store(pending, report, failed=True))
                continue
            yield self._task(index, pending, data)

    def readable_tasks(self) -> Any:
        """The tasks of the submissions still as they were registered; nothing is stored."""
        for index, pending in enumerate(self.todo):
            data = self._read(pending.found)
            if isinstance(data, bytes) and hashlib.sha256(data).hexdigest() == pending.sha256:
                yield self._task(index, pending, data)

    def _task(self, index: int, pending: _Pending, data: bytes) -> GradeTask:
        outcomes = self.shipped.for_task(index) if self.shipped is not None else ""
        return GradeTask(
            index, pending.found.source, data, timeout=self.options.timeout,
            memory_mb=self.options.memory_mb, feedback=self.options.feedback_dir is not None,
            deadline=self.options.task_seconds,
            accept_weak_isolation=self.options.accept_weak_isolation, outcomes=outcomes,
            page=self._page(pending), spec=self.spec,
        )  # fmt: skip

    def _page(self, pending: _Pending) -> str:
        """The feedback page's name, when the task renders the notebook's page beside it."""
        if self.options.feedback_dir is None or not self.options.notebook_pages:
            return ""
        return feedback_name(pending.found.student, pending.sha256 or "unread")

    def receive(self, task: GradeTask, outcome: Outcome) -> bool:
        """Store what came back for ``task``; True when its grading failed."""
        pending = self.todo[task.key]
        report, pages, failure = _decode(outcome)
        if report is None:
            reason = failure or msg.TASK_FAILED.format(error="no result")
            report = Report.without_results(pending.found.source, pending.sha256, reason, self.spec)
        if pages is not None and pages.failure is not None:
            self._page_failed(pending, pages.failure)
        return self.store(pending, report, pages=pages, failed=failure is not None)

    def _page_failed(self, pending: _Pending, failure: str) -> None:
        """Say that this submission's feedback page lacks its plots or could not be made: the
        page's failure, never the grade's (the grade is stored as it is)."""
        last = failure.strip().splitlines()[-1:] or [""]
        line = msg.BATCH_PAGE_FAILED.format(student=pending.found.student, error=last[0])
        print(line, file=self.err)

    def store(
        self, pending: _Pending, report: Report, *, pages: _Pages | None = None,
        failed: bool = False,
    ) -> bool:  # fmt: skip
        """Commit one grade (and write its feedback pages); True when it is a failed grading."""
        status = (
            "failed" if failed or report.internal else "ungradable" if report.error else "graded"
        )
        if not report.policy_digest:  # made here, not by a grading: say what would have graded it
            report = replace(report, grader_version=self.version, policy_digest=self.spec_hash)
        feedback = self._feedback(pending, report, pages or _Pages())
        functions = [
            {"name": f.name, "score": f.score, "max_score": f.max_score, "passed": f.passed,
             "mistakes": list(f.mistakes),
             "diagnosis": f.diagnosis.to_dict() if f.diagnosis is not None else None}
            for f in report.functions
        ]  # fmt: skip
        row = GradeRow(
            status, report.score, report.max_score, functions, report.to_dict(), report.error,
            float(report.timing.get("total", 0.0)), feedback,
        )  # fmt: skip
        self.book.record(self.batch, pending.submission, *self._key, row)
        setattr(self.summary, status, getattr(self.summary, status) + 1)
        return status == "failed"

    def _feedback(self, pending: _Pending, report: Report, pages: _Pages) -> str | None:
        """Write the feedback page and, when the worker rendered it, the notebook's page; the
        parent draws nothing itself (a page it must make has no plots and no notebook)."""
        if self.options.feedback_dir is None:
            return None
        name = feedback_name(pending.found.student, pending.sha256 or "unread")
        try:  # a page that cannot be made or written is said; the grade is stored all the same
            html = pages.html
            if html is None:
                from grader.reports.html import render_html

                html = render_html(report)
            elif pages.notebook is not None:
                from grader.reports.notebook import notebook_path

                beside = notebook_path(self.options.feedback_dir / name)
                _write_atomic(beside, pages.notebook)
            _write_atomic(self.options.feedback_dir / name, html)
        except Exception as error:  # the page's failure: never the grade's
            self._page_failed(pending, f"{type(error).__name__}: {error}")
            return None
        return name


@dataclass(frozen=True)
class _Pages:
    """What a worker rendered for one submission: the feedback page and the notebook's page."""

    html: str | None = None
    notebook: str | None = None
    failure: str | None = None  # why the feedback page lacks its plots


def _decode(outcome: Outcome) -> tuple[Report | None, _Pages | None, str | None]:
    """The report and pages in a task's JSON text, or the reason there are none."""
    if outcome.text is None:
        return None, None, outcome.failure
    try:
        data = json.loads(outcome.text)
        report = Report.from_dict(data["report"])
        pages = _Pages(data.get("html"), data.get("notebook"), data.get("page"))
        parts = (pages.html, pages.notebook, pages.failure)
        if not all(page is None or isinstance(page, str) for page in parts):
            raise TypeError("a feedback page is not text")
    except (ValueError, KeyError, TypeError) as error:
        return None, None, msg.TASK_FAILED.format(error=f"an unreadable result: {error}")
    return report, pages, None


def feedback_name(student: str, sha256: str) -> str:
    """The feedback page's file name: the student id made safe for a file name, the start of
    the id's own digest (two ids that read alike once made safe, such as two names in another
    script, still get two pages) and the start of the notebook's digest (a student may have
    several submissions, and two students may send the same bytes)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._")[:80] or "student"
    who = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe}-{who}-{sha256[:12]}.html"


def _write_atomic(path: Path, text: str) -> None:
    from grader.batch._export import write_atomic

    write_atomic(path, lambda handle: handle.write(text))


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_options(options: BatchOptions) -> int:
    workers = default_workers() if options.workers is None else options.workers
    if type(workers) is not int or not 1 <= workers <= MAX_WORKERS:
        raise UsageError(msg.BATCH_WORKERS.format(most=MAX_WORKERS, value=options.workers))
    if not 10 <= options.task_seconds <= 86400:
        raise UsageError(msg.BATCH_TASK_TIMEOUT.format(value=options.task_seconds))
    if options.feedback_dir is not None:
        try:
            options.feedback_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(
                msg.REPORT_CANNOT_WRITE.format(
                    what="feedback pages", path=options.feedback_dir, error=error
                )
            ) from None
    return workers


SKIPPED_ALIKE = 3  # files of one name skipped for one reason: listed one by one up to this many


def _announce(discovery: Discovery, source: Path, out: TextIO) -> None:
    """The layout and what was skipped, at most ``MAX_PER_KIND`` files for each reason (the
    gradebook's batch row lists them all)."""
    print(
        msg.BATCH_FOUND.format(
            source=safe_path(source), layout=discovery.layout, count=len(discovery.found),
            students=discovery.students,
        ),
        file=out,
    )  # fmt: skip
    alike: dict[tuple[str, str], list[str]] = {}
    for skipped in discovery.skipped:
        alike.setdefault((PurePosixPath(skipped.path).name, skipped.reason), []).append(
            skipped.path
        )
    notes = Notes()  # at most a few lines per reason: the gradebook's batch row has them all
    for (name, reason), paths in alike.items():
        if len(paths) >= SKIPPED_ALIKE:  # a helper file in every student's folder, say
            many = {"count": len(paths), "name": name, "reason": reason}
            notes.add(msg.BATCH_SKIPPED_MANY, f"many: {reason}", **many)
            continue
        for path in paths:
            notes.add(msg.BATCH_SKIPPED, reason, path=path, reason=reason)
    for line in notes.lines():
        print(line if line.startswith(" ") else f"  {line}", file=out)


def _only(discovery: Discovery, student: str | None, source: Path) -> Discovery:
    """The discovery narrowed to one student's submissions (all of them when ``student`` is
    None); a ``UsageError`` naming the closest ids when that student has none."""
    if student is None:
        return discovery
    found = [item for item in discovery.found if item.student == student]
    if not found:
        close = difflib.get_close_matches(student, sorted({f.student for f in discovery.found}))
        hint = msg.ADJUST_CLOSE.format(names=", ".join(close)) if close else ""
        raise UsageError(
            msg.BATCH_NO_SUCH_STUDENT.format(source=source, student=student, hint=hint)
        )
    return replace(discovery, found=found)


def run_batch(
    source: Path,
    gradebook: Path,
    options: BatchOptions | None = None,
    *,
    out: TextIO,
    err: TextIO,
    grade: GradeFunction = grade_task,
    spec: AssignmentSpec = SPEC,
) -> BatchSummary:
    """Grade every submission in ``source`` into ``gradebook``; see the module docstring."""
    options = options or BatchOptions()
    start = time.monotonic()
    limits = run_limits(spec.limits, timeout=options.timeout, memory_mb=options.memory_mb)
    workers = _check_options(options)
    tree = open_tree(source)
    try:
        discovery = discover(tree, default_assignment=spec.name, assignment=options.assignment)
        _announce(discovery, source, out)
        discovery = _only(discovery, options.student, source)
        if options.student is not None:
            count = len(discovery.found)
            print(msg.BATCH_ONE_STUDENT.format(count=count, student=options.student), file=out)
        with Gradebook.for_batch(gradebook) as book:
            executor = make_executor(
                workers=workers, dask=options.dask, grade=grade, err=err,
                task_seconds=options.task_seconds,
            )  # fmt: skip
            record = {**asdict(options), "workers": workers, "limits": asdict(limits)}
            skipped = [[s.path, s.reason] for s in discovery.skipped]
            batch = book.start_batch(safe_path(source), discovery.layout, _plain(record), skipped)
            key = (grader_version(), spec_digest(spec, limits=limits))
            run = _Run(book, batch, tree, options, spec, *key, BatchSummary(len(discovery.found)))
            run.err = err
            try:
                run.register(discovery.found)
                if run.summary.paged:
                    print(
                        msg.BATCH_PAGES_MISSING.format(
                            count=run.summary.paged, path=options.feedback_dir
                        ),
                        file=out,
                    )
                if options.train_first and run.todo:
                    total = len(run.todo)
                    run.shipped = train_first(run.readable_tasks(), executor, workers, err, total)
                    run.shipped.announce(out)
                _grade_all(run, executor, err)
            finally:
                executor.close()
            book.finish_batch(batch)
    finally:
        tree.close()
    run.summary.seconds = time.monotonic() - start
    _conclude(run.summary, gradebook, options, out)
    return run.summary


def _grade_all(run: _Run, executor: Any, err: TextIO) -> None:
    progress = Progress(len(run.todo), err)
    try:
        for task, outcome in executor.run(run.tasks(progress)):
            progress.update(failed=run.receive(task, outcome))
    finally:
        progress.close()


def _conclude(summary: BatchSummary, gradebook: Path, options: BatchOptions, out: TextIO) -> None:
    rate = summary.finished / summary.seconds if summary.seconds > 0 else 0.0
    print(
        msg.BATCH_SUMMARY.format(
            graded=summary.graded, kept=summary.kept, failed=summary.failed,
            ungradable=summary.ungradable, seconds=summary.seconds, rate=rate, path=gradebook,
        ),
        file=out,
    )  # fmt: skip
    if options.feedback_dir is not None:
        print(msg.BATCH_FEEDBACK.format(path=options.feedback_dir), file=out)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Options as JSON-ready values (paths as text)."""
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain
