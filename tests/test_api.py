"""Grading whole notebooks through the sandbox: both course generations, typical mistakes with their
diagnosis, broken cells, redefinitions, the report files, exit codes and determinism."""

from __future__ import annotations

import inspect
import json
import re
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from grader.api import grade_notebook, grade_submission
from grader.cli import main
from grader.mutants._truth import verdict
from grader.sentences import diagnosis_text
from grader.spec import SPEC, spec_digest
from tests import mistakes, notebooks

pytestmark = pytest.mark.slow

NAMES = mistakes.FUNCTION_NAMES


def scores(report) -> dict[str, float]:
    return {f.name: f.score for f in report.functions}


def all_text(report) -> str:
    return " ".join(c.message for c in report.checks) + " ".join(report.warnings)


@pytest.mark.parametrize("generation", [notebooks.old_generation, notebooks.new_generation])
def test_a_correct_notebook_of_either_generation_scores_full_marks(
    generation, tmp_path: Path
) -> None:
    path = notebooks.write(generation(), tmp_path / "student.ipynb")
    report = grade_notebook(path)
    assert report.error is None
    assert report.score == report.max_score == 30
    assert all(f.diagnosis is None for f in report.functions)
    # the report names what graded it: the installed version, the digest of the whole model
    assert report.grader_version == metadata.version("initgrade")
    assert report.policy_digest == spec_digest(SPEC)


def test_an_unavailable_import_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    notebook = notebooks.old_generation()
    notebook.cells.insert(1, nbformat.v4.new_code_cell("import initgrade_no_such_module"))
    path = notebooks.write(notebook, tmp_path / "student.ipynb")
    report = grade_notebook(path)
    assert any("initgrade_no_such_module" in w for w in report.warnings), report.warnings
    assert report.score == report.max_score


# One mistake of each family, pasted into a notebook where the student's answer goes: every
# diagnosis is covered in-process (tests/test_diagnosis.py); these prove the whole path.
NOTEBOOK_MISTAKES = (
    "he_xavier",  # scale
    "he_transposed",  # shapes
    "he_lowercase_keys",  # key names
    "he_reseed",  # draws
    "he_no_seed",  # seeding
    "he_hard_coded",  # an answer pasted in
    "zeros_ones",  # the zeros function
)
BY_NAME = {m.name: m for m in mistakes.MISTAKES}


def _student_cell(mistake: mistakes.Mistake) -> str:
    """The mistaken function's source under the graded name, with any helper it calls before it."""
    source = inspect.getsource(mistake.fn)
    source = re.sub(r"^def \w+\(", f"def {NAMES[mistake.method]}(", source, count=1)
    helpers = []
    for name in dict.fromkeys(re.findall(r"\b(_\w+)\b", source)):
        value = getattr(mistakes, name, None)
        if inspect.isfunction(value):
            helpers.append(inspect.getsource(value))
        elif isinstance(value, dict):  # a hard-coded answer: plain lists of numbers
            helpers.append(f"{name} = {value!r}")
    return "\n\n".join([*helpers, source])


@pytest.mark.parametrize("name", NOTEBOOK_MISTAKES)
def test_a_mistake_in_a_notebook_is_named_and_costs_only_its_function(
    name: str, tmp_path: Path
) -> None:
    mistake = BY_NAME[name]
    path = notebooks.write(
        notebooks.new_generation(**{mistake.method: _student_cell(mistake)}),
        tmp_path / "student.ipynb",
    )
    report = grade_notebook(path)
    graded = {f.name: f for f in report.functions}
    wrong = graded.pop(NAMES[mistake.method])
    assert wrong.score < wrong.max_score
    assert verdict(mistake.expect, wrong.diagnosis) == "named", diagnosis_text(wrong.diagnosis)
    assert all(f.score == f.max_score for f in graded.values())


def test_a_cell_that_does_not_compile_costs_only_the_functions_it_defines(tmp_path: Path) -> None:
    broken = notebooks.RANDOM.replace("for l in range(1, L):", "for l in range(1, L:")
    path = notebooks.write(notebooks.new_generation(random=broken), tmp_path / "student.ipynb")
    report = grade_notebook(path)
    assert scores(report) == {NAMES["zeros"]: 10, NAMES["random"]: 0, NAMES["he"]: 10}
    random = next(f for f in report.functions if f.name == NAMES["random"])
    assert "does not compile" in random.checks[0].message
    assert re.search(r"cell \d+, line \d+", random.checks[0].message)


def test_the_last_definition_is_graded_and_the_redefinition_is_reported(tmp_path: Path) -> None:
    nb = notebooks.new_generation(he=notebooks.HE.replace("2./", "1./"))
    nb.cells.append(nbformat.v4.new_code_cell(notebooks.HE))
    report = grade_notebook(notebooks.write(nb, tmp_path / "student.ipynb"))
    assert report.score == report.max_score
    assert any("defined in cells" in w for w in report.warnings), report.warnings


def test_a_misnamed_function_scores_zero_and_the_report_suggests_the_name(tmp_path: Path) -> None:
    renamed = notebooks.HE.replace("def initialize_parameters_he(", "def initialise_parameters_he(")
    path = notebooks.write(notebooks.new_generation(he=renamed), tmp_path / "student.ipynb")
    report = grade_notebook(path)
    he = next(f for f in report.functions if f.name == NAMES["he"])
    assert he.score == 0
    assert "initialise_parameters_he" in he.checks[0].message


def test_results_json_is_the_same_for_the_same_notebook(tmp_path: Path) -> None:
    path = notebooks.write(
        notebooks.new_generation(he=_student_cell(BY_NAME["he_xavier"])), tmp_path / "s.ipynb"
    )
    outputs = []
    for run in ("a", "b"):
        target = tmp_path / f"{run}.json"
        assert main(["grade", str(path), "--json", str(target)]) == 0
        data = json.loads(target.read_text())
        data.pop("execution_time", None)
        data["extra_data"].pop("timing", None)
        outputs.append(data)
    assert outputs[0] == outputs[1]
    assert outputs[0]["extra_data"]["submission_sha256"]
    assert {"python", "numpy", "platform"} <= set(outputs[0]["extra_data"]["environment"])


def test_grade_writes_every_report_asked_for(tmp_path: Path, capsys) -> None:
    path = notebooks.write(notebooks.new_generation(), tmp_path / "student.ipynb")
    files = {
        flag: tmp_path / name
        for flag, name in (("--json", "r.json"), ("--junit", "r.xml"), ("--html", "r.html"))
    }
    args = [arg for flag, target in files.items() for arg in (flag, str(target))]
    assert main(["grade", str(path), *args]) == 0
    assert "Total: 30 / 30" in capsys.readouterr().out
    assert json.loads(files["--json"].read_text())["score"] == 30
    assert b"<testsuite" in files["--junit"].read_bytes()
    assert "data:image/png;base64" in files["--html"].read_text()


def test_exit_codes_follow_the_interface(tmp_path: Path, capsys) -> None:
    good = notebooks.write(notebooks.new_generation(), tmp_path / "student.ipynb")
    empty = tmp_path / "empty.ipynb"
    empty.write_text("")
    assert main(["grade", str(good)]) == 0
    assert main(["grade", str(empty), "--json", str(tmp_path / "r.json")]) == 1
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0
    assert main(["grade", str(good), "--timeout", "-1"]) == 2
    assert main(["grade"]) == 2
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    assert main(["grade", str(good), "--json", str(in_the_way / "r.json")]) == 2
    capsys.readouterr()


def test_execute_runs_the_whole_notebook_and_keeps_the_executed_copy(tmp_path: Path) -> None:
    nb = notebooks.new_generation()
    nb.cells = [c for c in nb.cells if "model(" not in c.source or "def model" in c.source]
    path = notebooks.write(nb, tmp_path / "student.ipynb")
    graded = grade_submission(path, execute=True)
    assert graded.report.score == graded.report.max_score
    assert graded.executed is not None
    outputs = [o for c in graded.executed.cells if c.cell_type == "code" for o in c.outputs]
    assert any("pass" in str(o.get("text", "")).lower() for o in outputs), outputs[-3:]


def test_the_released_stub_filled_in_passes_the_public_checks_and_gets_full_marks(
    tmp_path: Path, capsys
) -> None:
    import importlib.util

    import numpy as np

    from grader.spec import ASSIGNMENT_DIR

    source = nbformat.read(str(ASSIGNMENT_DIR / "source.ipynb"), as_version=4)
    stub = nbformat.read(str(ASSIGNMENT_DIR / "Initialization.ipynb"), as_version=4)
    solutions = {
        c.metadata["initgrade"]["function"]: c.source
        for c in source.cells
        if "initgrade" in c.metadata
    }
    namespace: dict = {"np": np}
    for cell in stub.cells:
        name = cell.metadata.get("initgrade", {}).get("function")
        if name:
            assert "None" in cell.source  # the student starts from a placeholder
            cell.source = solutions[name]  # ... and types the answer in
            exec(cell.source, namespace)
    path = ASSIGNMENT_DIR / "public_tests.py"
    spec = importlib.util.spec_from_file_location("public_tests", path)
    public_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(public_tests)
    for method in ("zeros", "random", "he"):
        getattr(public_tests, f"initialize_parameters_{method}_test")(namespace[NAMES[method]])
    capsys.readouterr()

    report = grade_notebook(notebooks.write(stub, tmp_path / "Initialization.ipynb"))
    assert report.score == report.max_score == 30


def test_bytes_grade_to_the_same_report_as_the_file_they_came_from(tmp_path: Path) -> None:
    from grader.api import grade_bytes

    path = notebooks.write(
        notebooks.old_generation(he=_student_cell(BY_NAME["he_xavier"])), tmp_path / "s.ipynb"
    )
    from_file = grade_notebook(path).to_dict()
    from_bytes = grade_bytes(path.read_bytes(), str(path)).report.to_dict()
    for report in (from_file, from_bytes):
        report.pop("timing")
    assert from_bytes == from_file


def test_bytes_that_are_not_a_notebook_give_a_report_naming_the_file() -> None:
    from grader.api import grade_bytes

    report = grade_bytes(b"\xff\xfe not text", "alice.ipynb").report
    assert report.error is not None
    assert report.error.startswith("alice.ipynb is not UTF-8 text")
    assert report.score == 0
    assert report.submission == "alice.ipynb"
