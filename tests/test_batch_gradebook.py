"""The gradebook file: what it says it is, one grade per key, the latest submission per student,
and every file that is not a gradebook of ours refused without a byte written to it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from grader.batch import Gradebook, GradeRow
from grader.batch._schema import APPLICATION_ID, SCHEMA_VERSION
from grader.errors import EXIT_USAGE, GradebookError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row(status: str = "graded", score: float = 30.0) -> GradeRow:
    return GradeRow(status, score, 30.0, [{"name": "f", "score": score}], {"r": 1}, None, 0.5)


def test_a_new_gradebook_says_what_it_is_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    with Gradebook.for_batch(path):
        pass
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta["format"] == "initgrade gradebook"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "batches", "submissions", "grades"} <= tables


def refused(path: Path, match: str) -> None:
    before = digest(path)
    with pytest.raises(GradebookError, match=match) as caught:
        Gradebook.for_batch(path)
    assert caught.value.exit_code == EXIT_USAGE
    assert digest(path) == before, "the refused file was changed"
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "grades.csv"
    path.write_text("student,score\nalice,30\n")
    refused(path, "is not an initgrade gradebook")


def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (name TEXT)")
    db.commit()
    db.close()
    refused(path, "SQLite database of another program \\(tables: customers\\)")


def test_a_damaged_gradebook_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    with Gradebook.for_batch(path) as book:
        batch = book.start_batch("course", "flat", {}, [])
        for index in range(50):
            sub = book.submission(batch, f"s{index}", "a", f"{index:064d}", f"s{index}.ipynb", "t")
            book.record(batch, sub, "v", "h", row())
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    for page in range(1, len(data) // 4096):  # scribble over every page header but the first
        data[page * 4096 : page * 4096 + 12] = b"\xa5" * 12
    path.write_bytes(bytes(data))
    refused(path, "is damaged")


def test_a_gradebook_of_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    Gradebook.for_batch(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    refused(path, "written by a newer initgrade")


def test_a_second_batch_on_a_gradebook_in_use_is_refused_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    with Gradebook.for_batch(path) as first:
        first.start_batch("course", "flat", {}, [])
        with pytest.raises(GradebookError, match=r"in use by another batch \(process \d+ on "):
            Gradebook.for_batch(path)
    Gradebook.for_batch(path).close()  # free again once the first is closed


def test_a_grade_is_stored_once_per_key_and_a_regrade_replaces_it(tmp_path: Path) -> None:
    with Gradebook.for_batch(tmp_path / "g.sqlite") as book:
        batch = book.start_batch("course", "flat", {}, [])
        sub = book.submission(batch, "alice", "a", "0" * 64, "alice.ipynb", "t1")
        assert book.submission(batch, "alice", "a", "0" * 64, "alice.ipynb", "t2") == sub
        assert not book.is_graded(sub, "v1", "h")
        book.record(batch, sub, "v1", "h", row("failed", 0.0))
        assert not book.is_graded(sub, "v1", "h"), "a failed grading is tried again"
        book.record(batch, sub, "v1", "h", row("graded", 20.0))
        assert book.is_graded(sub, "v1", "h")
        assert not book.is_graded(sub, "v2", "h")
        assert not book.is_graded(sub, "v1", "other spec")
        count = book.db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]
        assert count == 1


def test_latest_gives_each_students_last_submission_with_its_newest_grade(tmp_path: Path) -> None:
    with Gradebook.for_batch(tmp_path / "g.sqlite") as book:
        batch = book.start_batch("course", "flat", {}, [])
        early = book.submission(batch, "bob", "a", "1" * 64, "bob-v1.ipynb", "2024-01-01T00:00")
        late = book.submission(batch, "bob", "a", "2" * 64, "bob-v2.ipynb", "2024-01-02T00:00")
        alice = book.submission(batch, "alice", "a", "3" * 64, "alice.ipynb", "2024-01-01T00:00")
        book.record(batch, early, "v", "h", row(score=30.0))
        book.record(batch, late, "v", "h", row(score=10.0))
        book.record(batch, alice, "v", "h", row(score=20.0))
    with Gradebook.for_reading(tmp_path / "g.sqlite") as book:
        rows = book.latest()
    assert [(r["student"], r["source"], r["score"]) for r in rows] == [
        ("alice", "alice.ipynb", 20.0),
        ("bob", "bob-v2.ipynb", 10.0),
    ]
    assert rows[0]["functions"] == [{"name": "f", "score": 20.0}]


def test_reading_a_gradebook_that_does_not_exist_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(GradebookError, match="does not exist; grade into it first"):
        Gradebook.for_reading(tmp_path / "none.sqlite")
    assert not (tmp_path / "none.sqlite").exists()
