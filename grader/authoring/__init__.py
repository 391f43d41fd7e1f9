"""Instructor tooling, not grading: the release of an assignment's student bundle, and the
outcome bands of a course's own term.

``initgrade release`` regenerates the student notebook, its helper module and its self-checks
from the solution source and reference/ (for a course's own term, rewritten for its seed,
example and methods); ``--check`` says which checked-in files are stale. ``initgrade
calibrate`` trains a term's correct starts and other seeds and writes its bands into its file.
"""

from grader.authoring._calibrate import (
    DEFAULT_SEEDS,
    Calibrated,
    bands_block,
    calibrate,
    header,
    with_bands,
    write_bands,
)
from grader.authoring._helpers import FORBIDDEN_IN_UTILS, UTILS_NAME, build_init_utils
from grader.authoring._public_tests import PUBLISHED_INPUTS, build_public_tests
from grader.authoring._release import (
    DEFAULT_ASSIGNMENT_DIR,
    STUB_NAME,
    TESTS_NAME,
    build_release,
    correct_outcome,
    run_release,
)
from grader.authoring._stub import END_MARKER, SOURCE_NAME, START_MARKER, make_stub, stub_code
from grader.authoring._variant import expected_output, variant_source

__all__ = [
    "DEFAULT_ASSIGNMENT_DIR",
    "DEFAULT_SEEDS",
    "END_MARKER",
    "FORBIDDEN_IN_UTILS",
    "PUBLISHED_INPUTS",
    "SOURCE_NAME",
    "START_MARKER",
    "STUB_NAME",
    "TESTS_NAME",
    "UTILS_NAME",
    "Calibrated",
    "bands_block",
    "build_init_utils",
    "build_public_tests",
    "build_release",
    "calibrate",
    "correct_outcome",
    "expected_output",
    "header",
    "make_stub",
    "run_release",
    "stub_code",
    "variant_source",
    "with_bands",
    "write_bands",
]
