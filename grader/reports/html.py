"""A self-contained HTML feedback page: scores, every check, the diagnosis, and plots.

Everything that comes from a student (file name, messages quoting their output, the output tail)
is escaped with ``html.escape``; plots are PNGs embedded as base64 data URIs, so the page is one
file, and its Content-Security-Policy allows nothing else (no script, no address). The page
renders what it is given: the report, and for the plots each function's feedback data
(``grader.checks.build_feedback``, computed while grading); a function without it shows its
checks alone. With the address of the rendered notebook (``grader.reports.notebook``) and the
cell of each graded function, each function's section links to its cell there.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from grader import messages as msg
from grader.reports._sanitize import content_security_policy
from grader.reports.text import points
from grader.results import CheckResult, FunctionResult, Report
from grader.sentences import diagnosis_text
from grader.untrusted import relative_link

if TYPE_CHECKING:
    from grader.checks import FunctionFeedback

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; }
td { vertical-align: top; }
td.points { white-space: nowrap; }
.pass { color: #17733a; } .fail { color: #b3261e; }
.box { padding: .6rem 1rem; border-left: .3rem solid #b3261e; background: #fbeeed; margin: 1rem 0; }
.note { border-left-color: #8a6d00; background: #fff8e0; }
.inputs { color: #444; font-size: .92rem; }
.code { margin: .4rem 0 1rem; }
img { max-width: 100%; height: auto; }
.figure { overflow-x: auto; }
h1, h2, h3 { overflow-wrap: anywhere; }
footer { color: #555; font-size: .85rem; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; }
@media (max-width: 40rem) {
  body { margin: 1rem auto; }
  .figure img { max-width: none; width: 46rem; }
  table, tbody, tr, td { display: block; width: auto; }
  tr:first-child { display: none; }
  tr { border-bottom: 1px solid #ddd; padding: .3rem 0; }
  td { border: none; padding: .1rem .3rem; }
  td:first-child { float: left; }
}
"""

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _e(text: object) -> str:
    """Escaped for HTML, without terminal colour codes or control characters."""
    return html.escape(_CONTROL.sub("", _ANSI.sub("", str(text))), quote=True)


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<div class="figure"><img alt="{_e(alt)}" src="data:image/png;base64,{encoded}"></div>'


def _check_row(check: CheckResult) -> str:
    verdict = '<td class="pass">✓</td>' if check.passed else '<td class="fail">✗</td>'
    score = f"{points(check.points)} / {points(check.max_points)}"
    message = "" if check.passed else _e(check.message)
    cells = f"<td>{_e(check.name)}</td><td class='points'>{score}</td><td>{message}</td>"
    return f"<tr>{verdict}{cells}</tr>"


def _plots(feedback: FunctionFeedback) -> str:
    from grader.reports.plots import activation_rows, training_figure

    rows = activation_rows(feedback)
    names = ["activation histograms", "activation histograms at your scale"][: len(rows)]
    return "".join(
        [
            "<h3>Training from your initialization</h3>",
            _image(training_figure(feedback), "cost and decision boundary"),
            "<h3>Activations layer by layer</h3>",
            *(_image(row, name) for row, name in zip(rows, names, strict=True)),
        ]
    )


def notebook_examples() -> dict[str, tuple[str, ...]]:
    """Each graded function's visible cases, as the notebook writes their ``layers_dims``."""
    from grader.spec import SPEC

    return {
        entry.name: tuple(str(list(case.layer_dims)) for case in entry.visible_cases)
        for entry in SPEC.functions
    }


def _made_up(function: FunctionResult, shown: Iterable[CheckResult]) -> list[str]:
    """The ``layers_dims`` the section quotes that the grader made up, each once, in order:
    read from the values' ``inputs``, the diagnosis's first."""
    found = function.diagnosis.inputs if function.diagnosis is not None else ()
    quoted = [*found, *(q for check in shown if not check.passed for q in check.inputs)]
    return list(dict.fromkeys(str(list(q.dims)) for q in quoted if not q.example))


def _grader_inputs(chosen: list[str], examples: tuple[str, ...]) -> str:
    """A line saying which quoted ``layers_dims`` the grader chose, when any is not the
    notebook's: a student should not look for them in their notebook."""
    if not chosen:
        return ""
    listed = ", ".join(f"<code>layers_dims={_e(dims)}</code>" for dims in chosen)
    those = "is an input" if len(chosen) == 1 else "are inputs"
    mine = " and ".join(f"<code>{_e(dims)}</code>" for dims in examples)
    theirs = f" (your notebook's examples are {mine})" if mine else ""
    return (
        f'<p class="inputs">{listed} {those} the grader made up to test your function: a '
        f"correct function works for any <code>layers_dims</code>, not only the notebook's "
        f"examples{theirs}.</p>"
    )


def _function_section(
    function: FunctionResult,
    plots: str,
    include_hidden: bool,
    code_link: str,
    examples: tuple[str, ...],
) -> str:
    shown = [c for c in function.checks if include_hidden or c.visibility != "hidden"]
    rows = [_check_row(check) for check in shown]
    text = diagnosis_text(function.diagnosis)
    named = function.diagnosis is not None and function.diagnosis.named
    label = f"<strong>{_e(msg.REPORT_LIKELY.strip())}</strong> " if named else ""
    diagnosis = f'<p class="box">{label}{_e(text)}</p>' if text else ""
    inputs = _grader_inputs(_made_up(function, shown), examples)
    score = f"{points(function.score)} / {points(function.max_score)}"
    return (
        f'<section id="graded-{_e(function.name)}"><h2>{_e(function.name)} — {score}</h2>'
        f"{code_link}{diagnosis}"
        "<table><tr><th></th><th>check</th><th>points</th><th>what went wrong</th></tr>"
        f"{''.join(rows)}</table>{inputs}{plots}</section>"
    )


def _code_link(name: str, notebook: str | None, cells: Mapping[str, int]) -> str:
    if notebook is None or name not in cells:
        return ""
    href = f"{notebook}#graded-{name}"
    return f'<p class="code"><a href="{_e(href)}">Your code for {_e(name)}</a> (cell ' \
           f"{cells[name] + 1} of the notebook)</p>"  # fmt: skip


def render_html(
    report: Report,
    *,
    feedback: Mapping[str, FunctionFeedback] | None = None,
    include_hidden: bool = False,
    notebook: str | None = None,
    cells: Mapping[str, int] | None = None,
) -> str:
    """The page as text; ``feedback`` holds the plots' data by function name; ``notebook`` is
    the rendered notebook's file name (or relative path) beside this page, linked as
    ``relative_link`` encodes it, and ``cells`` each graded function's cell in it (0-based)."""
    feedback, cells = feedback or {}, cells or {}
    notebook = None if notebook is None else relative_link(notebook)
    examples = notebook_examples()
    parts = [
        f"<h1>Feedback for {_e(report.submission)}</h1>",
        f"<p>Score: <strong>{points(report.score)} / {points(report.max_score)}</strong></p>",
    ]
    if notebook is not None:
        parts.append(f'<p><a href="{_e(notebook)}">Your notebook, as submitted</a></p>')
    if report.error:
        parts.append(f'<p class="box">Could not be graded: {_e(report.error)}</p>')
    parts += [f'<p class="box note">{_e(warning)}</p>' for warning in report.warnings]
    for function in report.functions:
        data = feedback.get(function.name)
        plots = _plots(data) if data is not None else ""
        link = _code_link(function.name, notebook, cells)
        mine = examples.get(function.name, ())
        parts.append(_function_section(function, plots, include_hidden, link, mine))
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
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(STYLE)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Feedback: {_e(report.submission)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


def write_html(
    report: Report,
    path: str | Path,
    *,
    feedback: Mapping[str, FunctionFeedback] | None = None,
    notebook: str | None = None,
    cells: Mapping[str, int] | None = None,
) -> None:
    """Write the page to ``path``."""
    page = render_html(report, feedback=feedback, notebook=notebook, cells=cells)
    Path(path).write_text(page, encoding="utf-8")
