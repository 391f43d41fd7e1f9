"""Instructor tooling, not grading: the release of an assignment's student bundle.

``initgrade release`` regenerates the student notebook, its helper module and its self-checks
from the solution source and reference/; ``--check`` says which checked-in files are stale.
"""

from grader.authoring._helpers import FORBIDDEN_IN_UTILS, UTILS_NAME, build_init_utils
from grader.authoring._public_tests import PUBLISHED_INPUTS, build_public_tests
from grader.authoring._release import (
    DEFAULT_ASSIGNMENT_DIR,
    STUB_NAME,
    TESTS_NAME,
    build_release,
    run_release,
)
from grader.authoring._stub import END_MARKER, SOURCE_NAME, START_MARKER, make_stub, stub_code

__all__ = [
    "DEFAULT_ASSIGNMENT_DIR",
    "END_MARKER",
    "FORBIDDEN_IN_UTILS",
    "PUBLISHED_INPUTS",
    "SOURCE_NAME",
    "START_MARKER",
    "STUB_NAME",
    "TESTS_NAME",
    "UTILS_NAME",
    "build_init_utils",
    "build_public_tests",
    "build_release",
    "make_stub",
    "run_release",
    "stub_code",
]
