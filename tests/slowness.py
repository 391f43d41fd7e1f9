"""How much slower than a free processor this machine runs right now, for the tests that bound
wall-clock time.

The grader charges a call its run-or-sleep time, not its waits for a processor, up to a hard
wall-clock cap of ``HARD_FACTOR`` times its limit; so on a busy machine a call that hits its limit
takes up to that many times longer on the wall clock, and everything else the grader does takes
as much longer as the machine is slow. A test that bounds a grading's wall-clock time measures
that slowness beside it (``slowness()``: a short computation's wall-clock time over its
processor time) and scales its bound by it; on a quiet machine the factor is 1 and the bound is
what it would be without it.
"""

from __future__ import annotations

import time

from grader.sandbox._holder import _HARD_FACTOR as HARD_FACTOR

_SAMPLE_CPU_SECONDS = 0.01  # 10 ms of computation: a few of a busy scheduler's slices


def slowness(cpu_seconds: float = _SAMPLE_CPU_SECONDS) -> float:
    """Wall-clock seconds per processor second of a computation in this thread now (>= 1)."""
    wall, start = time.perf_counter(), time.thread_time()
    while time.thread_time() - start < cpu_seconds:
        pass
    return max(1.0, (time.perf_counter() - wall) / (time.thread_time() - start))


def wall_bound(limit: float, overhead: float, factor: float) -> float:
    """What a piece of work may take on the wall clock on a machine ``factor`` times slower than
    a free one: ``limit`` busy seconds of calls (stretched up to the grader's hard cap) and
    ``overhead`` seconds of everything else, as it would take on a free machine."""
    return limit * min(factor, HARD_FACTOR) + overhead * factor
