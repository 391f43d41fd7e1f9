"""The ``initgrade`` command: a thin shell over the API; ``main(argv)`` returns the exit code.

One subcommand per module (``grade``, ``demo``, ``release``, ``calibrate``, ``mutants``,
``batch``, ``export``, ``adjust``, ``report``, ``gradescope-bundle``, ``experiment``). Exit codes
are those of ``grader.errors``; anything the grader did not foresee ends in the last-resort
handler, which prints the traceback, writes the requested ``results.json`` all the same, and
exits ``EXIT_INTERNAL``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from grader.cli import (
    adjust,
    batch,
    calibrate,
    demo,
    experiment,
    export,
    grade,
    gradescope_bundle,
    mutants,
    release,
    report,
)
from grader.cli._last_resort import internal_error
from grader.errors import EXIT_INTERNAL, EXIT_OK, EXIT_UNGRADABLE, EXIT_USAGE, InitgradeError
from grader.locations import cache_root

__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_UNGRADABLE", "EXIT_USAGE", "main"]

COMMANDS = {
    "demo": demo,
    "grade": grade,
    "release": release,
    "calibrate": calibrate,
    "mutants": mutants,
    "batch": batch,
    "export": export,
    "adjust": adjust,
    "report": report,
    "gradescope-bundle": gradescope_bundle,
    "experiment": experiment,
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="initgrade",
        description="Reference, assignment and isolated autograder for weight initialization.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        module.add_parser(commands, name)
    return parser


def _keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis caches what it reads of source files under ``./.hypothesis`` by default; grading
    writes nothing but the files asked for, so that cache goes to initgrade's own."""
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(cache_root() / "hypothesis"))


def main(argv: Sequence[str] | None = None) -> int:
    _keep_hypothesis_out_of_the_working_directory()
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on usage errors, 0 on --help
        return int(stop.code or 0)
    try:
        code: int = COMMANDS[args.command].run(args, out=sys.stdout, err=sys.stderr)
    except InitgradeError as error:
        print(f"initgrade {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # the reader of our output went away (``| head``): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit does not fail again
        return EXIT_OK
    except Exception as error:  # a bug of the grader: say so, and still leave a report behind
        return internal_error(args, error, err=sys.stderr)
    return code
