"""Grading a whole course: a batch of submissions into a gradebook, and what is read from it.

``run_batch(source, gradebook, options)`` finds the submissions (a folder of notebooks, an
nbgrader tree, a Gradescope export, or a zip of one), grades those the gradebook does not
already hold over local worker processes or a Dask cluster, and commits each result as it
arrives; with ``BatchOptions(train_first=True)`` it first trains every outcome the course needs
in stacked runs over the same executor (``grader.batch._stacked``). ``export_grades`` writes
one row per student (the submission that counts, ``grader.batch._counting``, with staff
adjustments and a late policy applied), ``export_lms`` the same in Canvas's, Moodle's or
Blackboard's import layout; ``adjust`` records a staff adjustment; ``write_dashboard`` the staff's
HTML page; ``build_bundle`` and
``run_autograder`` are the Gradescope autograder.
"""

from grader.batch._adjust import adjust, describe_adjustment, list_adjustments, withdraw
from grader.batch._autograder import grade_folder, run_autograder
from grader.batch._bundle import build_bundle, fallback_results
from grader.batch._counting import RULES, Choice, counting
from grader.batch._dashboard import dashboard_context, render_dashboard, write_dashboard
from grader.batch._executors import DaskExecutor, LocalExecutor, Outcome
from grader.batch._export import (
    export_grades,
    export_rows,
    over_maximum,
    read_rows,
    write_rows,
)
from grader.batch._gradebook import Gradebook, GradeRow
from grader.batch._late import LatePolicy, copied_times, parse_moment, read_extensions
from grader.batch._layout import Discovery, Found, Skipped, discover
from grader.batch._lms import FORMATS, LmsExport, export_lms
from grader.batch._run import (
    DEFAULT_TASK_SECONDS,
    BatchOptions,
    BatchSummary,
    default_workers,
    feedback_name,
    run_batch,
)
from grader.batch._sources import FolderTree, Tree, ZipTree, open_tree
from grader.batch._task import GradeTask, grade_task, grader_version

__all__ = [
    "DEFAULT_TASK_SECONDS",
    "FORMATS",
    "RULES",
    "BatchOptions",
    "BatchSummary",
    "Choice",
    "DaskExecutor",
    "Discovery",
    "FolderTree",
    "Found",
    "GradeRow",
    "GradeTask",
    "Gradebook",
    "LatePolicy",
    "LmsExport",
    "LocalExecutor",
    "Outcome",
    "Skipped",
    "Tree",
    "ZipTree",
    "adjust",
    "build_bundle",
    "copied_times",
    "counting",
    "dashboard_context",
    "default_workers",
    "describe_adjustment",
    "discover",
    "export_grades",
    "export_lms",
    "export_rows",
    "fallback_results",
    "feedback_name",
    "grade_folder",
    "grade_task",
    "grader_version",
    "list_adjustments",
    "open_tree",
    "over_maximum",
    "parse_moment",
    "read_extensions",
    "read_rows",
    "render_dashboard",
    "run_autograder",
    "run_batch",
    "withdraw",
    "write_dashboard",
    "write_rows",
]
