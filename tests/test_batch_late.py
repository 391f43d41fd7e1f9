"""The late policy: a penalty per started day or hour after the student's deadline, a grace
period, a cap, per-student extensions, and clear refusals of what cannot be a policy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grader.batch import LatePolicy, parse_moment, read_extensions
from grader.cli import main
from grader.errors import UsageError
from tests.batch_helpers import small_gradebook

DEADLINE = parse_moment("2026-12-04T23:59+00:00", "--deadline")


def policy(**options: object) -> LatePolicy:
    return LatePolicy(DEADLINE, **options)  # type: ignore[arg-type]


def test_on_time_costs_nothing_and_says_no_lateness() -> None:
    late = policy(percent=10).of("amy", "2026-12-04T23:00:00+00:00", 30.0)
    assert (late.penalty, late.seconds, late.late_by) == (0.0, 0.0, "")


def test_every_started_day_costs_the_percentage_up_to_the_cap() -> None:
    rule = policy(percent=10, cap=25)
    assert rule.of("amy", "2026-12-05T00:00:00+00:00", 30.0).penalty == 3.0  # 1 min: 1 day
    assert rule.of("amy", "2026-12-06T00:00:00+00:00", 30.0).penalty == 6.0  # 2 days
    assert rule.of("amy", "2026-12-09T00:00:00+00:00", 30.0).penalty == 7.5  # capped at 25%


def test_per_hour_with_a_grace_period() -> None:
    rule = policy(percent=5, per="hour", grace_minutes=15)
    within = rule.of("amy", "2026-12-05T00:10:00+00:00", 30.0)
    assert (within.penalty, within.late_by) == (0.0, "11 min")
    after = rule.of("amy", "2026-12-05T01:30:00+00:00", 30.0)
    assert (after.penalty, after.late_by) == (3.0, "1 h 31 min")  # two started hours


def test_an_extension_moves_that_students_deadline_only(tmp_path: Path) -> None:
    extensions = tmp_path / "ext.csv"
    extensions.write_text("student,deadline\nbob,2026-12-07T12:00\n")
    rule = policy(percent=10, extensions=read_extensions(extensions))
    assert rule.of("bob", "2026-12-06T00:00:00+00:00", 30.0).penalty == 0.0
    assert rule.of("bob", "2026-12-06T00:00:00+00:00", 30.0).deadline.startswith("2026-12-07")
    assert rule.of("amy", "2026-12-06T00:00:00+00:00", 30.0).penalty == 6.0


def test_a_time_without_a_zone_is_utc_and_a_zone_is_honoured() -> None:
    assert parse_moment("2026-12-04T23:59", "x") == DEADLINE
    assert parse_moment("2026-12-05T00:59+01:00", "x") == DEADLINE
    assert parse_moment("2026-12-04T23:59Z", "x").tzinfo == dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("student,deadline\nbob,someday\n", "line 2: 'someday' is not a time"),
        ("student,deadline\nbob,\n", "line 2 needs a student and a deadline"),
    ],
)
def test_a_bad_extensions_file_is_refused_naming_the_line(
    tmp_path: Path, text: str, match: str
) -> None:
    path = tmp_path / "ext.csv"
    path.write_text(text)
    with pytest.raises(UsageError, match=match):
        read_extensions(path)


def test_options_out_of_range_are_refused() -> None:
    with pytest.raises(UsageError, match="--late-penalty must be a percentage"):
        policy(percent=150)
    with pytest.raises(UsageError, match="--late-per must be day or hour"):
        policy(per="week")
    with pytest.raises(UsageError, match="--grace must be"):
        policy(grace_minutes=-1)


def late_export(tmp_path: Path, received: list[str]) -> None:
    tmp_path.mkdir(exist_ok=True)
    rows = [(f"s{n}", 30.0, when) for n, when in enumerate(received)]
    book = small_gradebook(tmp_path / "g.sqlite", rows)
    command = ["export", "--gradebook", str(book), "--csv", str(tmp_path / "g.csv")]
    assert main([*command, "--deadline", "2026-12-05T00:00", "--late-penalty", "10"]) == 0


def test_received_times_that_look_like_a_copy_are_warned_about_with_how_to_give_real_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copied = [f"2026-12-06T16:20:0{n}+00:00" for n in range(4)]  # one `cp -r` of the folder
    late_export(tmp_path, copied)
    said = capsys.readouterr().err
    assert "WARNING: the late policy may be charging students for when their files" in said
    assert "the 4 received times all lie within 3 s of each other" in said
    assert "`touch -d`" in said
    assert "`cp -p`" in said


def test_most_of_the_course_late_is_warned_about_and_a_real_hand_in_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    late_export(tmp_path / "a", ["2026-12-06T10:00:00", "2026-12-06T12:00:00", "2026-12-04T09:00"])
    assert "2 of 3 students are late" in capsys.readouterr().err
    late_export(tmp_path / "b", ["2026-12-04T10:00:00", "2026-12-06T12:00:00", "2026-12-04T09:00"])
    assert "WARNING" not in capsys.readouterr().err
