"""Build the student bundle of an assignment from its solution source and reference/.

``build_release`` is pure: it returns each released file's content by name. ``run_release`` writes
them (or, with ``check``, only reports which checked-in files are stale). Three files come out:
the student notebook (``grader.authoring._stub``), the helper module ``init_utils.py``
(``grader.authoring._helpers``) and the self-checks ``public_tests.py``
(``grader.authoring._public_tests``). For a course's own term (``spec``, from an assignment
file), the same source is rewritten for its seed, example and methods first
(``grader.authoring._variant``) and the files go to a folder of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import nbformat

from grader.authoring._helpers import UTILS_NAME, build_init_utils
from grader.authoring._public_tests import build_public_tests
from grader.authoring._stub import SOURCE_NAME, make_stub, read_notebook
from grader.authoring._variant import variant_source
from grader.errors import ReleaseError
from grader.spec import ASSIGNMENT_DIR, SPEC, AssignmentSpec, FunctionSpec

DEFAULT_ASSIGNMENT_DIR = ASSIGNMENT_DIR
STUB_NAME = "Initialization.ipynb"
TESTS_NAME = "public_tests.py"


def build_release(assignment_dir: Path, spec: AssignmentSpec = SPEC) -> dict[str, str]:
    """The released files of ``assignment_dir``'s source, for ``spec``, by file name, as they
    should be on disk."""
    source = read_notebook(assignment_dir / SOURCE_NAME)
    tests_path = assignment_dir / TESTS_NAME
    if not tests_path.is_file():
        raise ReleaseError(f"{tests_path}: missing; it holds the hand-written public tests")
    notebook = variant_source(source, spec, correct_outcome)
    tests = build_public_tests(tests_path.read_text(encoding="utf-8"), tests_path, spec)
    return {
        STUB_NAME: _write_notebook(make_stub(notebook, assignment_dir / SOURCE_NAME)),
        UTILS_NAME: build_init_utils(),
        TESTS_NAME: tests,
    }


def correct_outcome(entry: FunctionSpec) -> tuple[float, float, float]:
    """(first cost, train accuracy, test accuracy) of the reference model trained from the
    method's correct start, for the exercise's seed (from the outcome cache when it is there)."""
    from grader.checks import expected_params, train_outcome

    start = dict(expected_params(entry.method, entry.outcome_dims, entry.seed))
    outcome = train_outcome(start)
    return outcome.costs[0], outcome.train_accuracy, outcome.test_accuracy


def run_release(
    assignment_dir: Path | None,
    *,
    check: bool = False,
    out: TextIO,
    spec: AssignmentSpec = SPEC,
    source_dir: Path | None = None,
) -> int:
    """Write (or with ``check``, verify) the released files of ``spec`` into ``assignment_dir``
    (the course's folder by default), from the source in ``source_dir`` (the same folder by
    default); returns the exit code."""
    folder = DEFAULT_ASSIGNMENT_DIR if assignment_dir is None else Path(assignment_dir)
    try:
        files = build_release(source_dir or folder, spec)
        if not check:
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        out.write(f"release failed: cannot write to {folder} ({error.strerror or error})\n")
        return 1
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
