"""What a method record holds besides its cases and points, and the checks made when it is built.

A method (``FunctionSpec``) points to its answer in ``reference.INITIALIZERS`` and says, as
data: its weight scale (``Scale``), the outcome band its training must land in (``Band``), the
wrong scales the diagnosis tries (``WrongScale``), and its words (how messages name it, and the
hint an outcome outside the band gets). ``check_method`` refuses a record that lacks any of
them, naming the method and what it lacks, so that an incomplete method is an error where the
model is built, never a ``KeyError`` in the middle of a grading. ``check_reference`` also asks
that the method's answer is in reference/ and drawn with the method's scale; it imports the
reference (numpy), so it runs once before the first grading of a model rather than when the
model module is imported.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError
from grader.spec._scale import Scale, ScaleError

if TYPE_CHECKING:
    from grader.spec._model import FunctionSpec

# Layers (fan_in, fan_out) at which a method's scale must equal the reference's: a constant,
# 1/n, 2/n and any mix of fan-in and fan-out differ on some of them.
CHECKED_LAYERS = ((1, 1), (2, 5), (7, 3), (60, 200), (300, 1))
SCALE_RTOL = 1e-12


@dataclass(frozen=True)
class Band:
    """Accepted train and test accuracy, with the published figures the band is built around."""

    train: tuple[float, float]
    test: tuple[float, float]
    published: tuple[float, float]

    def contains(self, train: float, test: float) -> bool:
        return self.train[0] <= train <= self.train[1] and self.test[0] <= test <= self.test[1]

    def problem(self) -> str | None:
        """What is wrong with the band, or None."""
        for name, (low, high) in (("train", self.train), ("test", self.test)):
            if not 0.0 <= low <= high <= 1.0:
                return f"its {name} band [{low}, {high}] is not an interval inside [0, 1]"
        if len(self.published) != 2:
            return "its published outcome is not a (train, test) pair"
        return None


@dataclass(frozen=True)
class WrongScale:
    """A scale students write instead of the method's, named for the diagnosis (its mistake id
    is ``scale.<name>``)."""

    name: str
    scale: Scale


# The fields a method record must have, and what each is for (named in the error).
REQUIRED = {
    "name": "the graded function's name",
    "method": "the key of its answer in reference.INITIALIZERS",
    "exact_cases": "its visible and hidden cases",
    "scale": "its weight scale, an expression of fan_in",
    "band": "its outcome band",
    "title": "its name in the outcome message",
    "scale_name": "its name in a scale message",
    "outcome_hint": "the hint for an outcome outside the band",
    "seed": "the exercise's seed",
}


def missing_fields(data: Mapping[str, Any]) -> list[str]:
    """The required fields ``data`` (a method's record as a mapping) does not give."""
    return [name for name in REQUIRED if data.get(name) is None or data.get(name) in ("", ())]


def _label(entry: FunctionSpec) -> str:
    return f"method {entry.method or entry.name!r}"


def check_method(entry: FunctionSpec) -> None:
    """Refuse ``entry`` unless it has everything the grader needs; see the module docstring."""
    label = _label(entry)
    missing = missing_fields({name: getattr(entry, name, None) for name in REQUIRED})
    if missing:
        needs = "; ".join(f"{name} ({REQUIRED[name]})" for name in missing)
        raise SpecError(f"{label} is missing {needs}")
    if not entry.name.isidentifier():
        raise SpecError(f"{label}: {entry.name!r} is not a Python function name")
    if not isinstance(entry.scale, Scale) or not isinstance(entry.band, Band):
        raise SpecError(f"{label}: its scale must be a Scale and its band a Band")
    if not any(not case.hidden for case in entry.exact_cases):
        raise SpecError(f"{label} has no visible case: the notebook's example is one")
    problem = entry.band.problem()
    if problem is not None:
        raise SpecError(f"{label}: {problem}")
    try:
        for wrong in entry.wrong_scales:
            wrong.scale.value(3, 2)
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        raise SpecError(f"{label}: a wrong scale cannot be computed ({error})") from None


@functools.lru_cache(maxsize=64)
def check_reference(entry: FunctionSpec) -> None:
    """Refuse ``entry`` unless reference/ has its answer, drawn with its scale (once per record)."""
    import reference

    label = _label(entry)
    if entry.method not in reference.INITIALIZERS:
        known = ", ".join(sorted(reference.INITIALIZERS))
        raise SpecError(f"{label}: the reference has no such initializer (it has {known})")
    try:
        for fan_in, fan_out in CHECKED_LAYERS:
            ours = entry.scale.value(fan_in, fan_out)
            theirs = reference.weight_std(entry.method, fan_in, fan_out)
            if abs(ours - theirs) > SCALE_RTOL * max(abs(theirs), 1e-300):
                raise SpecError(
                    f"{label}: its scale {entry.scale.text} is {ours:.6g} for fan-in {fan_in} "
                    f"and fan-out {fan_out}, but the reference draws it with {theirs:.6g}"
                )
    except (ScaleError, ZeroDivisionError, OverflowError, ValueError) as error:
        if isinstance(error, SpecError):
            raise
        raise SpecError(f"{label}: {error}") from None
