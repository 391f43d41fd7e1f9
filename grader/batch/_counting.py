"""Which of a student's submissions counts: the one every export, dashboard and bundle shows.

A submission is its content (sha256) at a place in the tree; each batch that finds it records a
*sighting* with the time the layout gives (a file's time, nbgrader's ``timestamp.txt``,
Gradescope's ``:created_at``). The rules:

- ``latest`` (the default): the submission the most recent batch that saw this student found,
  at the time it gave then. Content put back after a fix is a new sighting of the old
  submission, so it counts again, with its own grade and its new time; a stored grade for the
  same content never hides it. Times from different clocks (a file's time against
  ``timestamp.txt``) are never compared across batches: the later batch wins, since it read the
  tree as it is now. Within one batch the later time wins, then the later recorded.
- ``best``: the graded submission with the highest score (ties: the latest); ``latest`` when
  none is graded.
- a pick: the submission whose sha256 starts with the given digits, per student.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader import messages as msg
from grader.batch._records import has_table
from grader.errors import UsageError

RULES = ("latest", "best")

_NEWEST_GRADE = (
    "LEFT JOIN grades g ON g.id = (SELECT id FROM grades WHERE submission = s.id"
    " ORDER BY graded_at DESC, id DESC LIMIT 1)"
)
_COLUMNS = (
    "s.id AS submission, s.student, s.assignment, s.sha256, s.source, g.status, g.score,"
    " g.max_score, g.functions, g.report, g.error, g.seconds, g.feedback, g.graded_at,"
    " g.grader_version, g.spec_hash"
)
_SEEN = (
    "LEFT JOIN sightings v ON v.submission = s.id AND v.batch = ("
    "SELECT MAX(batch) FROM sightings WHERE submission = s.id)"
)


@dataclass(frozen=True)
class Choice:
    """How the submission that counts is chosen: a rule, and per-student picks by sha256."""

    rule: str = "latest"
    picks: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise UsageError(msg.COUNTS_RULE.format(rule=self.rule, rules=", ".join(RULES)))


def every_submission(db: Any) -> list[dict[str, Any]]:
    """Every submission with its latest sighting (``seen``: the batch, ``received``) and its
    newest grade, as plain rows (``functions`` and ``report`` still JSON text)."""
    if has_table(db, "sightings"):
        seen = "COALESCE(v.batch, s.batch) AS seen, COALESCE(v.received, s.received) AS received"
        joins = f"{_SEEN} {_NEWEST_GRADE}"
    else:  # a gradebook no batch of this version has written to yet
        seen, joins = "s.batch AS seen, s.received AS received", _NEWEST_GRADE
    query = f"SELECT {_COLUMNS}, {seen} FROM submissions s {joins}"
    return [dict(row) for row in db.execute(query).fetchall()]


def _recency(row: dict[str, Any]) -> tuple[int, str, int]:
    return (int(row["seen"]), str(row["received"]), int(row["submission"]))


def _picked(rows: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    found = [row for row in rows if str(row["sha256"]).startswith(prefix.lower())]
    if len(found) != 1:
        student = rows[0]["student"]
        shas = ", ".join(sorted(str(row["sha256"])[:12] for row in rows))
        raise UsageError(msg.COUNTS_PICK.format(student=student, sha=prefix, shas=shas))
    return found[0]


def _counts(rows: list[dict[str, Any]], rule: str, pick: str | None) -> dict[str, Any]:
    if pick is not None:
        return _picked(rows, pick)
    latest = max(rows, key=_recency)
    if rule == "best":
        graded = [row for row in rows if row["status"] == "graded"]
        if graded:
            return max(graded, key=lambda row: (float(row["score"]), *_recency(row)))
    return latest


def counting(db: Any, choice: Choice | None = None) -> list[dict[str, Any]]:
    """Per (student, assignment), the submission that counts, with ``submissions``: how many
    that student has; sorted by student then assignment."""
    choice = choice or Choice()
    by_student: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in every_submission(db):
        by_student.setdefault((row["student"], row["assignment"]), []).append(row)
    unknown = sorted(set(choice.picks) - {student for student, _ in by_student})
    if unknown:
        raise UsageError(msg.COUNTS_NO_STUDENT.format(student=unknown[0]))
    chosen = []
    for (student, _), rows in sorted(by_student.items()):
        row = _counts(rows, choice.rule, choice.picks.get(student))
        chosen.append({**row, "submissions": len(rows)})
    return chosen
