"""The feedback page's figures (``grader.reports.plots``): each readable on its own, drawn once for
every student it is the same for, and small enough that a correct student's page stays compact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure

from grader.checks import (
    FunctionFeedback,
    GradedFunction,
    Outcome,
    OutcomeCache,
    build_feedback,
    expected_params,
)
from grader.reports import plots
from grader.reports.html import render_html
from grader.results import FunctionResult, Report
from grader.spec import OUTCOME_DIMS, SPEC
from tests.mistakes import stand_in_trainer

ZERO_COST = 0.6931471805599453  # ln 2: the zeros start's cost, constant through training


def outcome(costs, accuracy: float = 0.5, scale: float = 0.0) -> Outcome:
    params = {k: v * scale for k, v in expected_params("he", OUTCOME_DIMS).items()}
    return Outcome(accuracy, accuracy, tuple(costs), params)


def feedback(student: Outcome, reference: Outcome, **flags: bool) -> FunctionFeedback:
    layers = tuple(np.full((4, 10), float(i)) for i in range(1, 3))
    return FunctionFeedback("zeros", student, reference, layers, layers, **flags)


def axes() -> object:
    return Figure().subplots()


def test_a_constant_cost_gets_a_linear_axis_with_ticks_and_a_label_around_it() -> None:
    ax = axes()
    flat = outcome([ZERO_COST] * 15)
    plots._costs(ax, feedback(flat, flat, same_start=True))
    assert ax.get_yscale() == "linear"
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert low < ZERO_COST < high
    assert len(ticks) >= 3
    assert ax.get_ylabel() == "cost (cross-entropy)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "your initialization (the reference's own)"
    ]


def test_the_reference_curve_stays_visible_under_an_identical_students_curve() -> None:
    ax = axes()
    same = outcome([ZERO_COST] * 15)
    plots._costs(ax, feedback(same, outcome([ZERO_COST] * 15)))  # same numbers, other start
    reference, student = ax.get_lines()
    assert [reference.get_label(), student.get_label()] == ["reference", "yours"]
    assert reference.get_linewidth() >= 3 * student.get_linewidth()  # a band around the line
    assert reference.get_color() != student.get_color()


def test_costs_over_orders_of_magnitude_get_a_log_axis() -> None:
    ax = axes()
    plots._costs(ax, feedback(outcome([1773.6, 0.7, 0.5]), outcome([0.88, 0.6, 0.1])))
    assert ax.get_yscale() == "log"


def test_the_boundary_is_filled_in_the_classes_colours_with_a_legend() -> None:
    ax = axes()
    X = np.array([[0.0, 1.0, 0.5], [0.0, 1.0, -0.5]])
    plots._boundary(ax, lambda points: np.zeros(points.shape[1]), X, np.array([[0, 1, 1]]))
    (image,) = ax.get_images()
    cmap = image.get_cmap()
    filled = {tuple(np.round(cmap(v)[:3], 3)) for v in (0.0, 1.0)}
    from matplotlib.colors import to_rgb

    assert filled == {tuple(np.round(to_rgb(c), 3)) for c in plots.CLASS_FILL}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["predicted 0", "predicted 1", "label 0", "label 1"]
    colours = ax.collections[0].get_facecolors()
    assert [tuple(np.round(c[:3], 3)) for c in colours[:2]] == [
        tuple(np.round(to_rgb(c), 3)) for c in plots.CLASS_EDGE
    ]


@pytest.mark.parametrize(
    ("value", "label"), [(0, "0"), (0.5, "0.5"), (40.0, "40"), (2e6, "2e6"), (1.5e10, "1.5e10")]
)
def test_activation_ticks_are_short_and_carry_their_own_magnitude(value, label) -> None:
    assert plots._compact(value) == label


def correct_feedback(method: str) -> FunctionFeedback:
    """What grading a correct function of ``method`` gives the page (training stood in for)."""
    index = next(i for i, e in enumerate(SPEC.functions) if e.method == method)
    entry, trainer = SPEC.functions[index], stand_in_trainer(method)
    start = {k: v.copy() for k, v in expected_params(method, OUTCOME_DIMS).items()}
    functions = [GradedFunction(FunctionResult(e.name, ())) for e in SPEC.functions]
    functions[index] = GradedFunction(FunctionResult(entry.name, ()), start, trainer(start))
    built = build_feedback(SPEC, functions, trainer=trainer, cache=OutcomeCache(None))
    return built[entry.name]


def test_a_correct_students_figures_are_the_references_drawn_once_in_one_row() -> None:
    data = correct_feedback("he")
    assert data.same_start
    assert data.same_scale
    assert data.student_activations is data.reference_activations
    (first,), (again,) = plots.activation_rows(data), plots.activation_rows(data)
    assert first is again  # kept, not drawn twice: one row, not the reference's and a copy
    assert plots.training_figure(data) is plots.training_figure(data)


def test_a_correct_students_page_with_every_figure_is_at_most_100_kb() -> None:
    data = {e.name: correct_feedback(e.method) for e in SPEC.functions}
    results = tuple(
        FunctionResult(
            e.name,
            tuple(
                replace(c, points=c.max_points, passed=True, message="")
                for c in e.failed_checks("")
            ),
        )
        for e in SPEC.functions
    )
    page = render_html(Report("ada.ipynb", "ab" * 32, results), feedback=data)
    assert page.count("data:image/png;base64,") == 6  # each function's training and one row
    assert len(page.encode()) <= 100 * 1024


def test_a_student_at_another_scale_gets_a_row_of_their_own_under_the_shared_reference() -> None:
    data = correct_feedback("he")
    halved = tuple(layer / 2 for layer in data.reference_activations)
    doubled = tuple(layer * 2 for layer in data.reference_activations)
    first = replace(data, same_start=False, same_scale=False, student_activations=halved)
    second = replace(first, student_activations=doubled)
    (reference, mine), (shared, theirs) = (
        plots.activation_rows(first),
        plots.activation_rows(second),
    )
    assert reference is shared
    assert mine != theirs


def test_a_figure_drawn_by_one_worker_is_read_back_by_another(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("INITGRADE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(plots, "_figures", type(plots._figures)())  # a worker's first page
    data = correct_feedback("zeros")
    first = plots.training_figure(data)
    assert len(list((tmp_path / "figures").glob("*.png"))) == 1
    monkeypatch.setattr(plots, "_figures", type(plots._figures)())  # another worker's memory
    monkeypatch.setattr(plots, "png", lambda figure: pytest.fail("the figure was drawn again"))
    assert plots.training_figure(data) == first
