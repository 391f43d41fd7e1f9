"""The gradebook: one SQLite file (stdlib ``sqlite3``, WAL) that a batch writes as it grades.

Tables: ``meta`` (what the file is, its schema), ``batches`` (started, finished, options, the
files skipped), ``submissions`` (student, assignment, sha256, source, received) and ``grades``
(one per submission, grader version and spec digest: score, max, each function's score and
diagnosis, the full report JSON, seconds, when). The file says what it is twice, in
``PRAGMA application_id`` and in ``meta``, and its schema in ``PRAGMA user_version``.

Only the batch's own process writes, one transaction per result, so a batch killed at any
point loses at most the gradings in flight and never leaves half a row. A grade is unique per
(submission, grader version, spec digest): a batch run again skips what is graded, and
``--force`` replaces a grade rather than adding a second one. A batch holds an exclusive lock
on ``<gradebook>.lock`` (``flock``, released by the kernel however the process ends), so a
second batch on the same file refuses at once. A file that is not a gradebook of this schema
is refused before anything is written to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class GradeRow:
    """What is stored for one grading; ``functions`` is JSON-ready data."""

    status: str  # graded | ungradable | failed
    score: float
    max_score: float
    functions: list[dict[str, Any]]
    report: dict[str, Any]
    error: str | None
    seconds: float
    feedback: str | None = None


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Gradebook:
    """An open gradebook. ``for_batch`` holds the writer's lock; ``for_reading`` only reads."""

    def __init__(self, path: Path, connection: sqlite3.Connection, lock: int | None) -> None:
        self.path = path
        self.db = connection
        self._lock = lock

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def for_batch(cls, path: Path) -> Gradebook:
        """Open (or create) ``path`` to write, refusing a foreign, damaged or busy file."""
        _refuse_foreign_bytes(path)
        lock = _lock(path)
        try:
            connection = _connect(path, readonly=False)
            _check_or_create(path, connection)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            os.close(lock)
            raise
        return cls(path, connection, lock)

    @classmethod
    def for_reading(cls, path: Path) -> Gradebook:
        if not path.exists():
            raise GradebookError(msg.GRADEBOOK_MISSING.format(path=path))
        _refuse_foreign_bytes(path)
        connection = _connect(path, readonly=True)
        _check(path, connection)
        return cls(path, connection, None)

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def start_batch(
        self, source: str, layout: str, options: dict[str, Any], skipped: list[Any]
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO batches (started, source, layout, options, skipped, pid, host)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (now(), source, layout, json.dumps(options), json.dumps(skipped), os.getpid(),
                 socket.gethostname()),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    def finish_batch(self, batch: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE batches SET finished = ? WHERE id = ?", (now(), batch))

    def submission(
        self, batch: int, student: str, assignment: str, sha256: str, source: str, received: str
    ) -> int:
        """The id of this submission, recorded now unless an earlier batch recorded it."""
        key = (student, assignment, source, sha256)
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM submissions WHERE student = ? AND assignment = ? AND source = ?"
                " AND sha256 = ?",
                key,
            ).fetchone()
            if row is not None:
                return int(row[0])
            cursor = db.execute(
                "INSERT INTO submissions (student, assignment, sha256, source, received, batch)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (student, assignment, sha256, source, received, batch),
            )
            return int(cursor.lastrowid or 0)

    def is_graded(self, submission: int, version: str, spec_hash: str) -> bool:
        """A grade stands for this grader and spec (a failed grading is tried again)."""
        row = self.db.execute(
            "SELECT status FROM grades WHERE submission = ? AND grader_version = ?"
            " AND spec_hash = ?",
            (submission, version, spec_hash),
        ).fetchone()
        return row is not None and row[0] != "failed"

    def record(
        self, batch: int, submission: int, version: str, spec_hash: str, grade: GradeRow
    ) -> None:
        """Store one grading in its own transaction, replacing one of the same key."""
        values = (
            submission, version, spec_hash, grade.status, grade.score, grade.max_score,
            json.dumps(grade.functions), json.dumps(grade.report), grade.error, grade.seconds,
            grade.feedback, now(), batch,
        )  # fmt: skip
        with self._transaction() as db:
            db.execute(
                "INSERT INTO grades (submission, grader_version, spec_hash, status, score,"
                " max_score, functions, report, error, seconds, feedback, graded_at, batch)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (submission, grader_version, spec_hash) DO UPDATE SET"
                " status = excluded.status, score = excluded.score,"
                " max_score = excluded.max_score, functions = excluded.functions,"
                " report = excluded.report, error = excluded.error, seconds = excluded.seconds,"
                " feedback = excluded.feedback, graded_at = excluded.graded_at,"
                " batch = excluded.batch",
                values,
            )

    # -- reading ---------------------------------------------------------------------------

    def latest(self) -> list[dict[str, Any]]:
        """Per (student, assignment), the latest submission and its newest grade (or none),
        sorted by student then assignment."""
        rows = self.db.execute(
            """
            WITH ranked AS (
                SELECT s.*, ROW_NUMBER() OVER (
                    PARTITION BY s.student, s.assignment ORDER BY s.received DESC, s.id DESC
                ) AS rank FROM submissions s
            )
            SELECT r.id AS submission, r.student, r.assignment, r.sha256, r.source, r.received,
                   g.status, g.score, g.max_score, g.functions, g.report, g.error, g.seconds,
                   g.feedback, g.graded_at, g.grader_version
            FROM ranked r LEFT JOIN grades g ON g.id = (
                SELECT id FROM grades WHERE submission = r.id ORDER BY graded_at DESC, id DESC
                LIMIT 1
            )
            WHERE r.rank = 1
            ORDER BY r.student, r.assignment
            """
        ).fetchall()
        return [_row_dict(row) for row in rows]

    def running_batch(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT pid, host, started FROM batches WHERE finished IS NULL ORDER BY id DESC"
        ).fetchone()
        return None if row is None else {"pid": row[0], "host": row[1], "started": row[2]}


def _row_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    for key in ("functions", "report"):
        if data.get(key) is not None:
            data[key] = json.loads(data[key])
    return data


# -- checks before anything is written ------------------------------------------------------


def _refuse_foreign_bytes(path: Path) -> None:
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


def _lock(path: Path) -> int:
    """Take ``<path>.lock`` for this process, or refuse naming the batch that holds it."""
    import fcntl

    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise GradebookError(msg.GRADEBOOK_BUSY.format(path=path, holder=_holder(path))) from None
    return fd


def _holder(path: Path) -> str:
    """Who holds the gradebook, as its unfinished batch row says."""
    try:
        with Gradebook.for_reading(path) as book:
            running = book.running_batch()
    except (GradebookError, sqlite3.Error):
        running = None
    if running is None:
        return msg.GRADEBOOK_HOLDER_UNKNOWN
    return msg.GRADEBOOK_HOLDER.format(**running)


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
    except sqlite3.Error as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None
    connection.row_factory = sqlite3.Row
    return connection


def _check_or_create(path: Path, db: sqlite3.Connection) -> None:
    try:
        tables = _tables(db)
        if not tables and _pragma(db, "application_id") == 0:
            db.executescript(_creation_script())
            return
    except sqlite3.DatabaseError as error:
        raise GradebookError(msg.GRADEBOOK_DAMAGED.format(path=path, error=error)) from None
    _check(path, db)


def _creation_script() -> str:
    """The schema and the file's identity, in one transaction (the values are our constants)."""
    meta = {"format": FORMAT, "schema": str(SCHEMA_VERSION), "created": now()}
    rows = ", ".join(f"('{key}', '{value}')" for key, value in meta.items())
    return (
        f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
        f" PRAGMA user_version = {SCHEMA_VERSION}; INSERT INTO meta (key, value) VALUES {rows};"
        " COMMIT;"
    )


def _check(path: Path, db: sqlite3.Connection) -> None:
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
