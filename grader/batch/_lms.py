"""Grades in the layout an LMS imports, matched to its students through a roster, and a folder of
feedback per student named by the LMS's id.

The roster is a CSV the course keeps (or the LMS's own grade export): one row per student, a
column holding the course's student id (``student`` unless told otherwise) and the LMS's
identity columns under the LMS's own names. Each layout copies those columns, in the LMS's
order, and adds the grade:

- Canvas (gradebook import): ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``,
  then the assignment's column, ``Title (assignment id)`` when the id is given, and a ``Points
  Possible`` row first. A student is matched by ``ID``, ``SIS User ID`` or ``SIS Login ID``.
- Moodle (grade import, CSV): ``First name``, ``Last name``, ``ID number``, ``Email address``,
  ``Username``, the grade, and ``Feedback``; the import maps one identity column and the grade.
- Blackboard (Grade Center upload): ``Last Name``, ``First Name``, ``Username``, ``Student ID``
  and ``Title [Total Pts: N Score] |column id``; ``Username`` identifies the student, a column
  without an id becomes a new column, and every cell is quoted.

A roster that is the LMS's own export keeps its non-student rows (Canvas's ``Points Possible``)
out of the students: the layout writes its own. A blank grade leaves the LMS's grade as it is.
Roster students without a submission get a blank; graded students missing from the roster are
returned so the caller can list them. The bundle copies the pages a feedback page links to.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from grader import messages as msg
from grader.errors import UsageError
from grader.untrusted import relative_link


@dataclass(frozen=True)
class Layout:
    name: str
    identity: tuple[str, ...]  # roster columns copied in front, in the LMS's order
    matched_by: tuple[str, ...]  # a student needs one of these; the first one names the folder
    quote_all: bool = False


LAYOUTS = {
    "canvas": Layout(
        "canvas",
        ("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
        ("SIS Login ID", "SIS User ID", "ID"),
    ),
    "moodle": Layout(
        "moodle",
        ("First name", "Last name", "ID number", "Email address", "Username"),
        ("ID number", "Username", "Email address"),
    ),
    "blackboard": Layout(
        "blackboard",
        ("Last Name", "First Name", "Username", "Student ID"),
        ("Username",),
        quote_all=True,
    ),
}
FORMATS = ("csv", *LAYOUTS)
# The first cell of the rows an LMS's own gradebook export holds besides its students.
NOT_STUDENTS = frozenset({"points possible"})


@dataclass(frozen=True)
class Roster:
    key: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    def lms_id(self, row: dict[str, str], layout: Layout) -> str:
        return next((row[c] for c in layout.matched_by if row.get(c)), "")


def read_roster(path: Path, key: str, layout: Layout) -> Roster:
    """The roster's rows; a clear ``UsageError`` for a file this layout cannot use."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = tuple({k: (v or "").strip() for k, v in row.items() if k} for row in reader)
            columns = tuple(reader.fieldnames or ())
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UsageError(msg.ROSTER_UNREADABLE.format(path=path, error=error)) from None
    if key not in columns:
        raise UsageError(msg.ROSTER_NO_KEY.format(path=path, key=key, columns=_list(columns)))
    if not set(layout.matched_by) & set(columns):
        raise UsageError(
            msg.ROSTER_NO_IDENTITY.format(
                path=path, lms=layout.name, wanted=_list(layout.matched_by), columns=_list(columns)
            )
        )
    return Roster(key, columns, tuple(row for row in rows if _is_student(row, key, layout)))


def _is_student(row: dict[str, str], key: str, layout: Layout) -> bool:
    """False for the rows an LMS's own export puts among its students (Canvas's ``Points
    Possible`` row) and for rows naming nobody: the layout writes its own such rows."""
    first = next(iter(row.values()), "")
    if first.casefold() in NOT_STUDENTS:
        return False
    return bool(row.get(key) or any(row.get(column) for column in layout.matched_by))


def _list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names) or "none"


def grade_column(layout: Layout, title: str, column_id: str | None, max_score: float) -> str:
    if layout.name == "canvas":
        return f"{title} ({column_id})" if column_id else title
    if layout.name == "blackboard":
        column = f"{title} [Total Pts: {max_score:g} Score]"
        return f"{column} |{column_id}" if column_id else column
    return title


def lms_rows(
    rows: Sequence[dict[str, Any]], roster: Roster, layout: Layout, grade: str, max_score: float
) -> tuple[list[list[str]], list[str]]:
    """The CSV's rows (header first) and the graded students the roster lacks."""
    by_student = {str(row["student"]): row for row in rows}
    extra = ["Feedback"] if layout.name == "moodle" else []
    table = [[*layout.identity, grade, *extra]]
    if layout.name == "canvas":
        table.append(["Points Possible", *[""] * (len(layout.identity) - 1), f"{max_score:g}"])
    for person in roster.rows:
        row = by_student.get(person.get(roster.key, ""))
        total = "" if row is None or row["total"] is None else f"{row['total']:g}"
        note = [feedback_note(row) if row else ""] if extra else []
        table.append([*(person.get(c, "") for c in layout.identity), total, *note])
    listed = {person.get(roster.key, "") for person in roster.rows}
    return table, sorted(student for student in by_student if student not in listed)


def feedback_note(row: dict[str, Any]) -> str:
    """The adjustments' comments and the late penalty, for an LMS's feedback column."""
    notes = [row.get("comments") or ""]
    if row.get("late_penalty"):
        notes.append(msg.FEEDBACK_LATE.format(late_by=row["late_by"], points=row["late_penalty"]))
    return "; ".join(note for note in notes if note)


def write_table(table: list[list[str]], handle: IO[str], layout: Layout, cell: Any) -> None:
    if layout.quote_all:  # Blackboard asks for every cell in quotes
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(handle, lineterminator="\n")
    for row in table:
        writer.writerow([cell(value) for value in row])


def safe_folder(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", name).strip("._")[:80] or "student"


def write_bundle(
    rows: Sequence[dict[str, Any]],
    roster: Roster,
    layout: Layout,
    pages: Path,
    out: Path,
) -> int:
    """``out/<LMS id>/feedback.html`` for every roster student with a feedback page in
    ``pages``, with the adjustments and late penalty shown at its top, and the pages it links
    to (the student's notebook page) beside it; returns how many."""
    by_student = {str(row["student"]): row for row in rows}
    written = 0
    for person in roster.rows:
        row, lms_id = by_student.get(person.get(roster.key, "")), roster.lms_id(person, layout)
        page = pages / str(row.get("feedback") or "") if row else None
        if row is None or not lms_id or page is None or not page.is_file():
            continue
        folder = out / safe_folder(lms_id)
        folder.mkdir(parents=True, exist_ok=True)
        text = page.read_text(encoding="utf-8")
        for name in linked_pages(text, pages):
            linked = (pages / name).read_text(encoding="utf-8")  # its way back is renamed too
            for back, renamed in _back_links(page.name):
                linked = linked.replace(back, renamed)
            (folder / name).write_text(linked, "utf-8")
        (folder / "feedback.html").write_text(with_notes(text, row), encoding="utf-8")
        written += 1
    return written


def linked_pages(page: str, pages: Path) -> list[str]:
    """The files in ``pages`` the page links to by a bare relative name (its notebook page):
    the bundle copies them beside it so no link of the student's folder is broken."""
    found = re.findall(r'href="(?:\./)?([^"#:/?\\]+)[#"]', page)
    names = {unquote(html.unescape(name)) for name in found} - {".", ".."}
    return sorted(n for n in names if not re.search(r"[/\\]", n) and (pages / n).is_file())


def _back_links(name: str) -> list[tuple[str, str]]:
    """A link to the page ``name`` as the pages write it (``relative_link``, or a bare name as
    pages written before did), and the same link to ``feedback.html``."""
    return [
        (f'href="{relative_link(name)}', 'href="./feedback.html'),
        (f'href="{html.escape(name)}', 'href="feedback.html'),
    ]


def with_notes(page: str, row: dict[str, Any]) -> str:
    """The page with a short section on what staff changed after grading, when anything did."""
    notes = [f"{a['points']:+g} points: {a['comment']}" for a in row.get("adjusted") or []]
    if row.get("late_penalty"):
        notes.append(msg.FEEDBACK_LATE.format(late_by=row["late_by"], points=row["late_penalty"]))
    if not notes:
        return page
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    total = html.escape(f"{row['total']:g} / {row['max_score']:g}")
    section = (
        f'<section class="staff-notes"><h2>{html.escape(msg.FEEDBACK_NOTES_TITLE)}</h2>'
        f"<ul>{items}</ul><p>{html.escape(msg.FEEDBACK_NOTES_TOTAL)} {total}</p></section>"
    )
    found = re.search(r"<body[^>]*>", page)
    return page[: found.end()] + section + page[found.end() :] if found else section + page


@dataclass(frozen=True)
class LmsExport:
    """What an LMS export writes: the layout, the roster, the column, and the bundle."""

    format: str
    roster: Path
    roster_key: str = "student"
    title: str | None = None  # the grade column's title; the assignment's name by default
    column_id: str | None = None  # the LMS's id of that column, when it has one
    feedback_dir: Path | None = None  # the batch's feedback pages ...
    bundle: Path | None = None  # ... copied here, one folder per student


@dataclass(frozen=True)
class LmsWritten:
    rows: int
    missing: list[str]
    bundled: int | None


def export_lms(
    rows: Sequence[dict[str, Any]], request: LmsExport, csv_path: Path | None, max_score: float
) -> LmsWritten:
    """Write the LMS's CSV (unless ``csv_path`` is None) and the bundle for the export's
    ``rows``. With the course's own layout (``csv``), the bundle's folders are named by the
    roster's key column."""
    from grader.batch._export import cell, write_atomic

    layout = LAYOUTS.get(request.format) or Layout("csv", (), (request.roster_key,))
    roster = read_roster(request.roster, request.roster_key, layout)
    title = request.title or (str(rows[0]["assignment"]) if rows else "initgrade")
    column = grade_column(layout, title, request.column_id, max_score)
    table, missing = lms_rows(rows, roster, layout, column, max_score)
    if csv_path is not None:
        write_atomic(csv_path, lambda handle: write_table(table, handle, layout, cell))
    bundled = None
    if request.bundle is not None and request.feedback_dir is not None:
        bundled = write_bundle(rows, roster, layout, request.feedback_dir, request.bundle)
    return LmsWritten(len(roster.rows), missing, bundled)
