"""A course's own term in one file: seed 7, the example [4, 3, 1] and Xavier as a fourth graded
method, calibrated, released, graded alone and in a batch; and a file that cannot be used is
refused with the file and the key named."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import nbformat
import numpy as np
import pytest

import reference
from grader.authoring import correct_outcome, variant_source
from grader.authoring._stub import make_stub, read_notebook
from grader.cli import main
from grader.errors import SpecError
from grader.spec import ASSIGNMENT_DIR, METHODS, SPEC, spec_digest
from grader.spec.variant import load_assignment

TERM = """# The 2027 term of the initialization assignment.
name = "initialization-2027"
seed = 7
example_dims = [4, 3, 1]
methods = ["zeros", "random", "he", "xavier"]
"""
XAVIER = "initialize_parameters_xavier"


def graded_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {
        cell.source.split("\n", 1)[0]: cell
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION: ")
    }


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The term's file, calibrated (one other seed each: the bands need the correct start's
    outcome only), and its release in ``released/``."""
    folder = tmp_path_factory.mktemp("term")
    path = folder / "term.toml"
    path.write_text(TERM, encoding="utf-8")
    assert main(["calibrate", "--assignment", str(path), "--seeds", "1"]) == 0
    assert main(["release", "--assignment", str(path), str(folder / "released")]) == 0
    spec = load_assignment(path)
    solution = graded_cells(
        variant_source(read_notebook(ASSIGNMENT_DIR / "source.ipynb"), spec, correct_outcome)
    )
    stub = nbformat.read(folder / "released" / "Initialization.ipynb", as_version=4)
    for first, cell in graded_cells(stub).items():
        cell.source = solution[first].source  # the stubs filled with a correct solution
    nbformat.write(stub, folder / "filled.ipynb")
    xavier = graded_cells(stub)[f"# GRADED FUNCTION: {XAVIER}"]
    xavier.source = xavier.source.replace("np.sqrt(1. /", "np.sqrt(2. /")  # He's scale
    assert "np.sqrt(2. /" in xavier.source
    nbformat.write(stub, folder / "xavier_given_he.ipynb")
    return path


def grade(term: Path, notebook: str) -> dict:
    out = term.parent / f"{notebook}.json"
    assert (
        main(["grade", "--assignment", str(term), str(term.parent / notebook), "--json", str(out)])
        == 0
    )
    return json.loads(out.read_text())


@pytest.mark.slow  # trains, and grades through the sandbox
def test_the_released_term_filled_in_correctly_gets_full_marks(term: Path) -> None:
    results = grade(term, "filled.ipynb")
    assert (results["score"], results["extra_data"]["max_score"]) == (40, 40)
    assert sorted(results["extra_data"]["functions"]) == [
        "initialize_parameters_he", "initialize_parameters_random", XAVIER,
        "initialize_parameters_zeros",
    ]  # fmt: skip
    assert results["extra_data"]["policy_digest"] == spec_digest(load_assignment(term))
    assert results["extra_data"]["policy_digest"] != spec_digest(SPEC)


@pytest.mark.slow
def test_xavier_given_hes_scale_loses_its_scale_points_with_a_named_mistake(term: Path) -> None:
    results = grade(term, "xavier_given_he.ipynb")
    xavier = results["extra_data"]["functions"][XAVIER]
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    assert f"{XAVIER}: weight scale of every layer" in failed
    assert f"{XAVIER}: matches the reference for layers_dims=[4, 3, 1]" in failed
    assert all(name.startswith(XAVIER) for name in failed)
    assert xavier["mistakes"] == ["scale.expression"]
    said = " ".join(xavier["diagnosis"].split())
    assert "(He's scale), where Xavier multiplies by np.sqrt(1 / layers_dims[l - 1])" in said
    assert results["score"] == 40 - (10 - xavier["score"])


@pytest.mark.slow
def test_the_released_notebook_shows_the_terms_seed_and_its_expected_values(term: Path) -> None:
    released = term.parent / "released"
    text = (released / "Initialization.ipynb").read_text(encoding="utf-8")
    assert "np.random.seed(7)" in text
    assert "np.random.seed(3)" not in text
    w1 = reference.initialize_parameters_random([4, 3, 1], 7)["W1"]
    assert str(w1).split("\n")[0] in text  # seed 7's first row, as numpy prints it
    assert str(reference.initialize_parameters_random([3, 2, 1])["W1"]).split("\n")[0] not in text
    stub = nbformat.read(released / "Initialization.ipynb", as_version=4)
    assert f"# GRADED FUNCTION: {XAVIER}" in graded_cells(stub)
    tests = (released / "public_tests.py").read_text(encoding="utf-8")
    assert "SEED = 7" in tests
    assert f"def {XAVIER}_test(target):" in tests


@pytest.mark.slow
def test_a_batch_grades_the_term_its_file_names_and_every_export_names_the_policy(
    term: Path, tmp_path: Path
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "ada.ipynb").write_bytes((term.parent / "filled.ipynb").read_bytes())
    book = tmp_path / "grades.sqlite"
    args = ["batch", str(course), "--gradebook", str(book), "--workers", "1"]
    assert main([*args, "--assignment", str(term)]) == 0
    exports = ["--csv", str(tmp_path / "g.csv"), "--json", str(tmp_path / "g.json")]
    assert main(["export", "--gradebook", str(book), *exports]) == 0
    (row,) = csv.DictReader((tmp_path / "g.csv").read_text().splitlines())
    assert (row["assignment"], row["total"], row[XAVIER]) == ("initialization-2027", "40.0", "10.0")
    policy = (metadata.version("initgrade"), spec_digest(load_assignment(term)))
    assert (row["grader_version"], row["policy_digest"]) == policy
    (exported,) = json.loads((tmp_path / "g.json").read_text())
    assert (exported["grader_version"], exported["policy_digest"]) == policy
    page = tmp_path / "class.html"
    report = ["report", "--gradebook", str(book), "--html", str(page)]
    assert main([*report, "--assignment", str(term)]) == 0
    html = page.read_text(encoding="utf-8")
    assert f"<code>{XAVIER}</code>" in html
    assert "<strong>40.0</strong> / 40" in html


def test_a_method_the_source_has_no_cell_for_gets_a_section_written_from_its_record() -> None:
    lecun = replace(METHODS["xavier"], name="initialize_parameters_lecun", title="LeCun")
    spec = replace(SPEC, functions=(*SPEC.functions, lecun))
    source = read_notebook(ASSIGNMENT_DIR / "source.ipynb")
    released = variant_source(source, spec, lambda entry: (0.7, 0.9, 0.9))
    cells = released.cells
    mark = "# GRADED FUNCTION: initialize_parameters_lecun"
    at = next(i for i, cell in enumerate(cells) if cell.source.startswith(mark))
    intro, solution, example, expected, check, after = cells[at - 1 : at + 5]
    assert intro.source.startswith("## LeCun initialization")
    assert "`np.sqrt(1 / layers_dims[l - 1])`" in intro.source
    assert after.source.startswith("## 7 - Conclusions")  # after the course's graded sections
    assert solution.metadata["initgrade"] == {"function": "initialize_parameters_lecun"}
    assert example.source.startswith("parameters = initialize_parameters_lecun([3, 2, 1])")
    assert check.source == "initialize_parameters_lecun_test(initialize_parameters_lecun)"
    w1 = reference.initialize_parameters_xavier([3, 2, 1])["W1"]
    assert str(w1).split("\n")[0] in expected.source
    namespace: dict = {"np": np}
    exec(solution.source, namespace)  # the section's solution is the method's answer
    for dims in ([3, 2, 1], [5, 8, 8, 1]):
        got = namespace["initialize_parameters_lecun"](dims)
        want = reference.initialize_parameters_xavier(dims)
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    stub = make_stub(nbformat.v4.new_notebook(cells=[solution]))
    assert "np.sqrt(1 / layers_dims[l - 1])" not in stub.cells[0].source
    again = variant_source(source, spec, lambda entry: (0.7, 0.9, 0.9))
    assert nbformat.writes(again) == nbformat.writes(released)  # a release is the same bytes


def test_a_term_file_inherits_all_it_does_not_say(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_text("seed = 11\n", encoding="utf-8")
    spec = load_assignment(path)
    assert spec.exercise == replace(SPEC.exercise, seed=11)
    assert [e.exact_cases for e in spec.functions] == [e.exact_cases for e in SPEC.functions]
    assert [e.band for e in spec.functions] == [e.band for e in SPEC.functions]
    assert (spec.name, spec.limits, spec.directory) == (SPEC.name, SPEC.limits, SPEC.directory)
    assert {e.seed for e in spec.functions} == {11}
    assert spec_digest(spec) != spec_digest(SPEC)


def test_calibrated_bands_hold_the_terms_correct_outcome(term: Path) -> None:
    spec = load_assignment(term)
    for entry in spec.functions:
        assert entry.band.contains(*entry.band.published), entry.method
        course = METHODS[entry.method].band
        assert entry.band.train[0] <= course.train[0]
        assert entry.band.train[1] >= course.train[1]
    assert "# BEGIN CALIBRATED BANDS" in term.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sede = 7\n", "'sede' is not a key of an assignment file; did you mean 'seed'?"),
        ('methods = ["xavir"]\n', "no method 'xavir': did you mean 'xavier'?"),
        ("seed = -1\n", "seed must be a whole number from 0 to 2**32 - 1"),
        ("example_dims = [4]\n", "example_dims must be a list of at least 2 layer sizes"),
        (
            "[bands.xavier]\ntrain = [0.9, 1.0]\ntest = [0.9, 1.0]\npublished = [1, 1]\n",
            "bands.xavier is for a method the file does not grade",
        ),
        ("[bands.he]\ntrain = [0.9, 1.0]\n", "bands.he is missing test, published"),
        ("[limits]\ncall_secs = 3\n", "limits: 'call_secs' is not a key"),
        ("seed = = 7\n", "is not valid TOML"),
    ],
)
def test_a_file_that_cannot_be_used_names_itself_and_what_is_wrong(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "term.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as refused:
        load_assignment(path)
    assert str(refused.value).startswith(str(path))
    assert words in str(refused.value)


def test_grade_with_a_missing_assignment_file_exits_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["grade", "--assignment", str(tmp_path / "nope.toml"), str(tmp_path / "a.ipynb")])
    assert code == 2
    assert "nope.toml does not exist" in capsys.readouterr().err


def test_calibrating_again_replaces_the_bands_it_wrote_and_keeps_the_rest(tmp_path: Path) -> None:
    from grader.authoring import Calibrated, bands_block, write_bands
    from grader.spec import Band

    path = tmp_path / "term.toml"
    path.write_text("# my term\nseed = 7\n", encoding="utf-8")
    spec = load_assignment(path)
    for train in (0.66, 0.61):
        band = Band((train, 1.0), (0.6, 1.0), (train + 0.01, 0.62))
        found = [Calibrated(e.method, band if e.method == "he" else e.band, (0.5, 0.5), ())
                 for e in spec.functions]  # fmt: skip
        write_bands(path, bands_block(spec, found, 0))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my term\nseed = 7\n")
    assert text.count("# BEGIN CALIBRATED BANDS") == 1
    assert load_assignment(path).functions[-1].band.train == (0.61, 1.0)
    path.write_text(text + "[bands.zeros]\n", encoding="utf-8")
    with pytest.raises(SpecError, match="has \\[bands\\] tables of its own"):
        write_bands(path, bands_block(spec, found, 0))
