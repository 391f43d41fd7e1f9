"""Exports an LMS imports: Canvas, Moodle and Blackboard layouts matched through a roster, a
late policy with an extension applied from the received time, and a feedback folder per
student named by the LMS's id."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.cli import main
from tests.batch_helpers import small_gradebook

ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,First name,Last name,ID number,Email address,"
    "Username,Last Name,First Name,Student ID,student\n"
    '"Doe, Amy",101,A1,amy01,S1,Amy,Doe,9001,amy@u.edu,amy01,Doe,Amy,9001,amy\n'
    '"Roe, Bob",102,B2,bob02,S1,Bob,Roe,9002,bob@u.edu,bob02,Roe,Bob,9002,bob\n'
    '"Poe, Ned",103,N3,ned03,S2,Ned,Poe,9003,ned@u.edu,ned03,Poe,Ned,9003,ned\n'
)


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path, Path]:
    pages = tmp_path / "feedback"
    pages.mkdir()
    rows = [
        ("amy", 30.0, "2026-12-04T10:00:00+00:00"),
        ("bob", 25.0, "2026-12-06T01:00:00+00:00"),  # late, with an extension
        ("cat", 20.0, "2026-12-05T12:30:00+00:00"),  # late, and not in the roster
    ]
    book = small_gradebook(tmp_path / "g.sqlite", rows, feedback_dir=pages)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    (tmp_path / "ext.csv").write_text("student,deadline\nbob,2026-12-07T00:00\n")
    return book, roster, pages


def late(tmp_path: Path) -> list[str]:
    policy = ["--deadline", "2026-12-05T00:00", "--late-penalty", "10", "--late-cap", "50"]
    return [*policy, "--extensions", str(tmp_path / "ext.csv")]


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_canvas_gets_its_columns_a_points_row_and_late_totals(
    course: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book, roster, _ = course
    out = tmp_path / "canvas.csv"
    command = ["export", "--gradebook", str(book), "--format", "canvas", "--roster", str(roster)]
    assert main([*command, "--csv", str(out), "--lms-column", "5501", *late(tmp_path)]) == 0
    assert rows(out) == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "initialization (5501)"],
        ["Points Possible", "", "", "", "", "30"],
        ["Doe, Amy", "101", "A1", "amy01", "S1", "30"],
        ["Roe, Bob", "102", "B2", "bob02", "S1", "25"],  # within the extension
        ["Poe, Ned", "103", "N3", "ned03", "S2", ""],  # no submission: the LMS keeps its grade
    ]
    assert "1 graded student(s) are not in the roster and were left out: cat" in (
        capsys.readouterr().err
    )


def test_moodle_and_blackboard_get_their_own_layouts(
    course: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    book, roster, _ = course
    base = ["export", "--gradebook", str(book), "--roster", str(roster), "--title", "Init"]
    assert main([*base, "--format", "moodle", "--csv", str(tmp_path / "m.csv")]) == 0
    moodle = rows(tmp_path / "m.csv")
    assert moodle[0] == [
        "First name", "Last name", "ID number", "Email address", "Username", "Init", "Feedback",
    ]  # fmt: skip
    assert moodle[1][:6] == ["Amy", "Doe", "9001", "amy@u.edu", "amy01", "30"]
    assert main([*base, "--format", "blackboard", "--csv", str(tmp_path / "b.csv")]) == 0
    text = (tmp_path / "b.csv").read_text()
    assert text.splitlines()[0] == (
        '"Last Name","First Name","Username","Student ID","Init [Total Pts: 30 Score]"'
    )
    assert '"Roe","Bob","bob02","9002","25"' in text


def test_the_plain_export_shows_each_students_lateness(
    course: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    book, _, _ = course
    out = tmp_path / "g.csv"
    assert main(["export", "--gradebook", str(book), "--csv", str(out), *late(tmp_path)]) == 0
    with out.open() as handle:
        by = {row["student"]: row for row in csv.DictReader(handle)}
    assert (by["cat"]["late_by"], by["cat"]["late_penalty"], by["cat"]["total"]) == (
        "12 h 30 min",
        "3.0",
        "17.0",
    )
    assert by["bob"]["deadline"] == "2026-12-07T00:00:00+00:00"
    assert (by["bob"]["late_penalty"], by["amy"]["late_by"]) == ("0.0", "")


def test_the_bundle_has_a_folder_per_lms_id_with_the_late_note(
    course: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    book, roster, pages = course
    bundle = tmp_path / "bundle"
    command = ["export", "--gradebook", str(book), "--format", "canvas", "--roster", str(roster)]
    command += ["--csv", str(tmp_path / "c.csv"), "--feedback-dir", str(pages)]
    tighter = ["--deadline", "2026-12-04T00:00", "--late-penalty", "10"]
    assert main([*command, "--bundle", str(bundle), *tighter]) == 0
    assert sorted(p.name for p in bundle.iterdir()) == ["amy01", "bob02"]
    page = (bundle / "amy01" / "feedback.html").read_text()
    assert page.startswith('<html><body><section class="staff-notes">')
    assert "late by 10 h: -3 points (late policy)" in page
    assert "Your total: 27 / 30" in page


@pytest.mark.parametrize(
    ("roster", "says"),
    [
        ("name,email\nAmy,a@u.edu\n", "has no column 'student'"),
        ("student,email\namy,a@u.edu\n", "none of the columns canvas identifies students by"),
    ],
)
def test_a_roster_the_lms_cannot_use_is_refused(
    course: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    roster: str,
    says: str,
) -> None:
    book, _, _ = course
    path = tmp_path / "bad.csv"
    path.write_text(roster)
    command = ["export", "--gradebook", str(book), "--format", "canvas", "--roster", str(path)]
    assert main([*command, "--csv", str(tmp_path / "c.csv")]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "c.csv").exists()


def test_canvas_own_gradebook_export_as_roster_keeps_its_points_row_out_of_the_students(
    course: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book, _, _ = course
    roster = tmp_path / "canvas_export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (5400),Current Score\n"
        "    Points Possible,,,,,10.00,\n"
        '"Doe, Amy",101,A1,amy,S1,10.00,100\n'
        '"Roe, Bob",102,B2,bob,S1,9.00,90\n'
    )
    out = tmp_path / "canvas.csv"
    command = ["export", "--gradebook", str(book), "--format", "canvas", "--roster", str(roster)]
    assert main([*command, "--roster-key", "SIS Login ID", "--csv", str(out)]) == 0
    assert [row[0] for row in rows(out)] == ["Student", "Points Possible", "Doe, Amy", "Roe, Bob"]
    assert "2 student(s) written" in capsys.readouterr().out


@pytest.mark.parametrize("prefix", ["", "./"])  # as pages link now, and as they did before
def test_the_bundle_copies_the_notebook_page_the_feedback_page_links_to(
    course: tuple[Path, Path, Path], tmp_path: Path, prefix: str
) -> None:
    book, roster, pages = course
    feedback = next(pages.glob("amy-*.html"))
    notebook = feedback.with_name(feedback.stem + ".notebook.html")
    notebook.write_text(f'<html><body><a href="{prefix}{feedback.name}">Back</a></body></html>')
    feedback.write_text(
        f'<html><body><a href="{prefix}{notebook.name}">Your notebook</a>'
        f'<a href="{prefix}{notebook.name}#graded-initialize_parameters_he">Your code</a>'
        '<a href="https://example.org/x.html">elsewhere</a></body></html>'
    )
    bundle = tmp_path / "bundle"
    command = ["export", "--gradebook", str(book), "--format", "canvas", "--roster", str(roster)]
    command += ["--csv", str(tmp_path / "c.csv"), "--feedback-dir", str(pages)]
    assert main([*command, "--bundle", str(bundle)]) == 0
    folder = bundle / "amy01"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["feedback.html", notebook.name])
    assert f'href="{prefix}feedback.html"' in (folder / notebook.name).read_text()


def test_moodles_feedback_column_names_the_late_penalty(
    course: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    book, roster, _ = course
    out = tmp_path / "m.csv"
    command = ["export", "--gradebook", str(book), "--format", "moodle", "--roster", str(roster)]
    tighter = ["--deadline", "2026-12-04T00:00", "--late-penalty", "10"]
    assert main([*command, "--csv", str(out), *tighter]) == 0
    amy = rows(out)[1]
    assert (amy[0], amy[-2], amy[-1]) == ("Amy", "27", "late by 10 h: -3 points (late policy)")
