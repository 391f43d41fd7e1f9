"""The comparisons' figures, drawn on axes or figures the caller owns (as ``reference.plots``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from reference.experiments.comparison import Comparison
from reference.plots import plot_activation_histograms

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def plot_digits(ax: Axes, comparison: Comparison) -> Axes:
    """Each initialization's smoothed training loss against the iteration, with ln k marked."""
    for run in comparison.runs:
        ax.plot(comparison.x, run.curves["smoothed_loss"], label=run.label, linewidth=1.5)
    k = len(comparison.classes)
    ax.axhline(math.log(k), color="grey", linestyle=":", linewidth=1, label=f"ln {k} (chance)")
    window = comparison.settings["smoothing"]
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"training loss (mean of the last {window} batches)")
    ax.set_ylim(bottom=0)
    ax.set_title(comparison.data, fontsize=9)
    ax.legend()
    return ax


def plot_image_costs(ax: Axes, comparison: Comparison) -> Axes:
    """Each initialization's cost at every recorded step, on a log scale."""
    for run in comparison.runs:
        ax.plot(comparison.x, run.curves["cost"], marker="o", markersize=3, label=run.label)
    ax.axhline(math.log(2), color="grey", linestyle=":", linewidth=1, label="ln 2")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost (cross-entropy)")
    ax.legend()
    return ax


def plot_image_accuracies(ax: Axes, comparison: Comparison) -> Axes:
    """Training and test accuracy of each initialization, side by side, with chance marked."""
    positions = np.arange(len(comparison.runs))
    for offset, key, name in ((-0.2, "train_accuracy", "train"), (0.2, "test_accuracy", "test")):
        heights = [float(run.figures[key]) for run in comparison.runs]  # type: ignore[arg-type]
        bars = ax.bar(positions + offset, heights, width=0.4, label=name)
        ax.bar_label(bars, labels=[f"{h:.0%}" for h in heights], fontsize=7)
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xticks(positions, [run.label for run in comparison.runs])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("accuracy")
    ax.legend(loc="lower right")
    return ax


def plot_images(axes: Sequence[Axes], comparison: Comparison) -> Sequence[Axes]:
    """The cost curves on the first axes and the accuracies on the second."""
    plot_image_costs(axes[0], comparison)
    plot_image_accuracies(axes[1], comparison)
    axes[0].figure.suptitle(comparison.data, fontsize=9)
    return axes


def plot_activations(
    fig: Figure, comparison: Comparison, activations: Sequence[Sequence[np.ndarray]]
) -> Figure:
    """One row of per-layer histograms for each case of the activation comparison."""
    rows = fig.subplots(len(activations), len(activations[0]), squeeze=False)
    for row, run, acts in zip(rows, comparison.runs, activations, strict=True):
        plot_activation_histograms(row, acts)
        row[0].set_ylabel(run.label)
        for ax in row:
            ax.locator_params(axis="x", nbins=4)
            ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 3))
    return fig
