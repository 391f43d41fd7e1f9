"""How long a worker may still take: its run-or-sleep time, not the time it waited for a CPU.

A call's time is the wall-clock time it took minus the time the worker's own thread spent waiting
for a processor, and minus the time the grader's own thread spent waiting for one (while it had
not yet read a reply that had come), read from ``/proc/.../schedstat``; and never less than the
processor time the worker and every process it started ran meanwhile (``Reading.ran``). So a
wait that the worker's own children cause, by holding the processors, is counted all the same:
their time is the call's. A busy machine thus does not make a function slow: the same
notebook gets the same grade on a loaded machine as on a quiet one. A hard wall-clock cap still
stops a worker that never gets a processor at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol


class Reading(NamedTuple):
    now: float  # time.monotonic()
    ran: float  # seconds the worker and every process it started have run on a processor
    waited: float  # seconds the worker has waited for a processor
    grader_waited: float  # seconds the grader's thread has waited for one


Reader = Callable[[], Reading]


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

    read: Reader
    allowed: float
    hard: float
    _start: Reading = field(init=False)

    def __post_init__(self) -> None:
        self._start = self.read()

    def used(self) -> float:
        end, start = self.read(), self._start
        waited = (end.waited - start.waited) + (end.grader_waited - start.grader_waited)
        return max(end.ran - start.ran, (end.now - start.now) - waited, 0.0)

    def remaining(self) -> float:
        # Read every time: the processor time of a worker's processes together can run ahead
        # of the wall clock.
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
