"""``initgrade adjust``: staff adjustments to a student's grade, kept in the gradebook.

An adjustment is points added (or taken away, when negative) for a student's assignment, for
the whole or for one graded function, with a comment saying why; the OS user who made it and
when are recorded. Export adds the standing adjustments to the total and lists them, the
dashboard shows them, and the feedback bundle shows them to the student. Withdrawing one keeps
it on record, with who withdrew it and when.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.batch._gradebook import Gradebook
from grader.batch._records import add_adjustment, adjustments, withdraw_adjustment
from grader.errors import UsageError
from grader.spec import SPEC, AssignmentSpec


def adjust(
    gradebook: Path,
    student: str,
    points: float,
    comment: str,
    *,
    function: str | None = None,
    assignment: str | None = None,
    spec: AssignmentSpec = SPEC,
) -> dict[str, Any]:
    """Record one adjustment; returns it as stored."""
    if not math.isfinite(points) or points == 0:
        raise UsageError(msg.ADJUST_BAD_POINTS.format(points=points))
    if not comment.strip():
        raise UsageError(msg.ADJUST_NO_COMMENT)
    if function is not None and function not in spec.graded_functions:
        names = ", ".join(spec.graded_functions)
        raise UsageError(msg.ADJUST_NO_FUNCTION.format(function=function, names=names))
    with Gradebook.for_editing(gradebook) as book:
        assignment = _assignment(book, student, assignment)
        with book.transaction() as db:
            number = add_adjustment(db, student, assignment, points, comment.strip(), function)
        return next(a for a in adjustments(book.db) if a["id"] == number)


def _assignment(book: Gradebook, student: str, chosen: str | None) -> str:
    """The student's assignment: the one given, else the only one the gradebook holds."""
    rows = book.db.execute(
        "SELECT DISTINCT assignment FROM submissions WHERE student = ?", (student,)
    ).fetchall()
    held = sorted(str(row[0]) for row in rows)
    if not held:
        known = [str(r[0]) for r in book.db.execute("SELECT DISTINCT student FROM submissions")]
        close = difflib.get_close_matches(student, known, n=3)
        hint = msg.ADJUST_CLOSE.format(names=", ".join(close)) if close else ""
        raise UsageError(msg.ADJUST_NO_STUDENT.format(student=student, hint=hint))
    if chosen is not None:
        if chosen not in held:
            raise UsageError(
                msg.ADJUST_NO_ASSIGNMENT.format(student=student, name=chosen, names=", ".join(held))
            )
        return chosen
    if len(held) > 1:
        raise UsageError(msg.ADJUST_WHICH_ASSIGNMENT.format(student=student, names=", ".join(held)))
    return held[0]


def withdraw(gradebook: Path, number: int) -> None:
    with Gradebook.for_editing(gradebook) as book, book.transaction() as db:
        if not withdraw_adjustment(db, number):
            raise UsageError(msg.ADJUST_NO_SUCH.format(number=number))


def list_adjustments(gradebook: Path) -> list[dict[str, Any]]:
    """Every adjustment, withdrawn ones included, in the order they were made."""
    with Gradebook.for_reading(gradebook) as book:
        return adjustments(book.db, withdrawn=True)


def describe_adjustment(adjustment: dict[str, Any]) -> str:
    """One adjustment as a line for the terminal."""
    where = f", {adjustment['function']}" if adjustment.get("function") else ""
    line = msg.ADJUST_LINE.format(
        number=adjustment["id"], points=adjustment["points"], student=adjustment["student"],
        assignment=adjustment["assignment"], where=where, comment=adjustment["comment"],
        who=adjustment["who"], at=adjustment["at"],
    )  # fmt: skip
    if adjustment.get("withdrawn_at"):
        line += msg.ADJUST_WITHDRAWN.format(
            who=adjustment["withdrawn_by"], at=adjustment["withdrawn_at"]
        )
    return line
