"""The CLI's last resort: an exception nobody foresaw still ends with a report on disk.

On Gradescope a missing ``results.json`` is the worst outcome there is, so when ``--json`` was
asked for and the normal path did not get to write it, this writes one (one the normal path has
written is final, ``args.results_written``, and is never replaced): every point lost with
the grader's failure named, and the traceback only where course staff look (a hidden test and
``extra_data``). It uses nothing of the grader but the standard library, and escapes every
non-ASCII character, so that whatever broke the normal path cannot break this one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any, TextIO

from grader import messages as msg
from grader.errors import EXIT_INTERNAL
from grader.locations import new_file_mode


def internal_error(args: argparse.Namespace, error: BaseException, *, err: TextIO) -> int:
    """Say what failed on stderr, write the emergency ``results.json`` if one was asked for."""
    text = "".join(traceback.format_exception(error))
    with contextlib.suppress(Exception):  # stderr itself may be what failed
        err.write(msg.CLI_INTERNAL.format(error=type(error).__name__) + "\n")
        err.write(text.encode("ascii", "backslashreplace").decode("ascii"))
    target = getattr(args, "json", None)
    if isinstance(target, Path) and not getattr(args, "results_written", False):
        with contextlib.suppress(OSError):
            write_emergency_results(target, str(getattr(args, "notebook", "")), text)
    return EXIT_INTERNAL


def emergency_results(submission: str, internal: str) -> dict[str, Any]:
    """A ``results.json`` object for a grading that failed: 0 points, the failure named."""
    return {
        "score": 0.0,
        "output": f"Your submission could not be graded: {msg.GRADER_FAILED}",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": "autograder",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": msg.GRADER_FAILED,
                "output_format": "text",
                "visibility": "visible",
            },
            {
                "name": "autograder internal error (course staff only)",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": internal,
                "output_format": "text",
                "visibility": "hidden",
            },
        ],
        "extra_data": {
            "submission": submission,
            "error": msg.GRADER_FAILED,
            "internal_error": internal,
        },
    }


def write_emergency_results(path: Path, submission: str, internal: str) -> None:
    """Write the emergency report atomically, as pure ASCII JSON."""
    data = json.dumps(emergency_results(submission, internal), indent=2, ensure_ascii=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    os.fchmod(fd, new_file_mode())
    with os.fdopen(fd, "w", encoding="ascii", errors="backslashreplace") as handle:
        handle.write(data + "\n")
    os.replace(tmp, path)
