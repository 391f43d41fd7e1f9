"""``initgrade report --html``: the staff dashboard of a gradebook, one self-contained page.

It shows, for the submission that counts of each student: a histogram of the scores, each
function's pass rate and mean, the named mistakes by how often they occur (with a few example
students), the slowest gradings, the submissions that failed or could not be graded, the staff's
adjustments, and links to each student's feedback page and notebook page when ``feedback_dir``
holds them. The page is rendered with Jinja2 with autoescaping on, so nothing a student
controls (a file name, an error quoting their output) can add markup, and every text of a row
has been through the door (``grader.untrusted``), so no zero-width or right-to-left character
shows a student id other than it is; the histogram is a PNG inside the page, and there are no
external URLs.
"""

from __future__ import annotations

import base64
import io
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.batch._export import mistake_ids
from grader.batch._gradebook import Gradebook
from grader.batch._records import adjustments as standing_adjustments
from grader.batch._run import feedback_name
from grader.sentences import mistake_name
from grader.spec import SPEC, AssignmentSpec
from grader.untrusted import relative_link, safe_text

EXAMPLES = 3  # students shown beside each mistake
_SHOWN_TEXT = ("student", "assignment", "source", "error")
SLOWEST = 10

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
td, th { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { height: .9rem; width: 12rem; vertical-align: middle; }
.failed, .ungradable, .pending { color: #b3261e; }
.summary span { margin-right: 1.5rem; }
img { max-width: 100%; }
small { color: #555; }
"""


@dataclass
class Mistake:
    function: str
    id: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return mistake_name(self.id)


def _histogram(scores: list[float], max_score: float) -> str:
    """The score histogram as a data URI (a PNG drawn with matplotlib's Agg backend)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 2.6), dpi=100)
    ax = figure.add_subplot()
    bins = [i - 0.5 for i in range(int(max_score) + 2)] if max_score <= 60 else 30
    ax.hist(scores, bins=bins, color="#3a6ea5", edgecolor="white")
    ax.set_xlabel(f"score (out of {max_score:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(-0.5, max_score + 0.5)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _functions(rows: list[dict[str, Any]], spec: AssignmentSpec) -> list[dict[str, Any]]:
    stats = []
    for entry in spec.functions:
        scores = [
            f for row in rows for f in row.get("functions") or [] if f.get("name") == entry.name
        ]
        passed = sum(1 for f in scores if f.get("passed"))
        mean = sum(float(f.get("score", 0.0)) for f in scores) / len(scores) if scores else 0.0
        rate = passed / len(scores) if scores else 0.0
        stats.append(
            {"name": entry.name, "rate": rate, "passed": passed, "count": len(scores),
             "mean": mean, "max": entry.max_score}
        )  # fmt: skip
    return stats


def _mistakes(rows: list[dict[str, Any]]) -> list[Mistake]:
    found: dict[tuple[str, str], Mistake] = {}
    for row in rows:
        for function, mistake_id in mistake_ids(row):
            key = (function or msg.REPORT_WHOLE_SUBMISSION, mistake_id)
            mistake = found.setdefault(key, Mistake(*key))
            mistake.count += 1
            if len(mistake.examples) < EXAMPLES:
                mistake.examples.append(row["student"])
    return sorted(found.values(), key=lambda m: (-m.count, m.function, m.name))


def _links(
    row: dict[str, Any], feedback_dir: Path | None, page: Path
) -> tuple[str | None, str | None]:
    """The addresses of the feedback page and of the notebook's page relative to the dashboard,
    each when the page is there."""
    if feedback_dir is None or not row.get("sha256"):
        return None, None
    from grader.reports.notebook import notebook_path

    feedback = feedback_dir / (row.get("feedback") or feedback_name(row["student"], row["sha256"]))
    return _relative(feedback, page), _relative(notebook_path(feedback), page)


def _relative(target: Path, page: Path) -> str | None:
    if not target.is_file():
        return None
    return relative_link(Path(os.path.relpath(target.resolve(), page.resolve().parent)).as_posix())


def dashboard_context(
    rows: list[dict[str, Any]],
    *,
    page: Path,
    feedback_dir: Path | None,
    spec: AssignmentSpec,
    adjustments: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Everything the template shows, computed from the gradebook's rows that count and the
    standing adjustments."""
    graded = [row for row in rows if row.get("status") is not None]
    for row in rows:
        row["link"], row["notebook_link"] = _links(row, feedback_dir, page)
        whose = (row["student"], row["assignment"])
        mine = [a for a in adjustments if (a["student"], a["assignment"]) == whose]
        row["adjustment"] = sum(float(a["points"]) for a in mine)
        for key in _SHOWN_TEXT:  # through the door, whatever an older gradebook holds
            if isinstance(row.get(key), str):
                row[key] = safe_text(row[key])
    scores = [float(row["score"]) for row in graded]
    statuses = Counter(row.get("status") or "pending" for row in rows)
    problems = [row for row in rows if row.get("status") in ("failed", "ungradable", None)]
    by_time = sorted(graded, key=lambda row: -float(row.get("seconds") or 0.0))[:SLOWEST]
    return {
        "assignment": ", ".join(sorted({row["assignment"] for row in rows})) or spec.name,
        "students": len(rows),
        "statuses": dict(statuses),
        "mean": sum(scores) / len(scores) if scores else 0.0,
        "max_score": spec.max_score,
        "histogram": _histogram(scores, spec.max_score) if scores else None,
        "functions": _functions(graded, spec),
        "mistakes": _mistakes(graded),
        "slowest": by_time,
        "problems": problems,
        "rows": rows,
        "links": {row["student"]: row["link"] for row in rows if row["link"]},
        "adjustments": list(adjustments),
    }


def render_dashboard(context: dict[str, Any]) -> str:
    """The page; it loads nothing, and its Content-Security-Policy allows only its own style
    sheet and ``data:`` images (the histogram), so a link made from a name cannot run."""
    import jinja2

    from grader.reports import content_security_policy

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("grader.batch", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    page = environment.get_template("dashboard.html.j2")
    return page.render(**context, style=STYLE, policy=content_security_policy(STYLE))


def write_dashboard(
    gradebook: Path, page: Path, *, feedback_dir: Path | None = None, spec: AssignmentSpec = SPEC
) -> int:
    """Write the dashboard of ``gradebook`` to ``page``; returns the number of students."""
    from grader.batch._export import write_atomic

    with Gradebook.for_reading(gradebook) as book:
        rows, standing = book.latest(), standing_adjustments(book.db)
    context = dashboard_context(
        rows, page=page, feedback_dir=feedback_dir, spec=spec, adjustments=standing
    )
    html = render_dashboard(context)
    write_atomic(page, lambda handle: handle.write(html))
    return len(rows)
