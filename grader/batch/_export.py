"""``initgrade export``: one row per student (their latest submission), ready for an LMS import.

Columns: student, assignment, total, max_score, one per graded function, status, error, the
mistakes named (``function:id`` for each, space-separated; ids of ``grader.mistakes``), source,
sha256, received, graded_at, and the grader version and policy digest that graded it; rows sorted
by student, then assignment. A student whose latest
submission has no grade yet still has a row, with status "pending". Text cells that a
spreadsheet would run as a formula (they start with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) get a leading apostrophe in the CSV: a file name is the student's to choose.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from grader.batch._gradebook import Gradebook
from grader.results import UNGRADABLE
from grader.spec import SPEC, AssignmentSpec

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


def function_columns(rows: list[dict[str, Any]], spec: AssignmentSpec) -> list[str]:
    """The graded functions: ``spec``'s, then any other a grade names (a course's own term)."""
    names = list(spec.graded_functions)
    for row in rows:
        names += [str(f["name"]) for f in row.get("functions") or [] if f["name"] not in names]
    return names


def export_rows(book: Gradebook, spec: AssignmentSpec = SPEC) -> list[dict[str, Any]]:
    """The rows, as plain values (numbers as numbers, a missing score as None)."""
    rows = []
    every = book.latest()
    columns = function_columns(every, spec)
    for latest in every:
        scores = {f["name"]: f["score"] for f in latest.get("functions") or []}
        row: dict[str, Any] = {
            "student": latest["student"],
            "assignment": latest["assignment"],
            "total": latest["score"],
            "max_score": latest["max_score"] if latest["max_score"] is not None else spec.max_score,
        }
        row.update({name: scores.get(name) for name in columns})
        row.update(
            status=latest["status"] or "pending",
            error=latest["error"] or "",
            mistakes=" ".join(f"{f}:{i}" if f else i for f, i in mistake_ids(latest)),
            source=latest["source"],
            sha256=latest["sha256"],
            received=latest["received"],
            graded_at=latest["graded_at"] or "",
            grader_version=latest.get("grader_version") or "",
            policy_digest=latest.get("spec_hash") or "",
        )
        rows.append(row)
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _write_csv(rows: list[dict[str, Any]], handle: IO[str], spec: AssignmentSpec) -> None:
    keys = list(rows[0]) if rows else []
    functions = keys[keys.index("max_score") + 1 : keys.index("status")] if rows else []
    columns = ["student", "assignment", "total", "max_score", *(functions or spec.graded_functions)]
    columns += ["status", "error", "mistakes", "source", "sha256", "received", "graded_at"]
    columns += ["grader_version", "policy_digest"]
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row[key]) for key in columns})


def _write_json(rows: list[dict[str, Any]], handle: IO[str], spec: AssignmentSpec) -> None:
    json.dump(rows, handle, indent=2, ensure_ascii=False)
    handle.write("\n")


def write_atomic(path: Path, write: Callable[[IO[str]], object]) -> None:
    """Write a text file by ``write(handle)``, replacing ``path`` only once it is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_grades(
    gradebook: Path,
    *,
    csv_path: Path | None = None,
    json_path: Path | None = None,
    spec: AssignmentSpec = SPEC,
) -> int:
    """Write the CSV and/or JSON export of ``gradebook``; returns the number of rows."""
    with Gradebook.for_reading(gradebook) as book:
        rows = export_rows(book, spec)
    if csv_path is not None:
        write_atomic(csv_path, lambda handle: _write_csv(rows, handle, spec))
    if json_path is not None:
        write_atomic(json_path, lambda handle: _write_json(rows, handle, spec))
    return len(rows)
