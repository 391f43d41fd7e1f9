"""One worker process: forked by the zygote, watched from outside, ended with all it started.

``WorkerProcess.start`` builds the worker's plan and configuration (``grader.sandbox._launch``)
and has the zygote fork it. From the host this process then sees three pids: the zygote's child
(which only waits), the worker's init (pid 1 of its pid namespace) and the worker itself, and
holds a pidfd of each, so no signal can reach a process that merely reuses a pid. ``stray``
counts what the worker left running (threads, and processes anywhere in its namespace), and
``clock`` reads how long the worker has run or slept and how long it waited for a processor,
so a busy machine does not count against a student. ``end`` kills everything: killing the
zygote's child kills the init (its parent-death signal), and with it the pid namespace.
Without namespaces the worker is the zygote's child itself; its processes are then ended by
uid (as root) or by process group.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import _launch as launch
from grader.sandbox._zygote import Spawned, zygote
from grader.types import Limits

_GONE_SECONDS = 2.0
_STATUS_SECONDS = 1.0  # how long the zygote may take to report how its child ended
_RUNNING = frozenset("RSDTtWPI")  # states of /proc/PID/stat that mean alive (not Z, X)


@dataclass
class WorkerProcess:
    spawned: Spawned
    host: launch.HostScratch | None  # the scratch folder, when it is on the host's disk
    uid: int | None
    namespaces: bool
    scratch_path: str  # the scratch folder as the worker sees it
    init_pid: int | None = None
    worker_pid: int | None = None
    _pidfds: tuple[int, ...] = ()

    @classmethod
    def start(cls, limits: Limits, helpers: Sequence[Path], caps: dict[str, int]) -> WorkerProcess:
        plat = launch.platform()
        plan, config, host = launch.worker_plan(plat, limits, list(helpers), caps)
        try:
            spawned = zygote(launch.scrubbed_env(None)).spawn(plan, config)
        except BaseException:
            if host is not None:
                host.remove()
            raise
        return cls(spawned, host, plan["uid"], plat.namespaces, plan["scratch"])

    @property
    def scratch(self) -> Path:
        """The scratch folder as this process can reach it (through the worker's own root)."""
        if self.host is not None:
            return self.host.path
        return Path(f"/proc/{self.worker_pid}/root{self.scratch_path}")

    def note_started(self) -> None:
        """Find the worker's pids once it has said hello (its init is the zygote child's child)."""
        if not self.namespaces:
            self.worker_pid = self.spawned.pid
            return
        self.init_pid = _first_child(self.spawned.pid)
        self.worker_pid = _first_child(self.init_pid) if self.init_pid else None
        pairs = [(self.init_pid, self.spawned.pid), (self.worker_pid, self.init_pid)]
        self._pidfds = tuple(fd for pid, parent in pairs if (fd := _pidfd(pid, parent)) >= 0)

    def stray(self) -> int:
        """Threads and processes running besides the worker's own thread (its init excluded)."""
        worker = self.worker_pid
        if worker is None:
            return 0
        threads = [t for t in _listdir(f"/proc/{worker}/task") if t != str(worker)]
        count = sum(_alive(f"/proc/{worker}/task/{t}") for t in threads)
        children = [c for t in [str(worker), *threads] for c in _children(worker, int(t))]
        if self.init_pid is not None:
            children += [c for c in _children(self.init_pid, self.init_pid) if c != worker]
        return count + sum(_alive(f"/proc/{c}") for c in set(children))

    def clock(self) -> tuple[float, float]:
        """(now, seconds the worker has waited for a processor), for ``grader.sandbox._clock``."""
        now = time.monotonic()
        try:
            fields = Path(f"/proc/{self.worker_pid}/schedstat").read_text().split()
            return now, int(fields[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return now, 0.0

    def end(self, grace: float) -> int | None:
        """Kill everything (after ``grace`` seconds to exit alone); the worker's exit status."""
        pidfd = self.spawned.pidfd
        if pidfd is not None and grace > 0:
            select.select([pidfd], [], [], grace)
        self._kill()
        return self._reported_status()

    def _kill(self) -> None:
        for fd in (self.spawned.pidfd, *self._pidfds):
            if fd is not None:
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
        if not self.namespaces:
            self._kill_leftovers()
        deadline = time.monotonic() + _GONE_SECONDS
        for fd in (*self._pidfds[:1], self.spawned.pidfd):  # the init, then the zygote's child
            if fd is not None:  # readable once it is gone: then its pid namespace is empty
                select.select([fd], [], [], max(0.0, deadline - time.monotonic()))

    def _kill_leftovers(self) -> None:
        """Without a pid namespace: every process of the worker's uid, or of its group."""
        if self.uid is None:
            with contextlib.suppress(OSError):
                os.killpg(self.spawned.pid, signal.SIGKILL)
            return
        kill_all = "import os, signal\ntry: os.kill(-1, signal.SIGKILL)\nexcept OSError: pass"
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", kill_all],
            user=self.uid,
            group=self.uid,
            extra_groups=[],
            env={},
            check=False,
            timeout=_GONE_SECONDS,
        )

    def _reported_status(self) -> int | None:
        """The worker's exit status as its init (or the zygote) reported it; negative for a
        signal."""
        fd = self.spawned.status
        select.select([fd], [], [], _STATUS_SECONDS)
        os.set_blocking(fd, False)
        try:
            line = os.read(fd, 512).split(b"\n", 1)[0]
            report = json.loads(line or b"null")
        except (BlockingIOError, ValueError):
            return None
        for key, sign in (("signal", -1), ("code", 1)):
            value = report.get(key) if isinstance(report, dict) else None
            if type(value) is int:
                return sign * value
        return None

    def release(self) -> None:
        """Close the pipes and pidfds and remove a host scratch folder (after ``end``)."""
        self.spawned.close()
        for fd in self._pidfds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._pidfds = ()
        if self.host is not None:
            self.host.remove()


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _children(pid: int, tid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _first_child(pid: int) -> int | None:
    found = _children(pid, pid)
    return found[0] if found else None


def _alive(proc: str) -> bool:
    try:
        state = Path(f"{proc}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in _RUNNING


def _pidfd(pid: int | None, parent: int | None) -> int:
    """A pidfd of ``pid`` if it is still the child of ``parent`` once opened (else -1)."""
    if pid is None or parent is None:
        return -1
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return -1
    if pid not in _children(parent, parent):
        os.close(fd)
        return -1
    return fd
