"""What one call of a student function across the sandbox returns, and the limits it ran under.

The sandbox (``grader.sandbox``) produces these values; the checks (``grader.checks``) consume them.
Nothing in here holds student objects: ``value`` is already validated as a plain ``dict`` of
``str`` to real ``float64`` arrays, so a check can trust its type and look only at its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

Params = dict[str, np.ndarray]


class CallStatus(str, Enum):
    """How a call ended. Everything but OK carries a student-readable ``message``."""

    OK = "ok"  # returned a valid dict of float arrays
    MISSING = "missing"  # the function is not defined in the submission
    EXCEPTION = "exception"  # the student's code raised; message names the exception and line
    INVALID = "invalid"  # returned something that is not a dict of real float arrays
    TIMEOUT = "timeout"  # wall clock or CPU limit hit
    MEMORY = "memory"  # address-space limit hit
    CRASHED = "crashed"  # the worker died (exit, signal, broken pipe) or spoke garbage


@dataclass(frozen=True)
class CallResult:
    status: CallStatus
    value: Params | None = None
    message: str = ""
    # ``layers_dims`` as the worker saw it after the call returned (to detect mutation).
    args_after: list[int] | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is CallStatus.OK


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's worker. Defaults are safe for a course-sized batch."""

    wall_seconds: float = 20.0  # whole worker life, enforced from outside with SIGKILL
    call_seconds: float = 5.0  # one function call, enforced from outside
    cpu_seconds: int = 30  # RLIMIT_CPU
    memory_mb: int = 1024  # RLIMIT_AS (numpy alone maps ~200 MB of address space)
    max_processes: int = 64  # RLIMIT_NPROC, counted for the worker's own user
    max_file_mb: int = 16  # RLIMIT_FSIZE
    max_output_kb: int = 256  # stdout/stderr kept for the report; the rest is discarded
    extra: dict[str, str] = field(default_factory=dict)
