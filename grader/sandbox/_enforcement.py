"""Proof that a submission's control groups hold what they were told to hold.

A group can exist, accept a limit and take processes, yet not hold the limit: swap that the
group's limit does not cover, a memory controller that only counts, a hierarchy that the
grader's processes are not really charged to. Rather than guess from the machine's layout,
``Probe`` runs a small process in groups made exactly as a worker's are, with a small limit,
and has it write more memory than that: the groups count as holding the submission's budget
only once the kernel has killed it. ``joined`` then tells, for each worker,
that it is in its group.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROBE_MB = 16  # the probe's group may hold this much
_PROBE_WRITES_MB = 128  # and its process writes this much, a page at a time
_PROBE_SECONDS = 20.0

# Runs with ``python -S``: joins each group named on the command line, then writes every page
# of an anonymous mapping. Exit 3: a group could not be joined; 0: everything was written.
_PROBE = """import mmap, sys
for procs in sys.argv[2:]:
    try:
        with open(procs, "w") as handle:
            handle.write("0")
    except OSError:
        sys.exit(3)
size = int(sys.argv[1]) << 20
block = mmap.mmap(-1, size)
for offset in range(0, size, mmap.PAGESIZE):
    block[offset] = 1
sys.exit(0)
"""


Groups = Callable[[], tuple[Sequence[str], Callable[[], None]]]


class Probe:
    """A process that joins the ``cgroup.procs`` files of groups limited to ``PROBE_MB`` and
    writes far more than that; ``holds`` tells whether the kernel killed it. ``groups`` makes
    the groups and gives those files and what removes the groups. All of it happens in a thread
    of its own, beside the grader's work: nothing waits for it unless asked to."""

    def __init__(self, groups: Groups) -> None:
        self._cleanup: Callable[[], None] = lambda: None
        self._result: bool | None = None
        self._started = time.monotonic()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._spawning = threading.Thread(target=self._spawn, args=(groups,), daemon=True)
        self._spawning.start()

    def _spawn(self, groups: Groups) -> None:
        join, self._cleanup = groups()
        if not join:
            return
        command = [sys.executable, "-S", "-c", _PROBE, str(_PROBE_WRITES_MB), *join]
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def holds(self, wait: bool = False) -> bool | None:
        """Whether the groups held the probe's limit; None while it runs (``wait``: until it
        is known). A probe that outlives ``_PROBE_SECONDS`` is ended and counts as not held."""
        with self._lock:
            if self._result is None and (wait or not self._spawning.is_alive()):
                self._spawning.join()
                self._settle(wait)
            return self._result

    def _settle(self, wait: bool) -> None:
        if self._process is None:
            self._done(None)
            return
        left = self._started + _PROBE_SECONDS - time.monotonic()
        try:
            code = self._process.wait(max(left, 0.0)) if wait else self._process.poll()
        except subprocess.TimeoutExpired:
            code = None
        if code is None and time.monotonic() - self._started > _PROBE_SECONDS:
            self._process.kill()
            self._process.wait()
        elif code is None:
            return
        self._done(code)

    def _done(self, code: int | None) -> None:
        self._result = code == -signal.SIGKILL
        self._cleanup()


def joined(pid: int, group: Path) -> bool:
    """Whether process ``pid`` is in ``group`` or below it (its memory line, or the v2 line,
    names the group's folder); False when that cannot be read."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        _, names, path = line.split(":", 2)
        if (names == "" or "memory" in names.split(",")) and group.name in path.split("/"):
            return True
    return False
