"""A written report is final: an optional output that fails is that output's failure alone.

The grade (``results.json``, the gradebook's row) is what a course relies on; the feedback page,
its plots and the JUnit file are extras drawn from it. Drawing them runs code (matplotlib,
numpy's histograms) on numbers a student chose, so it can fail where grading did not: weights
of 1e300 give a histogram no finite range. Such a failure is caught here and returned as text
for course staff; it never reaches the handler that would write a failed report in place of a
correct one. A page whose plots fail is written without them, and the reason is one line (the
exception's type and text: the plots' failure comes from the student's numbers, not a bug to
trace); an extra that fails in the grader's own code keeps its traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from grader.results import Report
from grader.untrusted import safe_text

if TYPE_CHECKING:
    from grader.checks import FunctionFeedback


def attempt(write: Callable[[], object]) -> str | None:
    """Run ``write``; None when it worked, else its traceback as safe text (an ``OSError``, a
    file that cannot be written, is the caller's to report and is raised)."""
    try:
        write()
    except OSError:
        raise
    except Exception:
        return safe_text(traceback.format_exc(), lines=True, limit=16_000)
    return None


def failure_text() -> str:
    """The exception being handled, as one line of safe text: its type and its text."""
    error = sys.exc_info()[1]
    return safe_text(f"{type(error).__name__}: {error}", limit=300)


def page_text(
    report: Report, feedback: Mapping[str, FunctionFeedback] | None = None
) -> tuple[str, str | None]:
    """The feedback page, and why its plots are missing when drawing them failed."""
    from grader.reports.html import render_html

    try:
        return render_html(report, feedback=feedback), None
    except Exception:
        if not feedback:
            raise  # the page without plots is the grader's own code: a bug to see
        failure = failure_text()
    return render_html(report), failure
