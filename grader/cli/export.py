"""``initgrade export``: the gradebook as one row per student, in CSV and/or JSON, in the
course's own layout or an LMS's (Canvas, Moodle, Blackboard), with a late policy applied."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.cli._options import add_choice_options, add_late_options, choice, late_policy
from grader.errors import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    export = commands.add_parser(
        name,
        help="write one row per student (the submission that counts) as CSV and/or JSON, or in "
        "an LMS's grade-import layout",
    )
    export.add_argument(
        "--gradebook", type=Path, required=True, metavar="PATH", help="the batch's gradebook"
    )
    export.add_argument("--csv", type=Path, metavar="PATH", help="write the rows as CSV")
    # not ``args.json_path``: that name is the Gradescope report the last-resort handler writes
    export.add_argument(
        "--json", dest="json_path", type=Path, metavar="PATH", help="write the rows as JSON"
    )
    export.add_argument(
        "--format",
        choices=("csv", "canvas", "moodle", "blackboard"),
        default="csv",
        help="the layout of --csv: initgrade's own (csv, the default) or an LMS's grade import",
    )
    export.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="for an LMS layout: each student's course id beside the LMS's identity columns",
    )
    export.add_argument(
        "--roster-key",
        default="student",
        metavar="COLUMN",
        help="the roster's column holding the course's student ids (default: student)",
    )
    export.add_argument(
        "--title", metavar="TEXT", help="the LMS grade column's title (default: the assignment)"
    )
    export.add_argument(
        "--lms-column",
        metavar="ID",
        help="the LMS's id of that column (Canvas assignment id, Blackboard column id)",
    )
    export.add_argument(
        "--feedback-dir", type=Path, metavar="DIR", help="the feedback pages the batch wrote"
    )
    export.add_argument(
        "--bundle",
        type=Path,
        metavar="DIR",
        help="write each student's feedback page to DIR/<LMS id>/feedback.html",
    )
    add_choice_options(export)
    add_late_options(export)


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.batch import read_rows

    if args.csv is None and args.json_path is None:
        print(msg.EXPORT_NO_TARGET, file=err)
        return EXIT_USAGE
    needs_roster = args.format != "csv" or args.bundle is not None
    if needs_roster and args.roster is None:
        print(msg.EXPORT_NEEDS_ROSTER.format(format=args.format), file=err)
        return EXIT_USAGE
    if args.bundle is not None and args.feedback_dir is None:
        print(msg.EXPORT_BUNDLE_NEEDS, file=err)
        return EXIT_USAGE
    policy = late_policy(args)
    rows = read_rows(args.gradebook, choice=choice(args), policy=policy)
    _warn(rows, policy is not None, err)
    try:
        _write(args, rows, out, err)
    except OSError as error:
        target = args.csv if args.csv is not None else args.json_path
        print(msg.REPORT_CANNOT_WRITE.format(what="the export", path=target, error=error), file=err)
        return EXIT_USAGE
    return EXIT_OK


def _warn(rows: list[dict[str, Any]], late: bool, err: TextIO) -> None:
    """Totals capped at the maximum, and received times that look like a copy's."""
    from grader.batch import copied_times, over_maximum

    for row in rows:
        total = over_maximum(row)
        if total is not None:
            print(
                msg.EXPORT_CAPPED.format(
                    student=row["student"], total=total, max_score=row["max_score"]
                ),
                file=err,
            )
    why = copied_times(rows) if late else None
    if why is not None:
        print(msg.LATE_TIMES_COPIED.format(why=why), file=err)


def _write(args: argparse.Namespace, rows: list[dict[str, Any]], out: TextIO, err: TextIO) -> None:
    from grader.batch import LmsExport, export_lms, write_rows
    from grader.spec import SPEC

    plain_csv = args.csv if args.format == "csv" else None
    write_rows(rows, csv_path=plain_csv, json_path=args.json_path)
    for path in (plain_csv, args.json_path):
        if path is not None:
            print(msg.EXPORT_WROTE.format(rows=len(rows), path=path), file=out)
    if args.roster is None:
        return
    request = LmsExport(
        args.format, args.roster, args.roster_key, args.title, args.lms_column,
        args.feedback_dir, args.bundle,
    )  # fmt: skip
    written = export_lms(rows, request, args.csv if plain_csv is None else None, SPEC.max_score)
    if plain_csv is None and args.csv is not None:
        print(msg.EXPORT_WROTE.format(rows=written.rows, path=args.csv), file=out)
    if written.missing:
        shown = ", ".join(written.missing[:10]) + (" ..." if len(written.missing) > 10 else "")
        print(msg.EXPORT_NOT_IN_ROSTER.format(count=len(written.missing), students=shown), file=err)
    if written.bundled is not None:
        print(msg.EXPORT_BUNDLE.format(count=written.bundled, path=args.bundle), file=out)
