"""``initgrade grade``: grade one notebook, write the files asked for, print the report."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from grader import messages as msg
from grader.cli._options import add_assignment_option, assignment_of, megabytes, seconds
from grader.errors import EXIT_INTERNAL, EXIT_OK, EXIT_UNGRADABLE, EXIT_USAGE
from grader.reports import render_text, write_gradescope, write_junit
from grader.reports.optional import attempt, failure_text
from grader.untrusted import safe_path

if TYPE_CHECKING:
    from grader.api import Graded


def add_parser(commands: Any, name: str) -> None:
    grade = commands.add_parser(name, help="grade one notebook and write the reports asked for")
    grade.add_argument("notebook", type=Path, metavar="NOTEBOOK", help="the student's .ipynb file")
    grade.add_argument("--json", type=Path, metavar="PATH", help="write Gradescope results.json")
    grade.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML")
    grade.add_argument("--html", type=Path, metavar="PATH", help="write an HTML feedback page")
    grade.add_argument(
        "--execute",
        action="store_true",
        help="also run the whole notebook in a sandboxed kernel (for the record; slower)",
    )
    grade.add_argument(
        "--executed", type=Path, metavar="PATH", help="with --execute, save the executed notebook"
    )
    grade.add_argument(
        "--timeout",
        type=seconds,
        metavar="SECONDS",
        help="limit for one call of a student function (default: the assignment's, 5 s)",
    )
    grade.add_argument(
        "--memory",
        type=megabytes,
        metavar="MB",
        help="the memory a submission's processes may hold together, and each process's "
        "address space",
    )
    grade.add_argument("--ascii", action="store_true", help="PASS/FAIL instead of check marks")
    add_assignment_option(grade)
    grade.add_argument(
        "--accept-weak-isolation",
        action="store_true",
        help="grade even where Linux user namespaces are unavailable (a submission could then "
        "read the answer key; see `initgrade grade --help` and the README's threat model)",
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """Grade ``args.notebook``. Exits 0 with a report, 1 when nothing could be graded, 2 for a
    usage error (an option, a file that cannot be written), 3 when the grader itself failed."""
    if args.executed is not None and not args.execute:
        print(msg.CLI_BAD_OPTION.format(error="--executed needs --execute"), file=err)
        return EXIT_USAGE
    from grader.sandbox import warm_up

    warm_up()  # the zygote boots while this process imports numpy and the grader
    from grader.api import grade_submission

    spec = assignment_of(args.assignment)
    args.results_written = False
    graded = grade_submission(
        args.notebook,
        timeout=args.timeout,
        memory_mb=args.memory,
        execute=args.execute,
        feedback=args.html is not None,
        accept_weak_isolation=args.accept_weak_isolation,
        spec=spec,
    )
    written = _write_outputs(graded, args, err)  # before printing: the files matter most
    print(render_text(graded.report, ascii_marks=args.ascii), end="", file=out)
    if graded.report.internal:
        print(msg.CLI_INTERNAL_REPORT.format(path=graded.report.submission), file=err)
        print(graded.report.internal, end="", file=err)
        return EXIT_INTERNAL
    if written is None:
        return EXIT_USAGE
    if not written:
        return EXIT_INTERNAL
    return EXIT_UNGRADABLE if graded.report.error else EXIT_OK


def _write_outputs(graded: Graded, args: argparse.Namespace, err: TextIO) -> bool | None:
    """Write every requested file; say which could not be written (and go on with the rest).
    ``results.json`` comes first and, written, is final (``args.results_written``): an extra
    that fails later (JUnit, the page, the executed notebook) is that extra's failure, said
    here, and the last-resort handler leaves the file be. None when a file could not be
    written, False when an extra failed in the grader's own code."""
    ok: bool | None = True
    for what, path in (
        ("results.json", args.json),
        ("JUnit XML", args.junit),
        ("HTML feedback", args.html),
        ("executed notebook", args.executed),
    ):
        if path is None:
            continue
        write = functools.partial(_write, what, graded, path, args, err)
        try:  # results.json's own failure goes to the last-resort handler, which writes one
            failure = attempt(write) if what != "results.json" else write()
        except OSError as error:
            shown = safe_path(path)
            print(msg.CLI_CANNOT_WRITE.format(what=what, path=shown, error=error), file=err)
            ok = None
            continue
        args.results_written = args.results_written or what == "results.json"
        if failure is not None:
            print(msg.CLI_OUTPUT_FAILED.format(what=what, path=safe_path(path)), file=err)
            print(failure, end="", file=err)
            ok = False if ok else ok
    return ok


def _write_pages(graded: Graded, args: argparse.Namespace, path: Path, err: TextIO) -> None:
    """The feedback page, and beside it the notebook rendered (as executed with --execute)."""
    from grader.reports.html import write_html
    from grader.reports.notebook import notebook_path, render_notebook

    beside = notebook_path(path)
    try:
        write_html(
            graded.report, path, feedback=graded.feedback, notebook=beside.name, cells=graded.cells
        )
        failure = graded.failures.get("feedback plots")
    except OSError:
        raise
    except Exception:  # the plots, drawn from a student's numbers: the page goes without them
        failure = failure_text()
        write_html(graded.report, path, notebook=beside.name, cells=graded.cells)
    if failure is not None:
        print(msg.CLI_PLOTS_FAILED.format(path=safe_path(path), error=failure), file=err)
    executed = graded.executed is not None
    source: object = graded.executed if executed else _submitted(args.notebook, graded)
    title = Path(graded.report.submission).name
    if isinstance(source, str):  # why the submitted file cannot be shown
        from grader.reports.notebook import failure_page

        page = failure_page(title, path.name, source)
    else:
        page = render_notebook(
            source,  # type: ignore[arg-type]
            title=title, graded=graded.cells, feedback_href=path.name, executed=executed,
        )  # fmt: skip
    beside.write_text(page.html, encoding="utf-8")
    if page.error is not None:
        print(msg.NOTEBOOK_PAGE_FAILED.format(path=beside, reason=page.error), file=err)


def _submitted(notebook: Path, graded: Graded) -> bytes | str:
    """The file's bytes when they are still those graded, else why not."""
    import hashlib

    from grader.notebook import DEFAULT_MAX_BYTES

    try:
        with notebook.open("rb") as handle:
            data = handle.read(DEFAULT_MAX_BYTES + 1)
    except OSError as error:
        return str(error.strerror or error)
    if len(data) > DEFAULT_MAX_BYTES:
        return msg.NOTEBOOK_PAGE_TOO_BIG.format(most=DEFAULT_MAX_BYTES // (1024 * 1024))
    if hashlib.sha256(data).hexdigest() != graded.report.sha256:
        return msg.NOTEBOOK_PAGE_CHANGED
    return data


def _write(what: str, graded: Graded, path: Path, args: argparse.Namespace, err: TextIO) -> None:
    if what == "results.json":
        write_gradescope(graded.report, path)
    elif what == "JUnit XML":
        write_junit(graded.report, path)
    elif what == "HTML feedback":
        _write_pages(graded, args, path, err)
    elif graded.executed is not None:
        import nbformat

        nbformat.write(graded.executed, str(path))
