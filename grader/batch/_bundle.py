"""``initgrade gradescope-bundle OUT.zip``: the autograder zip a Gradescope assignment takes.

At its root: ``setup.sh`` (installs initgrade into a virtual environment when Gradescope builds
the image) and ``run_autograder`` (grades each submission). Beside them, ``initgrade/`` holds
this project's source tree (the packaging files, ``reference/``, ``grader/``, ``assignments/``
and ``examples/``), which ``setup.sh`` installs with ``pip install -e`` so the graded
assignment's helper modules are found where the spec expects them. The emergency
``results.json`` that ``run_autograder`` writes when initgrade cannot even start is built here
from the grader's own messages.
"""

from __future__ import annotations

import json
import stat
import zipfile
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.errors import UsageError
from grader.reports import gradescope_json
from grader.results import Report
from grader.spec import SPEC

TREE = ("pyproject.toml", "README.md", "reference", "grader", "assignments", "examples")
LEFT_OUT = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache")
FALLBACK_MARK = "@FALLBACK_RESULTS@"


def source_root() -> Path:
    """initgrade's source tree (the folder holding ``grader/``), refused when it is not one."""
    import grader

    root = Path(grader.__file__).resolve().parents[1]
    if not ((root / "pyproject.toml").is_file() and (root / "assignments").is_dir()):
        raise UsageError(msg.BUNDLE_NO_SOURCE.format(root=root))
    return root


def fallback_results() -> dict[str, Any]:
    """What ``run_autograder`` writes when initgrade cannot start: every check failed with the
    grader's failure named, as ``results.json`` renders it."""
    report = Report.without_results("submission", "", msg.GRADER_FAILED, SPEC)
    return gradescope_json(replace(report, environment={}))


def _script(name: str) -> str:
    text = resources.files("grader.batch").joinpath("gradescope").joinpath(name).read_text("utf-8")
    return text.replace(FALLBACK_MARK, json.dumps(fallback_results(), ensure_ascii=True))


def _files(root: Path) -> list[Path]:
    found = []
    for name in TREE:
        path = root / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            parts = candidate.relative_to(root).parts
            if any(part in LEFT_OUT or part.endswith(".egg-info") for part in parts):
                continue
            if candidate.is_file() and not candidate.is_symlink() and candidate.suffix != ".pyc":
                found.append(candidate)
    return found


def _add(archive: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_bundle(out: Path) -> int:
    """Write the autograder zip to ``out``; returns its size in bytes."""
    root = source_root()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    with zipfile.ZipFile(tmp, "w") as archive:
        for script in ("setup.sh", "run_autograder"):
            _add(archive, script, _script(script).encode("utf-8"), executable=True)
        for path in _files(root):
            _add(archive, f"initgrade/{path.relative_to(root).as_posix()}", path.read_bytes())
    tmp.replace(out)
    return out.stat().st_size
