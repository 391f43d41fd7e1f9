"""The release command: the student bundle is derived from the source, complete and answer-free."""

from __future__ import annotations

import ast
import io
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from grader.authoring import (
    DEFAULT_ASSIGNMENT_DIR,
    END_MARKER,
    START_MARKER,
    build_release,
    run_release,
    stub_code,
)
from grader.cli import main
from grader.errors import ReleaseError

RELEASED = ("Initialization.ipynb", "init_utils.py", "public_tests.py")
INPUTS = ("source.ipynb", "public_tests.py")
# What a student's environment must provide: no scikit-learn, no h5py, nothing of this project.
STUDENT_MODULES = set(sys.stdlib_module_names) | {
    "IPython",
    "init_utils",
    "matplotlib",
    "numpy",
    "public_tests",
}


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    return build_release(DEFAULT_ASSIGNMENT_DIR)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the assignment's release inputs, to release into without touching the repo."""
    for name in INPUTS:
        shutil.copy(DEFAULT_ASSIGNMENT_DIR / name, tmp_path / name)
    return tmp_path


def solution_lines(notebook: nbformat.NotebookNode) -> list[str]:
    """Every line between the markers in the source's code cells, without spaces."""
    lines, inside = [], False
    for cell in notebook.cells:
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if START_MARKER in line or END_MARKER in line:
                inside = START_MARKER in line
            elif inside and line.strip():
                lines.append(line.replace(" ", ""))
    return lines


def released_code(name: str, text: str) -> str:
    if name.endswith(".ipynb"):
        cells = nbformat.reads(text, as_version=4).cells
        return "\n".join(cell.source for cell in cells if cell.cell_type == "code")
    return text


# --- freshness and idempotence --------------------------------------------------------------------


def test_the_release_bundle_is_the_stub_the_helpers_and_the_public_tests(fresh):
    assert sorted(fresh) == sorted(RELEASED)


@pytest.mark.parametrize("name", RELEASED)
def test_the_checked_in_file_equals_a_fresh_release(fresh, name):
    on_disk = (DEFAULT_ASSIGNMENT_DIR / name).read_text(encoding="utf-8")
    assert on_disk == fresh[name], f"{name} is out of date: run `initgrade release`"


def test_release_check_passes_on_the_repository(capsys):
    assert main(["release", "--check"]) == 0
    assert capsys.readouterr().out.startswith("up to date: Initialization.ipynb, init_utils.py")


def test_releasing_twice_writes_the_same_bytes(workspace, capsys):
    assert main(["release", str(workspace)]) == 0
    first = {name: (workspace / name).read_bytes() for name in RELEASED}
    assert "wrote" in capsys.readouterr().out
    assert main(["release", str(workspace)]) == 0
    assert {name: (workspace / name).read_bytes() for name in RELEASED} == first
    assert capsys.readouterr().out.count("unchanged ") == len(RELEASED)


def test_check_lists_the_stale_files_and_writes_nothing(workspace, capsys):
    assert main(["release", str(workspace)]) == 0
    (workspace / "init_utils.py").write_text("# edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["release", str(workspace), "--check"]) == 1
    out = capsys.readouterr().out
    assert f"stale: {workspace / 'init_utils.py'} differs from a fresh release" in out
    assert "Initialization.ipynb" not in out
    assert (workspace / "init_utils.py").read_text(encoding="utf-8") == "# edited by hand\n"


def test_a_missing_source_notebook_is_named(tmp_path):
    out = io.StringIO()
    assert run_release(tmp_path, out=out) == 1
    assert out.getvalue() == (
        f"release failed: {tmp_path / 'source.ipynb'}: the solution source notebook is missing\n"
    )


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"cells": "no"}), json.dumps({"nbformat": 4})]
)
def test_a_malformed_source_notebook_is_named(workspace, content):
    (workspace / "source.ipynb").write_text(content, encoding="utf-8")
    out = io.StringIO()
    assert run_release(workspace, out=out) == 1
    assert out.getvalue().startswith(
        f"release failed: {workspace / 'source.ipynb'}: not a valid notebook"
    )
    assert not (workspace / "Initialization.ipynb").exists()


def test_public_tests_without_the_published_block_are_an_error(workspace):
    (workspace / "public_tests.py").write_text("PUBLISHED = {}\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"public_tests\.py: expected the lines"):
        build_release(workspace)


# --- the stub -------------------------------------------------------------------------------------


def test_each_solution_assignment_becomes_a_placeholder_with_its_indentation():
    code = (
        "def f(dims):\n"
        "    out = {}\n"
        "    for l in range(1, 3):\n"
        "        ### START CODE HERE ### (2 lines)\n"
        "        out['W' + str(l)] = np.random.randn(dims[l],\n"
        "                                            dims[l - 1])\n"
        "        a, b = 1, 2  # tuple targets get one None each\n"
        "        total += a\n"
        "        print(a)\n"
        "        ### END CODE HERE ###\n"
        "    return out"
    )
    assert stub_code(code) == (
        "def f(dims):\n"
        "    out = {}\n"
        "    for l in range(1, 3):\n"
        "        ### START CODE HERE ### (2 lines)\n"
        "        out['W' + str(l)] = None\n"
        "        a, b = None, None\n"
        "        total = None\n"
        "        ### END CODE HERE ###\n"
        "    return out"
    )


def test_a_solution_without_assignments_leaves_a_none_so_the_block_compiles():
    code = f"if True:\n    {START_MARKER}\n    print('hi')\n    {END_MARKER}\n"
    assert stub_code(code) == f"if True:\n    {START_MARKER}\n    None\n    {END_MARKER}\n"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (f"{START_MARKER}\nx = 1\n", "without an end marker"),
        (f"x = 1\n{END_MARKER}\n", "without a start marker"),
        (f"{START_MARKER}\n{START_MARKER}\n{END_MARKER}\n", "nested"),
        (f"{START_MARKER}\nx = (\n{END_MARKER}\n", "the solution does not compile"),
    ],
)
def test_broken_markers_are_errors_that_say_where(code, problem):
    with pytest.raises(ReleaseError, match=f"source.ipynb, cell 7: .*{problem}"):
        stub_code(code, "source.ipynb, cell 7")


def test_the_stub_keeps_the_graded_cells_and_drops_outputs_and_instructor_cells(fresh):
    source = nbformat.read(DEFAULT_ASSIGNMENT_DIR / "source.ipynb", as_version=4)
    stub = nbformat.reads(fresh["Initialization.ipynb"], as_version=4)
    nbformat.validate(stub)
    kept = [
        cell
        for cell in source.cells
        if not {"remove", "solution"} & set(cell.metadata.get("tags", []))
    ]
    assert [cell.id for cell in stub.cells] == [cell.id for cell in kept]
    assert len(kept) < len(source.cells)
    graded = [
        cell.metadata["initgrade"]["function"]
        for cell in stub.cells
        if "graded" in cell.metadata.get("tags", [])
    ]
    assert graded == [
        "initialize_parameters_zeros",
        "initialize_parameters_random",
        "initialize_parameters_he",
    ]
    for cell in stub.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None
            ast.parse(cell.source)


def test_no_released_file_contains_an_answer_line(fresh):
    source = nbformat.read(DEFAULT_ASSIGNMENT_DIR / "source.ipynb", as_version=4)
    answers = solution_lines(source)
    # Each answer line of the source, and the expression it assigns.
    answers += [line.split("=", 1)[1] for line in answers if "=" in line]
    assert (
        len(answers) == 16
    )  # 2 lines in each of 3 graded and 1 optional exercise, and their values
    for name, text in fresh.items():
        code = released_code(name, text).replace(" ", "")
        leaked = [answer for answer in answers if answer in code]
        assert not leaked, f"{name} gives away {leaked}"


def imported_modules(code: str) -> set[str]:
    tree = ast.parse(code)
    modules = {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    }
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return {module.split(".")[0] for module in modules}


def test_no_released_file_imports_the_reference_or_the_grader(fresh):
    stub = nbformat.reads(fresh["Initialization.ipynb"], as_version=4)
    codes = [cell.source for cell in stub.cells if cell.cell_type == "code"]
    codes += [fresh["init_utils.py"], fresh["public_tests.py"]]
    imported = set().union(*(imported_modules(code) for code in codes))
    assert not imported & {"reference", "grader"}
    assert imported <= STUDENT_MODULES


def test_the_helper_module_says_it_is_generated_and_holds_no_initializer(fresh):
    text = fresh["init_utils.py"]
    assert text.splitlines()[2].startswith("GENERATED by `initgrade release` from")
    for word in ("initialize_parameters", "randn"):
        assert word not in text
    assert imported_modules(text) <= STUDENT_MODULES - {"IPython", "init_utils", "public_tests"}


def test_a_folder_without_the_source_gets_the_student_files_to_hand_out(tmp_path, capsys):
    handout = tmp_path / "released"
    assert main(["release", str(handout)]) == 0
    assert sorted(p.name for p in handout.iterdir()) == sorted(RELEASED)
    for name in RELEASED:
        assert (handout / name).read_bytes() == (DEFAULT_ASSIGNMENT_DIR / name).read_bytes()
    assert f"wrote {handout / 'Initialization.ipynb'}" in capsys.readouterr().out
    assert main(["release", str(handout), "--check"]) == 0
