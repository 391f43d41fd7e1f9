"""Figures for the HTML page, as PNG bytes: training of the student's start, activation spreads.

Every figure is drawn on a ``matplotlib.figure.Figure`` of its own (no pyplot, no window) with the
reference's plotting functions, and saved without a timestamp so the same data gives the same
bytes.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from grader.checks._outcome import Outcome
from grader.checks._stats import rms
from grader.spec import weight_std
from grader.types import Params

DPI = 80
N_LAYERS = 5
WIDTH = 100
REFERENCE_SCALE: dict[str, float | str] = {"zeros": 0.0, "random": 10.0, "he": "he"}


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def training_figure(student: Outcome, reference_outcome: Outcome) -> bytes:
    """Cost curves of both starts, and the decision boundary the student's start led to."""
    import reference

    train_x, train_y, _, _ = reference.load_dataset()
    fig = Figure(figsize=(10, 4))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.2)
    cost_ax, boundary_ax = fig.subplots(1, 2)
    reference.plot_costs(cost_ax, reference_outcome.costs, label="reference initialization")
    reference.plot_costs(cost_ax, student.costs, label="your initialization")
    cost_ax.set_yscale("symlog")
    cost_ax.set_title("cost during training")
    trained = student.params
    reference.plot_decision_boundary(
        boundary_ax, lambda points: reference.predict(points, trained), train_x, train_y
    )
    boundary_ax.set_title(f"decision boundary (train accuracy {student.train_accuracy:.3f})")
    return png(fig)


def effective_std(params: Params, method: str, fan_in: int = WIDTH) -> float:
    """The standard deviation the student's rule would give a layer of ``fan_in`` inputs.

    For a scaled method, the median ratio of each layer's spread to the method's gives the factor
    to apply at ``fan_in``; for zeros, the spread of the student's weights as they are.
    """
    weights = [value for key, value in sorted(params.items()) if key.startswith("W")]
    if method == "zeros" or not weights:
        return float(np.mean([rms(w) for w in weights])) if weights else 0.0
    ratios = [rms(w) / weight_std(method, w.shape[1]) for w in weights]
    return float(np.median(ratios)) * weight_std(method, fan_in)


def activations_figure(params: Params, method: str) -> bytes:
    """Per-layer ReLU activation histograms: the reference scale above, the student's below."""
    import reference

    # Fixed margins: a constrained layout of ten axes took most of the page's drawing time.
    fig = Figure(figsize=(12, 5.5))
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.06, top=0.83, wspace=0.15, hspace=0.55)
    rows = fig.subplots(2, N_LAYERS, squeeze=False)
    for row, scale, label in (
        (rows[0], REFERENCE_SCALE[method], "reference"),
        (rows[1], effective_std(params, method), "your initialization"),
    ):
        activations = reference.activation_statistics(scale, "relu", N_LAYERS, WIDTH)
        reference.plot_activation_histograms(row, activations)
        for ax in row:
            ax.set_yticks([])  # counts of 100,000 activations say nothing; the shape does
        row[0].set_ylabel(label)
    fig.suptitle(f"ReLU activations through {N_LAYERS} layers of {WIDTH} units")
    return png(fig)
