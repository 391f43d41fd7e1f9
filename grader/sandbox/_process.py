"""One worker process: forked by the zygote, watched from outside, ended with all it started.

``WorkerProcess.start`` builds the worker's plan and configuration (``grader.sandbox._launch``)
and has the zygote fork it. From the host this process then sees three pids: the zygote's child
(which only waits), the worker's init (pid 1 of its pid namespace) and the worker itself, and
holds a pidfd of each, so no signal can reach a process that merely reuses a pid. ``stray``
counts what the worker left running (threads, and processes anywhere in its namespace), and
``clock`` reads how long the worker has run or slept and how long it waited for a processor,
so a busy machine does not count against a student, and how much processor time the worker and
everything it started ran (its group's, ``grader.sandbox._budget``, or its tree's in /proc): a
wait its own children cause is then no excuse. ``end`` kills everything: killing the
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
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import _launch as launch
from grader.sandbox._budget import SubmissionBudget, WorkerGroup
from grader.sandbox._clock import Reading
from grader.sandbox._proctree import tree, tree_cpu_seconds
from grader.sandbox._zygote import Spawned, Zygote, zygote
from grader.types import Limits

_GONE_SECONDS = 2.0
_ENDING_SECONDS = 0.02  # what a thread or process that is ending may take to be gone
_STATUS_SECONDS = 1.0  # how long the zygote may take to report how its child ended
_SCANS = 3  # readings of the process lists when a listed process has ended meanwhile
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
    group: WorkerGroup = field(default_factory=lambda: WorkerGroup([], None))
    budget: SubmissionBudget | None = None  # its submission's, which it counts against
    _pidfds: tuple[int, ...] = ()
    _proc: dict[str, int] = field(default_factory=dict)  # open /proc files, read with pread
    _ran: float = 0.0  # the most processor time its tree was seen to have run

    @classmethod
    def start(cls, limits: Limits, helpers: Sequence[Path], caps: dict[str, Any]) -> WorkerProcess:
        return cls.begin(limits, helpers, caps).take()

    @staticmethod
    def begin(
        limits: Limits,
        helpers: Sequence[Path],
        caps: dict[str, Any],
        budget: SubmissionBudget | None = None,
    ) -> Pending:
        """Ask the zygote for a worker configured with ``caps`` (limits on replies), in the
        groups of its submission's ``budget``; it boots while the caller goes on until
        ``Pending.take``."""
        plat = launch.platform()
        group = budget.worker() if budget is not None else WorkerGroup([], None)
        plan, config, host = launch.worker_plan(plat, limits, list(helpers), caps, group.join)
        spawner = zygote(launch.scrubbed_env(None))
        try:
            ticket = spawner.start(plan, config)
        except BaseException:
            if host is not None:
                host.remove()
            raise
        return Pending(spawner, ticket, host, plan, plat.namespaces, group, budget)

    @property
    def scratch(self) -> Path:
        """The scratch folder as this process can reach it (through the worker's own root)."""
        if self.host is not None:
            return self.host.path
        return Path(f"/proc/{self.worker_pid}/root{self.scratch_path}")

    def note_started(self) -> None:
        """Find the worker's pids once it has said hello (its init is the zygote child's child)."""
        if self.namespaces:
            self.init_pid = _first_child(self.spawned.pid)
            self.worker_pid = _first_child(self.init_pid) if self.init_pid else None
            pairs = [(self.init_pid, self.spawned.pid), (self.worker_pid, self.init_pid)]
            self._pidfds = tuple(fd for pid, parent in pairs if (fd := _pidfd(pid, parent)) >= 0)
        else:
            self.worker_pid = self.spawned.pid
        worker, init = self.worker_pid, self.init_pid
        files = {"stat": f"/proc/{worker}/stat", "schedstat": f"/proc/{worker}/schedstat",
                 "children": f"/proc/{worker}/task/{worker}/children",
                 "orphans": f"/proc/{init}/task/{init}/children"}  # fmt: skip
        if self.group.cpu is not None:
            files["cpu"] = str(self.group.cpu)
        for name, path in files.items():
            with contextlib.suppress(OSError):
                self._proc[name] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        if self.budget is not None:
            self.budget.confirm(self.root)

    @property
    def root(self) -> int:
        """The top of everything the worker runs: its init, or the worker itself."""
        return self.init_pid or self.worker_pid or self.spawned.pid

    def _read(self, name: str) -> str:
        fd = self._proc.get(name)
        try:
            return os.pread(fd, 65536, 0).decode(errors="replace") if fd is not None else ""
        except OSError:
            return ""

    def stray(self) -> int:
        """Threads and processes running besides the worker's own thread (its init excluded);
        one that is just ending (a joined thread, a child that exited) gets a moment to end."""
        deadline = time.monotonic() + _ENDING_SECONDS
        while (found := self._stray_now()) and time.monotonic() < deadline:
            time.sleep(_ENDING_SECONDS / 20)
        return found

    def _stray_now(self) -> int:
        worker = self.worker_pid
        if worker is None:
            return 0
        stat = self._read("stat").rsplit(")", 1)[-1].split()
        threads = int(stat[17]) - 1 if len(stat) > 17 and stat[17].isdigit() else 0
        # A process hands its children to init (without namespaces, to the worker) before it is
        # seen to have ended, maybe to a list read a moment earlier: when a listed process turns
        # out to have ended, every list is read again, a few times at most.
        for _ in range(_SCANS):
            alive = [_alive(f"/proc/{pid}") for pid in self._listed(worker, threads)]
            if all(alive):
                break
        return threads + sum(alive)

    def _listed(self, worker: int, threads: int) -> set[int]:
        """The worker's children, its threads' children, and the orphans its init adopted."""
        children = [int(c) for c in self._read("children").split() if c.isdigit()]
        if threads > 0:  # the threads' own children too
            for tid in _listdir(f"/proc/{worker}/task"):
                children += _children(worker, int(tid)) if tid != str(worker) else []
        children += [int(c) for c in self._read("orphans").split() if c.isdigit()]
        return set(children) - {worker}

    def clock(self) -> Reading:
        """Now, the seconds the worker's whole tree has run, the seconds its own thread has
        waited for a processor, and the seconds this thread has waited for one
        (``grader.sandbox._clock``)."""
        now = time.monotonic()
        ran, waited = _schedstat(self._read("schedstat"))
        self._ran = max(self._ran, ran, self._tree_ran())
        return Reading(now, self._ran, waited, _schedstat(_own_schedstat())[1])

    def _tree_ran(self) -> float:
        """Processor time of everything the worker ran: its group's, else its tree's."""
        text = self._read("cpu")
        if text:
            words = text.split()
            if self.group.cpu is not None and self.group.cpu.name == "cpu.stat":
                return int(words[1]) / 1e6 if len(words) > 1 and words[1].isdigit() else 0.0
            return int(words[0]) / 1e9 if words and words[0].isdigit() else 0.0
        if self.worker_pid is None:
            return 0.0
        return tree_cpu_seconds(self.root)

    def end(self, grace: float) -> int | None:
        """Kill everything it runs; with ``grace``, first wait that long for it to exit alone,
        and return its exit status (None without: the grader ended it, there is none to say).
        Signals are sent here; ``wait_gone`` waits for them to have done their work."""
        pidfd = self.spawned.pidfd
        if pidfd is not None and grace > 0:
            select.select([pidfd], [], [], grace)
        if self.namespaces and not self._pidfds:  # it never said hello: find its init now
            self.note_started()
        # The init, when known: its death ends its pid namespace, and then the zygote's child,
        # which only waits for it. Else the zygote's child: the init dies with it.
        target = self._pidfds[0] if self._pidfds else self.spawned.pidfd
        if target is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(target, signal.SIGKILL)
        if not self.namespaces:
            self._kill_leftovers()
        return self._reported_status() if grace > 0 else None

    def end_children(self) -> None:
        """Kill every process the worker started, not the worker (a call made in a fork that
        ran out of time): each child and all below it."""
        worker = self.worker_pid
        if worker is None:
            return
        below = [pid for child in _children(worker, worker) for pid in tree(child)]
        for pid in below:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def wait_gone(self) -> None:
        """Wait until the init and the zygote's child are gone: then nothing of it runs."""
        deadline = time.monotonic() + _GONE_SECONDS
        for fd in (*self._pidfds[:1], self.spawned.pidfd):
            if fd is not None:  # a pidfd is readable once its process has exited
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
        for fd in [*self._pidfds, *self._proc.values()]:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._pidfds, self._proc = (), {}
        if self.budget is not None:
            self.budget.roots.discard(self.root)
        self.group.release()
        if self.host is not None:
            self.host.remove()


@dataclass
class Pending:
    """A worker asked of the zygote and booting; ``take`` it to use it."""

    spawner: Zygote
    ticket: int
    host: launch.HostScratch | None
    plan: dict[str, Any]
    namespaces: bool
    group: WorkerGroup
    budget: SubmissionBudget | None

    def take(self) -> WorkerProcess:
        try:
            spawned = self.spawner.take(self.ticket)
        except BaseException:
            if self.host is not None:
                self.host.remove()
            raise
        plan = self.plan
        return WorkerProcess(
            spawned, self.host, plan["uid"], self.namespaces, plan["scratch"],
            group=self.group, budget=self.budget,
        )  # fmt: skip


def _schedstat(text: str) -> tuple[float, float]:
    """(seconds on a processor, seconds waiting for one) from a ``schedstat`` line."""
    fields = text.split()
    if len(fields) < 2 or not (fields[0].isdigit() and fields[1].isdigit()):
        return 0.0, 0.0
    return int(fields[0]) / 1e9, int(fields[1]) / 1e9


_own = threading.local()


def _own_schedstat() -> str:
    """This thread's own ``schedstat`` (its descriptor kept per thread)."""
    fd = getattr(_own, "fd", None)
    if fd is None:
        try:
            fd = _own.fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return ""
    try:
        return os.pread(fd, 256, 0).decode()
    except OSError:
        return ""


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


def warm_up() -> None:
    """Start this process's zygote now, if it has none: it imports Python and numpy in its own
    process while this one goes on, and the first worker is then forked without waiting. Only a
    head start: should it fail, grading meets the same failure when it asks for a worker, and
    reports it."""
    with contextlib.suppress(Exception):
        zygote(launch.scrubbed_env(None))
