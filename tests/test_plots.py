"""The figures render with the Agg backend and return what they were given."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from reference import (
    activation_statistics,
    initialize_parameters_he,
    load_dataset,
    plot_activation_histograms,
    plot_costs,
    plot_decision_boundary,
    predict,
)


def saved(fig: Figure, path: Path) -> Path:
    fig.savefig(path, format="png")
    return path


def test_cost_curve_renders_to_a_png(tmp_path: Path) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_costs(ax, [0.9, 0.5, 0.2], label="he") is ax
    assert list(ax.lines[0].get_xdata()) == [0, 1000, 2000]
    assert saved(fig, tmp_path / "costs.png").stat().st_size > 0


def test_decision_boundary_renders_to_a_png(tmp_path: Path) -> None:
    train_X, train_Y, _, _ = load_dataset()
    params = initialize_parameters_he([2, 10, 5, 1])
    fig = Figure()
    ax = fig.add_subplot()
    assert (
        plot_decision_boundary(ax, lambda points: predict(points, params), train_X, train_Y) is ax
    )
    assert saved(fig, tmp_path / "boundary.png").stat().st_size > 0


def test_activation_histograms_fill_a_figure_with_one_panel_per_layer(tmp_path: Path) -> None:
    acts = activation_statistics(
        "he", "relu", n_layers=3, n_samples=50, rng=np.random.default_rng(0)
    )
    fig = Figure(figsize=(9, 3))
    assert plot_activation_histograms(fig, acts, title="He, ReLU") is fig
    assert len(fig.axes) == 3
    assert saved(fig, tmp_path / "histograms.png").stat().st_size > 0


def test_activation_histograms_draw_into_the_axes_given(tmp_path: Path) -> None:
    acts = activation_statistics(
        1, "sigmoid", n_layers=2, n_samples=50, rng=np.random.default_rng(0)
    )
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert plot_activation_histograms(axes, acts) is axes
    assert all(len(ax.patches) > 0 for ax in axes)
    assert saved(fig, tmp_path / "given_axes.png").stat().st_size > 0


def test_plotting_opens_no_pyplot_figure() -> None:
    before = plt.get_fignums()
    fig = Figure()
    plot_costs(fig.add_subplot(), [1.0, 0.5])
    assert plt.get_fignums() == before
