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

from grader.spec._exercise import Exercise
from grader.spec._method import Band, WrongScale
from grader.spec._model import OUTCOME_DIMS, AssignmentSpec, ExactCase, FunctionSpec, extensions_of
from grader.spec._scale import Scale
from grader.types import Limits

ASSIGNMENT_NAME = "initialization"
ASSIGNMENT_DIR = Path(__file__).resolve().parents[2] / "assignments" / "initialization"
HELPER_MODULES: tuple[str, ...] = ("init_utils", "public_tests")

# The course's exercise: the one place its seed, example, network and training are written.
EXERCISE = Exercise(
    seed=3,
    example_dims=(3, 2, 1),
    outcome_dims=OUTCOME_DIMS,
    learning_rate=0.01,
    steps=15_000,
    data_seeds=(1, 2),
    data_sizes=(300, 100),
    noise=0.05,
)

HIDDEN_CASES: tuple[ExactCase, ...] = (
    ExactCase((5, 8, 8, 8, 8, 1), 0.5, hidden=True, label="a deep network (5 weight layers)"),
    ExactCase((4, 300, 1), 0.5, hidden=True, label="a wide hidden layer"),
    ExactCase((7, 3), 0.5, hidden=True, label="a single layer"),
    ExactCase((16, 1, 4, 1), 0.5, hidden=True, label="a layer of one unit in the middle"),
)


def _wrong(**scales: str) -> tuple[WrongScale, ...]:
    return tuple(WrongScale(name, Scale(text)) for name, text in scales.items())


def _visible(*dims: tuple[int, ...]) -> tuple[ExactCase, ...]:
    """The notebook's example(s), worth 2 points together, each with the inputs that continue it."""
    return tuple(ExactCase(d, 2.0 / len(dims), extensions=extensions_of(d)) for d in dims)


# Every method this grader knows, each a complete record; an assignment grades some of them.
# The bands are calibrated as grader.checks._outcome's docstring shows; a scale the diagnosis
# fits that is one of a record's wrong scales is named after it (grader.diagnosis._naming).
METHODS: dict[str, FunctionSpec] = {
    "zeros": FunctionSpec(
        name="initialize_parameters_zeros",
        method="zeros",
        exact_cases=(*_visible(EXERCISE.example_dims), *HIDDEN_CASES),
        scale=Scale("0"),
        band=Band((0.45, 0.55), (0.45, 0.55), (0.5, 0.5)),
        title="zeros",
        scale_name="zeros",
        seed=EXERCISE.seed,
        outcome_hint=(
            "All-zero weights make every unit of a layer compute the same thing, so the network "
            "should stay at chance (0.5); yours learned, so some weights are not zero."
        ),
    ),
    "random": FunctionSpec(
        name="initialize_parameters_random",
        method="random",
        exact_cases=(*_visible(EXERCISE.example_dims), *HIDDEN_CASES),
        scale=Scale("10"),
        band=Band((0.55, 0.93), (0.55, 0.93), (0.83, 0.86)),
        title="random x10",
        scale_name="the random initialization",
        seed=EXERCISE.seed,
        outcome_hint=(
            "Weights of standard deviation 10 saturate the output sigmoid and training stalls at "
            "a mediocre accuracy; yours trained differently, so the scale or the draws differ."
        ),
        wrong_scales=_wrong(unit="1", small="0.01", he="sqrt(2 / fan_in)", sqrt="sqrt(10)"),
    ),
    "he": FunctionSpec(
        name="initialize_parameters_he",
        method="he",
        exact_cases=(*_visible((2, 4, 1), (3, 1, 2)), *HIDDEN_CASES),
        scale=Scale("sqrt(2 / fan_in)"),
        band=Band((0.93, 1.0), (0.88, 1.0), (0.9933, 0.96)),
        title="He",
        scale_name="He",
        seed=EXERCISE.seed,
        outcome_hint=(
            "He's scale sqrt(2/fan_in) keeps ReLU activations at a steady size and the network "
            "fits the circles almost perfectly; yours did not, so the scale is off."
        ),
        wrong_scales=_wrong(
            xavier="sqrt(1 / fan_in)",
            fan_out="sqrt(2 / fan_out)",
            glorot="sqrt(2 / (fan_in + fan_out))",
            no_sqrt="2 / fan_in",
            unit="1",
            times10="10",
            double_sqrt="(2 / fan_in) ** 0.25",
            floor_div="sqrt(2 // fan_in)",
        ),
    ),
    "xavier": FunctionSpec(
        name="initialize_parameters_xavier",
        method="xavier",
        exact_cases=(*_visible(EXERCISE.example_dims), *HIDDEN_CASES),
        scale=Scale("sqrt(1 / fan_in)"),
        # As He's: on this network the outcome cannot tell the two apart (the exact and scale
        # checks do); seed 3 gives the published 0.99 / 0.93.
        band=Band((0.93, 1.0), (0.88, 1.0), (0.99, 0.93)),
        title="Xavier",
        scale_name="Xavier",
        seed=EXERCISE.seed,
        outcome_hint=(
            "Xavier's scale sqrt(1/fan_in) keeps the activations at a steady size and the network "
            "fits the circles almost perfectly; yours did not, so the scale is off."
        ),
        wrong_scales=_wrong(
            he="sqrt(2 / fan_in)",
            fan_out="sqrt(1 / fan_out)",
            glorot="sqrt(2 / (fan_in + fan_out))",
            no_sqrt="1 / fan_in",
            unit="1",
            times10="10",
        ),
    ),
}

SPEC = AssignmentSpec(
    name=ASSIGNMENT_NAME,
    directory=ASSIGNMENT_DIR,
    helper_modules=HELPER_MODULES,
    functions=(METHODS["zeros"], METHODS["random"], METHODS["he"]),
    limits=Limits(),
    exercise=EXERCISE,
    template_imports=("sklearn",),  # the older notebook's `import sklearn.datasets`
)
GRADED_FUNCTIONS: tuple[str, ...] = SPEC.graded_functions
