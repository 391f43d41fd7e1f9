"""initgrade's autograder: grade a student notebook from outside the student's process.

The public face is ``grade_notebook`` (``grade_submission`` also returns what the feedback page
draws, ``grade_bytes`` grades a notebook given as bytes) and the result types; everything else
is internal. They are imported on first use, so ``import grader`` (and every ``initgrade``
command) stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.api import Graded, grade_bytes, grade_notebook, grade_submission
    from grader.results import CheckResult, FunctionResult, Report

_EXPORTS = {
    "grade_notebook": "grader.api",
    "grade_submission": "grader.api",
    "grade_bytes": "grader.api",
    "Graded": "grader.api",
    "CheckResult": "grader.results",
    "FunctionResult": "grader.results",
    "Report": "grader.results",
}
__all__ = [
    "CheckResult",
    "FunctionResult",
    "Graded",
    "Report",
    "grade_bytes",
    "grade_notebook",
    "grade_submission",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
