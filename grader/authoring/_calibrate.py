"""Outcome bands for a course's own term, computed by training, and written into its file.

A band says which train and test accuracies the reference model may reach from a student's
start. The course's bands were calibrated for its seed; another seed gives a correct solution
another outcome, which may fall outside them (with seed 7, He's correct start stalls at 0.67 /
0.66). ``calibrate`` trains, in stacked runs of ``reference.train_many`` through the outcome
cache, the method's correct start for the term's seed and the starts of ``seeds`` other seeds
drawn with the method's scale. Each band is the course's band widened just enough to hold the
correct start's outcome (by ``MARGIN``), and its published figures become that outcome; the
table says, for each method, how the other seeds' outcomes spread and how many the band keeps.

``write_bands`` puts the bands, with the table as comments, between two marker lines at the end
of the assignment file, replacing an earlier calibration; the file is read again afterwards, so
what was written is a model that loads.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from grader.errors import SpecError
from grader.spec import AssignmentSpec, Band, FunctionSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MARGIN = 0.01  # one test point in 100: a band holds the correct outcome with this to spare
DEFAULT_SEEDS = 32  # one stack of reference.train_many
BEGIN = "# BEGIN CALIBRATED BANDS (initgrade calibrate; run it again rather than edit)"
END = "# END CALIBRATED BANDS"


@dataclass(frozen=True)
class Calibrated:
    """One method's new band, its correct outcome, and the other seeds' outcomes."""

    method: str
    band: Band
    correct: tuple[float, float]
    others: tuple[tuple[float, float], ...]

    def row(self) -> str:
        trains = [train for train, _ in self.others]
        tests = [test for _, test in self.others]
        kept = sum(self.band.contains(train, test) for train, test in self.others)
        share = f"{kept / len(self.others):>6.0%}" if self.others else "     -"
        return (
            f"{self.method:<8} {len(self.others):>5}  {_spread(trains)}  {_spread(tests)}  "
            f"{share}  {self.correct[0]:.4f} / {self.correct[1]:.4f}"
        )


def _spread(values: list[float]) -> str:
    if not values:
        return " " * 17
    return f"{min(values):.3f}/{statistics.median(values):.3f}/{max(values):.3f}"


def header(spec: AssignmentSpec) -> str:
    return (
        f"method   seeds  train min/med/max  test min/med/max   in band  "
        f"seed {spec.exercise.seed}: train / test"
    )


def _widened(band: tuple[float, float], value: float) -> tuple[float, float]:
    low, high = band
    if value - MARGIN < low:
        low = round(max(0.0, value - MARGIN), 4)
    if value + MARGIN > high:
        high = round(min(1.0, value + MARGIN), 4)
    return low, high


def calibrate(spec: AssignmentSpec, *, seeds: int = DEFAULT_SEEDS) -> list[Calibrated]:
    """Every method's band for ``spec``'s seed; see the module docstring."""
    if not 1 <= seeds <= 10_000:
        raise SpecError(f"--seeds must be a whole number from 1 to 10000, not {seeds}")
    return [_calibrated(entry, spec.exercise.seed, seeds) for entry in spec.functions]


def _calibrated(entry: FunctionSpec, seed: int, seeds: int) -> Calibrated:
    from grader.checks import expected_params, seeded_start, train_outcomes

    correct = dict(expected_params(entry.method, entry.outcome_dims, seed))
    others = [] if entry.zero else [s for s in range(seeds + 1) if s != seed][:seeds]
    starts = [correct]
    starts += [seeded_start(entry.scale.value, s, entry.outcome_dims) for s in others]
    outcomes = train_outcomes(starts, dims=entry.outcome_dims)
    pairs = [(o.train_accuracy, o.test_accuracy) for o in outcomes if o is not None]
    (train, test), rest = pairs[0], tuple(pairs[1:])
    band = Band(
        _widened(entry.band.train, train),
        _widened(entry.band.test, test),
        (round(train, 4), round(test, 4)),
    )
    return Calibrated(entry.method, band, (train, test), rest)


def bands_block(spec: AssignmentSpec, found: list[Calibrated], seeds: int) -> str:
    """The marked block of bands, with the calibration table as comments."""
    lines = [BEGIN, f"# {seeds} other seeds per method, {spec.exercise.steps} steps each."]
    lines += [f"# {header(spec)}", *(f"# {c.row()}" for c in found)]
    for c in found:
        lines += [
            f"[bands.{c.method}]",
            f"train = [{c.band.train[0]!r}, {c.band.train[1]!r}]",
            f"test = [{c.band.test[0]!r}, {c.band.test[1]!r}]",
            f"published = [{c.band.published[0]!r}, {c.band.published[1]!r}]",
        ]
    return "\n".join([*lines, END]) + "\n"


def _without_block(text: str) -> str:
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0:
        return text
    if end < begin:
        raise SpecError(f"the line {BEGIN!r} has no {END!r} after it")
    return text[:begin].rstrip("\n") + "\n" + text[end + len(END) :].lstrip("\n")


def write_bands(path: Path, block: str) -> None:
    """Put ``block`` at the end of the assignment file ``path`` in place of an earlier one."""
    from grader.spec.variant import load_assignment

    text = _without_block(path.read_text(encoding="utf-8"))
    if "bands" in tomllib.loads(text):
        raise SpecError(
            f"{path} has [bands] tables of its own; remove them, or keep them and do not "
            "calibrate: the calibrated bands go in a marked block at the end"
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text.rstrip("\n") + "\n\n" + block)
    os.replace(tmp, path)
    load_assignment(path)


def with_bands(spec: AssignmentSpec, found: list[Calibrated]) -> AssignmentSpec:
    """``spec`` with the calibrated bands."""
    bands = {c.method: c.band for c in found}
    functions = tuple(replace(e, band=bands.get(e.method, e.band)) for e in spec.functions)
    return replace(spec, functions=functions)
