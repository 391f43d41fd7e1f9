"""Grade many notebooks through the real path, in a pool of processes.

Each task is one notebook (the solution notebook with one graded cell replaced), written to a
folder of its own and graded with ``grader.api.grade_notebook``: extraction, the sandboxed
worker, every check, the diagnosis. What comes back is the graded function's score, its
diagnosis and the names of the checks it failed, plus the notebook's total.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.mistakes import Diagnosis


@dataclass(frozen=True)
class Task:
    ident: str
    function: str
    notebook: str  # the notebook's JSON text
    cache_dir: str | None = None  # the outcome cache; None: the default one


@dataclass(frozen=True)
class Grade:
    """How one notebook was graded, for the function that was changed."""

    ident: str
    score: float
    max_score: float
    total: float
    max_total: float
    diagnosis: str | None  # as the student reads it
    failed: tuple[str, ...]
    error: str | None = None  # the notebook could not be graded at all
    mistakes: tuple[str, ...] = ()  # the ids the diagnosis names
    found: Diagnosis | None = None  # the diagnosis itself, which a mutant's truth is judged on


def grade_task(task: Task) -> Grade:
    """Grade one task's notebook (in a pool process)."""
    from grader.api import grade_notebook
    from grader.checks import OutcomeCache, default_cache
    from grader.sentences import diagnosis_text

    cache = OutcomeCache(Path(task.cache_dir)) if task.cache_dir else default_cache()
    with tempfile.TemporaryDirectory(prefix="initgrade-mutant-") as folder:
        path = Path(folder) / "submission.ipynb"
        path.write_text(task.notebook, encoding="utf-8")
        report = grade_notebook(path, cache=cache)
    function = next(f for f in report.functions if f.name == task.function)
    failed = tuple(check.name for check in function.checks if not check.passed)
    return Grade(
        task.ident,
        function.score,
        function.max_score,
        report.score,
        report.max_score,
        diagnosis_text(function.diagnosis),
        failed,
        report.error or report.internal,
        function.mistakes,
        function.diagnosis,
    )


def grade_all(tasks: Sequence[Task], jobs: int) -> Iterator[Grade]:
    """Every task's grade, in order, ``jobs`` notebooks at a time."""
    if jobs <= 1:
        yield from map(grade_task, tasks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(grade_task, tasks, chunksize=1)
