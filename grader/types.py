"""The values that cross between the grader's stages: parameters, one call's result, the limits.

The sandbox (``grader.sandbox``) produces ``CallResult`` values; the checks (``grader.checks``)
consume them through a ``Caller``. Nothing in here holds student objects: ``value`` is already
validated as a plain ``dict`` of ``str`` to real ``float64`` arrays, so a check can trust its type
and look only at its numbers. A ``Program`` is what the checks grade: the functions a submission
defines, each reachable through a caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:  # only a type here: the sandbox's client starts before numpy is imported
    import numpy as np

Params: TypeAlias = "dict[str, np.ndarray]"


class CallStatus(str, Enum):
    """How a call ended. Everything but OK carries a student-readable ``message``."""

    OK = "ok"  # returned a valid dict of float arrays
    MISSING = "missing"  # the function is not defined in the submission
    EXCEPTION = "exception"  # the student's code raised; message names the exception and line
    INVALID = "invalid"  # returned something that is not a dict of real float arrays
    TIMEOUT = "timeout"  # wall clock or CPU limit hit
    MEMORY = "memory"  # address-space limit hit
    CRASHED = "crashed"  # the worker died (exit, signal, broken pipe) or spoke garbage


# After one of these, the function is not called again: its worker is gone or out of time.
DEAD = frozenset({CallStatus.TIMEOUT, CallStatus.MEMORY, CallStatus.CRASHED})

# All calls of one graded function together may take this many times the limit of one call: a
# correct function needs a fraction of one call's limit for its ~80 calls.
FUNCTION_BUDGET_CALLS = 2


@dataclass(frozen=True)
class Raised:
    """What a student function raised, as plain text: the exception's type and text, and where
    (a cell and line, and the code on that line) when the traceback reached the student's code."""

    kind: str
    text: str = ""
    where: str = ""
    code: str = ""
    function: str = ""


@dataclass(frozen=True)
class Refused:
    """Why a returned value was refused (status INVALID), as data: the problem (``none``,
    ``type``, ``dict_subclass``, ``key``, ``value_type``, ``value_none``, ``dtype``, ``ndim``,
    ``too_many``, ``too_large``), and the key and the type it concerns when there is one."""

    problem: str
    key: str = ""
    kind: str = ""


@dataclass(frozen=True)
class CallResult:
    status: CallStatus
    value: Params | None = None
    message: str = ""
    # ``layers_dims`` as the worker saw it after the call returned (to detect mutation); a str
    # shows it when its elements are no longer plain ints (changed either way).
    args_after: list[int] | str | None = None
    seconds: float = 0.0
    # The dtype each returned array had before it became float64, for those that were not.
    dtypes: tuple[tuple[str, str], ...] = ()
    raised: Raised | None = None  # with status EXCEPTION
    refused: Refused | None = None  # with status INVALID

    @property
    def ok(self) -> bool:
        return self.status is CallStatus.OK


class Caller(Protocol):
    """Calls one student function once: ``caller(layers_dims, preseed) -> CallResult``.

    ``preseed`` seeds numpy's global generator right before the call (None leaves it alone)."""

    def __call__(self, layer_dims: Sequence[int], preseed: int | None, /) -> CallResult: ...


@dataclass(frozen=True)
class Call:
    """One scheduled call: ``layers_dims`` (a list or a tuple, passed as it is) and the seed of
    numpy's global generator right before the call (None leaves it alone)."""

    dims: Sequence[int]
    preseed: int | None

    @property
    def key(self) -> tuple[str, tuple[int, ...], int | None]:
        """What makes two calls the same call (a list and a tuple are different arguments)."""
        return type(self.dims).__name__, tuple(self.dims), self.preseed


@dataclass(frozen=True)
class Schedule:
    """Every call one graded function gets, a function of the spec alone, in order: the calls
    whose results the student may see (``visible``), then the hidden cases (``hidden``) in the
    same process, after which that process makes no other call; ``repeat``, made in a
    process that has never run this function, to compare with the same calls made in its own;
    and ``fresh``, each made first in a process where the function has never run, whose result
    stands for the same call made among the visible ones. Every call after ``unknown_preseed``
    is made after a preseed the submission cannot know instead (the program chooses it). The
    last ``unseen`` visible calls (the extensions) are as hidden as the hidden cases: what they
    print is dropped unseen."""

    visible: tuple[Call, ...]
    hidden: tuple[Call, ...] = ()
    repeat: tuple[Call, ...] = ()
    fresh: tuple[Call, ...] = ()
    unknown_preseed: int | None = None
    unseen: int = 0


@dataclass(frozen=True)
class Ran:
    """The results of a schedule, one per call, in the schedule's order. A call after one that
    ended its process (``DEAD``) is not made: its result says so."""

    visible: tuple[CallResult, ...]
    hidden: tuple[CallResult, ...] = ()
    repeat: tuple[CallResult, ...] = ()
    fresh: tuple[CallResult, ...] = ()
    # (the schedule's preseed, the one the call was made after) where the program chose another
    preseeds: tuple[tuple[int, int], ...] = ()


class Program(Protocol):
    """A submission as the checks see it: which functions it defines, and a caller for each."""

    @property
    def call_seconds(self) -> float | None:
        """The limit of one call (None: unlimited); a function's calls get a multiple of it."""
        ...

    def defined(self) -> set[str]:
        """Names of the callables the submission defines."""
        ...

    def missing_reason(self, name: str) -> str | None:
        """Why ``name`` is not defined, when that is known (its cell does not compile...)."""
        ...

    def caller(self, name: str) -> Caller:
        """A caller of the function ``name``, one call at a time."""
        ...

    def run(self, schedules: Mapping[str, Schedule]) -> dict[str, Ran]:
        """Every function's schedule, by name: each function's calls in a process of its own
        where the program can, its hidden cases last there, its repeats elsewhere."""
        ...


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's worker. Defaults are safe for a course-sized batch.

    Frozen and hashable, so a set of limits can be part of a cache or gradebook key."""

    wall_seconds: float = 20.0  # whole worker life, enforced from outside with SIGKILL
    call_seconds: float = 5.0  # one function call, enforced from outside
    cpu_seconds: int = 30  # RLIMIT_CPU
    memory_mb: int = 1024  # RLIMIT_AS (numpy alone maps ~200 MB of address space)
    max_processes: int = 64  # RLIMIT_NPROC, counted for the worker's own user
    max_file_mb: int = 16  # RLIMIT_FSIZE
    max_output_kb: int = 256  # stdout/stderr kept for the report; the rest is discarded

    @property
    def function_seconds(self) -> float:
        """What all calls of one graded function may take together."""
        return FUNCTION_BUDGET_CALLS * self.call_seconds
