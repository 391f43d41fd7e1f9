"""The Gradescope autograder: grade ``<root>/submission`` into ``<root>/results/results.json``.

Gradescope lays out ``/autograder`` (``source/``, ``submission/``, ``results/``); the bundle's
``run_autograder`` calls ``run_autograder(root)``. Whatever the submission holds, the file is
written: no notebook, several notebooks (the released name is graded when it is among them,
else none is), a notebook that cannot be graded, or a failure of the grader itself (a failed
test for the student, the traceback in a hidden test for course staff).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TextIO

from grader import messages as msg
from grader.results import Report
from grader.spec import SPEC, AssignmentSpec

MAX_LISTED = 10


def _notebooks(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        inside = path.relative_to(folder).parts
        if ".ipynb_checkpoints" in inside or path.is_symlink() or not path.is_file():
            continue
        if path.suffix.lower() == ".ipynb":
            found.append(path)
    return found


def _names(paths: list[Path], folder: Path) -> str:
    names = [path.relative_to(folder).as_posix() for path in paths[:MAX_LISTED]]
    more = len(paths) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def grade_folder(folder: Path, spec: AssignmentSpec = SPEC) -> Report:
    """The report for the one notebook of a Gradescope submission, or why there is none."""
    from grader.api import grade_submission
    from grader.authoring import STUB_NAME

    notebooks = _notebooks(folder)
    if len(notebooks) > 1:
        released = [path for path in notebooks if path.name.lower() == STUB_NAME.lower()]
        if len(released) == 1:
            notebooks = released
        else:
            reason = msg.AUTOGRADER_SEVERAL.format(
                count=len(notebooks), names=_names(notebooks, folder), expected=STUB_NAME
            )
            return Report.without_results("submission", "", reason, spec)
    if not notebooks:
        others = [p for p in sorted(folder.rglob("*")) if p.is_file()] if folder.is_dir() else []
        found = msg.AUTOGRADER_FOUND.format(names=_names(others, folder)) if others else ""
        return Report.without_results(
            "submission", "", msg.AUTOGRADER_NO_NOTEBOOK.format(found=found), spec
        )
    report = grade_submission(notebooks[0]).report
    return Report.from_dict({**report.to_dict(), "submission": notebooks[0].name})


def run_autograder(
    root: str | Path, spec: AssignmentSpec = SPEC, *, out: TextIO | None = None
) -> int:
    """Grade ``root/submission`` into ``root/results/results.json``; always writes it. The
    report's text goes to ``out`` (standard output), which Gradescope shows course staff."""
    from grader.reports import render_text, write_gradescope

    root = Path(root)
    target = root / "results" / "results.json"
    try:
        report = grade_folder(root / "submission", spec)
    except Exception:  # the grader's own failure: still a results.json
        report = Report.without_results(
            "submission", "", msg.GRADER_FAILED, spec, internal=traceback.format_exc()
        )
    write_gradescope(report, target)
    out = out or sys.stdout
    out.write(render_text(report, ascii_marks=True))
    if report.internal:
        out.write(report.internal)
    return 0
