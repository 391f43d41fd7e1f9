"""What a gradebook keeps beside the grades: when each submission was seen, and staff adjustments.

- ``sightings``: each batch that finds a submission records when the layout says it was received
  then. The same file put back later, or an nbgrader ``timestamp.txt`` that moved, is a new
  sighting of the same submission, so a stored grade never hides which submission is current
  (``grader.batch._counting``).
- ``adjustments``: points a member of staff adds or takes away for a student (optionally for one
  function), with who (the OS user), when and why. They belong to the student and the assignment,
  not to a submission, so they survive regrades and resubmissions; a withdrawn one is kept with
  who withdrew it and when.

The tables are added to a gradebook of the first schema when it is next opened to write; a
gradebook read before that simply has none.
"""

from __future__ import annotations

import getpass
import sqlite3
from typing import Any

from grader.batch._schema import now

TABLES = """
CREATE TABLE IF NOT EXISTS sightings (
    submission INTEGER NOT NULL REFERENCES submissions (id),
    batch INTEGER NOT NULL REFERENCES batches (id),
    received TEXT NOT NULL,
    PRIMARY KEY (submission, batch)
);
CREATE TABLE IF NOT EXISTS adjustments (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    function TEXT,
    points REAL NOT NULL,
    comment TEXT NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    withdrawn_by TEXT,
    withdrawn_at TEXT
);
"""


def add_tables(db: sqlite3.Connection) -> None:
    """Create the tables this module keeps, where they are missing (in one transaction)."""
    db.executescript(f"BEGIN IMMEDIATE; {TABLES} COMMIT;")


def has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def who() -> str:
    """The OS user running this command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        import os

        return f"uid {os.getuid()}"


def record_sighting(db: sqlite3.Connection, submission: int, batch: int, received: str) -> None:
    db.execute(
        "INSERT INTO sightings (submission, batch, received) VALUES (?, ?, ?)"
        " ON CONFLICT (submission, batch) DO UPDATE SET received = excluded.received",
        (submission, batch, received),
    )


def add_adjustment(
    db: sqlite3.Connection,
    student: str,
    assignment: str,
    points: float,
    comment: str,
    function: str | None = None,
) -> int:
    cursor = db.execute(
        "INSERT INTO adjustments (student, assignment, function, points, comment, who, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (student, assignment, function, points, comment, who(), now()),
    )
    return int(cursor.lastrowid or 0)


def withdraw_adjustment(db: sqlite3.Connection, number: int) -> bool:
    """Withdraw adjustment ``number``; False when there is no such standing adjustment."""
    cursor = db.execute(
        "UPDATE adjustments SET withdrawn_by = ?, withdrawn_at = ?"
        " WHERE id = ? AND withdrawn_at IS NULL",
        (who(), now(), number),
    )
    return cursor.rowcount == 1


def adjustments(db: sqlite3.Connection, *, withdrawn: bool = False) -> list[dict[str, Any]]:
    """Every adjustment in the order they were made (standing ones only, unless ``withdrawn``)."""
    if not has_table(db, "adjustments"):
        return []
    where = "" if withdrawn else " WHERE withdrawn_at IS NULL"
    rows = db.execute(f"SELECT * FROM adjustments{where} ORDER BY id").fetchall()
    return [dict(row) for row in rows]
