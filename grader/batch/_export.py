"""``initgrade export``: one row per student (the submission that counts), ready for an LMS.

Columns: student, assignment, total, max_score, one per graded function, status, error, the
mistakes named (``function:id`` for each, space-separated; ids of ``grader.mistakes``), source,
sha256, received, graded_at, then score (the grader's), adjustment (the staff's standing
adjustments, summed), late_penalty, deadline, late_by and comments (each adjustment's comment),
and the grader version and policy digest that graded it; rows sorted by student, then
assignment. The function columns are the model's, then any other a grade names (the functions
of a course's own term). The total is the grader's score plus the adjustments
less the late penalty, never below 0. Which submission counts is ``grader.batch._counting``'s
rule; the late policy is ``grader.batch._late``'s. A student whose submission has no grade yet
still has a row, with status "pending". Every text cell of the CSV goes through the door
(``grader.untrusted.spreadsheet_cell``): no control character, line break or bidirectional
override, and a leading apostrophe where a spreadsheet would run the text as a formula (it
starts with ``=``, ``+``, ``-`` or ``@``): a file name is the student's to choose.
The LMS layouts (``--format canvas|moodle|blackboard``) are ``grader.batch._lms``'s.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from grader.batch._counting import Choice, counting
from grader.batch._gradebook import Gradebook
from grader.batch._late import LatePolicy
from grader.batch._records import adjustments
from grader.locations import new_file_mode
from grader.results import UNGRADABLE
from grader.spec import SPEC, AssignmentSpec
from grader.untrusted import safe_text, spreadsheet_cell

EXTRA_COLUMNS = ("score", "adjustment", "late_penalty", "deadline", "late_by", "comments")
POLICY_COLUMNS = ("grader_version", "policy_digest")
# The id a row stored by a grader whose diagnoses were sentences counts under: it has no words,
# so the dashboard calls it another mistake.
SENTENCE_ONLY = "legacy.sentence"


def mistake_ids(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(function, mistake id) of every mistake a gradebook row names, each once; the function is
    None for a mistake of the whole submission (``submission.ungradable``)."""
    found: list[tuple[str | None, str]] = []
    if row.get("status") == "ungradable":
        found.append((None, UNGRADABLE))
    for function in row.get("functions") or []:
        ids = function.get("mistakes")
        if ids is None and function.get("diagnosis"):
            ids = [SENTENCE_ONLY]
        found += [(str(function.get("name")), str(i)) for i in ids or ()]
    return list(dict.fromkeys(found))


def export_rows(
    book: Gradebook,
    spec: AssignmentSpec = SPEC,
    *,
    choice: Choice | None = None,
    policy: LatePolicy | None = None,
) -> list[dict[str, Any]]:
    """The rows, as plain values (numbers as numbers, a missing score as None); ``adjusted``
    holds each row's standing adjustments as records."""
    standing = adjustments(book.db)
    rows = []
    every = counting(book.db, choice)
    names = function_columns(every, spec)
    for counted in every:
        functions = json.loads(counted["functions"]) if counted.get("functions") else []
        scores = {f["name"]: f["score"] for f in functions}
        max_score = counted["max_score"] if counted["max_score"] is not None else spec.max_score
        row: dict[str, Any] = {
            "student": safe_text(counted["student"]),
            "assignment": safe_text(counted["assignment"]),
            "total": counted["score"],
            "max_score": max_score,
        }
        row.update({name: scores.get(name) for name in names})
        row.update(
            status=counted["status"] or "pending",
            error=safe_text(counted["error"] or ""),
            mistakes=" ".join(
                f"{f}:{i}" if f else i
                for f, i in mistake_ids({"status": counted["status"], "functions": functions})
            ),
            source=safe_text(counted["source"]),
            sha256=counted["sha256"],
            received=counted["received"],
            graded_at=counted["graded_at"] or "",
            feedback=counted["feedback"],
            submissions=counted["submissions"],
            grader_version=counted.get("grader_version") or "",
            policy_digest=counted.get("spec_hash") or "",
        )
        mine = [
            a
            for a in standing
            if (a["student"], a["assignment"]) == (row["student"], row["assignment"])
        ]
        rows.append(_settled(row, mine, policy))
    return rows


def _settled(
    row: dict[str, Any], adjusted: list[dict[str, Any]], policy: LatePolicy | None
) -> dict[str, Any]:
    """The row with its adjustments and late penalty applied to the total."""
    late = policy.of(row["student"], row["received"], row["max_score"]) if policy else None
    adjustment = float(sum(float(a["points"]) for a in adjusted))
    penalty = late.penalty if late is not None and row["total"] is not None else 0.0
    notes = [f"{a['comment']} ({float(a['points']):+g}, {a['who']})" for a in adjusted]
    score = row["total"]
    total = None if score is None else max(0.0, round(score + adjustment - penalty, 6))
    total = None if total is None else min(total, row["max_score"])  # see ``over_maximum``
    return {
        **row, "total": total, "score": score, "adjustment": adjustment, "late_penalty": penalty,
        "deadline": late.deadline if late else "", "late_by": late.late_by if late else "",
        "comments": "; ".join(notes), "adjusted": adjusted,
    }  # fmt: skip


def over_maximum(row: dict[str, Any]) -> float | None:
    """The total the row's adjustments would give when it is over the maximum (the export
    caps it there), else None."""
    if row["score"] is None:
        return None
    total = round(row["score"] + row["adjustment"] - row["late_penalty"], 6)
    return total if total > row["max_score"] else None


def cell(value: Any) -> Any:
    """A CSV cell, through the door (``grader.untrusted.spreadsheet_cell``: a student id is a
    file name, a roster cell anyone's): safe text, with a leading apostrophe where a
    spreadsheet would run it as a formula."""
    return spreadsheet_cell(value)


def function_columns(rows: list[dict[str, Any]], spec: AssignmentSpec) -> list[str]:
    """The graded functions: ``spec``'s, then any other a grade names (a course's own term)."""
    names = list(spec.graded_functions)
    for row in rows:
        stored = row.get("functions") or []
        found = json.loads(stored) if isinstance(stored, str) else stored
        names += [str(f["name"]) for f in found if str(f["name"]) not in names]
    return names


def columns(spec: AssignmentSpec, rows: list[dict[str, Any]] | None = None) -> list[str]:
    """The CSV's columns; with ``rows``, a function column for every function they grade."""
    functions = spec.graded_functions if rows is None else _row_functions(rows, spec)
    names = ["student", "assignment", "total", "max_score", *functions]
    names += ["status", "error", "mistakes", "source", "sha256", "received", "graded_at"]
    return [*names, *EXTRA_COLUMNS, *POLICY_COLUMNS]


def _row_functions(rows: list[dict[str, Any]], spec: AssignmentSpec) -> list[str]:
    if not rows:
        return list(spec.graded_functions)
    keys = list(rows[0])
    return keys[keys.index("max_score") + 1 : keys.index("status")]


def _write_csv(rows: list[dict[str, Any]], handle: IO[str], spec: AssignmentSpec) -> None:
    names = columns(spec, rows)
    writer = csv.DictWriter(handle, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(row[key]) for key in names})


def _write_json(rows: list[dict[str, Any]], handle: IO[str], spec: AssignmentSpec) -> None:
    plain = [{k: v for k, v in row.items() if k not in ("adjusted", "feedback")} for row in rows]
    json.dump(plain, handle, indent=2, ensure_ascii=False)
    handle.write("\n")


def write_atomic(path: Path, write: Callable[[IO[str]], object]) -> None:
    """Write a text file by ``write(handle)``, replacing ``path`` only once it is complete, with
    the mode the process's umask gives a new file (as ``open`` would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        os.fchmod(fd, new_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_rows(
    rows: list[dict[str, Any]],
    *,
    csv_path: Path | None = None,
    json_path: Path | None = None,
    spec: AssignmentSpec = SPEC,
) -> None:
    if csv_path is not None:
        write_atomic(csv_path, lambda handle: _write_csv(rows, handle, spec))
    if json_path is not None:
        write_atomic(json_path, lambda handle: _write_json(rows, handle, spec))


def read_rows(
    gradebook: Path,
    *,
    choice: Choice | None = None,
    policy: LatePolicy | None = None,
    spec: AssignmentSpec = SPEC,
) -> list[dict[str, Any]]:
    """The export's rows of ``gradebook``."""
    with Gradebook.for_reading(gradebook) as book:
        return export_rows(book, spec, choice=choice, policy=policy)


def export_grades(
    gradebook: Path,
    *,
    csv_path: Path | None = None,
    json_path: Path | None = None,
    choice: Choice | None = None,
    policy: LatePolicy | None = None,
    spec: AssignmentSpec = SPEC,
) -> int:
    """Write the CSV and/or JSON export of ``gradebook``; returns the number of rows."""
    rows = read_rows(gradebook, choice=choice, policy=policy, spec=spec)
    write_rows(rows, csv_path=csv_path, json_path=json_path, spec=spec)
    return len(rows)
