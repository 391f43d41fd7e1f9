"""The same grade everywhere: one results.json per notebook, whatever the install and the Python.

Grades the same notebooks with this checkout (editable, the running interpreter) and with a
wheel built from it, installed in a fresh virtualenv for each other Python version asked for
(3.10 and 3.13 by default, found on PATH or under ~/.pyenv). The notebooks are the two bundled
examples and one generated mutant of each kind (their reports quote failing generated inputs).
Every results.json must be identical once the fields that measure time or name the environment
are left out (``execution_time``, ``extra_data.timing``, ``extra_data.environment``).

Each virtualenv gets the wheel's dependencies from the package index: whatever versions of numpy,
hypothesis and the rest it offers for that Python (the versions are printed). Exit 1 when any
report differs or a Python cannot be set up.

    python benchmarks/same_grade.py [--pythons 3.10 3.13]
"""

from __future__ import annotations

import argparse
import glob
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEFT_BEHIND = ("build", "dist", "*.egg-info", ".git", "__pycache__", ".*_cache", ".venv")
GRADE = """
import json, sys
import grader, hypothesis, numpy
from grader.cli import main
folder, label = sys.argv[1], sys.argv[2]
codes = {name: main(["grade", f"{folder}/{name}.ipynb", "--json", f"{folder}/{name}.{label}.json"])
         for name in sys.argv[3:]}
print(json.dumps({"python": sys.version.split()[0], "numpy": numpy.__version__,
                  "hypothesis": hypothesis.__version__, "grader": grader.__file__, "codes": codes}))
"""


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` that runs: under ~/.pyenv, else on PATH."""
    pattern = str(Path.home() / f".pyenv/versions/{version}*/bin/python{version}")
    for candidate in [*sorted(glob.glob(pattern), reverse=True), shutil.which(f"python{version}")]:
        if candidate and subprocess.run([candidate, "-c", ""], capture_output=True).returncode == 0:
            return candidate
    return None


def write_notebooks(folder: Path) -> list[str]:
    """The examples and one mutant of each kind, as notebooks in ``folder``; their names."""
    from grader.mutants import fast_subset, mutants, read_source, with_functions

    names = []
    for example in ("correct", "mistakes"):
        shutil.copy(ROOT / "examples" / f"{example}.ipynb", folder / f"{example}.ipynb")
        names.append(example)
    source = read_source()
    for mutant in fast_subset(mutants()):
        text = with_functions(source, {mutant.function: mutant.source})
        (folder / f"{mutant.ident}.ipynb").write_text(text, encoding="utf-8")
        names.append(mutant.ident)
    return names


def build_wheel(folder: Path) -> Path:
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_BEHIND))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(folder / "dist"), str(source)], check=True
    )
    (wheel,) = (folder / "dist").glob("initgrade-*.whl")
    return wheel


def virtualenv(python: str, folder: Path, wheel: Path) -> str:
    """A fresh virtualenv of ``python`` with the wheel installed; its interpreter."""
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    interpreter = str(folder / "bin" / "python")
    pip = [interpreter, "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    subprocess.run([*pip, str(wheel)], check=True)
    return interpreter


def grade(interpreter: str, label: str, folder: Path, names: list[str], cache: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "INITGRADE_CACHE_DIR": str(cache)}
    run = subprocess.run(
        [interpreter, "-c", GRADE, str(folder), label, *names],
        cwd=folder, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(run.stdout.strip().splitlines()[-1])


def comparable(path: Path) -> dict:
    results = json.loads(path.read_text())
    results.pop("execution_time", None)
    for key in ("timing", "environment"):
        results["extra_data"].pop(key, None)
    return results


def grade_everywhere(work: Path, pythons: list[str]) -> tuple[dict, list[tuple[str, str]]]:
    """Grade every notebook with each install; what each run was, and the reports that differ."""
    notebooks = work / "notebooks"
    notebooks.mkdir()
    names = write_notebooks(notebooks)
    wheel = build_wheel(work)
    runs = {"editable": grade(sys.executable, "editable", notebooks, names, work / "c0")}
    for version in pythons:
        python = find_python(version)
        if python is None:
            raise SystemExit(f"Python {version}: not found")
        interpreter = virtualenv(python, work / f"venv{version}", wheel)
        runs[f"wheel {version}"] = grade(interpreter, version, notebooks, names, work / version)
    differing = [
        (name, label)
        for name in names
        for label in pythons
        if comparable(notebooks / f"{name}.{label}.json")
        != comparable(notebooks / f"{name}.editable.json")
    ]
    return {"notebooks": len(names), **runs}, differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythons", nargs="*", default=["3.10", "3.13"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="initgrade-same-grade-") as tmp:
        runs, differing = grade_everywhere(Path(tmp), args.pythons)
    count = runs.pop("notebooks")
    print(f"{'install':<12} {'python':<8} {'numpy':<8} {'hypothesis':<11} exit codes")
    for run, found in runs.items():
        codes = sorted(set(found["codes"].values()))
        versions = f"{found['python']:<8} {found['numpy']:<8} {found['hypothesis']:<11}"
        print(f"{run:<12} {versions} {codes}")
    print(f"{count} notebooks, {len(runs)} installs: ", end="")
    if differing:
        print(f"{len(differing)} reports differ from the checkout's: {differing[:5]}")
        return 1
    print("every results.json identical (timing and environment aside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
