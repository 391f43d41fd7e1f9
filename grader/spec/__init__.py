"""What is graded: the one model of the assignment, and the course's assignment declared with it.

``SPEC`` is the course's assignment; ``grader.spec.initialization`` holds its exercise record and
the catalogue of method records (``METHODS``), ``grader.spec._model`` the types and the grading
policy they share. ``spec_digest`` is the digest of a whole model, part of every grade's key and
named in every report.
"""

from grader.spec._digest import spec_digest
from grader.spec._exercise import Exercise, Policy
from grader.spec._method import Band, WrongScale, check_method, check_reference
from grader.spec._model import (
    BASE_PRESEED,
    EXACT_ATOL,
    EXACT_RTOL,
    FLOAT64,
    HIDDEN_VISIBILITY,
    INPUT_UNCHANGED,
    KEYS_AND_SHAPES,
    OTHER_PRESEED,
    OUTCOME,
    OUTCOME_DIMS,
    POLICY,
    PROPERTY_CALL_BUDGET,
    PROPERTY_EXAMPLES,
    PROPERTY_POINTS,
    PROPERTY_SEED,
    REPRODUCIBLE,
    SCALE_PROBE_DIMS,
    WEIGHT_SCALE,
    ZERO_BIASES,
    AssignmentSpec,
    CheckSlot,
    ExactCase,
    FunctionSpec,
    Probe,
    expected_keys,
    expected_shapes,
)
from grader.spec._scale import Scale, ScaleError
from grader.spec.initialization import (
    ASSIGNMENT_DIR,
    ASSIGNMENT_NAME,
    EXERCISE,
    GRADED_FUNCTIONS,
    HELPER_MODULES,
    HIDDEN_CASES,
    METHODS,
    SPEC,
)

__all__ = [
    "ASSIGNMENT_DIR",
    "ASSIGNMENT_NAME",
    "BASE_PRESEED",
    "EXACT_ATOL",
    "EXACT_RTOL",
    "EXERCISE",
    "FLOAT64",
    "GRADED_FUNCTIONS",
    "HELPER_MODULES",
    "HIDDEN_CASES",
    "HIDDEN_VISIBILITY",
    "INPUT_UNCHANGED",
    "KEYS_AND_SHAPES",
    "METHODS",
    "OTHER_PRESEED",
    "OUTCOME",
    "OUTCOME_DIMS",
    "POLICY",
    "PROPERTY_CALL_BUDGET",
    "PROPERTY_EXAMPLES",
    "PROPERTY_POINTS",
    "PROPERTY_SEED",
    "REPRODUCIBLE",
    "SCALE_PROBE_DIMS",
    "SPEC",
    "WEIGHT_SCALE",
    "ZERO_BIASES",
    "AssignmentSpec",
    "Band",
    "CheckSlot",
    "ExactCase",
    "Exercise",
    "FunctionSpec",
    "Policy",
    "Probe",
    "Scale",
    "ScaleError",
    "WrongScale",
    "check_method",
    "check_reference",
    "expected_keys",
    "expected_shapes",
    "spec_digest",
]
