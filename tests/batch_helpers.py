"""Grading functions for batch tests, importable by a spawned pool worker by module name.

``fake_grade`` loads the notebook as grading does and answers at once with a full-marks report
(so a test of the batch's mechanics trains nothing). On a marker in the notebook's bytes, the
functions here misbehave as a submission that kills or hangs its worker would.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time

from grader.batch import GradeTask, grade_task
from grader.notebook import LoadFailure, load_notebook_bytes
from grader.results import CheckResult, FunctionResult, Report
from grader.spec import SPEC

KILL = b"kill-the-pool-worker"
HANG = b"hang-the-pool-worker"


def full_marks(source: str, data: bytes) -> Report:
    functions = tuple(
        FunctionResult(
            entry.name,
            tuple(
                CheckResult(slot.name, entry.name, slot.max_points, slot.max_points, True)
                for slot in entry.slots()
            ),
        )
        for entry in SPEC.functions
    )
    return Report(source, hashlib.sha256(data).hexdigest(), functions, timing={"total": 0.01})


def fake_grade(task: GradeTask) -> str:
    if KILL in task.data:
        os._exit(7)
    if HANG in task.data:
        signal.setitimer(signal.ITIMER_REAL, task.deadline)  # as grade_task does
        time.sleep(3600)
    loaded = load_notebook_bytes(task.data, task.source)
    if isinstance(loaded, LoadFailure):
        report = Report.without_results(task.source, loaded.sha256 or "", loaded.reason, SPEC)
    else:
        report = full_marks(task.source, task.data)
    return json.dumps({"report": report.to_dict(), "html": None})


def real_grade_but_kill(task: GradeTask) -> str:
    if KILL in task.data:
        os._exit(7)
    return grade_task(task)


def grade_without_training(task: GradeTask) -> str:
    """``grade_task``, except that a grading which would train the model one start at a time
    fails (as a fault of the grader): the outcomes must all have been trained before."""
    if task.phase == "grade":
        import grader.checks._training as training

        def refuse(params: object) -> object:
            raise AssertionError("a grading trained a model")

        training.reference_trainer = refuse  # type: ignore[assignment]
    return grade_task(task)


def small_gradebook(path, students, *, feedback_dir=None):
    """A gradebook as a batch leaves it: (student, score, received) each graded once, with a
    feedback page named as a batch names it when ``feedback_dir`` is given."""
    from grader.batch import Gradebook, GradeRow, feedback_name

    with Gradebook.for_batch(path) as book:
        batch = book.start_batch("course", "flat", {}, [])
        for number, (student, score, received) in enumerate(students):
            sha = f"{number:x}" * 64
            page = None
            if feedback_dir is not None:
                page = feedback_name(student, sha)
                (feedback_dir / page).write_text(f"<html><body><h1>{student}</h1></body></html>")
            functions = [{"name": "initialize_parameters_he", "score": score - 20.0}]
            row = GradeRow("graded", score, 30.0, functions, {}, None, 0.1, page)
            sub = book.submission(
                batch, student, "initialization", sha, f"{student}.ipynb", received
            )
            book.record(batch, sub, "v", "h", row)
        book.finish_batch(batch)
    return path
