"""One row per submission for the batch's CSV export."""

from __future__ import annotations

from grader.results import Report


def csv_row(report: Report) -> dict[str, str | float]:
    """Submission, content hash, each function's score, the total and the error (or '')."""
    row: dict[str, str | float] = {"submission": report.submission, "sha256": report.sha256}
    for function in report.functions:
        row[function.name] = function.score
    row["total"] = report.score
    row["max_score"] = report.max_score
    row["error"] = report.error or ""
    return row
