"""The staff dashboard and the export: what they count, that every catalogued mistake gets its
short name, and that nothing a student controls can add markup or a spreadsheet formula."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from grader.batch import Gradebook, GradeRow, export_grades, write_dashboard
from grader.mistakes import Diagnosis, Mistake
from grader.sentences import mistake_name
from grader.spec import SPEC
from tests.mistakes import MISTAKES, graded

HOSTILE = '<img src=x onerror="alert(1)">=cmd|calc'


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_every_catalogued_mistake_gets_a_short_name(mistake) -> None:
    for mistake_id in graded(mistake).mistakes:
        assert mistake_name(mistake_id) != "another mistake", mistake_id


def test_an_id_of_no_name_is_another_mistake() -> None:
    assert mistake_name("nobody.wrote_this") == "another mistake"


def functions(diagnosis: Diagnosis | None, score: float) -> list[dict]:
    mine = {"mistakes": list(diagnosis.ids), "diagnosis": diagnosis.to_dict()} if diagnosis else {}
    return [
        {"name": entry.name, "score": score, "max_score": 10.0, "passed": score == 10.0,
         "mistakes": [], "diagnosis": None, **(mine if entry.method == "he" else {})}
        for entry in SPEC.functions
    ]  # fmt: skip


XAVIER_SCALE = Mistake.of(
    "scale.expression", formula="sqrt(1 / fan_in)", code="sqrt(1 / layers_dims[l - 1])",
    name="xavier", method="he",
)  # fmt: skip
XAVIER = Diagnosis((XAVIER_SCALE,))


def gradebook(path: Path) -> Path:
    with Gradebook.for_batch(path) as book:
        batch = book.start_batch("course", "flat", {}, [])
        people = [("ada", None, 10.0, "graded"), ("bob", XAVIER, 7.0, "graded"),
                  ("cy", XAVIER, 7.0, "graded"), (HOSTILE, None, 0.0, "ungradable")]  # fmt: skip
        for index, (student, diagnosis, score, status) in enumerate(people):
            sha = f"{index:064x}"
            sub = book.submission(batch, student, "initialization", sha, f"{student}.ipynb", "t")
            error = f"{student}.ipynb is not a notebook" if status == "ungradable" else None
            row = GradeRow(status, 3 * score, 30.0, functions(diagnosis, score), {}, error, index)
            book.record(batch, sub, "v", "h", row)
    return path


def test_the_dashboard_counts_scores_pass_rates_and_mistakes(tmp_path: Path) -> None:
    page = tmp_path / "class.html"
    assert write_dashboard(gradebook(tmp_path / "g.sqlite"), page) == 4
    html = page.read_text()
    row = (
        r'<td class="mistake">a wrong scale formula</td>\s*'
        r"<td><code>initialize_parameters_he</code>"
        r'</td>\s*<td class="num">2</td>\s*<td>bob, cy</td>'
    )
    assert re.search(row, html)
    ungradable = r'<td class="mistake">not gradable</td>\s*<td><code>\(the whole submission\)'
    assert re.search(ungradable + r'</code></td>\s*<td class="num">1</td>', html)
    assert "1 / 4" in html  # one student of four has full marks on each function
    assert 'src="data:image/png;base64,' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the page must not load anything"


def test_student_controlled_text_cannot_add_markup_to_the_dashboard(tmp_path: Path) -> None:
    page = tmp_path / "class.html"
    write_dashboard(gradebook(tmp_path / "g.sqlite"), page)
    html = page.read_text()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert html.count("<img") == 1  # the histogram alone


def test_links_go_to_the_feedback_pages_that_exist(tmp_path: Path) -> None:
    from grader.batch import feedback_name

    feedback = tmp_path / "feedback"
    feedback.mkdir()
    (feedback / feedback_name("bob", f"{1:064x}")).write_text("<html></html>")
    page = tmp_path / "site" / "class.html"
    write_dashboard(gradebook(tmp_path / "g.sqlite"), page, feedback_dir=feedback)
    links = re.findall(r'href="([^"]+)"', page.read_text())
    assert links
    assert set(links) == {f"../feedback/{feedback_name('bob', f'{1:064x}')}"}
    assert all((page.parent / link).is_file() for link in links)


def test_the_export_has_one_sorted_row_per_student_and_no_formulas(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    assert export_grades(gradebook(tmp_path / "g.sqlite"), csv_path=target) == 4
    rows = list(csv.DictReader(target.read_text().splitlines()))
    assert [row["student"] for row in rows] == sorted(row["student"] for row in rows)
    assert list(rows[0])[:7] == [
        "student",
        "assignment",
        "total",
        "max_score",
        *SPEC.graded_functions,
    ]
    bob = next(row for row in rows if row["student"] == "bob")
    assert (bob["total"], bob["initialize_parameters_he"], bob["status"]) == (
        "21.0",
        "7.0",
        "graded",
    )
    assert bob["mistakes"] == "initialize_parameters_he:scale.expression"
    hostile = next(row for row in rows if "onerror" in row["student"])
    assert hostile["student"] == HOSTILE  # a < is harmless in a spreadsheet
    assert hostile["mistakes"] == "submission.ungradable"
    assert export_grades(gradebook(tmp_path / "h.sqlite"), csv_path=target) == 4


def test_a_cell_a_spreadsheet_would_run_is_quoted(tmp_path: Path) -> None:
    with Gradebook.for_batch(tmp_path / "g.sqlite") as book:
        batch = book.start_batch("course", "flat", {}, [])
        sub = book.submission(batch, "=HYPERLINK(1)", "initialization", "0" * 64, "x.ipynb", "t")
        book.record(batch, sub, "v", "h", GradeRow("graded", 30.0, 30.0, [], {}, None, 1.0))
    export_grades(tmp_path / "g.sqlite", csv_path=tmp_path / "g.csv")
    rows = csv.DictReader((tmp_path / "g.csv").read_text().splitlines())
    assert next(rows)["student"] == "'=HYPERLINK(1)"


def test_a_row_whose_diagnosis_is_a_sentence_counts_as_another_mistake(tmp_path: Path) -> None:
    with Gradebook.for_batch(tmp_path / "g.sqlite") as book:
        batch = book.start_batch("course", "flat", {}, [])
        sub = book.submission(batch, "dee", "initialization", "0" * 64, "dee.ipynb", "t")
        sentence = "Your weights change with the global state."
        old = [{"name": "initialize_parameters_he", "score": 7.0, "max_score": 10.0,
                "passed": False, "diagnosis": sentence}]  # fmt: skip
        book.record(batch, sub, "v", "h", GradeRow("graded", 27.0, 30.0, old, {}, None, 1.0))
    page = tmp_path / "class.html"
    write_dashboard(tmp_path / "g.sqlite", page)
    assert re.search(r'<td class="mistake">another mistake</td>', page.read_text())


def test_links_open_their_pages_whatever_the_folder_is_called(tmp_path: Path) -> None:
    from urllib.parse import unquote, urlsplit

    from grader.batch import feedback_name

    feedback = tmp_path / "CS101 #3 50%25"
    feedback.mkdir()
    (feedback / feedback_name("bob", f"{1:064x}")).write_text("<html></html>")
    page = feedback / "class.html"
    write_dashboard(gradebook(tmp_path / "g.sqlite"), page, feedback_dir=feedback)
    links = re.findall(r'href="([^"]+)"', page.read_text())
    assert links
    for link in links:
        parts = urlsplit(link)
        assert (parts.scheme, parts.query, parts.fragment) == ("", "", "")
        assert (page.parent / unquote(parts.path)).is_file()


def test_the_dashboard_allows_only_its_own_style_and_data_images(tmp_path: Path) -> None:
    from html import unescape

    page = tmp_path / "class.html"
    write_dashboard(gradebook(tmp_path / "g.sqlite"), page)
    html = page.read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    assert "default-src 'none'" in unescape(policy[1])
    assert "img-src data:" in unescape(policy[1])
    assert "style=" not in html  # the policy would hide an inline style
