"""Step 4 of grading: check each graded function against the reference, properties and outcome.

``grade_functions(spec, program)`` is the one grading loop (``grade_function`` for one function);
``build_feedback`` gathers what the feedback page draws. Checks are pure functions from call
results to ``CheckResult`` values; a student's mistake is data, a bug of the grader raises.
"""

from grader.checks._exact import Difference, check_exact, compare_params, structure_difference
from grader.checks._feedback import FunctionFeedback, build_feedback, effective_std
from grader.checks._loop import (
    GradedFunction,
    expected_params,
    grade_function,
    grade_functions,
    grade_ran,
    missing_function,
    outcome_starts,
)
from grader.checks._outcome import check_outcome
from grader.checks._properties import check_properties
from grader.checks._schedule import function_schedule
from grader.checks._template import UNFILLED_ID, unfilled_result
from grader.checks._training import (
    STACK_SIZE,
    ManyTrainer,
    Outcome,
    OutcomeCache,
    Trainer,
    calibrate,
    default_cache,
    params_digest,
    reference_many_trainer,
    reference_trainer,
    seeded_start,
    train_outcome,
    train_outcomes,
)
from grader.sandbox import CallLog  # the log the in-process path runs calls through
from grader.types import FUNCTION_BUDGET_CALLS

__all__ = [
    "FUNCTION_BUDGET_CALLS",
    "STACK_SIZE",
    "UNFILLED_ID",
    "CallLog",
    "Difference",
    "FunctionFeedback",
    "GradedFunction",
    "ManyTrainer",
    "Outcome",
    "OutcomeCache",
    "Trainer",
    "build_feedback",
    "calibrate",
    "check_exact",
    "check_outcome",
    "check_properties",
    "compare_params",
    "default_cache",
    "effective_std",
    "expected_params",
    "function_schedule",
    "grade_function",
    "grade_functions",
    "grade_ran",
    "missing_function",
    "outcome_starts",
    "params_digest",
    "reference_many_trainer",
    "reference_trainer",
    "seeded_start",
    "structure_difference",
    "train_outcome",
    "train_outcomes",
    "unfilled_result",
]
