"""What a comparison yields: one run per initialization, its curves and its final figures.

A ``Comparison`` is plain data: the experiment's name, the data it ran on, the seed and
settings, and one ``Run`` per initialization; ``to_json`` gives the dict written to the JSON file
and ``table`` the rows printed on the terminal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Value = float | int | None | list[float]


@dataclass(frozen=True)
class Run:
    """One initialization's run: its curves (each a list of numbers) and final figures."""

    init: str
    label: str
    curves: dict[str, list[float]]
    figures: dict[str, Value]


@dataclass(frozen=True)
class Comparison:
    """The runs of one experiment, with what they ran on; ``x`` is each curve point's step."""

    experiment: str
    data: str
    classes: tuple[str, ...]
    seed: int
    settings: dict[str, Any]
    x: list[int]
    runs: tuple[Run, ...]
    seconds: float = field(default=0.0, compare=False)

    def run(self, init: str) -> Run:
        """The run of the initialization named ``init`` (``"he"``, ``"std=0.01"``, ...)."""
        for run in self.runs:
            if run.init == init:
                return run
        raise KeyError(f"{self.experiment} has no run of {init!r}")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: every float finite or ``None``, lists as lists."""
        return {
            "experiment": self.experiment,
            "data": self.data,
            "classes": list(self.classes),
            "seed": self.seed,
            "settings": self.settings,
            "seconds": round(self.seconds, 3),
            "x": self.x,
            "runs": [
                {
                    "init": run.init,
                    "label": run.label,
                    "figures": {k: _finite(v) for k, v in run.figures.items()},
                    "curves": {k: _finite(v) for k, v in run.curves.items()},
                }
                for run in self.runs
            ],
        }


def _finite(value: Value) -> Value:
    """``value`` with every non-finite float turned into ``None`` (JSON has no NaN)."""
    if isinstance(value, list):
        return [v if math.isfinite(v) else None for v in value]  # type: ignore[misc]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


Column = tuple[str, str, str, str]  # figure, heading, format, text when the figure is None


def table(comparison: Comparison, columns: Sequence[Column]) -> str:
    """The runs as a text table, one row per run."""
    widths = [max(len(heading), 9) for _, heading, _, _ in columns]
    label_width = max(len("init"), *(len(run.label) for run in comparison.runs))
    headings = [heading for _, heading, _, _ in columns]
    lines = ["  ".join([f"{'init':<{label_width}}", *_cells(headings, widths)])]
    lines.append("-" * len(lines[0]))
    for run in comparison.runs:
        cells = [_format(run.figures.get(key), spec, none) for key, _, spec, none in columns]
        lines.append("  ".join([f"{run.label:<{label_width}}", *_cells(cells, widths)]))
    return "\n".join(lines)


def _cells(texts: Sequence[str], widths: Sequence[int]) -> list[str]:
    return [f"{text:>{width}}" for text, width in zip(texts, widths, strict=True)]


def _format(value: Value, spec: str, none: str) -> str:
    if value is None:
        return none
    if isinstance(value, list):
        return " ".join(format(v, spec) for v in value)
    return format(value, spec)
