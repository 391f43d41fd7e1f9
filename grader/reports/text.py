"""The report as plain text for a terminal: per function its points, every check, the diagnosis."""

from __future__ import annotations

import textwrap

from grader import messages as msg
from grader.results import CheckResult, FunctionResult, Report
from grader.sentences import diagnosis_text

WIDTH = 100
MARKS = {True: "✓", False: "✗"}
WORDS = {True: "PASS", False: "FAIL"}


def points(value: float) -> str:
    """2.0 -> '2', 0.5 -> '0.5'."""
    return f"{value:g}"


def _check_lines(
    check: CheckResult, marks: dict[bool, str], said: str = "", brief: bool = False
) -> list[str]:
    """A check's line; a failed one's message below it, unless the check before said the same
    (``said``) or ``brief`` (its cause is told once, under the function)."""
    head = (
        f"  {marks[check.passed]} {check.name}  [{points(check.points)}/{points(check.max_points)}]"
    )
    if check.passed or brief or check.message == said:
        return [head]
    body = textwrap.fill(check.message, WIDTH, initial_indent="      ", subsequent_indent="      ")
    return [head, body]


def _function_lines(function: FunctionResult, marks: dict[bool, str]) -> list[str]:
    """A function's points, its checks, and its diagnosis. When the diagnosis names what the code
    does and nothing is left unexplained, every failed check follows from it: the cause is said
    once, under the checks it cost, instead of once per check."""
    lines = [f"{function.name}: {points(function.score)} / {points(function.max_score)}"]
    found = function.diagnosis
    one_cause = found is not None and found.named and not found.facts
    failed = [check for check in function.checks if not check.passed]
    said = ""
    for check in function.checks:
        lines += _check_lines(check, marks, said, brief=one_cause)
        said = check.message if not check.passed else ""
    text = diagnosis_text(found)
    if text:
        label = msg.REPORT_LIKELY if found is not None and found.named else ""
        if one_cause and len(failed) > 1:
            label = msg.REPORT_CAUSE_OF.format(count=len(failed))
        lines.append(
            textwrap.fill(label + text, WIDTH, initial_indent="  ", subsequent_indent="    ")
        )
    return lines


def render_text(report: Report, *, ascii_marks: bool = False) -> str:
    """The whole report; ``ascii_marks`` writes PASS/FAIL instead of ✓/✗."""
    marks = WORDS if ascii_marks else MARKS
    lines = [f"Submission {report.submission} (sha256 {report.sha256[:12]})"]
    if report.error:
        lines.append(textwrap.fill(f"Could not be graded: {report.error}", WIDTH))
    for function in report.functions:
        lines += ["", *_function_lines(function, marks)]
    if report.warnings:
        lines += ["", "Warnings:", *(f"  - {warning}" for warning in report.warnings)]
    lines += ["", f"Total: {points(report.score)} / {points(report.max_score)}"]
    return "\n".join(lines) + "\n"
