"""What a grading spec is made of: exact cases, probes, check slots, methods, an assignment.

The assignment is one model (``AssignmentSpec``): the exercise record (``Exercise``: the seed,
the example and outcome sizes, the training), the grading policy (``Policy``) and one method
record per graded function (``FunctionSpec``: its answer in reference/, its scale, band, wrong
scales and words, its cases and points). Each record is checked when it is built
(``grader.spec._method.check_method``), so an incomplete one is refused with what it lacks. The
check functions (``grader.checks``) take a ``FunctionSpec`` and a student's call results and
know nothing else about the assignment. The constants here are the grading policy every
assignment of this exercise shares: tolerances, the seeds the global generator is set to before
each call, the size of the property run, and the names and points of the property checks; they
reach the model's digest through ``POLICY``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader.errors import SpecError
from grader.mistakes import Quoted
from grader.results import CheckResult, FunctionResult, Visibility
from grader.spec._exercise import Exercise, Policy
from grader.spec._method import Band, WrongScale, check_method
from grader.spec._scale import Scale
from grader.types import Limits

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
PROPERTY_SEED = 20_110_107  # the legacy RandomState seed they are drawn with
PROPERTY_CALL_BUDGET = 120  # hard cap on calls the properties may make for one function

OUTCOME_DIMS: tuple[int, ...] = (2, 10, 5, 1)
# 12,000 + 200 weights, and a fan-in that differs from the fan-out.
SCALE_PROBE_DIMS: tuple[int, ...] = (60, 200, 1)

HIDDEN_VISIBILITY: Visibility = "after_due_date"

POLICY = Policy(
    exact_rtol=EXACT_RTOL,
    exact_atol=EXACT_ATOL,
    base_preseed=BASE_PRESEED,
    other_preseed=OTHER_PRESEED,
    property_seed=PROPERTY_SEED,
    scale_probe_dims=SCALE_PROBE_DIMS,
    hidden_visibility=HIDDEN_VISIBILITY,
)

# A visible case's answer is printed in the notebook, so its points are earned on inputs that
# continue it and are printed nowhere (``grader.checks._hard_coding``): the example with one more
# layer of EXTEND_LAYER units, and the example with WIDEN_LAST more units in its last layer. With
# one seed at the top and the draws in layer order, the reference's answer on either starts with
# the example's answer exactly (a wider last layer's first rows are the example's last weights).
# Neither size appears in any notebook, message or report.
EXTEND_LAYER = 6
WIDEN_LAST = 5


# Property check names, in report order, with their points.
KEYS_AND_SHAPES = "keys and shapes on generated layers_dims"
FLOAT64 = "arrays are float64"
ZERO_BIASES = "biases are zero"
INPUT_UNCHANGED = "layers_dims is left unchanged"
REPRODUCIBLE = "same result whatever the global random state"
WEIGHT_SCALE = "weight scale of every layer"
PROPERTY_POINTS: tuple[tuple[str, float], ...] = (
    (KEYS_AND_SHAPES, 0.5),
    (FLOAT64, 0.5),
    (ZERO_BIASES, 0.5),
    (INPUT_UNCHANGED, 0.5),
    (REPRODUCIBLE, 1.0),
    (WEIGHT_SCALE, 1.0),
)
OUTCOME = "training outcome on the circles data"


# -- the parameter layout every graded function returns ----------------------------------------


def expected_keys(layer_dims: Sequence[int]) -> list[str]:
    """W1, b1, ..., WL, bL in layer order."""
    return [f"{p}{layer}" for layer in range(1, len(layer_dims)) for p in ("W", "b")]


def expected_shapes(layer_dims: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """``Wl`` of shape ``(layer_dims[l], layer_dims[l - 1])``, ``bl`` of ``(layer_dims[l], 1)``."""
    dims = [int(n) for n in layer_dims]
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(1, len(dims)):
        shapes[f"W{layer}"] = (dims[layer], dims[layer - 1])
        shapes[f"b{layer}"] = (dims[layer], 1)
    return shapes


def extensions_of(layer_dims: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """The inputs that continue an example: one more layer, and a wider last layer."""
    dims = tuple(int(n) for n in layer_dims)
    return ((*dims, EXTEND_LAYER), (*dims[:-1], dims[-1] + WIDEN_LAST))


def continues(extension: Sequence[int], layer_dims: Sequence[int]) -> bool:
    """Whether the reference's answer on ``extension`` starts with its answer on ``layer_dims``:
    the same sizes with more layers after them, or the same with a wider last layer."""
    ext, dims = tuple(extension), tuple(layer_dims)
    if len(ext) > len(dims):
        return ext[: len(dims)] == dims
    return len(ext) == len(dims) and ext[:-1] == dims[:-1] and ext[-1] > dims[-1]


@dataclass(frozen=True)
class ExactCase:
    """One call compared value by value with the reference. Hidden cases never show their dims.
    A visible case's ``extensions`` (inputs that continue it, hidden like the hidden cases) are
    where its points are earned (``grader.checks._hard_coding``)."""

    layer_dims: tuple[int, ...]
    points: float
    hidden: bool = False
    label: str = ""
    extensions: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        if self.hidden and self.extensions:
            raise ValueError(f"hidden case {self.label!r}: only a visible case has extensions")
        for extension in self.extensions:
            if not continues(extension, self.layer_dims):
                raise ValueError(f"{list(extension)} does not continue {list(self.layer_dims)}")

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
    """One method record: everything graded about one student function, and everything the
    grader knows of its method (see the module docstring and ``grader.spec._method``)."""

    name: str
    method: str  # key of reference.INITIALIZERS: the answer this function is compared with
    exact_cases: tuple[ExactCase, ...]
    scale: Scale  # the standard deviation of a layer's weights, of its fan_in
    band: Band
    title: str  # "He": how the outcome message names the method
    scale_name: str  # "He", "the random initialization": how a scale message names it
    outcome_hint: str  # what an outcome outside the band says
    seed: int  # the exercise's: np.random.seed(seed) once, then randn per layer
    wrong_scales: tuple[WrongScale, ...] = ()
    property_points: tuple[tuple[str, float], ...] = PROPERTY_POINTS
    outcome_points: float = 2.0
    outcome_dims: tuple[int, ...] = OUTCOME_DIMS
    property_examples: int = PROPERTY_EXAMPLES
    property_call_budget: int = PROPERTY_CALL_BUDGET
    # How many of the seeded stream's first draws the notebook's examples print, of any method
    # (set by the assignment): entries built from them are no evidence on an extension.
    printed_draws: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "exact_cases", tuple(self.exact_cases))
        object.__setattr__(self, "wrong_scales", tuple(self.wrong_scales))
        check_method(self)

    @property
    def zero(self) -> bool:
        """Whether every weight is 0 (the zeros method: no draws, no seed)."""
        return not self.scale.per_layer and self.scale.value(1) == 0.0

    @property
    def visible_cases(self) -> tuple[ExactCase, ...]:
        return tuple(case for case in self.exact_cases if not case.hidden)

    @property
    def extensions(self) -> tuple[tuple[int, ...], ...]:
        """Every visible case's extensions, in order, each once."""
        found = (ext for case in self.visible_cases for ext in case.extensions)
        return tuple(dict.fromkeys(found))

    @property
    def probes(self) -> tuple[Probe, ...]:
        first = self.visible_cases[0].layer_dims
        return (
            Probe("visible case", first, BASE_PRESEED),
            Probe("visible case, other global state", first, OTHER_PRESEED),
            Probe("large layers", SCALE_PROBE_DIMS, BASE_PRESEED),
        )

    def quote(self, dims: Sequence[int]) -> tuple[Quoted, ...]:
        """``dims`` as a check quotes it: a notebook example or an input the grader made up."""
        examples = {case.layer_dims for case in self.visible_cases}
        return (Quoted(tuple(dims), tuple(dims) in examples),)

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
    """The whole model of an assignment; ``directory`` is where its released files lie on this
    machine (the only part left out of its digest)."""

    name: str
    directory: Path
    helper_modules: tuple[str, ...]
    functions: tuple[FunctionSpec, ...]
    limits: Limits
    exercise: Exercise
    policy: Policy = POLICY
    # Modules the course's own notebook imports that grading does without (its data set helper):
    # where they are not installed their imports are left out, not reported to the student.
    template_imports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "functions", tuple(self.functions))
        if not self.functions:
            raise SpecError(f"assignment {self.name!r} grades no function")
        names = [entry.name for entry in self.functions]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise SpecError(f"assignment {self.name!r} grades {', '.join(twice)} twice")
        for entry in self.functions:
            if (entry.seed, entry.outcome_dims) != (self.exercise.seed, self.exercise.outcome_dims):
                raise SpecError(
                    f"method {entry.method!r} has the seed {entry.seed} and outcome sizes "
                    f"{list(entry.outcome_dims)}; the exercise has {self.exercise.seed} and "
                    f"{list(self.exercise.outcome_dims)}"
                )
        revealed = _check_hidden_beyond_printed(self.functions)
        functions = (e if e.zero else replace(e, printed_draws=revealed) for e in self.functions)
        object.__setattr__(self, "functions", tuple(functions))

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

    def failed_results(self, reason: str) -> tuple[FunctionResult, ...]:
        """Every function with every check failed for ``reason`` (an ungradable submission)."""
        return tuple(FunctionResult(e.name, e.failed_checks(reason)) for e in self.functions)


def weight_count(layer_dims: Sequence[int]) -> int:
    """How many weights, so how many draws, the exercise's construction makes for ``layer_dims``."""
    return sum(int(a) * int(b) for a, b in itertools.pairwise(layer_dims))


def _check_hidden_beyond_printed(functions: Sequence[FunctionSpec]) -> int:
    """How many draws the notebook prints, once every hidden case is checked to need more, and
    every example to have an extension that does. Its printed examples give away the first
    draws of the exercise's one seeded stream (as many as the largest example has weights); a
    hidden case that needs no more could be answered from a table of them."""
    drawing = [entry for entry in functions if not entry.zero]
    revealed = max(
        (weight_count(c.layer_dims) for e in drawing for c in e.visible_cases), default=0
    )
    for entry in drawing:
        for case in entry.exact_cases:
            if case.hidden and weight_count(case.layer_dims) <= revealed:
                raise SpecError(
                    f"hidden case {case.label!r} of {entry.name} needs "
                    f"{weight_count(case.layer_dims)} draws, and the notebook's examples print "
                    f"the first {revealed}: give it more weights than that"
                )
            needs = [weight_count(extension) for extension in case.extensions]
            if needs and max(needs) <= revealed:
                raise SpecError(
                    f"no extension of {list(case.layer_dims)} ({entry.name}) needs more than "
                    f"the {revealed} draws the notebook prints: nothing there is evidence"
                )
    return revealed
