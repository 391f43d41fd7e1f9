"""The result of a graded function that is still the released template (``grader.notebook``'s
``unfilled``): no check is run, each check says so in a few words, and the diagnosis is the one
mistake ``submission.unfilled``, which the report words once, instead of every check repeating
the error the template's empty blocks cause."""

from __future__ import annotations

from grader import messages as msg
from grader.mistakes import Diagnosis, Mistake
from grader.results import FunctionResult
from grader.spec import FunctionSpec

UNFILLED_ID = "submission.unfilled"


def unfilled_result(entry: FunctionSpec) -> FunctionResult:
    checks = entry.failed_checks(msg.UNFILLED_CHECK.format(name=entry.name))
    diagnosis = Diagnosis((Mistake.of(UNFILLED_ID, function=entry.name),))
    return FunctionResult(entry.name, checks, diagnosis)
