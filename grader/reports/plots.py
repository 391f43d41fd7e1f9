"""Figures for the HTML page, as PNG bytes, drawn from a function's feedback data.

Every figure is drawn on a ``matplotlib.figure.Figure`` of its own (no pyplot, no window) with the
reference's plotting functions, and saved without a timestamp so the same data gives the same
bytes. Nothing here trains or measures: the numbers come from ``grader.checks.build_feedback``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    from grader.checks import FunctionFeedback

DPI = 80


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def training_figure(feedback: FunctionFeedback) -> bytes:
    """Cost curves of both starts, and the decision boundary the student's start led to."""
    import reference

    train_x, train_y, _, _ = reference.load_dataset()
    student = feedback.student
    fig = Figure(figsize=(10, 4))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.2)
    cost_ax, boundary_ax = fig.subplots(1, 2)
    reference.plot_costs(cost_ax, feedback.reference.costs, label="reference initialization")
    reference.plot_costs(cost_ax, student.costs, label="your initialization")
    cost_ax.set_yscale("symlog")
    cost_ax.set_title("cost during training")
    trained = student.params
    reference.plot_decision_boundary(
        boundary_ax, lambda points: reference.predict(points, trained), train_x, train_y
    )
    boundary_ax.set_title(f"decision boundary (train accuracy {student.train_accuracy:.3f})")
    return png(fig)


def activations_figure(feedback: FunctionFeedback) -> bytes:
    """Per-layer ReLU activation histograms: the reference scale above, the student's below."""
    import reference

    layers = len(feedback.reference_activations)
    width = feedback.reference_activations[0].shape[0] if layers else 0
    # Fixed margins: a constrained layout of ten axes took most of the page's drawing time.
    fig = Figure(figsize=(12, 5.5))
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.06, top=0.83, wspace=0.15, hspace=0.55)
    rows = fig.subplots(2, layers, squeeze=False)
    for row, activations, label in (
        (rows[0], feedback.reference_activations, "reference"),
        (rows[1], feedback.student_activations, "your initialization"),
    ):
        reference.plot_activation_histograms(row, activations)
        for ax in row:
            ax.set_yticks([])  # counts of 100,000 activations say nothing; the shape does
        row[0].set_ylabel(label)
    fig.suptitle(f"ReLU activations through {layers} layers of {width} units")
    return png(fig)
