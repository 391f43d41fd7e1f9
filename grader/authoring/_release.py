"""Build the student bundle of an assignment from its solution source and reference/.

``build_release`` is pure: it returns each released file's content by name. ``run_release`` writes
them (or, with ``check``, only reports which checked-in files are stale). Three files come out:
the student notebook (``grader.authoring._stub``), the helper module ``init_utils.py``
(``grader.authoring._helpers``) and the self-checks ``public_tests.py``
(``grader.authoring._public_tests``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import nbformat

from grader.authoring._helpers import UTILS_NAME, build_init_utils
from grader.authoring._public_tests import build_public_tests
from grader.authoring._stub import SOURCE_NAME, make_stub, read_notebook
from grader.errors import ReleaseError
from grader.spec import ASSIGNMENT_DIR

DEFAULT_ASSIGNMENT_DIR = ASSIGNMENT_DIR
STUB_NAME = "Initialization.ipynb"
TESTS_NAME = "public_tests.py"


def build_release(assignment_dir: Path) -> dict[str, str]:
    """The released files of ``assignment_dir`` by file name, as they should be on disk."""
    source = read_notebook(assignment_dir / SOURCE_NAME)
    tests_path = assignment_dir / TESTS_NAME
    if not tests_path.is_file():
        raise ReleaseError(f"{tests_path}: missing; it holds the hand-written public tests")
    return {
        STUB_NAME: _write_notebook(make_stub(source, assignment_dir / SOURCE_NAME)),
        UTILS_NAME: build_init_utils(),
        TESTS_NAME: build_public_tests(tests_path.read_text(encoding="utf-8"), tests_path),
    }


def run_release(assignment_dir: Path | None, *, check: bool = False, out: TextIO) -> int:
    """Write (or with ``check``, verify) the released files; returns the exit code."""
    folder = DEFAULT_ASSIGNMENT_DIR if assignment_dir is None else Path(assignment_dir)
    try:
        files = build_release(folder)
    except ReleaseError as error:
        out.write(f"release failed: {error}\n")
        return 1
    stale = [name for name, text in files.items() if _read_or_none(folder / name) != text]
    if check:
        for name in stale:
            out.write(f"stale: {folder / name} differs from a fresh release\n")
        if stale:
            out.write("run `initgrade release` to regenerate\n")
            return 1
        out.write(f"up to date: {', '.join(files)} in {folder}\n")
        return 0
    for name, text in files.items():
        if name in stale:
            (folder / name).write_text(text, encoding="utf-8", newline="")
            out.write(f"wrote {folder / name}\n")
        else:
            out.write(f"unchanged {folder / name}\n")
    return 0


def _read_or_none(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _write_notebook(notebook: nbformat.NotebookNode) -> str:
    text: str = nbformat.writes(notebook, version=4)
    return text if text.endswith("\n") else text + "\n"
