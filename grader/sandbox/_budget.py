"""One budget per submission, over every process it runs: memory, processes, processor time.

Where the machine lets the grader make control groups (cgroup v2 with the memory and pids
controllers, or the v1 memory, pids and cpuacct hierarchies), every worker of a submission joins
one group before it runs anything (``join``): the kernel then holds the resident memory of all
the submission's processes together, page cache of its scratch files included, to
``Limits.memory_mb`` (the largest process is killed past it), and their number to
``Limits.max_processes``. Each worker also has a group of its own below, whose processor time
counts everything the worker and every process it started ever ran, reaped or not.

Groups count only once shown to hold: once per grader process and place, a probe joins groups
made as a worker's are, with a small limit, and writes more than that
(``grader.sandbox._enforcement``). Until the kernel has killed it, the fallback's memory reading
runs beneath the groups; where it is not killed (groups that exist but do not hold), it stays on
and later submissions get the fallback alone. Each worker, once started, must also be found in
its submission's memory group; one that is not puts the submission under that reading for good.

Elsewhere (the fallback, ``kind == "proc"``), the same figures come from /proc: while the grader
waits for a worker it reads, about every 50 ms, the resident memory of every live process of the
submission's workers together, and ends the worker that is running when the sum is over the
limit; a worker's processor time is the sum over its live processes and what they reaped (kept
as the largest seen, so a process that ends is not forgotten; one that lives less than a reading
and whose parent ignores SIGCHLD is). ``RLIMIT_AS`` still holds each process to the limit, and
``RLIMIT_NPROC`` each worker to its processes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.sandbox._enforcement import PROBE_MB, Probe, joined
from grader.sandbox._proctree import tree_rss_bytes
from grader.types import Limits

_PREFIX = "initgrade-"
_ROOM = 8  # processes a worker needs to start: the zygote's child, its init, itself, a fork
_PROBES: dict[tuple[str, ...], Probe] = {}  # per place of groups: whether they hold a limit


def _own_groups() -> dict[str, Path]:
    """Where this process's own group is, by controller (``"unified"`` for cgroup v2)."""
    mounts: dict[str, Path] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            dash = fields.index("-")
            kind, options = fields[dash + 1], fields[dash + 3].split(",")
            if kind == "cgroup2":
                mounts.setdefault("unified", Path(fields[4]))
            elif kind == "cgroup":
                for name in ("memory", "pids", "cpuacct"):
                    if name in options:
                        mounts.setdefault(name, Path(fields[4]))
    found: dict[str, Path] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            for name in names.split(",") if names else ["unified"]:
                if name in mounts:
                    found[name] = mounts[name] / path.lstrip("/")
    return found


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text)
    except OSError:
        return False
    return True


def _read_int(path: Path, key: str | None = None) -> int:
    """A file's number, or the number after ``key`` on one of its lines; 0 when unreadable."""
    try:
        text = path.read_text()
    except OSError:
        return 0
    if key is None:
        return int(text.split()[0]) if text.split() and text.split()[0].isdigit() else 0
    for line in text.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == key and words[1].isdigit():
            return int(words[1])
    return 0


@dataclass
class WorkerGroup:
    """One worker's place in its submission's groups: what it joins, and its processor time."""

    join: list[str]  # cgroup.procs files the worker's first process writes "0" to
    cpu: Path | None  # its own group's usage (cpu.stat or cpuacct.usage), when there is one
    leaf: Path | None = None  # its own group, removed when it is released

    def cpu_seconds(self) -> float | None:
        """Processor time of everything the worker ran, or None when only /proc can tell."""
        if self.cpu is None:
            return None
        if self.cpu.name == "cpu.stat":
            return _read_int(self.cpu, "usage_usec") / 1e6
        return _read_int(self.cpu) / 1e9

    def release(self) -> None:
        if self.leaf is not None:
            with contextlib.suppress(OSError):
                self.leaf.rmdir()


@dataclass
class SubmissionBudget:
    """A submission's groups (none: the /proc fallback); ``close`` removes them."""

    limits: Limits
    kind: str = "proc"
    memory: Path | None = None  # the group holding the memory limit
    pids: Path | None = None  # the group holding the process limit
    cpu: Path | None = None  # the group below which each worker's own group is made
    _made: list[Path] = field(default_factory=list)
    _workers: int = 0
    roots: set[int] = field(default_factory=set)  # the live workers' top processes (fallback)
    watch: bool = False  # read /proc beneath the groups too (a worker was not found in them)
    place: tuple[str, ...] = ()  # where the groups are, the key of their probe

    @classmethod
    def make(cls, limits: Limits) -> SubmissionBudget:
        """The submission's groups where the machine has groups that hold; else the fallback."""
        own = _own_groups()
        _sweep(own.values())
        budget = cls._groups(limits, own)
        if budget.kind == "proc":
            return budget
        budget.place = (budget.kind, *sorted(str(path) for path in own.values()))
        if budget.place not in _PROBES:
            _PROBES[budget.place] = _probe(limits, own)
        if budget.held() is False:
            budget.close()
            return cls(limits)
        return budget

    def held(self, wait: bool = False) -> bool | None:
        """Whether the groups were shown to hold their limit: None while their probe runs
        (``wait``: until it is known); False for the fallback."""
        probe = _PROBES.get(self.place)
        return probe.holds(wait) if probe is not None else False

    @classmethod
    def _groups(cls, limits: Limits, own: dict[str, Path]) -> SubmissionBudget:
        budget = cls(limits)
        name = f"{_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        if not (budget._v2(own, name) or budget._v1(own, name)):
            budget.close()
            return cls(limits)
        return budget

    def _v2(self, own: dict[str, Path], name: str) -> bool:
        parent = own.get("unified")
        if parent is None:
            return False
        wanted = {"memory", "pids"}
        if not wanted <= set(_words(parent / "cgroup.controllers")):
            return False
        enabled = wanted <= set(_words(parent / "cgroup.subtree_control"))
        if not enabled and not _write(parent / "cgroup.subtree_control", "+memory +pids"):
            return False  # the grader's own group holds processes: not allowed
        group = self._mkdir(parent / name)
        if group is None or not _write(group / "cgroup.subtree_control", "+memory +pids"):
            return False
        self.kind, self.memory, self.pids, self.cpu = "cgroup v2", group, group, group
        return self._limit(group / "memory.max", group / "memory.swap.max", group / "pids.max")

    def _v1(self, own: dict[str, Path], name: str) -> bool:
        groups = {c: self._mkdir(own[c] / name) for c in ("memory", "pids", "cpuacct") if c in own}
        memory, pids, cpu = groups.get("memory"), groups.get("pids"), groups.get("cpuacct")
        if memory is None or pids is None or cpu is None:
            return False
        self.kind, self.memory, self.pids, self.cpu = "cgroup v1", memory, pids, cpu
        swap = memory / "memory.memsw.limit_in_bytes"
        return self._limit(memory / "memory.limit_in_bytes", swap, pids / "pids.max")

    def _limit(self, memory: Path, swap: Path, pids: Path) -> bool:
        bytes_ = str(self.limits.memory_mb << 20)
        ok = _write(memory, bytes_) and _write(pids, str(self.limits.max_processes))
        if swap.exists():
            _write(swap, bytes_ if swap.name.endswith("limit_in_bytes") else "0")
        return ok

    def _mkdir(self, path: Path) -> Path | None:
        try:
            path.mkdir()
        except OSError:
            return None
        self._made.append(path)
        return path

    def worker(self) -> WorkerGroup:
        """The groups a new worker joins, and its own group for its processor time."""
        if self.cpu is None or self.memory is None or self.pids is None:
            return WorkerGroup([], None)
        self._workers += 1
        leaf = self.cpu / f"w{self._workers}"
        try:
            leaf.mkdir()
        except OSError:
            return WorkerGroup([], None)
        if self.kind == "cgroup v2":
            return WorkerGroup([str(leaf / "cgroup.procs")], leaf / "cpu.stat", leaf)
        procs = [str(self.memory / "cgroup.procs"), str(self.pids / "cgroup.procs")]
        return WorkerGroup([*procs, str(leaf / "cgroup.procs")], leaf / "cpuacct.usage", leaf)

    def oom_kills(self) -> int:
        """Processes the kernel killed for the submission's memory so far."""
        if self.memory is None:
            return 0
        if self.kind == "cgroup v2":
            return _read_int(self.memory / "memory.events", "oom_kill")
        return _read_int(self.memory / "memory.oom_control", "oom_kill")

    def squeezes(self) -> tuple[int, int]:
        """Processes killed for the submission's memory, and processes refused for its limit,
        so far."""
        refused = _read_int(self.pids / "pids.events", "max") if self.pids is not None else 0
        return self.oom_kills(), refused

    def squeezed(self, since: tuple[int, int]) -> bool:
        """Whether the submission ran out of memory or of processes since ``squeezes()`` gave
        ``since``."""
        now = self.squeezes()
        return now[0] > since[0] or now[1] > since[1]

    def wait_for_room(self, seconds: float = 2.0) -> bool:
        """Wait until a worker's processes fit in the submission's process limit again (its
        killed processes are gone); False when they still do not after ``seconds``."""
        if self.pids is None:
            return True
        deadline = time.monotonic() + seconds
        while _read_int(self.pids / "pids.current") > self.limits.max_processes - _ROOM:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def confirm(self, root: int) -> None:
        """Note a started worker's top process: the fallback reads its tree; with groups, a
        worker not found in the memory group puts the submission under that reading too."""
        self.roots.add(root)
        if self.memory is not None and not joined(root, self.memory):
            self.watch = True

    def over_memory(self) -> bool:
        """The fallback's reading: whether the submission's live processes together hold more
        memory than its limit (with groups that hold every worker, the kernel enforces it)."""
        if not self.roots or (self.kind != "proc" and not self.watch and self.held()):
            return False
        used = sum(tree_rss_bytes(root) for root in list(self.roots))
        return used > self.limits.memory_mb << 20

    def close(self) -> None:
        """Remove the groups (once every worker is gone; a group still in use stays)."""
        for path in reversed(self._made):
            with contextlib.suppress(OSError):
                path.rmdir()
        self._made = []


def _probe(limits: Limits, own: dict[str, Path]) -> Probe:
    """A probe in groups made beside the submission's, limited to ``PROBE_MB``."""

    def groups() -> tuple[list[str], Callable[[], None]]:
        made = SubmissionBudget._groups(replace(limits, memory_mb=PROBE_MB), own)
        group = made.worker()

        def cleanup() -> None:
            group.release()
            made.close()

        return (group.join if made.kind != "proc" else []), cleanup

    return Probe(groups)


_SWEPT: set[Path] = set()


def _sweep(parents: Iterable[Path]) -> None:
    """Remove the empty groups a grader that is gone left behind (killed before it could), once
    per place and process."""
    for parent in set(parents) - _SWEPT:
        _SWEPT.add(parent)
        with contextlib.suppress(OSError):
            for group in parent.glob(f"{_PREFIX}*"):
                owner = group.name.removeprefix(_PREFIX).split("-")[0]
                if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                    for leaf in [*group.glob("w*"), group]:
                        with contextlib.suppress(OSError):
                            leaf.rmdir()


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []
