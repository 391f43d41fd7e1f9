"""The grading spec of the initialization assignment: what is checked, for what points, shown when.

Everything a grader run needs to know about the assignment lives here as data; the check functions
(``grader.checks``, ``grader.properties``, ``grader.outcome``) take an entry of this spec and a
student's call results and know nothing else about the assignment.

Each graded function is worth 10 points:

- 2 for the visible seeded case(s) printed in the notebook,
- 2 for four hidden cases on other ``layers_dims`` (deep, wide, one layer, a 1-unit layer): a
  solution written for the notebook's example alone earns nothing there,
- 4 for properties checked on generated ``layers_dims`` (keys and shapes 1, zero biases 0.5,
  ``layers_dims`` left alone 0.5, reproducible 1, weight scale 1),
- 2 for the outcome: the reference model trained from the student's initialization lands in the
  accuracy band of the method.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.results import CheckResult, Visibility
from grader.types import Limits

ASSIGNMENT_NAME = "initialization"
ASSIGNMENT_DIR = Path(__file__).resolve().parents[2] / "assignments" / "initialization"
HELPER_MODULES: tuple[str, ...] = ("init_utils", "public_tests")

# Exact comparison with the reference. A correct answer draws the same float64 numbers and
# multiplies by the same scale; only the order of operations differs (np.sqrt(2 / n) against
# np.sqrt(2) / np.sqrt(n)), a few ulp, ~1e-16 relative. rtol 1e-7 leaves nine orders of magnitude
# for that and even tolerates float32 rounding (6e-8 relative), while the smallest real mistake
# (Xavier's factor 0.707) is off by 30%. atol 1e-8 admits the notebook's printed values (8
# decimals, so up to 5e-9 off) for small weights, and lets a value that should be 0 be 1e-8 away.
EXACT_RTOL = 1e-7
EXACT_ATOL = 1e-8

# Every grading call seeds the global generator first, so a submission that forgets
# np.random.seed(3) still gets the same report on every regrade. BASE_PRESEED is used for the
# main calls, OTHER_PRESEED for a second call that must give the same answer. Neither is 3, and
# both lie outside the range 0..100 that the diagnosis searches for a wrong seed.
BASE_PRESEED = 1_000_003
OTHER_PRESEED = 12_345

PROPERTY_EXAMPLES = 30  # generated layers_dims per function
PROPERTY_CALL_BUDGET = 120  # hard cap on calls the properties may make for one function

OUTCOME_DIMS: tuple[int, ...] = (2, 10, 5, 1)
SCALE_PROBE_DIMS: tuple[int, ...] = (
    60,
    200,
    1,
)  # 12,000 + 200 weights; fan-in differs from fan-out

HIDDEN_VISIBILITY: Visibility = "after_due_date"


def weight_std(method: str, fan_in: int) -> float:
    """The standard deviation a method draws a layer's weights with (0 for zeros)."""
    if method == "zeros":
        return 0.0
    if method == "random":
        return 10.0
    if method == "he":
        return float(np.sqrt(2.0 / fan_in))
    if method == "xavier":
        return float(np.sqrt(1.0 / fan_in))
    raise ValueError(f"unknown method {method!r}")


# Property check names, in report order, with their points.
KEYS_AND_SHAPES = "keys and shapes on generated layers_dims"
ZERO_BIASES = "biases are zero"
INPUT_UNCHANGED = "layers_dims is left unchanged"
REPRODUCIBLE = "same result whatever the global random state"
WEIGHT_SCALE = "weight scale of every layer"
PROPERTY_POINTS: tuple[tuple[str, float], ...] = (
    (KEYS_AND_SHAPES, 1.0),
    (ZERO_BIASES, 0.5),
    (INPUT_UNCHANGED, 0.5),
    (REPRODUCIBLE, 1.0),
    (WEIGHT_SCALE, 1.0),
)
OUTCOME = "training outcome on the circles data"


@dataclass(frozen=True)
class ExactCase:
    """One call compared value by value with the reference. Hidden cases never show their dims."""

    layer_dims: tuple[int, ...]
    points: float
    hidden: bool = False
    label: str = ""

    @property
    def name(self) -> str:
        if self.hidden:
            return f"hidden case: {self.label}"
        return f"matches the reference for layers_dims={list(self.layer_dims)}"

    @property
    def visibility(self) -> Visibility:
        return HIDDEN_VISIBILITY if self.hidden else "visible"


@dataclass(frozen=True)
class Probe:
    """An extra call made only to diagnose a wrong function; it earns no points."""

    name: str
    layer_dims: tuple[int, ...]
    preseed: int | None


@dataclass(frozen=True)
class CheckSlot:
    name: str
    max_points: float
    visibility: Visibility


@dataclass(frozen=True)
class FunctionSpec:
    """Everything graded about one student function."""

    name: str
    method: str  # key of reference.INITIALIZERS
    exact_cases: tuple[ExactCase, ...]
    property_points: tuple[tuple[str, float], ...] = PROPERTY_POINTS
    outcome_points: float = 2.0
    outcome_dims: tuple[int, ...] = OUTCOME_DIMS
    property_examples: int = PROPERTY_EXAMPLES
    property_call_budget: int = PROPERTY_CALL_BUDGET

    @property
    def visible_cases(self) -> tuple[ExactCase, ...]:
        return tuple(case for case in self.exact_cases if not case.hidden)

    @property
    def probes(self) -> tuple[Probe, ...]:
        first = self.visible_cases[0].layer_dims
        return (
            Probe("visible case", first, BASE_PRESEED),
            Probe("visible case, other global state", first, OTHER_PRESEED),
            Probe("large layers", SCALE_PROBE_DIMS, BASE_PRESEED),
        )

    def slots(self) -> tuple[CheckSlot, ...]:
        """Every check of this function in report order."""
        exact = [CheckSlot(c.name, c.points, c.visibility) for c in self.exact_cases]
        props = [CheckSlot(name, points, "visible") for name, points in self.property_points]
        return (*exact, *props, CheckSlot(OUTCOME, self.outcome_points, "visible"))

    @property
    def max_score(self) -> float:
        return sum(slot.max_points for slot in self.slots())

    def failed_checks(self, message: str) -> tuple[CheckResult, ...]:
        """Every check failed with the same message (function missing, submission ungradable)."""
        return tuple(
            CheckResult(s.name, self.name, 0.0, s.max_points, False, message, s.visibility)
            for s in self.slots()
        )


@dataclass(frozen=True)
class AssignmentSpec:
    name: str
    directory: Path
    helper_modules: tuple[str, ...]
    functions: tuple[FunctionSpec, ...]
    limits: Limits

    @property
    def graded_functions(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.functions)

    def function(self, name: str) -> FunctionSpec:
        for entry in self.functions:
            if entry.name == name:
                return entry
        raise KeyError(name)

    @property
    def max_score(self) -> float:
        return sum(entry.max_score for entry in self.functions)


HIDDEN_CASES: tuple[ExactCase, ...] = (
    ExactCase((5, 8, 8, 8, 8, 1), 0.5, hidden=True, label="a deep network (5 weight layers)"),
    ExactCase((4, 300, 1), 0.5, hidden=True, label="a wide hidden layer"),
    ExactCase((7, 3), 0.5, hidden=True, label="a single layer"),
    ExactCase((3, 1, 4, 1), 0.5, hidden=True, label="a layer of one unit in the middle"),
)

SPEC = AssignmentSpec(
    name=ASSIGNMENT_NAME,
    directory=ASSIGNMENT_DIR,
    helper_modules=HELPER_MODULES,
    functions=(
        FunctionSpec(
            "initialize_parameters_zeros", "zeros", (ExactCase((3, 2, 1), 2.0), *HIDDEN_CASES)
        ),
        FunctionSpec(
            "initialize_parameters_random", "random", (ExactCase((3, 2, 1), 2.0), *HIDDEN_CASES)
        ),
        FunctionSpec(
            "initialize_parameters_he",
            "he",
            (ExactCase((2, 4, 1), 1.0), ExactCase((3, 1, 2), 1.0), *HIDDEN_CASES),
        ),
    ),
    limits=Limits(),
)
GRADED_FUNCTIONS: tuple[str, ...] = SPEC.graded_functions
