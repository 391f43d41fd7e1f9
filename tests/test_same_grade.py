"""The same grade everywhere: an editable checkout and an installed wheel write the same
results.json for the same notebook (timing aside), and try the same generated layers_dims.

Both gradings run in fresh processes from a folder outside the checkout; the wheel is built from
this checkout and installed into a folder of its own, which comes first on ``sys.path``. (Other
Python versions are compared by ``benchmarks/same_grade.py``, which needs a virtualenv each.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = (ROOT / "examples" / "correct.ipynb", ROOT / "examples" / "mistakes.ipynb")
LEFT_BEHIND = ("build", "dist", "*.egg-info", ".git", "__pycache__", ".*_cache", ".venv")
GRADE = """
import json, sys
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])
import grader
from grader.checks.strategies import property_inputs
from grader.cli import main
from grader.spec import PROPERTY_EXAMPLES
pairs = zip(sys.argv[2::2], sys.argv[3::2])
codes = [main(["grade", notebook, "--json", out]) for notebook, out in pairs]
inputs = [[type(d).__name__, list(d)] for d in property_inputs(PROPERTY_EXAMPLES)]
print(json.dumps({"grader": grader.__file__, "codes": codes, "inputs": inputs}))
"""


def without_timing(results: dict) -> dict:
    """results.json without the fields that measure time."""
    kept = {k: v for k, v in results.items() if k != "execution_time"}
    kept["extra_data"] = {k: v for k, v in results["extra_data"].items() if k != "timing"}
    return kept


def grade(site: Path | None, folder: Path) -> tuple[dict, list[dict]]:
    """Grade the example notebooks in a fresh process; ``site`` goes first on sys.path."""
    folder.mkdir()
    outs = [folder / f"{notebook.stem}.json" for notebook in NOTEBOOKS]
    pairs = [str(p) for notebook, out in zip(NOTEBOOKS, outs, strict=True) for p in (notebook, out)]
    env = {**os.environ, "INITGRADE_CACHE_DIR": str(folder / "cache")}
    env.pop("PYTHONPATH", None)
    run = subprocess.run(
        [sys.executable, "-c", GRADE, str(site or ""), *pairs],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    return found, [without_timing(json.loads(out.read_text())) for out in outs]


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as a wheel and installed, without dependencies, into a folder."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # a clean copy: a stale build/ folder would leak into the wheel
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_BEHIND))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(folder / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = (folder / "dist").glob("initgrade-*.whl")
    site = folder / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(built)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return site


def test_an_installed_wheel_grades_exactly_as_the_checkout(wheel_site: Path, tmp_path: Path):
    checkout, checkout_results = grade(None, tmp_path / "editable")
    installed, installed_results = grade(wheel_site, tmp_path / "wheel")
    assert Path(checkout["grader"]).is_relative_to(ROOT)
    assert Path(installed["grader"]).is_relative_to(wheel_site)
    assert checkout["codes"] == installed["codes"] == [0, 0]
    assert checkout["inputs"] == installed["inputs"]
    for ours, theirs in zip(checkout_results, installed_results, strict=True):
        assert ours == theirs
    assert checkout_results[0]["score"] == 30.0
    assert not checkout_results[0]["output"].count("Warning")  # the helpers were found
