"""Work whose time must be bounded for real, done in a forked child that is killed at its limit.

A page drawn from a student's notebook runs libraries (nbconvert, mistune, pygments, nh3) on
text the student chose; some of them take time that grows faster than the text, inside C calls
that a deadline checked between steps cannot interrupt. ``in_child`` runs such work in a child
forked from this process and reads back the text it gives; past ``seconds`` the child is killed
(SIGKILL, which needs its cooperation in nothing) and the answer is None. What comes back is the
text the grader's own code made in the child, read as UTF-8, never evaluated.

Where ``os.fork`` does not exist (not on Linux or macOS), the work runs here, bounded only by
its own deadline checks.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable


def in_child(work: Callable[[], str], seconds: float) -> str | None:
    """``work()``, or None when it did not finish within ``seconds`` or its child died."""
    if not hasattr(os, "fork"):
        return work()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, send its text, leave without running any cleanup
        os.close(read)
        _child(work, write, seconds)
    os.close(write)
    try:
        return _collect(read, pid, time.monotonic() + seconds)
    finally:
        os.close(read)


def _child(work: Callable[[], str], write: int, seconds: float) -> None:
    status = 1
    try:
        # Should this process's parent die first, the child still ends at its limit.
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.0) + 5.0)
        data = work().encode("utf-8", "surrogatepass")
        view = memoryview(data)
        while view:
            view = view[os.write(write, view) :]
        status = 0
    finally:
        os._exit(status)


def _collect(read: int, pid: int, deadline: float) -> str | None:
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        ready = select.select([read], [], [], max(left, 0.0))[0] if left > 0 else []
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        chunk = os.read(read, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        return None
    return b"".join(chunks).decode("utf-8", "surrogatepass")
