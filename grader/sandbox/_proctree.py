"""What a worker's tree of processes holds and ran, read from /proc (the budget's fallback, and
its watch beneath control groups)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree(root: int) -> list[int]:
    """``root`` and every live process below it (each thread's children too)."""
    found: list[int] = []
    todo = [root]
    while todo and len(found) < 4096:
        pid = todo.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError, ValueError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                todo += [int(child) for child in text.split()]
    return found


def tree_cpu_seconds(root: int) -> float:
    """Processor time of the processes below ``root``, and of those they reaped."""
    total = 0
    for pid in tree(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(value) for value in stat[11:15])  # utime stime cutime cstime
    return total / _TICK


def tree_rss_bytes(root: int) -> int:
    """Resident memory of every process below ``root``, together."""
    total = 0
    for pid in tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    return total
