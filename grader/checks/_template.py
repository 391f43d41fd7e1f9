"""The result of a graded function that is still the released template (``grader.notebook``'s
``unfilled``): no check is run, and one sentence says why, instead of every check repeating the
error the template's empty blocks cause. Its mistake id is ``UNFILLED_ID``."""

from __future__ import annotations

from grader import messages as msg
from grader.results import FunctionResult
from grader.spec import FunctionSpec

UNFILLED_ID = "submission.unfilled"


def unfilled_result(entry: FunctionSpec) -> FunctionResult:
    """Every check failed with the one sentence (a report prints it once per function)."""
    return FunctionResult(entry.name, entry.failed_checks(msg.UNFILLED.format(name=entry.name)))
