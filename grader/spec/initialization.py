"""The grading spec of the initialization assignment: what is checked, for what points, shown when.

Everything a grader run needs to know about the assignment lives here as data; the check functions
(``grader.checks``, ``grader.properties``, ``grader.outcome``) take an entry of this spec and a
student's call results and know nothing else about the assignment.

Each graded function is worth 10 points:

- 2 for the visible seeded case(s) printed in the notebook, earned where the notebook prints
  nothing: on the same ``layers_dims`` with one more layer, and with a wider last layer
  (``grader.checks._hard_coding``),
- 2 for four hidden cases on other ``layers_dims`` (deep, wide, one layer, a 1-unit layer): a
  solution written for the notebook's example alone earns nothing there,
- 4 for properties checked on generated ``layers_dims`` (keys and shapes 0.5, every array
  float64 0.5, zero biases 0.5, ``layers_dims`` left alone 0.5, reproducible 1, weight scale 1),
- 2 for the outcome: the reference model trained from the student's initialization lands in the
  accuracy band of the method.
"""

from __future__ import annotations

from pathlib import Path

from grader.spec._model import AssignmentSpec, ExactCase, FunctionSpec, extensions_of
from grader.types import Limits

ASSIGNMENT_NAME = "initialization"
ASSIGNMENT_DIR = Path(__file__).resolve().parents[2] / "assignments" / "initialization"
HELPER_MODULES: tuple[str, ...] = ("init_utils", "public_tests")

HIDDEN_CASES: tuple[ExactCase, ...] = (
    ExactCase((5, 8, 8, 8, 8, 1), 0.5, hidden=True, label="a deep network (5 weight layers)"),
    ExactCase((4, 300, 1), 0.5, hidden=True, label="a wide hidden layer"),
    ExactCase((7, 3), 0.5, hidden=True, label="a single layer"),
    ExactCase((3, 1, 4, 1), 0.5, hidden=True, label="a layer of one unit in the middle"),
)


def _visible(layer_dims: tuple[int, ...], points: float) -> ExactCase:
    """A case the notebook prints, with the inputs that continue it."""
    return ExactCase(layer_dims, points, extensions=extensions_of(layer_dims))


SPEC = AssignmentSpec(
    name=ASSIGNMENT_NAME,
    directory=ASSIGNMENT_DIR,
    helper_modules=HELPER_MODULES,
    functions=(
        FunctionSpec(
            "initialize_parameters_zeros", "zeros", (_visible((3, 2, 1), 2.0), *HIDDEN_CASES)
        ),
        FunctionSpec(
            "initialize_parameters_random", "random", (_visible((3, 2, 1), 2.0), *HIDDEN_CASES)
        ),
        FunctionSpec(
            "initialize_parameters_he",
            "he",
            (_visible((2, 4, 1), 1.0), _visible((3, 1, 2), 1.0), *HIDDEN_CASES),
        ),
    ),
    limits=Limits(),
    template_imports=("sklearn",),  # the older notebook's `import sklearn.datasets`
)
GRADED_FUNCTIONS: tuple[str, ...] = SPEC.graded_functions
