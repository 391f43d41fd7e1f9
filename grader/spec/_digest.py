"""A stable digest of the whole model, so a gradebook can tell whether a grade still holds.

The digest covers everything the model says: its name and helper modules; the exercise record
(seed, sizes, training); the grading policy (tolerances, preseeds, the property run, the probe,
and the statistical false-failure rate of ``grader.stats``); every method record with its
reference, scale, band, wrong scales, words, cases and points; and the limits. It leaves out
where the assignment lies on this machine (``directory``), so the same model on two machines has
the same digest. It is the sha256 of a canonical JSON form (sorted keys, tuples as lists), which
does not depend on the Python version or on the order dataclass fields are declared in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from typing import Any

from grader.spec._model import AssignmentSpec
from grader.types import Limits


def spec_digest(spec: AssignmentSpec, *, limits: Limits | None = None) -> str:
    """The sha256 (hex) of the spec's data; ``limits`` stands for the spec's own when given."""
    if limits is not None:
        spec = replace(spec, limits=limits)
    from grader.stats import FALSE_FAILURE_RATE  # here: grader.stats imports numpy

    data: dict[str, Any] = asdict(spec)
    data.pop("directory", None)
    data["false_failure_rate"] = FALSE_FAILURE_RATE
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
