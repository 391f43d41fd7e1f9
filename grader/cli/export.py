"""``initgrade export``: the gradebook as one row per student, in CSV and/or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.errors import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any, name: str) -> None:
    export = commands.add_parser(
        name, help="write one row per student (latest submission) as CSV and/or JSON"
    )
    export.add_argument("--gradebook", type=Path, required=True, metavar="PATH")
    export.add_argument("--csv", type=Path, metavar="PATH", help="write the rows as CSV")
    # not ``args.json_path``: that name is the Gradescope report the last-resort handler writes
    export.add_argument(
        "--json", dest="json_path", type=Path, metavar="PATH", help="write the rows as JSON"
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from grader.batch import export_grades

    if args.csv is None and args.json_path is None:
        print(msg.EXPORT_NO_TARGET, file=err)
        return EXIT_USAGE
    try:
        rows = export_grades(args.gradebook, csv_path=args.csv, json_path=args.json_path)
    except OSError as error:
        target = args.csv if args.csv is not None else args.json_path
        print(msg.REPORT_CANNOT_WRITE.format(what="the export", path=target, error=error), file=err)
        return EXIT_USAGE
    for path in (args.csv, args.json_path):
        if path is not None:
            print(msg.EXPORT_WROTE.format(rows=rows, path=path), file=out)
    return EXIT_OK
