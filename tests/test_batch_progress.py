"""The batch's progress: a tqdm bar on a terminal, plain lines elsewhere; both show what is done,
what failed, the rate and the time left."""

from __future__ import annotations

import io

from grader.batch._progress import Progress


def test_without_a_terminal_progress_is_plain_lines_ending_with_the_total() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream, tty=False)
    for failed in (False, True, False):
        progress.update(failed=failed)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines, "the last update always prints its line"
    assert lines[-1].startswith("3/3 graded, 1 failed, ")
    assert "/s, ETA 0 s" in lines[-1]
    assert "\r" not in stream.getvalue()


def test_on_a_terminal_progress_is_a_bar_with_the_failures() -> None:
    stream = io.StringIO()
    progress = Progress(4, stream, tty=True)
    progress.update(failed=True)
    progress.update(failed=False)
    progress.close()
    text = stream.getvalue()
    assert "grading" in text
    assert "2/4" in text
    assert "failed=1" in text
    assert "\r" in text  # redrawn in place


def test_the_time_left_reads_in_minutes_and_hours() -> None:
    from grader.batch._progress import _duration

    assert [_duration(s) for s in (4.2, 75, 3 * 3600 + 120)] == ["4 s", "1 min 15 s", "3 h 02 min"]


def test_collecting_outcome_starts_is_not_counted_as_grading() -> None:
    plain, bar = io.StringIO(), io.StringIO()
    for stream, tty in ((plain, False), (bar, True)):
        progress = Progress(2, stream, tty=tty, phase="starts")
        progress.update(failed=False)
        progress.update(failed=False)
        progress.close()
    assert plain.getvalue().splitlines()[-1].startswith("2/2 asked for their outcome starts, ")
    assert "graded" not in plain.getvalue()
    assert "outcome starts" in bar.getvalue()
    assert "grading" not in bar.getvalue()
