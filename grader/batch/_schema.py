"""What a gradebook file is: its schema, its identity, and the checks made before writing to it.

A gradebook says what it is twice, in ``PRAGMA application_id`` and in its ``meta`` table, and
its schema in ``PRAGMA user_version``. A file that exists is used only when it is empty or an
SQLite database of that identity and of a schema this initgrade reads, and not damaged
(``PRAGMA quick_check``); anything else is refused before a byte is written to it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from grader import messages as msg
from grader.errors import GradebookError

APPLICATION_ID = 0x49475242  # "IGRB"
SCHEMA_VERSION = 1
FORMAT = "initgrade gradebook"
SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    source TEXT NOT NULL,
    layout TEXT NOT NULL,
    options TEXT NOT NULL,
    skipped TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    received TEXT NOT NULL,
    batch INTEGER NOT NULL REFERENCES batches (id),
    UNIQUE (student, assignment, source, sha256)
);
CREATE TABLE grades (
    id INTEGER PRIMARY KEY,
    submission INTEGER NOT NULL REFERENCES submissions (id),
    grader_version TEXT NOT NULL,
    spec_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('graded', 'ungradable', 'failed')),
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    functions TEXT NOT NULL,
    report TEXT NOT NULL,
    error TEXT,
    seconds REAL NOT NULL,
    feedback TEXT,
    graded_at TEXT NOT NULL,
    batch INTEGER NOT NULL REFERENCES batches (id),
    UNIQUE (submission, grader_version, spec_hash)
);
CREATE INDEX grades_by_submission ON grades (submission);
"""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def refuse_foreign_bytes(path: Path) -> None:
    """A file that exists must be empty or start with SQLite's header."""
    if not path.exists():
        return
    if not path.is_file():
        raise GradebookError(msg.GRADEBOOK_NOT_A_FILE.format(path=path))
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None
    if head and head != SQLITE_HEADER:
        raise GradebookError(msg.GRADEBOOK_NOT_SQLITE.format(path=path))


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
    except sqlite3.Error as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None
    connection.row_factory = sqlite3.Row
    return connection


def check_or_create(path: Path, db: sqlite3.Connection) -> None:
    try:
        tables = _tables(db)
        if not tables and _pragma(db, "application_id") == 0:
            db.executescript(_creation_script())
            return
    except sqlite3.DatabaseError as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None
    check(path, db)


def _creation_script() -> str:
    """The schema and the file's identity, in one transaction (the values are our constants)."""
    meta = {"format": FORMAT, "schema": str(SCHEMA_VERSION), "created": now()}
    rows = ", ".join(f"('{key}', '{value}')" for key, value in meta.items())
    return (
        f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
        f" PRAGMA user_version = {SCHEMA_VERSION}; INSERT INTO meta (key, value) VALUES {rows};"
        " COMMIT;"
    )


def check(path: Path, db: sqlite3.Connection) -> None:
    """The file is a gradebook of a schema this initgrade reads, and is not damaged."""
    try:
        tables = _tables(db)
        if _pragma(db, "application_id") != APPLICATION_ID or "meta" not in tables:
            shown = ", ".join(sorted(tables)[:8]) or "none"
            raise GradebookError(msg.GRADEBOOK_FOREIGN.format(path=path, tables=shown))
        version = _pragma(db, "user_version")
        if version > SCHEMA_VERSION:
            raise GradebookError(
                msg.GRADEBOOK_NEWER.format(path=path, found=version, ours=SCHEMA_VERSION)
            )
        problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=problems[0]))
    except sqlite3.DatabaseError as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None


def _tables(db: sqlite3.Connection) -> set[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(row[0]) for row in rows}


def _pragma(db: sqlite3.Connection, name: str) -> int:
    return int(db.execute(f"PRAGMA {name}").fetchone()[0])
