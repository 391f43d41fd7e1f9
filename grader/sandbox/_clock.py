"""How long a worker may still take: its run-or-sleep time, not the time it waited for a CPU.

A call's time is the wall-clock time it took minus the time the worker spent waiting for a
processor (its run delay in ``/proc/PID/schedstat``), so that a busy machine does not make a
function slow: the same notebook gets the same grade on a loaded machine as on a quiet one. A
hard wall-clock cap still stops a worker that never gets a processor at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

Reading = Callable[[], "tuple[float, float]"]  # () -> (monotonic now, seconds waited for a CPU)


class Deadline(Protocol):
    def remaining(self) -> float:
        """Seconds left; zero or less once the time is up."""
        ...


@dataclass(frozen=True)
class WallDeadline:
    at: float  # time.monotonic()

    def remaining(self) -> float:
        return self.at - time.monotonic()


@dataclass
class BusyClock:
    """Counts a worker's run-or-sleep seconds from now; up after ``allowed`` of them, or at the
    wall-clock ``hard`` deadline, whichever comes first."""

    read: Reading
    allowed: float
    hard: float
    _start: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        self._start = self.read()

    def used(self) -> float:
        now, waited = self.read()
        return max(0.0, (now - self._start[0]) - (waited - self._start[1]))

    def remaining(self) -> float:
        return min(self.allowed - self.used(), self.hard - time.monotonic())

    def out_of_wall(self) -> bool:
        """Whether the time ran out on the wall-clock cap rather than on busy time."""
        return self.hard - time.monotonic() <= 0


@dataclass
class Budget:
    """The run-or-sleep seconds all calls of one function may still take, shared by its
    workers (the one for the visible calls and the one for the hidden cases)."""

    seconds: float
    left: float = field(init=False)

    def __post_init__(self) -> None:
        self.left = self.seconds

    def spend(self, used: float) -> None:
        self.left = max(0.0, self.left - used)
