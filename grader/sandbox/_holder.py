"""The process side of a ``Worker``: asking the zygote for a process, talking to it, ending it.

``ProcessHolder`` keeps one worker process at a time (``grader.sandbox._process``): ``_spawn``
asks the zygote for one without waiting, and ``_attach`` takes it (its pipes) when it is first
needed; ``_exchange`` sends a request with a fresh id and
reads the reply for that id; ``_clock`` times a request in run-or-sleep seconds; ``_stop`` kills
the process and everything it started. ``probe`` checks once that a worker can start at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import select
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.errors import SandboxError
from grader.sandbox import _decode as decode
from grader.sandbox import _launch as launch
from grader.sandbox._budget import SubmissionBudget
from grader.sandbox._clock import Budget, BusyClock, Deadline, WallDeadline
from grader.sandbox._pipe import Failure, OutputTail, Pipe, Reply
from grader.sandbox._process import Pending, WorkerProcess
from grader.types import Limits

START_SECONDS = 15.0  # from the fork to the worker's hello
_HARD_FACTOR = 2.0  # a request is stopped at this many times its allowance of wall-clock time


class SandboxRefused(SandboxError):
    """This machine cannot keep the answer key from a worker, and that risk was not accepted."""


class ProcessHolder:
    def __init__(
        self,
        limits: Limits,
        helpers: Sequence[Path],
        budget: Budget | None,
        output: OutputTail,
        tree: SubmissionBudget | None = None,
    ) -> None:
        self.limits = limits
        self.budget = budget
        self._own_tree = tree is None  # a worker alone has a submission's budget of its own
        self.tree = tree if tree is not None else SubmissionBudget.make(limits)
        self._helpers = [Path(h) for h in helpers]
        self._output = output
        self._deadline = 0.0  # the end of the worker's life, set when it is entered
        self._process: WorkerProcess | None = None
        self._pending: Pending | None = None  # asked of the zygote, not yet taken
        self._pipe: Pipe | None = None
        self._starts = 0
        self._requests = 0
        self._called = False  # whether a call was made: the worker's life starts then
        self._ended: list[WorkerProcess] = []  # killed, not yet waited for

    def close(self, *, wait: bool = True) -> None:
        """Kill the worker and everything it started; remove what it left. Without ``wait``,
        the processes are only signalled: ``finish`` waits for them later."""
        self._stop(grace=0.0, wait=wait)

    def finish(self) -> None:
        """Wait until every process this worker ran is gone, and release what they held."""
        ended, self._ended = self._ended, []
        for process in ended:
            process.wait_gone()
            process.release()
        if self._own_tree and self._process is None and self._pending is None:
            self.tree.close()

    @property
    def output_tail(self) -> str:
        if self._pipe is not None:
            self._pipe.drain()
        return self._output.text()

    @property
    def scratch(self) -> Path | None:
        """The running worker's scratch folder (its working directory), as seen from here."""
        process = self.process
        return process.scratch if process else None

    @property
    def process(self) -> WorkerProcess | None:
        """The running worker process, or None (for tests that look at it from outside)."""
        return self._attach() if self._pending is not None else self._process

    def _clock(self, limit: float, *, budget: Budget | None = None) -> BusyClock:
        """The clock of one request: ``limit`` busy seconds (less when ``budget`` has less)."""
        assert self._process is not None
        allowed = min(limit, budget.left) if budget is not None else limit
        hard = min(self._deadline, time.monotonic() + _HARD_FACTOR * allowed + 0.5)
        return BusyClock(self._process.clock, allowed, hard)

    def _spawn(self) -> None:
        """Ask the zygote for a worker: it forks and confines itself while this process goes on,
        until ``_attach``. The request carries the assignment's plan and limits only: nothing
        of a submission ever enters the zygote, whose memory every later worker starts from."""
        caps: dict[str, Any] = {"max_keys": decode.MAX_KEYS, "max_bytes": decode.MAX_RESULT_BYTES}
        self._pending = WorkerProcess.begin(self.limits, self._helpers, caps, self.tree)
        self._starts += 1

    def _attach(self) -> WorkerProcess:
        """The worker's process, taken from the zygote when it is first needed."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._process = process = pending.take()
            self._pipe = _pipe(process, self._output, decode.MAX_RESULT_BYTES, self.tree)
        assert self._process is not None
        return self._process

    def _exchange(
        self, request: dict[str, object], deadline: Deadline, *, limit: int | None = None
    ) -> Reply | Failure:
        assert self._pipe is not None
        self._requests += 1
        request["id"] = self._requests
        failure = self._pipe.send(request, deadline)
        return failure or self._pipe.receive(deadline, self._requests, limit)

    def _stop(self, *, grace: float, wait: bool = True) -> int | None:
        """End the worker (waiting ``grace`` seconds for it to exit by itself); its exit status.
        With ``wait``, return once nothing it ran is left (so none of it meets the next call)."""
        if self._pending is not None:
            self._attach()
        process, pipe, self._process = self._process, self._pipe, None
        self._pipe = None
        self._stopped()
        if process is None or pipe is None:
            return None
        returncode = process.end(grace)
        pipe.drain()
        pipe.close()
        self._ended.append(process)
        if wait:
            self.finish()
        return returncode

    def _stopped(self) -> None:
        """Called when the worker process is ended (its loaded program is gone with it)."""


_REQUEST_PIPE_BYTES = 1 << 20  # so that a program and a batch of calls go in without waiting


def _pipe(
    process: WorkerProcess, output: OutputTail, max_reply: int, tree: SubmissionBudget | None = None
) -> Pipe:
    spawned = process.spawned
    with contextlib.suppress(OSError, AttributeError):  # a larger pipe is only a convenience
        fcntl.fcntl(spawned.requests, fcntl.F_SETPIPE_SZ, _REQUEST_PIPE_BYTES)
    return Pipe(
        spawned.requests,
        spawned.replies,
        spawned.output,
        tail=output,
        max_reply=max_reply,
        exited=lambda: exited(spawned.pidfd),
        over=tree.over_memory if tree is not None else None,
    )


def first_deadline(deadline: float, seconds: float) -> WallDeadline:
    return WallDeadline(min(deadline, time.monotonic() + seconds))


def exited(pidfd: int | None) -> bool:
    """Whether the zygote's child has exited (a pidfd becomes readable then)."""
    if pidfd is None:
        return False
    return bool(select.select([pidfd], [], [], 0)[0])


def probe() -> str:
    """Start a trivial worker through the namespaces now; '' when that works (else demote)."""
    plat = launch.platform()
    if not plat.namespaces:
        return plat.reason
    try:
        process = WorkerProcess.start(Limits(), [], {"max_keys": 1, "max_bytes": 1})
    except (OSError, SandboxError) as error:
        return _demoted(str(error))
    tail = OutputTail(4096)
    pipe = _pipe(process, tail, 1 << 16)
    hello = pipe.receive(WallDeadline(time.monotonic() + START_SECONDS), 0)
    problem = ""
    if not isinstance(hello, Reply):
        pipe.drain()
        problem = tail.text()[-300:].strip() or f"no worker started ({hello.kind})"
    process.end(0.0)
    pipe.close()
    process.wait_gone()
    process.release()
    return _demoted(problem) if problem else ""


def _demoted(problem: str) -> str:
    launch.demote(problem)
    return problem
