"""A self-contained HTML feedback page: scores, every check, the diagnosis, and plots.

Everything that comes from a student (file name, messages quoting their output, the output tail)
is escaped with ``html.escape``; plots are PNGs embedded as base64 data URIs, so the page is one
file. The page renders what it is given: the report, and for the plots each function's feedback
data (``grader.checks.build_feedback``, computed while grading); a function without it shows its
checks alone.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from grader.reports.plots import activations_figure, training_figure
from grader.reports.text import points
from grader.results import CheckResult, FunctionResult, Report
from grader.sentences import diagnosis_text

if TYPE_CHECKING:
    from grader.checks import FunctionFeedback

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; }
td { vertical-align: top; }
td.points { white-space: nowrap; }
.pass { color: #17733a; } .fail { color: #b3261e; }
.box { padding: .6rem 1rem; border-left: .3rem solid #b3261e; background: #fbeeed; margin: 1rem 0; }
.note { border-left-color: #8a6d00; background: #fff8e0; }
img { max-width: 100%; } pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; }
"""


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _e(text: object) -> str:
    """Escaped for HTML, without terminal colour codes or control characters."""
    return html.escape(_CONTROL.sub("", _ANSI.sub("", str(text))), quote=True)


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{encoded}">'


def _check_row(check: CheckResult) -> str:
    verdict = '<td class="pass">✓</td>' if check.passed else '<td class="fail">✗</td>'
    score = f"{points(check.points)} / {points(check.max_points)}"
    message = "" if check.passed else _e(check.message)
    cells = f"<td>{_e(check.name)}</td><td class='points'>{score}</td><td>{message}</td>"
    return f"<tr>{verdict}{cells}</tr>"


def _plots(feedback: FunctionFeedback) -> str:
    return "".join(
        [
            "<h3>Training from your initialization</h3>",
            _image(training_figure(feedback), "cost and decision boundary"),
            "<h3>Activations layer by layer</h3>",
            _image(activations_figure(feedback), "activation histograms"),
        ]
    )


def _function_section(function: FunctionResult, plots: str, include_hidden: bool) -> str:
    rows = [
        _check_row(check)
        for check in function.checks
        if include_hidden or check.visibility != "hidden"
    ]
    text = diagnosis_text(function.diagnosis)
    diagnosis = f'<p class="box"><strong>Likely mistake:</strong> {_e(text)}</p>' if text else ""
    score = f"{points(function.score)} / {points(function.max_score)}"
    return (
        f"<section><h2>{_e(function.name)} — {score}</h2>{diagnosis}"
        "<table><tr><th></th><th>check</th><th>points</th><th>what went wrong</th></tr>"
        f"{''.join(rows)}</table>{plots}</section>"
    )


def render_html(
    report: Report,
    *,
    feedback: Mapping[str, FunctionFeedback] | None = None,
    include_hidden: bool = False,
) -> str:
    """The page as text; ``feedback`` holds the plots' data by function name."""
    feedback = feedback or {}
    parts = [
        f"<h1>Feedback for {_e(report.submission)}</h1>",
        f"<p>Score: <strong>{points(report.score)} / {points(report.max_score)}</strong></p>",
    ]
    if report.error:
        parts.append(f'<p class="box">Could not be graded: {_e(report.error)}</p>')
    parts += [f'<p class="box note">{_e(warning)}</p>' for warning in report.warnings]
    for function in report.functions:
        data = feedback.get(function.name)
        plots = _plots(data) if data is not None else ""
        parts.append(_function_section(function, plots, include_hidden))
    if report.output_tail:
        parts.append(
            "<details><summary>Output of your code (last lines)</summary>"
            f"<pre>{_e(report.output_tail)}</pre></details>"
        )
    environment = ", ".join(f"{_e(k)} {_e(v)}" for k, v in sorted(report.environment.items()))
    graded_by = f"initgrade {_e(report.grader_version)}, policy {_e(report.policy_digest[:12])}"
    parts.append(
        f"<footer><p>sha256 {_e(report.sha256)}; {environment}; graded by {graded_by}</p></footer>"
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback: {_e(report.submission)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


def write_html(
    report: Report, path: str | Path, *, feedback: Mapping[str, FunctionFeedback] | None = None
) -> None:
    """Write the page to ``path``."""
    Path(path).write_text(render_html(report, feedback=feedback), encoding="utf-8")
