"""The gradebook: one SQLite file (stdlib ``sqlite3``, WAL) that a batch writes as it grades.

Tables: ``meta`` (what the file is, its schema), ``batches`` (started, finished, options, the
files skipped), ``submissions`` (student, assignment, sha256, source, received) and ``grades``
(one per submission, grader version and spec digest: score, max, each function's score and
diagnosis, the full report JSON, seconds, when), and what ``grader.batch._records`` keeps:
``sightings`` (which batch found a submission, and when it was received then) and
``adjustments`` (staff's). The file says what it is twice, in
``PRAGMA application_id`` and in ``meta``, and its schema in ``PRAGMA user_version``.

Only the batch's own process writes, one transaction per result, so a batch killed at any
point loses at most the gradings in flight and never leaves half a row. A grade is unique per
(submission, grader version, spec digest): a batch run again skips what is graded, and
``--force`` replaces a grade rather than adding a second one. A batch holds an exclusive lock
on ``<gradebook>.lock`` (``flock``, released by the kernel however the process ends), so a
second batch on the same file refuses at once. What the file must be before anything is written
to it is ``grader.batch._schema``'s to check.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.batch._counting import counting
from grader.batch._records import add_tables, record_sighting
from grader.batch._schema import check, check_or_create, connect, now, refuse_foreign_bytes
from grader.errors import GradebookError


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
        refuse_foreign_bytes(path)
        lock = _lock(path)
        try:
            _create_with_umask(path)
            connection = connect(path, readonly=False)
            check_or_create(path, connection)
            add_tables(connection)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")  # a commit survives a power cut too
            connection.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            os.close(lock)
            raise
        return cls(path, connection, lock)

    @classmethod
    def for_reading(cls, path: Path) -> Gradebook:
        if not path.exists():
            raise GradebookError(msg.GRADEBOOK_MISSING.format(path=path))
        refuse_foreign_bytes(path)
        connection = connect(path, readonly=True)
        check(path, connection)
        return cls(path, connection, None)

    @classmethod
    def for_editing(cls, path: Path) -> Gradebook:
        """Open an existing gradebook to record staff changes (adjustments), without the
        batch's lock: each change is one short transaction, which SQLite serialises."""
        if not path.exists():
            raise GradebookError(msg.GRADEBOOK_MISSING.format(path=path))
        refuse_foreign_bytes(path)
        connection = connect(path, readonly=False)
        try:
            check(path, connection)
            add_tables(connection)
            connection.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            connection.close()
            raise
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
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self._transaction() as db:
            yield db

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
        """The id of this submission, recorded now unless an earlier batch recorded it; either
        way this batch's sighting of it, with the time it gives, is recorded too."""
        key = (student, assignment, source, sha256)
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM submissions WHERE student = ? AND assignment = ? AND source = ?"
                " AND sha256 = ?",
                key,
            ).fetchone()
            if row is not None:
                record_sighting(db, int(row[0]), batch, received)
                return int(row[0])
            cursor = db.execute(
                "INSERT INTO submissions (student, assignment, sha256, source, received, batch)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (student, assignment, sha256, source, received, batch),
            )
            number = int(cursor.lastrowid or 0)
            record_sighting(db, number, batch, received)
            return number

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
        """Per (student, assignment), the submission that counts (``grader.batch._counting``,
        the latest) and its newest grade (or none), sorted by student then assignment."""
        return [_row_dict(row) for row in counting(self.db)]

    def running_batch(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT pid, host, started FROM batches WHERE finished IS NULL ORDER BY id DESC"
        ).fetchone()
        return None if row is None else {"pid": row[0], "host": row[1], "started": row[2]}


def _row_dict(row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    data = dict(row)
    for key in ("functions", "report"):
        if data.get(key) is not None:
            data[key] = json.loads(data[key])
    return data


def _create_with_umask(path: Path) -> None:
    """Create a new gradebook's empty file as ``open`` would (SQLite would make it 0o644 and its
    journal files after it): co-TAs of a group get what the umask gives them."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))


# -- the writer's lock ------------------------------------------------------------------------


def _lock(path: Path) -> int:
    """Take ``<path>.lock`` for this process, or refuse naming the batch that holds it."""
    import fcntl

    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o666)  # as the umask allows
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
