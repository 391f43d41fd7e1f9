"""The Gradescope bundle: what the zip holds, and run_autograder in a folder laid out as
Gradescope lays out /autograder, writing a valid results.json whatever the submission holds."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.batch import build_bundle, fallback_results, run_autograder
from tests import notebooks
from tests.gradescope_schema import validate_results


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("bundle")) / "autograder.zip"


@pytest.fixture(scope="module")
def built(bundle: Path) -> Path:
    build_bundle(bundle)
    return bundle


def test_the_bundle_has_both_scripts_at_its_root_executable_and_initgrade_beside(
    built: Path,
) -> None:
    with zipfile.ZipFile(built) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
    assert names[:2] == ["setup.sh", "run_autograder"]
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & stat.S_IXUSR
    for needed in (
        "pyproject.toml",
        "grader/batch/_autograder.py",
        "reference/__init__.py",
        "assignments/initialization/init_utils.py",
        "examples/correct.ipynb",
    ):
        assert f"initgrade/{needed}" in names, needed  # fmt: skip
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert '-e "$root/source/initgrade"' in setup


def gradescope_root(tmp_path: Path, built: Path, submission: dict[str, bytes]) -> Path:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(built) as archive:
        archive.extractall(root / "source")
    for name, data in submission.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "submission").mkdir(parents=True, exist_ok=True)
    return root


def run_script(root: Path, python: str = sys.executable) -> dict:
    env = {**os.environ, "INITGRADE_AUTOGRADER_ROOT": str(root), "INITGRADE_PYTHON": python}
    script = root / "source" / "run_autograder"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    validate_results(results)
    return results


def correct_notebook() -> bytes:
    import nbformat

    return nbformat.writes(notebooks.new_generation()).encode()


@pytest.mark.slow
def test_run_autograder_grades_the_one_notebook_submitted(tmp_path: Path, built: Path) -> None:
    root = gradescope_root(tmp_path, built, {"Initialization.ipynb": correct_notebook()})
    results = run_script(root)
    assert results["score"] == 30
    assert results["extra_data"]["submission"] == "Initialization.ipynb"


@pytest.mark.slow
def test_run_autograder_picks_the_released_name_among_several(tmp_path: Path, built: Path) -> None:
    files = {"Initialization.ipynb": correct_notebook(), "scratch/copy.ipynb": b"{}"}
    assert run_script(gradescope_root(tmp_path, built, files))["score"] == 30


def test_run_autograder_says_so_when_there_is_no_notebook(tmp_path: Path, built: Path) -> None:
    root = gradescope_root(tmp_path, built, {"answers.pdf": b"%PDF-1.4"})
    results = run_script(root)
    assert results["score"] == 0
    assert "No notebook (.ipynb file) was found" in results["output"]
    assert "answers.pdf" in results["output"]


def test_run_autograder_refuses_to_guess_between_two_notebooks(tmp_path: Path, built: Path) -> None:
    files = {"a.ipynb": correct_notebook(), "b.ipynb": correct_notebook()}
    results = run_script(gradescope_root(tmp_path, built, files))
    assert results["score"] == 0
    assert "holds 2 notebooks (a.ipynb, b.ipynb)" in results["output"]


def test_run_autograder_writes_results_even_when_initgrade_cannot_start(
    tmp_path: Path, built: Path
) -> None:
    root = gradescope_root(tmp_path, built, {"Initialization.ipynb": correct_notebook()})
    results = run_script(root, python=str(tmp_path / "no-python-here"))
    assert results == fallback_results()
    assert results["score"] == 0
    assert {test["status"] for test in results["tests"]} == {"failed"}
    assert "the autograder failed on this submission" in results["output"]


def test_a_grader_crash_is_a_failed_test_with_the_traceback_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.batch import _autograder

    def crash(folder: Path, spec: object) -> None:
        raise RuntimeError("the grader broke")

    monkeypatch.setattr(_autograder, "grade_folder", crash)
    (tmp_path / "submission").mkdir()
    assert run_autograder(tmp_path, out=io.StringIO()) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    validate_results(results)
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert "RuntimeError: the grader broke" in hidden[0]["output"]
    visible = " ".join(t["output"] for t in results["tests"] if t["visibility"] != "hidden")
    assert "the grader broke" not in visible + results["output"]


def test_the_schema_refuses_what_gradescope_would_not_read() -> None:
    good = fallback_results()
    validate_results(good)
    for broken in (
        {**good, "tests": [{**good["tests"][0], "status": "ok"}]},
        {**good, "tests": [{**good["tests"][0], "output_format": "pdf"}]},
        {**good, "visibility": "public"},
        {**good, "socre": 1.0},
        {key: value for key, value in good.items() if key not in ("score", "tests")},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_results(broken)


@pytest.mark.slow
def test_setup_sh_installs_initgrade_and_run_autograder_then_grades(
    tmp_path: Path, built: Path
) -> None:
    """The whole bundle as Gradescope uses it: setup.sh makes its virtual environment (pip
    fetches the dependencies, from its cache when it has them), then run_autograder grades."""
    root = gradescope_root(tmp_path, built, {"Initialization.ipynb": correct_notebook()})
    python = Path(sys.base_prefix) / "bin" / "python3"
    env = {
        **os.environ,
        "INITGRADE_AUTOGRADER_ROOT": str(root),
        "INITGRADE_SETUP_PYTHON": str(python),
    }
    for name in ("VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    setup = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert (root / "initgrade-venv" / "bin" / "initgrade").exists()
    env.pop("INITGRADE_PYTHON", None)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    results = json.loads((root / "results" / "results.json").read_text())
    validate_results(results)
    assert results["score"] == 30
