"""Figures for the HTML page, as compact PNG bytes, drawn from a function's feedback data.

Every figure is drawn on a ``matplotlib.figure.Figure`` of its own (no pyplot, no window) and
saved as a PNG of at most ``COLOURS`` colours, without a timestamp, so the same data gives the
same bytes. Nothing here trains or measures: the numbers come from
``grader.checks.build_feedback``.

Many students share a figure: every correct student's training is the reference's, and students
who made the same mistake share their start. Each figure is kept by a digest of what it shows
(``_drawn``), in the process and in the cache folder (``figures/`` under
``$INITGRADE_CACHE_DIR``), so a batch's workers draw it once and every page embeds the same
bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from grader.checks import FunctionFeedback, Outcome

DPI = 72
COLOURS = 48  # a palette this size keeps antialiased text and lines clean
GRID_STEP = 0.02  # the decision boundary's mesh: 300 x 300 points over the data's box
MARGIN = 1.0
KEPT = 64  # figures kept per process (each a few kilobytes)
MAX_STORED = 1 << 20  # a stored figure larger than this is not one of ours
# Part of every figure's key: change it when the drawing changes, so no stored figure is reused.
FIGURES_VERSION = "figures-v1"
CLASS_EDGE = ("#b03a2e", "#1f5fa8")  # the points of class 0 and 1
CLASS_FILL = ("#f3c9c4", "#c5d8ef")  # the regions predicted 0 and 1: light versions of them
REFERENCE_LINE: dict[str, Any] = {"color": "#b8b8b8", "linewidth": 6.0, "solid_capstyle": "butt"}
STUDENT_LINE: dict[str, Any] = {"color": "#1f3f7a", "linewidth": 1.6}

_figures: OrderedDict[str, bytes] = OrderedDict()


def png(fig: Figure) -> bytes:
    """The figure as a palette PNG (a fraction of a full-colour one's size)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    palette = image.convert("RGB").quantize(COLOURS, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _digest(*parts: object) -> str:
    digest = hashlib.sha256(FIGURES_VERSION.encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(f"{part.shape}".encode())
            digest.update(np.ascontiguousarray(part, dtype="<f8").tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _drawn(key: str, draw: Callable[[], Figure]) -> bytes:
    """The figure ``key`` names: from this process's memory, else from the figures folder
    (where another worker of the batch may have put it), else drawn and put in both."""
    if key in _figures:
        _figures.move_to_end(key)
        return _figures[key]
    data = _stored(key)
    if data is None:
        data = png(draw())
        _store(key, data)
    _figures[key] = data
    while len(_figures) > KEPT:
        _figures.popitem(last=False)
    return data


def figures_folder() -> Path:
    """Where drawn figures are kept for the other processes of this machine."""
    from grader.locations import cache_root

    return cache_root() / "figures"


def _stored(key: str) -> bytes | None:
    try:
        data = (figures_folder() / f"{key}.png").read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < MAX_STORED else None


def _store(key: str, data: bytes) -> None:
    """Write the figure atomically; a folder that cannot be written only costs a drawing."""
    folder = figures_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".figure-", suffix=".png")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, folder / f"{key}.png")
    except OSError:
        return


def _outcome_key(outcome: Outcome) -> tuple[object, ...]:
    params = tuple(value for _key, value in sorted(outcome.params.items()))
    return (outcome.costs, outcome.train_accuracy, *params)


def training_figure(feedback: FunctionFeedback) -> bytes:
    """Cost curves of both starts, and the decision boundary the student's start led to."""
    key = _digest("training", feedback.method, feedback.same_start,
                  *_outcome_key(feedback.student), *_outcome_key(feedback.reference))  # fmt: skip
    return _drawn(key, lambda: _training(feedback))


def _training(feedback: FunctionFeedback) -> Figure:
    import reference

    train_x, train_y, _, _ = reference.load_dataset()
    student = feedback.student
    fig = Figure(figsize=(10, 3.9), dpi=DPI)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.25, top=0.9, wspace=0.25)
    cost_ax, boundary_ax = fig.subplots(1, 2)
    _costs(cost_ax, feedback)
    trained = student.params
    _boundary(boundary_ax, lambda points: reference.predict(points, trained), train_x, train_y)
    boundary_ax.set_title(f"decision boundary (train accuracy {student.train_accuracy:.3f})")
    return fig


def _costs(ax: Axes, feedback: FunctionFeedback) -> None:
    """Both cost curves, the reference's as a wide grey band under the student's line, so the two
    stay visible where they coincide."""
    every = 1000
    student = np.asarray(feedback.student.costs, dtype=float)
    ref = np.asarray(feedback.reference.costs, dtype=float)
    if feedback.same_start:
        ax.plot(np.arange(len(student)) * every, student, **STUDENT_LINE,
                label="your initialization (the reference's own)")  # fmt: skip
    else:
        ax.plot(np.arange(len(ref)) * every, ref, **REFERENCE_LINE, label="reference")
        ax.plot(np.arange(len(student)) * every, student, **STUDENT_LINE, label="yours")
    values = np.concatenate([student, ref])
    values = values[np.isfinite(values)]
    _cost_scale(ax, values)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost (cross-entropy)")
    ax.set_title("cost during training")
    ax.legend(loc="upper right", fontsize=9)


def _cost_scale(ax: Axes, values: np.ndarray) -> None:
    """A log axis when the costs span orders of magnitude; otherwise a linear one with room
    around the curves, so a constant cost still gets ticks to read it by."""
    if values.size == 0:
        return
    low, high = float(values.min()), float(values.max())
    if low > 0 and high / low > 30:
        ax.set_yscale("log")
        return
    pad = max(0.15 * (high - low), 0.05 * max(abs(high), 1e-3))
    ax.set_ylim(low - pad, high + 2.5 * pad)  # room above for the legend
    ax.yaxis.set_major_locator(MaxNLocator(5))


def _boundary(
    ax: Axes, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, Y: np.ndarray
) -> None:
    """The plane shaded by the predicted class, in light versions of the classes' colours, the
    points on top, and a legend saying which is which."""
    x_min, x_max = X[0].min() - MARGIN, X[0].max() + MARGIN
    y_min, y_max = X[1].min() - MARGIN, X[1].max() + MARGIN
    xs, ys = np.arange(x_min, x_max, GRID_STEP), np.arange(y_min, y_max, GRID_STEP)
    xx, yy = np.meshgrid(xs, ys)
    labels = np.asarray(predict(np.vstack([xx.ravel(), yy.ravel()]))).reshape(xx.shape)
    from matplotlib.colors import ListedColormap

    ax.imshow(labels.astype(float), origin="lower", extent=(x_min, x_max, y_min, y_max),
              cmap=ListedColormap(CLASS_FILL), vmin=0, vmax=1, interpolation="nearest",
              aspect="auto")  # fmt: skip
    classes = np.ravel(Y).astype(int)
    colours = np.asarray(CLASS_EDGE)[classes]
    ax.scatter(X[0], X[1], c=colours, s=12, linewidths=0)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    handles = [
        Patch(facecolor=CLASS_FILL[0], edgecolor="#888", label="predicted 0"),
        Patch(facecolor=CLASS_FILL[1], edgecolor="#888", label="predicted 1"),
        Line2D([], [], marker="o", linestyle="", color=CLASS_EDGE[0], label="label 0"),
        Line2D([], [], marker="o", linestyle="", color=CLASS_EDGE[1], label="label 1"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4,
              fontsize=9, frameon=False, handlelength=1.2, columnspacing=1.0)  # fmt: skip


def _compact(value: float, _position: object = None) -> str:
    """A tick label short enough for a narrow axis: 0.5, 40, 2e+06 -> 2e6."""
    if value == 0:
        return "0"
    text = f"{value:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def activation_rows(feedback: FunctionFeedback) -> list[bytes]:
    """Per-layer ReLU activation histograms, one image per row: the reference's, then the
    student's when their weights do not have the reference's scale. The reference's row of a
    method is the same for every student, so it is drawn once."""
    rows = [("reference", feedback.reference_activations)]
    if not feedback.same_scale:
        rows.append(("yours", feedback.student_activations))
    images = []
    for label, layers in rows:
        heading = _heading(label, layers, feedback.same_scale)
        key = _digest("activations", heading, *layers)
        images.append(_drawn(key, functools.partial(_row, layers, heading)))
    return images


def _heading(label: str, layers: Sequence[np.ndarray], same_scale: bool) -> str:
    width = layers[0].shape[0] if layers else 0
    what = f"ReLU activations through {len(layers)} layers of {width} units"
    if label == "yours":
        return f"Yours: {what}, at your weights' scale"
    if same_scale:
        return f"{what}: your weights have the reference's scale, so these are yours too"
    return f"Reference: {what}"


def _row(activations: Sequence[np.ndarray], heading: str) -> Figure:
    # Fixed margins: a constrained layout of ten axes took most of the page's drawing time.
    fig = Figure(figsize=(12, 2.6), dpi=DPI)
    fig.subplots_adjust(left=0.03, right=0.99, bottom=0.12, top=0.72, wspace=0.2)
    axes = fig.subplots(1, len(activations), squeeze=False)[0]
    for layer, (ax, values) in enumerate(zip(axes, activations, strict=True), start=1):
        flat = np.ravel(values)
        ax.hist(flat, bins=50, histtype="stepfilled", color="#3a6ea5")
        title = f"layer {layer}\nmean {_compact(flat.mean())}, std {_compact(flat.std())}"
        ax.set_title(title, fontsize=9)
        ax.set_yticks([])  # counts of 100,000 activations say nothing; the shape does
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(heading, fontsize=11)
    return fig
