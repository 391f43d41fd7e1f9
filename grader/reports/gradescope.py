"""Gradescope's ``results.json``, following the autograder specification.

Top level: ``score`` (overrides the sum of the tests, so it is given explicitly), ``output`` (text
shown to the student above the tests) with ``output_format``, ``visibility`` (of the whole
result), ``stdout_visibility`` (of the autograder's own stdout, which only instructors need),
``execution_time`` in seconds, ``extra_data`` (stored, not shown: the functions' scores, their
mistake ids and diagnoses, the environment, and the grader version and policy digest that graded
it) and ``tests``. Each test has
``name``, ``score``, ``max_score``, ``status`` ("passed" / "failed"), ``output``,
``output_format``, ``visibility`` (one of "hidden", "after_due_date", "after_published",
"visible") and ``tags``.

The same report always gives the same bytes, except for the timing fields (``execution_time`` and
``extra_data.timing``): keys are sorted and tests keep the report's order.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.locations import new_file_mode
from grader.reports.text import points
from grader.results import CheckResult, Report, Visibility
from grader.sentences import diagnosis_text


def _test(check: CheckResult) -> dict[str, Any]:
    return {
        "name": f"{check.function}: {check.name}",
        "score": round(check.points, 6),
        "max_score": round(check.max_points, 6),
        "status": "passed" if check.passed else "failed",
        "output": check.message,
        "output_format": "text",
        "visibility": check.visibility,
        "tags": [check.function],
    }


def _internal_test(report: Report) -> dict[str, Any]:
    """The grader's own traceback, as a test only course staff see."""
    return {
        "name": "autograder internal error (course staff only)",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": report.internal or "",
        "output_format": "text",
        "visibility": "hidden",
        "tags": ["internal"],
    }


def _output(report: Report) -> str:
    lines = []
    if report.error:
        lines.append(f"Your submission could not be graded: {report.error}")
    for function in report.functions:
        lines.append(f"{function.name}: {points(function.score)} / {points(function.max_score)}")
        diagnosis = diagnosis_text(function.diagnosis)
        if diagnosis:
            named = function.diagnosis is not None and function.diagnosis.named
            lines.append("  " + (msg.REPORT_LIKELY if named else "") + diagnosis)
    lines += [f"Warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


def gradescope_json(
    report: Report,
    *,
    visibility: Visibility = "visible",
    stdout_visibility: Visibility = "hidden",
) -> dict[str, Any]:
    """The ``results.json`` object for one report."""
    functions = {
        f.name: {
            "score": f.score,
            "max_score": f.max_score,
            "diagnosis": diagnosis_text(f.diagnosis),
            "mistakes": list(f.mistakes),
        }
        for f in report.functions
    }
    results: dict[str, Any] = {
        "score": round(report.score, 6),
        "output": _output(report),
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": stdout_visibility,
        "tests": [_test(check) for check in report.checks]
        + ([_internal_test(report)] if report.internal else []),
        "extra_data": {
            "max_score": report.max_score,
            "functions": functions,
            "submission": report.submission,
            "submission_sha256": report.sha256,
            "mistakes": list(report.mistakes),
            "error": report.error,
            "environment": dict(report.environment),
            "timing": dict(report.timing),
            "grader_version": report.grader_version,
            "policy_digest": report.policy_digest,
        },
    }
    if report.internal:
        results["extra_data"]["internal_error"] = report.internal
    if "total" in report.timing:
        results["execution_time"] = round(report.timing["total"], 3)
    return results


def dumps(results: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, a final newline."""
    return json.dumps(results, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_gradescope(report: Report, path: str | Path, **options: Any) -> None:
    """Write ``results.json`` atomically (Gradescope may read a half-written file otherwise)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".results-", suffix=".json")
    os.fchmod(fd, new_file_mode())
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(dumps(gradescope_json(report, **options)))
    os.replace(tmp, target)
