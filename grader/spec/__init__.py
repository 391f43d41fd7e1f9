"""What is graded: the spec model and the initialization assignment declared with it.

``SPEC`` is the assignment's spec; ``grader.spec.initialization`` holds its data and
``grader.spec._model`` the types and the grading policy they share; ``spec_digest`` says whether
two specs grade alike.
"""

from grader.spec._digest import spec_digest
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
from grader.spec.initialization import (
    ASSIGNMENT_DIR,
    ASSIGNMENT_NAME,
    GRADED_FUNCTIONS,
    HELPER_MODULES,
    HIDDEN_CASES,
    SPEC,
)

__all__ = [
    "ASSIGNMENT_DIR",
    "ASSIGNMENT_NAME",
    "BASE_PRESEED",
    "EXACT_ATOL",
    "EXACT_RTOL",
    "FLOAT64",
    "GRADED_FUNCTIONS",
    "HELPER_MODULES",
    "HIDDEN_CASES",
    "HIDDEN_VISIBILITY",
    "INPUT_UNCHANGED",
    "KEYS_AND_SHAPES",
    "OTHER_PRESEED",
    "OUTCOME",
    "OUTCOME_DIMS",
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
    "CheckSlot",
    "ExactCase",
    "FunctionSpec",
    "Probe",
    "expected_keys",
    "expected_shapes",
    "spec_digest",
]
