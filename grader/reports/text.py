"""The report as plain text for a terminal: per function its points, every check, the diagnosis."""

from __future__ import annotations

import textwrap

from grader.results import CheckResult, FunctionResult, Report
from grader.sentences import diagnosis_text

WIDTH = 100
MARKS = {True: "✓", False: "✗"}
WORDS = {True: "PASS", False: "FAIL"}


def points(value: float) -> str:
    """2.0 -> '2', 0.5 -> '0.5'."""
    return f"{value:g}"


def _check_lines(check: CheckResult, marks: dict[bool, str], said: str = "") -> list[str]:
    """A check's line, and its message unless the check before said the same (``said``)."""
    head = (
        f"  {marks[check.passed]} {check.name}  [{points(check.points)}/{points(check.max_points)}]"
    )
    if check.passed or check.message == said:
        return [head]
    body = textwrap.fill(check.message, WIDTH, initial_indent="      ", subsequent_indent="      ")
    return [head, body]


def _function_lines(function: FunctionResult, marks: dict[bool, str]) -> list[str]:
    lines = [f"{function.name}: {points(function.score)} / {points(function.max_score)}"]
    said = ""
    for check in function.checks:
        lines += _check_lines(check, marks, said)
        said = check.message if not check.passed else ""
    diagnosis = diagnosis_text(function.diagnosis)
    if diagnosis:
        lines.append(
            textwrap.fill(
                "Likely mistake: " + diagnosis,
                WIDTH,
                initial_indent="  ",
                subsequent_indent="    ",
            )
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
