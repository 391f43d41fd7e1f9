"""A stable digest of what a spec grades, so a gradebook can tell whether a grade still holds.

The digest covers the spec's data: its name, helper modules, every function with its cases,
points and check slots, and its limits. It leaves out where the assignment lies on this
machine (``directory``), so the same spec on two machines has the same digest. It is the sha256
of a canonical JSON form (sorted keys, tuples as lists), which does not depend on the Python
version or on the order dataclass fields are declared in.
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
    data: dict[str, Any] = asdict(spec)
    data.pop("directory", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
