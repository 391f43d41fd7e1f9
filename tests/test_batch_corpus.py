"""Every corpus case, hostile or broken, graded in a batch of two workers gets exactly the grade
``initgrade grade`` gives it alone: the same points for every check, the same diagnosis."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.batch import BatchOptions, run_batch
from grader.cli import main
from grader.results import Report
from grader.sentences import diagnosis_text
from tests.test_corpus import (
    BASE_CELLS,
    BROKEN_FILES,
    CASES,
    CORPUS,
    base_cells,
    parse_case,
    write_case,
    write_notebook,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("batch_corpus")]

# The broken files that a folder of notebooks holds as notebooks (a folder or a .py is skipped).
NOTEBOOK_FILES = sorted(
    name
    for name, (filename, make, *_rest) in BROKEN_FILES.items()
    if make is not None
    and filename.endswith(".ipynb")
    and name not in ("directory", "unreadable_file")
)


def grade_alone(folder: Path, name: str, timeout: float) -> dict:
    """``initgrade grade`` on one notebook, run from its folder so the file name is the same."""
    old = Path.cwd()
    os.chdir(folder)
    try:
        main(["grade", name, "--json", f"../alone-{name}.json", "--timeout", str(timeout)])
    finally:
        os.chdir(old)
    return json.loads((folder.parent / f"alone-{name}.json").read_text())


# A worker's scratch folder has a fresh name per grading; a case that quotes its environment in
# an exception carries that name into its diagnosis.
SCRATCH_NAME = re.compile(r"initgrade-[0-9a-z_]+")


def same_words(diagnosis: str | None) -> str | None:
    return None if diagnosis is None else SCRATCH_NAME.sub("initgrade-*", diagnosis)


def verdicts_of_results(results: dict) -> dict:
    checks = {t["name"]: (t["score"], t["status"]) for t in results["tests"]}
    diagnoses = {
        n: same_words(f["diagnosis"]) for n, f in results["extra_data"]["functions"].items()
    }
    return {"checks": checks, "diagnoses": diagnoses, "error": results["extra_data"]["error"]}


def verdicts_of_report(report: dict) -> dict:
    checks = {
        f"{c['function']}: {c['name']}": (
            round(c["points"], 6),
            "passed" if c["passed"] else "failed",
        )
        for f in report["functions"]
        for c in f["checks"]
    }
    diagnoses = {
        f.name: same_words(diagnosis_text(f.diagnosis)) for f in Report.from_dict(report).functions
    }
    return {"checks": checks, "diagnoses": diagnoses, "error": report["error"]}


def one_of_each_class(paths: list[Path]) -> list[Path]:
    """The first case of each class of the corpus (the word before a case name's first
    underscore): each class's way of reaching a batch, at a fraction of grading them all twice
    (``test_corpus`` grades every case alone, three times)."""
    first: dict[str, Path] = {}
    for path in sorted(paths):
        first.setdefault(path.stem.split("_", 1)[0], path)
    return list(first.values())


BATCHED = one_of_each_class(CASES)


def course_by_timeout(root: Path) -> dict[float, Path]:
    """One folder per call limit the cases ask for (a batch has one limit)."""
    folders: dict[float, Path] = {}
    groups: dict[float, list] = defaultdict(list)
    for path in BATCHED:
        case = parse_case(path)
        groups[case.timeout].append(case)
    for timeout, cases in groups.items():
        folder = folders.setdefault(timeout, root / f"limit-{timeout:g}" / "course")
        folder.mkdir(parents=True)
        for case in cases:
            write_case(folder / f"{case.name}.ipynb", case)
    broken = folders.setdefault(2.0, root / "limit-2" / "course")
    broken.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOK_FILES:
        BROKEN_FILES[name][1](broken / f"{name}.ipynb")
    return folders


def test_a_case_of_every_corpus_class_gets_the_same_grade_in_a_batch_as_alone(
    tmp_path: Path,
) -> None:
    folders = course_by_timeout(tmp_path)
    compared = 0
    for timeout, folder in sorted(folders.items()):
        book = folder.parent / "grades.sqlite"
        options = BatchOptions(workers=2, timeout=timeout)
        run_batch(folder, book, options, out=io.StringIO(), err=io.StringIO())
        db = sqlite3.connect(book)
        rows = db.execute(
            "SELECT s.source, g.report FROM grades g JOIN submissions s ON s.id = g.submission"
        ).fetchall()
        db.close()
        assert len(rows) == len(list(folder.glob("*.ipynb")))
        for source, report in rows:
            alone = verdicts_of_results(grade_alone(folder, source, timeout))
            assert verdicts_of_report(json.loads(report)) == alone, source
            compared += 1
    assert compared >= len(BATCHED) + len(NOTEBOOK_FILES)


def test_a_submission_finds_no_earlier_submissions_code_in_its_workers_memory(
    tmp_path: Path,
) -> None:
    """One pool process grades every submission of this course in turn, each attacker right after
    a submission whose He it searches its workers' whole memory for: three attackers, three runs,
    and each gets the grade it gets alone (no earlier code to run)."""
    case = parse_case(CORPUS / "shared_runs_an_earlier_students_code.py")
    tagged = "    np.random.seed(3)\n    tag = 'initgrade-earlier-student'\n"
    tagged += "    # A note to myself, kept with the code.\n" * 100
    earlier = [cell.replace("    np.random.seed(3)\n", tagged) for cell in base_cells(set())]
    assert sum("initgrade-earlier-student" in cell for cell in earlier) == 2
    folder = tmp_path / "course"
    folder.mkdir()
    for run in range(3):
        write_notebook(folder / f"{run}a-earlier.ipynb", earlier)
        write_notebook(folder / f"{run}b-attacker.ipynb", base_cells(case.drop) + case.cells)
    book = tmp_path / "grades.sqlite"
    run_batch(folder, book, BatchOptions(workers=1, timeout=case.timeout), out=io.StringIO(),
              err=io.StringIO())  # fmt: skip
    db = sqlite3.connect(book)
    rows = db.execute(
        "SELECT s.source, g.report FROM grades g JOIN submissions s ON s.id = g.submission"
    ).fetchall()
    db.close()
    reports = {source: json.loads(report) for source, report in rows}
    alone = verdicts_of_results(grade_alone(folder, "0b-attacker.ipynb", case.timeout))
    for run in range(3):
        attacker = reports[f"{run}b-attacker.ipynb"]
        assert points(attacker, "initialize_parameters_he") < 10, f"run {run}: it ran the other He"
        assert verdicts_of_report(attacker) == alone
        assert points(reports[f"{run}a-earlier.ipynb"], "initialize_parameters_he") == 10


def points(report: dict, name: str) -> float:
    """One function's points in a stored report."""
    (function,) = [f for f in report["functions"] if f["name"] == name]
    return float(sum(check["points"] for check in function["checks"]))


# -- courses whose files attack the batch itself --------------------------------------------------
#
# Each course is graded three times (a first batch, then two reruns that must keep every grade),
# and after each run the gradebook, both exports and the dashboard must hold every student once,
# in printable text, and the batch's own log must print cleanly.

OVERFLOW = """
def initialize_parameters_zeros(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 1e300
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""
ALIASED_METADATA = """\
submission_1:
  :submitters:
  - &ada {":sid": "1815", ":name": Ada}
  - *ada
  - *ada
  - *ada
  - *ada
  - *ada
submission_2:
  :submitters:
  - {":sid": "eve\\r\\n=1+1", ":name": Eve}
  - {":sid": "ad\\u200bmin\\u202egnp.exe", ":name": Mallory}
"""


def _name(folder: Path, raw: bytes) -> Path:
    """A path in ``folder`` whose last part is ``raw``, bytes that need not be UTF-8."""
    return Path(os.fsdecode(bytes(folder) + b"/" + raw))


def _course_with_hostile_names(root: Path) -> tuple[Path, int]:
    """A folder of notebooks: names that are not UTF-8 or hold a line break, and one whose
    weights make the feedback plots fail."""
    folder = root / "course"
    folder.mkdir(parents=True)
    write_notebook(_name(folder, b"al\xffice.ipynb"), BASE_CELLS)
    write_notebook(_name(folder, b"bob\rTotal: 30.ipynb"), BASE_CELLS)
    write_notebook(folder / "overflow.ipynb", [*BASE_CELLS, OVERFLOW])
    return folder, 3


def _zip_with_a_name_not_utf8(root: Path) -> tuple[Path, int]:
    notebook = write_notebook(root / "plain.ipynb", BASE_CELLS)
    target = root / "course.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(notebook, "course/placeholder-xyz.ipynb")
    target.write_bytes(target.read_bytes().replace(b"placeholder-xyz", b"st\xe9phane\xff\x1b[2J!!"))
    return target, 1


def _nbgrader_tree_with_a_student_not_utf8(root: Path) -> tuple[Path, int]:
    folder = _name(root / "tree" / "submitted", b"ren\xe9e") / "ps1"
    folder.mkdir(parents=True)
    write_notebook(folder / "ps1.ipynb", BASE_CELLS)
    (root / "tree" / "source").mkdir()
    return root / "tree", 1


def _gradescope_export_with_an_alias(root: Path) -> tuple[Path, int]:
    folder = root / "export"
    for submission in ("submission_1", "submission_2"):
        (folder / submission).mkdir(parents=True)
        write_notebook(folder / submission / "hw.ipynb", BASE_CELLS)
    (folder / "submission_metadata.yml").write_text(ALIASED_METADATA)
    return folder, 3  # Ada once, Eve and Mallory


BATCH_CASES = {
    "names_not_utf8_and_a_plot_that_overflows": _course_with_hostile_names,
    "zip_member_name_not_utf8": _zip_with_a_name_not_utf8,
    "nbgrader_student_not_utf8": _nbgrader_tree_with_a_student_not_utf8,
    "gradescope_submitter_listed_six_times": _gradescope_export_with_an_alias,
}


def _assert_printable(text: str) -> None:
    from tests.test_corpus import BIDI, CONTROL, INVISIBLE

    for line in text.splitlines():
        assert CONTROL.findall(line) == [], line
        assert BIDI.findall(line) == [], line
        assert INVISIBLE.findall(line) == [], line


def _assert_every_student_once(book: Path, folder: Path, students: int, *, page: bool) -> None:
    from grader.batch import export_grades, write_dashboard

    db = sqlite3.connect(book)
    rows = db.execute(
        "SELECT s.student, g.status FROM grades g JOIN submissions s ON s.id = g.submission"
    ).fetchall()
    db.close()
    assert len(rows) == students, rows
    assert {status for _, status in rows} == {"graded"}, rows
    assert all(student.isprintable() for student, _ in rows)
    csv_path, json_path = folder / "grades.csv", folder / "grades.json"
    assert export_grades(book, csv_path=csv_path, json_path=json_path) == students
    with csv_path.open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert sorted(row["student"] for row in exported) == sorted(s for s, _ in rows)
    _assert_printable(csv_path.read_text())
    assert len(json.loads(json_path.read_text())) == students
    if page:
        dashboard = folder / "dashboard.html"
        assert write_dashboard(book, dashboard, feedback_dir=folder / "feedback") == students
        _assert_printable(dashboard.read_text())


@pytest.mark.parametrize("name", sorted(BATCH_CASES))
def test_a_course_whose_files_attack_the_batch_is_graded_once_on_every_run(
    name: str, tmp_path: Path
) -> None:
    source, students = BATCH_CASES[name](tmp_path)
    book, feedback = tmp_path / "grades.sqlite", tmp_path / "feedback"
    pages = name == "names_not_utf8_and_a_plot_that_overflows"  # feedback pages cost a grading
    options = BatchOptions(workers=1, timeout=2.0, feedback_dir=feedback if pages else None)
    logs = ""
    for run in range(3):
        out, err = io.StringIO(), io.StringIO()
        summary = run_batch(source, book, options, out=out, err=err)
        assert (summary.graded, summary.failed) == ((students, 0) if run == 0 else (0, 0))
        assert summary.kept == (0 if run == 0 else students)
        _assert_printable(out.getvalue())
        _assert_every_student_once(book, tmp_path, students, page=run == 2)
        logs = logs or err.getvalue()
    if pages:
        pages = [p for p in feedback.glob("*.html") if not p.name.endswith(".notebook.html")]
        assert len(pages) == students
        # the plots could not be drawn: the batch says so once, and the grade is the grade
        assert "feedback page of overflow" in logs
        alone = grade_submission(source / "overflow.ipynb").report.score
        db = sqlite3.connect(book)
        (score,) = db.execute(
            "SELECT g.score FROM grades g JOIN submissions s ON s.id = g.submission"
            " WHERE s.student = 'overflow'"
        ).fetchone()
        db.close()
        assert score == alone < 30
