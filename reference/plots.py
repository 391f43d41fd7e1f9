"""The exercise's figures, drawn on axes or figures the caller owns.

Every function draws on what it is given and returns it; none creates a window, calls
``pyplot`` or shows anything, so the same code serves a notebook, a test with the Agg backend
and the grader's HTML report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # matplotlib is imported by whoever made the axes; importing it costs ~1 s
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

GRID_STEP = 0.01  # the course's mesh spacing for decision boundaries
MARGIN = 1.0
CMAP = "Spectral"


def plot_costs(
    ax: Axes, costs: Sequence[float], label: str | None = None, every: int = 1000
) -> Axes:
    """The cost against the iteration it was recorded at (0, ``every``, 2 * ``every``, ...)."""
    ax.plot(np.arange(len(costs)) * every, costs, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if label is not None:
        ax.legend()
    return ax


def plot_decision_boundary(
    ax: Axes, predict_fn: Callable[[np.ndarray], np.ndarray], X: np.ndarray, Y: np.ndarray
) -> Axes:
    """Shade the plane by ``predict_fn`` and scatter the points ``X`` (shape ``(2, m)``) by ``Y``.

    ``predict_fn`` takes points as columns, shape ``(2, k)``, and returns ``k`` labels in any
    shape, such as the ``(1, k)`` of ``reference.predict``.
    """
    x_min, x_max = X[0].min() - MARGIN, X[0].max() + MARGIN
    y_min, y_max = X[1].min() - MARGIN, X[1].max() + MARGIN
    xx, yy = np.meshgrid(np.arange(x_min, x_max, GRID_STEP), np.arange(y_min, y_max, GRID_STEP))
    labels = np.asarray(predict_fn(np.vstack([xx.ravel(), yy.ravel()]))).reshape(xx.shape)
    ax.contourf(xx, yy, labels.astype(float), cmap=CMAP)
    ax.scatter(X[0], X[1], c=np.ravel(Y), s=40, cmap=CMAP, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return ax


def _axes_for(fig_or_axes: Figure | Sequence[Axes] | np.ndarray, count: int) -> list[Axes]:
    if not isinstance(fig_or_axes, (Sequence, np.ndarray)):  # a Figure
        return list(fig_or_axes.subplots(1, count, squeeze=False)[0])
    axes = list(np.ravel(np.asarray(fig_or_axes, dtype=object)))
    if len(axes) != count:
        raise ValueError(f"got {len(axes)} axes for {count} layers")
    return axes


def plot_activation_histograms(
    fig_or_axes: Figure | Sequence[Axes] | np.ndarray,
    activations: Sequence[np.ndarray],
    title: str | None = None,
) -> Figure | Sequence[Axes] | np.ndarray:
    """One histogram per layer, titled with the layer's mean and standard deviation.

    Given a figure, adds one row of axes to it; given axes, one per layer, draws into them.
    """
    axes = _axes_for(fig_or_axes, len(activations))
    for layer, (ax, values) in enumerate(zip(axes, activations, strict=True), start=1):
        flat = np.ravel(values)
        ax.hist(flat, bins=50, histtype="stepfilled")  # one outline, not 50 bars: quick to draw
        ax.set_title(f"layer {layer}\nmean {flat.mean():.3g}, std {flat.std():.3g}", fontsize=9)
    if title is not None and axes:
        axes[0].figure.suptitle(title)
    return fig_or_axes
