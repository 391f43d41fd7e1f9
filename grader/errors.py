"""The grader's own exceptions. Each that can reach the command line carries its exit code.

A student's mistake is never one of these: it is data in the report. These are for what the
person running the grader got wrong (``UsageError``), what a release of an assignment found
(``ReleaseError``), an assignment model that cannot be used (``SpecError``), what the machine
could not do (``SandboxError``) and a gradebook file that cannot be used (``GradebookError``).
Anything else that escapes is a bug of the grader; the CLI's last-resort handler turns it into
``EXIT_INTERNAL``.
"""

from __future__ import annotations

EXIT_OK = 0  # a report was produced, whatever the score
EXIT_UNGRADABLE = 1  # the submission could not be graded at all; a report says why
EXIT_USAGE = 2  # the command was used wrongly (an option, an output file that cannot be written)
EXIT_INTERNAL = 3  # the grader failed; the report files are still written


class InitgradeError(Exception):
    """Base of the grader's exceptions; ``exit_code`` is what ``initgrade`` exits with."""

    exit_code = EXIT_INTERNAL


class UsageError(InitgradeError, ValueError):
    """An option or argument the command cannot use; the message names it."""

    exit_code = EXIT_USAGE


class ReleaseError(InitgradeError):
    """The inputs of a release are missing or malformed; the message names the file."""

    exit_code = EXIT_UNGRADABLE


class SpecError(InitgradeError, ValueError):
    """An assignment model that is incomplete or inconsistent (a method without a band, a scale
    the reference does not draw, an assignment file that cannot be read); the message names the
    method or the file and what is wrong."""

    exit_code = EXIT_USAGE


class SandboxError(InitgradeError):
    """The grader could not start a worker at all (a problem of the machine, not the student)."""

    exit_code = EXIT_INTERNAL


class GradebookError(InitgradeError):
    """A gradebook file that cannot be used: foreign, damaged, newer, or in use by a batch."""

    exit_code = EXIT_USAGE
