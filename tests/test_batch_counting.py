"""The submission that counts: the latest batch's, at the time it gave; a stored grade for the
same content never hides a newer submission; equal times, clock skew, best and picks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grader.batch import Choice, Gradebook, GradeRow, counting
from grader.errors import UsageError

V1, V2 = "1" * 64, "2" * 64


def row(score: float) -> GradeRow:
    return GradeRow("graded", score, 30.0, [{"name": "f", "score": score}], {}, None, 0.1)


def batch(book: Gradebook, *seen: tuple[str, str, str, float | None]) -> None:
    """One batch that finds each (student, sha256, received, score): the score is recorded when
    given (None: the submission is already graded and kept)."""
    number = book.start_batch("course", "flat", {}, [])
    for student, sha, received, score in seen:
        submission = book.submission(number, student, "a", sha, f"{student}.ipynb", received)
        if score is not None:
            book.record(number, submission, "v", "h", row(score))
    book.finish_batch(number)


def counted(path: Path, choice: Choice | None = None) -> list[tuple[str, str, str, float]]:
    with Gradebook.for_reading(path) as book:
        return [
            (r["student"], r["sha256"][:1], r["received"], r["score"])
            for r in counting(book.db, choice)
        ]


def test_old_content_put_back_later_counts_again_with_its_own_grade_and_new_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-01T10:00", 24.0))
        batch(book, ("bob", V2, "2026-12-02T10:00", 30.0))  # the fixed notebook
        batch(book, ("bob", V1, "2026-12-03T10:00", None))  # the original, put back
    assert counted(path) == [("bob", "1", "2026-12-03T10:00", 24.0)]


def test_a_timestamp_that_moves_on_the_same_content_moves_the_received_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-03T09:00+00:00", 30.0))
        batch(book, ("bob", V1, "2026-12-04T09:00+00:00", None))
    assert counted(path) == [("bob", "1", "2026-12-04T09:00+00:00", 30.0)]


def test_a_later_batch_wins_even_when_its_clock_says_earlier(tmp_path: Path) -> None:
    """A file's time against nbgrader's timestamp.txt: two clocks, never compared across
    batches. What the latest batch found is what the tree holds now."""
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-03T12:00", 30.0))
        batch(book, ("bob", V2, "2026-12-03T11:59", 18.0))  # skewed: an earlier time
    assert counted(path) == [("bob", "2", "2026-12-03T11:59", 18.0)]


def test_equal_times_in_one_batch_count_the_later_recorded(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-03T12:00", 20.0), ("bob", V2, "2026-12-03T12:00", 10.0))
    assert counted(path) == [("bob", "2", "2026-12-03T12:00", 10.0)]


def test_best_and_picks_choose_another_submission(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-01T10:00", 28.0), ("amy", V1, "2026-12-01T10:00", 5.0))
        batch(book, ("bob", V2, "2026-12-02T10:00", 12.0))
    assert counted(path, Choice("best"))[1] == ("bob", "1", "2026-12-01T10:00", 28.0)
    assert counted(path, Choice("latest", {"bob": "111"}))[1][1] == "1"
    with pytest.raises(
        UsageError, match="bob=9: that student's submissions are 111111111111, 222222222222"
    ):
        counted(path, Choice("latest", {"bob": "9"}))
    with pytest.raises(UsageError, match="'zed', who has no submission"):
        counted(path, Choice("latest", {"zed": "1"}))
    with pytest.raises(UsageError, match="--counts must be one of latest, best"):
        Choice("first")


def test_a_gradebook_from_before_sightings_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    with Gradebook.for_batch(path) as book:
        batch(book, ("bob", V1, "2026-12-01T10:00", 24.0))
        batch(book, ("bob", V2, "2026-12-02T10:00", 30.0))
    db = sqlite3.connect(path)
    db.execute("DROP TABLE sightings")
    db.commit()
    db.close()
    assert counted(path) == [("bob", "2", "2026-12-02T10:00", 30.0)]
