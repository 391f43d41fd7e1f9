"""``initgrade batch``: grade a course's submissions into a gradebook, resumably."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from grader import messages as msg
from grader.cli._options import assignment_of, megabytes, seconds
from grader.errors import EXIT_OK

if TYPE_CHECKING:
    from grader.spec import AssignmentSpec

EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def add_parser(commands: Any, name: str) -> None:
    batch = commands.add_parser(
        name, help="grade a folder, nbgrader tree or Gradescope export into a SQLite gradebook"
    )
    batch.add_argument(
        "submissions",
        type=Path,
        metavar="SUBMISSIONS",
        help="a folder of notebooks, an nbgrader tree, a Gradescope export, or a zip of one",
    )
    batch.add_argument(
        "--gradebook",
        type=Path,
        required=True,
        metavar="PATH",
        help="the SQLite gradebook (created by the first batch, read by export and report)",
    )
    batch.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: the cores)"
    )
    batch.add_argument(
        "--dask", metavar="ADDRESS", help="grade on a Dask cluster (tcp://scheduler:8786)"
    )
    batch.add_argument("--force", action="store_true", help="regrade what is already graded")
    batch.add_argument(
        "--student",
        metavar="ID",
        help="grade only this student's submissions, again even when they are graded",
    )
    batch.add_argument(
        "--feedback-dir", type=Path, metavar="DIR", help="write each student's HTML feedback page"
    )
    batch.add_argument(
        "--no-notebook-pages",
        action="store_true",
        help="with --feedback-dir, write the feedback pages without the rendered notebooks",
    )
    batch.add_argument(
        "--assignment",
        metavar="FILE|NAME",
        help="the assignment file (TOML) of a course's own term, whose name is also the nbgrader "
        "assignment graded; or the nbgrader assignment's name, when the tree has several",
    )
    batch.add_argument(
        "--timeout", type=seconds, metavar="SECONDS", help="limit for one call of a function"
    )
    batch.add_argument(
        "--memory",
        type=megabytes,
        metavar="MB",
        help="the memory a submission's processes may hold together, and each process's "
        "address space",
    )
    batch.add_argument(
        "--task-timeout",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="the most one grading may take before its process is stopped (default 600)",
    )
    batch.add_argument(
        "--train-first",
        action="store_true",
        help="first collect every outcome start and train the new ones together (a cold course)",
    )
    batch.add_argument(
        "--accept-weak-isolation",
        action="store_true",
        help="grade even where Linux user namespaces are unavailable, as initgrade grade does",
    )


def _assignment(value: str | None) -> tuple[AssignmentSpec, str | None]:
    """The model and the nbgrader assignment ``--assignment`` asks for: a TOML file is a
    course's own term (and names the nbgrader assignment); anything else is a name."""
    if value is not None and (value.endswith(".toml") or Path(value).is_file()):
        return assignment_of(Path(value)), None
    return assignment_of(None), value


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """Grade the batch; exits 0 once every submission is recorded, whatever its grade."""
    from grader.batch import DEFAULT_TASK_SECONDS, BatchOptions, run_batch

    spec, nbgrader = _assignment(args.assignment)
    options = BatchOptions(
        workers=args.workers,
        dask=args.dask,
        force=args.force,
        feedback_dir=args.feedback_dir,
        timeout=args.timeout,
        memory_mb=args.memory,
        task_seconds=args.task_timeout or DEFAULT_TASK_SECONDS,
        assignment=nbgrader,
        accept_weak_isolation=args.accept_weak_isolation,
        train_first=args.train_first,
        notebook_pages=not args.no_notebook_pages,
        student=args.student,
    )
    try:
        run_batch(args.submissions, args.gradebook, options, out=out, err=err, spec=spec)
    except KeyboardInterrupt:
        print(msg.BATCH_INTERRUPTED.format(path=args.gradebook), file=err)
        return EXIT_INTERRUPTED
    return EXIT_OK
