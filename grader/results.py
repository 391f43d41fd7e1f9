"""The values a grading run produces: one result per check, per graded function, per submission.

All three are frozen: a check builds its result once and nothing downstream edits it. Reports
(``grader.reports``) only read them, and ``to_dict`` / ``from_dict`` give the plain-JSON form the
gradebook stores.

Their text has been through the door and their size is bounded, by construction, whatever a
submission did (``grader.untrusted``): every message, diagnosis, warning, error and name is safe
one-line text, a check's message at most ``MAX_MESSAGE`` characters, and a report holds at most
``MAX_NOTES`` warnings of at most ``MAX_TEXT`` characters each, ``MAX_OUTPUT`` characters of the
student's output and ``MAX_INTERNAL`` of the grader's own traceback (safe multi-line text: it
can quote a student's strings). Text that is safe already passes the door in one scan.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from grader.mistakes import Diagnosis, Quoted
from grader.untrusted import MAX_NAME, MAX_TEXT, bounded_notes, safe_text

MAX_MESSAGE = 2 * MAX_TEXT  # a sentence that quotes one or two of a student's strings
MAX_OUTPUT = 256 * 1024  # the most a worker's output tail can be (Limits.max_output_kb)
MAX_INTERNAL = 64 * 1024

# Gradescope's four visibility levels, from most to least open.
Visibility = Literal["visible", "after_published", "after_due_date", "hidden"]
VISIBILITIES: tuple[Visibility, ...] = ("visible", "after_published", "after_due_date", "hidden")
UNGRADABLE = "submission.ungradable"  # the mistake id of a submission that could not be graded


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one graded function; ``inputs`` are the ``layers_dims`` its
    message quotes, each marked as a notebook example or an input the grader made up."""

    name: str
    function: str
    points: float
    max_points: float
    passed: bool
    message: str = ""
    visibility: Visibility = "visible"
    inputs: tuple[Quoted, ...] = ()  # the layers_dims its message quotes

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {self.visibility!r}")
        if not 0.0 <= self.points <= self.max_points:
            raise ValueError(f"{self.name}: points {self.points} outside [0, {self.max_points}]")
        object.__setattr__(self, "message", safe_text(self.message, limit=MAX_MESSAGE))


@dataclass(frozen=True)
class FunctionResult:
    """All checks of one graded function, and the likely mistake when it lost points (a value:
    ``grader.sentences`` words it where a report is written)."""

    name: str
    checks: tuple[CheckResult, ...]
    diagnosis: Diagnosis | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))

    @property
    def score(self) -> float:
        return float(sum(check.points for check in self.checks))

    @property
    def max_score(self) -> float:
        return float(sum(check.max_points for check in self.checks))

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def mistakes(self) -> tuple[str, ...]:
        """The ids the diagnosis names (empty when there is none)."""
        return self.diagnosis.ids if self.diagnosis is not None else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "checks": [asdict(check) for check in self.checks],
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FunctionResult:
        """The inverse of ``to_dict``. A diagnosis stored as a sentence (by a grader from before
        diagnoses were values) cannot be read back as one, and is left out."""
        found = data.get("diagnosis")
        diagnosis = Diagnosis.from_dict(found) if isinstance(found, Mapping) else None
        checks = tuple(_check_from_dict(c) for c in data["checks"])
        return cls(data["name"], checks, diagnosis)


def _check_from_dict(data: Mapping[str, Any]) -> CheckResult:
    inputs = tuple(Quoted.from_dict(q) for q in data.get("inputs", ()))
    return CheckResult(**{**data, "inputs": inputs})


class GradedFunctions(Protocol):
    """What can fail every check of every graded function with one reason (an assignment spec)."""

    def failed_results(self, reason: str) -> tuple[FunctionResult, ...]: ...


def grader_version() -> str:
    """The installed initgrade's version, from the package metadata: part of the key a grade is
    stored under, and named in every report."""
    from importlib import metadata

    try:
        return metadata.version("initgrade")
    except metadata.PackageNotFoundError:
        return "unknown"


def environment() -> dict[str, str]:
    """What the grade was computed with, recorded so a disputed grade can be reproduced."""
    import numpy as np  # here: the command line starts the sandbox before importing numpy

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": f"{sys.platform}-{platform.machine()}",
    }


@dataclass(frozen=True)
class Report:
    """One submission's grade: per-function results, or ``error`` when nothing could be graded.

    ``internal`` holds the traceback when the grader itself failed on this submission: for course
    staff only, never shown to the student. ``timing["total"]`` is the grading's wall time in
    seconds. ``grader_version`` and ``policy_digest`` (``grader.spec.spec_digest`` of the model
    it was graded against) say what graded it; every report names both."""

    submission: str
    sha256: str
    functions: tuple[FunctionResult, ...]
    warnings: tuple[str, ...] = ()
    error: str | None = None
    output_tail: str = ""
    environment: Mapping[str, str] = field(default_factory=environment)
    timing: Mapping[str, float] = field(default_factory=dict)
    internal: str | None = None
    grader_version: str = ""
    policy_digest: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "functions", tuple(self.functions))
        object.__setattr__(self, "warnings", bounded_notes(tuple(self.warnings)))
        object.__setattr__(self, "submission", safe_text(self.submission, limit=MAX_NAME))
        if self.error is not None:
            object.__setattr__(self, "error", safe_text(self.error, limit=MAX_MESSAGE))
        if len(self.output_tail) > MAX_OUTPUT:
            tail = safe_text(self.output_tail[-MAX_OUTPUT:], lines=True, limit=MAX_OUTPUT)
            object.__setattr__(self, "output_tail", tail)
        if self.internal is not None:
            internal = safe_text(self.internal, lines=True, limit=MAX_INTERNAL)
            object.__setattr__(self, "internal", internal)

    @property
    def score(self) -> float:
        return float(sum(function.score for function in self.functions))

    @property
    def max_score(self) -> float:
        return float(sum(function.max_score for function in self.functions))

    @property
    def checks(self) -> Iterable[CheckResult]:
        return (check for function in self.functions for check in function.checks)

    @property
    def mistakes(self) -> tuple[str, ...]:
        """Every mistake id the report names, each once: ``submission.ungradable`` when the
        submission could not be graded (not when the grader itself failed), then each
        function's diagnosis."""
        found = [UNGRADABLE] if self.error and not self.internal else []
        found += [i for function in self.functions for i in function.mistakes]
        return tuple(dict.fromkeys(found))

    @classmethod
    def without_results(
        cls,
        submission: str,
        sha256: str,
        reason: str,
        spec: GradedFunctions,
        *,
        internal: str | None = None,
    ) -> Report:
        """A report for a submission that could not be graded: every check 0, with the reason."""
        return cls(submission, sha256, spec.failed_results(reason), error=reason, internal=internal)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (lists, dicts, strings, numbers)."""
        data = asdict(self)
        data["functions"] = [function.to_dict() for function in self.functions]
        data["environment"] = dict(self.environment)
        data["timing"] = dict(self.timing)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        functions = tuple(FunctionResult.from_dict(f) for f in data["functions"])
        return cls(
            submission=data["submission"],
            sha256=data["sha256"],
            functions=functions,
            warnings=tuple(data.get("warnings", ())),
            error=data.get("error"),
            output_tail=data.get("output_tail", ""),
            environment=dict(data.get("environment", {})),
            timing=dict(data.get("timing", {})),
            internal=data.get("internal"),
            grader_version=str(data.get("grader_version", "")),
            policy_digest=str(data.get("policy_digest", "")),
        )
