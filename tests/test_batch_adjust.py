"""Staff adjustments through the CLI: who, when and why are kept; they survive regrades, add to
the export's total in a column of their own, show on the dashboard, and can be withdrawn."""

from __future__ import annotations

import csv
import getpass
from pathlib import Path

import pytest

from grader.batch import Gradebook, GradeRow
from grader.cli import main
from tests.batch_helpers import small_gradebook


def export(book: Path, out: Path, *options: str) -> dict[str, dict[str, str]]:
    assert main(["export", "--gradebook", str(book), "--csv", str(out), *options]) == 0
    with out.open() as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    rows = [("amy", 30.0, "2026-12-04T10:00:00+00:00"), ("bob", 25.0, "2026-12-04T11:00:00+00:00")]
    return small_gradebook(tmp_path / "g.sqlite", rows)


def test_an_adjustment_adds_to_the_total_in_a_column_of_its_own(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["adjust", "--gradebook", str(book), "bob", "2", "--comment", "scale right by hand"]
    assert main([*command, "--function", "initialize_parameters_he"]) == 0
    said = capsys.readouterr().out
    assert "#1: +2 points for bob (initialization, initialize_parameters_he): scale right" in said
    assert f"(by {getpass.getuser()}, " in said
    rows = export(book, tmp_path / "g.csv")
    assert (rows["bob"]["total"], rows["bob"]["score"], rows["bob"]["adjustment"]) == (
        "27.0",
        "25.0",
        "2.0",
    )
    assert rows["bob"]["comments"].startswith("scale right by hand (+2, ")
    assert rows["amy"]["total"] == "30.0"


def test_an_adjustment_survives_a_regrade_and_can_be_withdrawn(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["adjust", "--gradebook", str(book), "bob", "-3", "--comment", "copied"]) == 0
    with Gradebook.for_batch(book) as opened:  # a regrade: a new grade for the same submission
        sub = opened.db.execute("SELECT id FROM submissions WHERE student = 'bob'").fetchone()[0]
        batch = opened.start_batch("course", "flat", {}, [])
        opened.record(batch, sub, "v2", "h", GradeRow("graded", 26.0, 30.0, [], {}, None, 0.1))
    assert export(book, tmp_path / "a.csv")["bob"]["total"] == "23.0"
    assert main(["adjust", "--gradebook", str(book), "--withdraw", "1"]) == 0
    assert export(book, tmp_path / "b.csv")["bob"]["total"] == "26.0"
    capsys.readouterr()
    assert main(["adjust", "--gradebook", str(book), "--list"]) == 0
    listed = capsys.readouterr().out
    assert "#1: -3 points for bob (initialization): copied" in listed
    assert f"; withdrawn by {getpass.getuser()}, " in listed
    assert main(["adjust", "--gradebook", str(book), "--withdraw", "1"]) == 2
    assert "no standing adjustment number 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["bobb", "2", "--comment", "x"], "'bobb' has no submission in this gradebook. Did you"),
        (["bob", "2"], "give STUDENT POINTS --comment TEXT"),
        (["bob", "2", "--comment", "  "], "--comment must say why"),
        (["bob", "0", "--comment", "x"], "POINTS must be a number other than 0"),
        (["bob", "1", "--comment", "x", "--function", "he"], "'he' is not a graded function"),
    ],
)
def test_a_wrong_adjustment_is_refused_with_what_to_do(
    book: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], says: str
) -> None:
    assert main(["adjust", "--gradebook", str(book), *arguments]) == 2
    assert says in capsys.readouterr().err
    assert main(["adjust", "--gradebook", str(book), "--list"]) == 0
    assert capsys.readouterr().out == ""


def test_the_dashboard_lists_the_adjustments(book: Path, tmp_path: Path) -> None:
    main(["adjust", "--gradebook", str(book), "amy", "1", "--comment", "<b>bonus</b> for style"])
    page = tmp_path / "class.html"
    assert main(["report", "--gradebook", str(book), "--html", str(page)]) == 0
    html = page.read_text()
    assert 'id="adjustments"' in html
    assert "&lt;b&gt;bonus&lt;/b&gt; for style" in html
    assert '<td class="num">+1</td>' in html


def test_an_adjustment_over_the_maximum_is_capped_there_and_said_so(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["adjust", "--gradebook", str(book), "amy", "5", "--comment", "bonus"]) == 0
    said = "amy: the adjustments take the total to 35, over the maximum 30; the total is capped"
    assert said in capsys.readouterr().err
    rows = export(book, tmp_path / "g.csv")
    assert (rows["amy"]["total"], rows["amy"]["adjustment"]) == ("30.0", "5.0")
    assert said in capsys.readouterr().err
