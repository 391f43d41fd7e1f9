"""Every corpus case, hostile or broken, graded in a batch of two workers gets exactly the grade
``initgrade grade`` gives it alone: the same points for every check, the same diagnosis."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from grader.batch import BatchOptions, run_batch
from grader.cli import main
from grader.results import Report
from grader.sentences import diagnosis_text
from tests.test_corpus import (
    BROKEN_FILES,
    CASES,
    CORPUS,
    base_cells,
    parse_case,
    write_notebook,
)

pytestmark = pytest.mark.slow

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


def course_by_timeout(root: Path) -> dict[float, Path]:
    """One folder per call limit the cases ask for (a batch has one limit)."""
    folders: dict[float, Path] = {}
    groups: dict[float, list] = defaultdict(list)
    for path in CASES:
        case = parse_case(path)
        groups[case.timeout].append(case)
    for timeout, cases in groups.items():
        folder = folders.setdefault(timeout, root / f"limit-{timeout:g}" / "course")
        folder.mkdir(parents=True)
        for case in cases:
            write_notebook(folder / f"{case.name}.ipynb", base_cells(case.drop) + case.cells)
    broken = folders.setdefault(2.0, root / "limit-2" / "course")
    broken.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOK_FILES:
        BROKEN_FILES[name][1](broken / f"{name}.ipynb")
    return folders


def test_every_corpus_case_gets_the_same_grade_in_a_batch_as_alone(tmp_path: Path) -> None:
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
    assert compared >= len(CASES) + len(NOTEBOOK_FILES)


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
