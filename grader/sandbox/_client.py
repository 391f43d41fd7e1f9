"""Step 3 of grading: run a submission's program in an isolated worker and call its functions.

    with Worker(extraction.program, helper_dirs=[bundle], limits=Limits(),
                origin=extraction.origin, missing_reasons=extraction.compile_errors) as worker:
        worker.load_warnings          # tuple[str, ...]: imports that failed, top-level errors
        worker.defined()              # set[str]: callable names the program defines
        worker.call("initialize_parameters_he", [2, 4, 1], preseed=None)  # -> CallResult
        worker.output_tail            # str: the last Limits.max_output_kb of the student's output

One worker process (forked by the zygote, ``grader.sandbox._process``), started on
``__enter__`` and reused for every call; the program is sent at once and loaded statement by
statement (``child/worker.py``). ``helper_dirs`` holds the files students receive (a file, or a
folder whose top-level ``.py`` and data files are copied; notebooks never are): they start the
worker's scratch folder, which is on its ``sys.path``. ``Sandbox`` (``grader.sandbox._program``)
gives each graded function workers of its own.

Time: each call (and the program's loading) may run or sleep ``Limits.call_seconds``, counted
without the time the worker waits for a processor (``grader.sandbox._clock``), and all calls
together at most what ``budget`` has left; the worker's whole life (restarts included) is capped
at ``Limits.wall_seconds`` of wall-clock time. Time runs out in SIGKILL of everything the worker
runs. When a call times out, the worker dies, or a call returns while a process or thread it
started is still running (which is then a failed call), the worker is killed and the next call
starts a new one with the program reloaded (at most ``MAX_RESTARTS`` times). A program whose
loading hangs or kills the worker is not retried: every call returns that failure.

``preseed`` seeds numpy's global generator right before the call, so a caller can tell a function
that seeds itself from one that does not. Nothing from the worker is evaluated or unpickled.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from grader import messages as msg
from grader.errors import SandboxError
from grader.sandbox import _decode as decode
from grader.sandbox import _launch as launch
from grader.sandbox._budget import SubmissionBudget
from grader.sandbox._clock import Budget, BusyClock, WallDeadline
from grader.sandbox._holder import (
    START_SECONDS,
    ProcessHolder,
    SandboxRefused,
    first_deadline,
    probe,
)
from grader.sandbox._loading import LoadState
from grader.sandbox._local import not_run
from grader.sandbox._pipe import Failure, OutputTail, Reply
from grader.types import DEAD, Call, Caller, CallResult, CallStatus, Limits

__all__ = ["MAX_RESTARTS", "SandboxRefused", "Worker"]

MAX_RESTARTS = 3
_FORK_END_SECONDS = 2.0  # for a worker to answer for a fork the grader ended


def refuse_unless_accepted(accept_weak: bool) -> None:
    """Raise ``SandboxRefused`` when this machine cannot grade safely, unless the risk is
    accepted."""
    refused = launch.refusal(launch.platform())
    if refused and not accept_weak:
        raise SandboxRefused(msg.SANDBOX_REFUSED.format(reason=refused))


class Worker(ProcessHolder):
    def __init__(
        self,
        program: str | None,
        *,
        helper_dirs: Sequence[Path] = (),
        limits: Limits | None = None,
        origin: decode.Origin | None = None,
        missing_reasons: Mapping[str, str] | None = None,
        wanted: Sequence[str] = (),
        budget: Budget | None = None,
        keep_output: bool = True,
        accept_weak_isolation: bool = False,
        tree: SubmissionBudget | None = None,
    ) -> None:
        limits = limits or Limits()
        output = OutputTail(limits.max_output_kb * 1024 if keep_output else 0)
        super().__init__(limits, helper_dirs, budget, output, tree)
        self._wanted = list(wanted)
        self._accept_weak = accept_weak_isolation
        self._state = LoadState(program, origin, dict(missing_reasons or {}))
        self._oom_kills = 0  # the submission's processes killed for memory, at the last look
        self._squeezes = (0, 0)  # its kills and refused processes when this worker was started

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> Worker:
        refuse_unless_accepted(self._accept_weak)
        self._deadline = time.monotonic() + self.limits.wall_seconds
        self._respawn()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def program(self) -> str | None:
        return self._state.program

    @property
    def load_warnings(self) -> tuple[str, ...]:
        self._ensure_ready()
        return self._state.warnings

    # -- the program, as the checks see it (grader.types.Program) ------------------------------

    @property
    def call_seconds(self) -> float:
        return self.limits.call_seconds

    def caller(self, name: str, *, hidden: bool = False) -> Caller:
        """A caller of the function ``name`` in this worker."""

        def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
            return self.call(name, layer_dims, preseed)

        return call

    # -- requests -----------------------------------------------------------------------------

    def defined(self) -> set[str]:
        """Names of the callables the loaded program defines (empty when it cannot be asked)."""
        if self._ensure_ready() is not None:
            return set()
        deadline = WallDeadline(time.monotonic() + self.limits.call_seconds)
        reply = self._exchange({"op": "defined", "wanted": self._wanted}, deadline)
        names = reply.header.get("functions") if isinstance(reply, Reply) else None
        if not isinstance(names, list) or not all(type(n) is str for n in names):
            self._stop(grace=0.0)
            return set()
        return set(names)

    def missing_reason(self, name: str) -> str | None:
        """Why ``name`` is not defined, when the grader knows (its cell does not compile, or its
        definition stopped the worker while loading); None otherwise."""
        return self.missing_reasons().get(name)

    def missing_reasons(self) -> dict[str, str]:
        """Every name the program cannot define, and why."""
        self._ensure_ready()
        return dict(self._state.missing)

    def call(self, name: str, layers_dims: Sequence[int], preseed: int | None = None) -> CallResult:
        """Call ``name(layers_dims)`` in the worker; never raises for anything the student did."""
        return self.calls(name, [Call(layers_dims, preseed)], budget=self.budget)[0]

    def calls(
        self,
        name: str,
        calls: Sequence[Call],
        *,
        budget: Budget | None = None,
        fork: bool = False,
        last: bool = False,
        unseen: bool = False,
    ) -> list[CallResult]:
        """Make ``calls`` of ``name`` in the worker, sent together and answered one by one, each
        call timed on its own (``Limits.call_seconds``, less when ``budget`` has less left). A call
        after one that ended the worker is not made (it says why). ``fork``: each call is made in a
        fork of the worker, in the state the program had before it; a worker ended for what a
        fork left behind starts again without that counting among its restarts. ``last``: nothing
        the worker prints from now on is kept (the extensions, the hidden cases). ``unseen``:
        nothing it prints during these calls is kept (a repeat made in another function's
        worker)."""
        if not self._deadline:
            raise RuntimeError("use Worker as a context manager: `with Worker(...) as worker:`")
        for call in calls:
            if call.preseed is not None and not 0 <= call.preseed < 2**32:
                raise ValueError(f"preseed must be in [0, 2**32), not {call.preseed}")
        if last:
            self.output_tail  # noqa: B018 - read what the visible calls printed, then keep no more
            self._output.freeze()
        if not fork:  # another function's repeat in a fork does not start this worker's life
            self._begin_life()
        problem = self._ensure_ready()
        if problem is not None:
            return [problem for _ in calls]
        self._oom_kills = self.tree.oom_kills()
        requests = [self._request(name, c, fork) for c in calls]
        kept = not self._output.frozen
        if unseen:
            self.output_tail  # noqa: B018 - keep what came before these calls
            self._output.freeze()
        try:
            results = self._answers(name, requests, budget)
        finally:
            if unseen and kept:
                self.output_tail  # noqa: B018 - read what they printed while frozen: dropped
                self._output.frozen = False
        if fork and self._process is None and self._pending is None:
            self._starts -= 1  # ended for what a fork did: its next start is not the worker's own
        return results + [not_run(results[-1]) for _ in calls[len(results) :]]

    def _begin_life(self) -> None:
        """The worker's wall-clock life starts at its first call, not when it was started ahead
        of need (a slow function before it does not use up this one's time)."""
        if not self._called:
            self._called = True
            self._deadline = max(self._deadline, time.monotonic() + self.limits.wall_seconds)

    @staticmethod
    def _request(name: str, call: Call, fork: bool) -> dict[str, object]:
        dims = [int(d) for d in call.dims]
        request: dict[str, object] = {
            "op": "call",
            "function": name,
            "layers_dims": dims,
            "as_tuple": isinstance(call.dims, tuple),
            "preseed": None if call.preseed is None else int(call.preseed),
        }
        if fork:
            request["fork"] = True
        return request

    def _answers(
        self, name: str, requests: list[dict[str, object]], budget: Budget | None
    ) -> list[CallResult]:
        """Send ``requests`` at once and read their replies in turn, until one ends the worker;
        once all are answered, nothing may be left running."""
        assert self._pipe is not None
        for request in requests:
            self._requests += 1
            request["id"] = self._requests
        failure = self._pipe.send_all(requests, WallDeadline(self._deadline))
        results: list[CallResult] = []
        for request in requests:
            dims: list[int] = request["layers_dims"]  # type: ignore[assignment]
            clock = self._clock(self.limits.call_seconds, budget=budget)
            limit = decode.reply_limit(dims)
            reply = failure or self._pipe.receive(clock, int(request["id"]), limit)  # type: ignore[call-overload]
            if budget is not None:
                budget.spend(clock.used())
            if (
                isinstance(reply, Failure)
                and request.get("fork")
                and self._fork_ended(reply, request)
            ):
                results.append(self._timed_out(name, clock))  # the worker itself goes on
                continue
            if isinstance(reply, Failure):
                results.append(self._failed(name, reply, clock))
                return results
            results.append(self._result(name, dims, reply))
            if results[-1].status in DEAD:
                return results
        if results and self._pipe is not None and self._pipe.pending():
            self._stop(grace=0.0)  # frames nobody asked for: a call wrote them
            text = msg.CALL_CRASH_GARBAGE.format(
                doing=msg.CALL_RUNNING.format(name=name), detail="replies no request asked for"
            )
            results[-1] = CallResult(CallStatus.CRASHED, message=text)
        elif results and self._process is not None and self._process.stray():
            self._stop(grace=0.0)
            results[-1] = CallResult(
                CallStatus.CRASHED, message=msg.CALL_LEFT_RUNNING.format(name=name)
            )
        return results

    # -- internals ----------------------------------------------------------------------------

    def _result(self, name: str, dims: list[int], reply: Reply) -> CallResult:
        left = reply.header.get("left", 0)
        if type(left) is not int or left != 0:
            self._stop(grace=0.0)
            return CallResult(CallStatus.CRASHED, message=msg.CALL_LEFT_RUNNING.format(name=name))
        if reply.refused:
            mb = f"{reply.refused / (1 << 20):.1f} MB"
            limit = f"{decode.reply_limit(dims) / (1 << 20):.0f} MB"
            text = msg.RETURN_TOO_LARGE_FOR.format(name=name, got=mb, dims=dims, limit=limit)
            return CallResult(CallStatus.INVALID, message=text)
        try:
            lines = self._state.lines
            result = decode.call_result(name, reply, self.limits, lines, self._state.origin)
        except decode.Garbled as error:
            return self._failed(name, Failure("garbage", str(error)), None)
        if result.status is CallStatus.MISSING and not result.message:
            result = replace(result, message=self._missing_message(name))
        return result

    def _respawn(self) -> None:
        """A new process; when the program is known, it goes to the process at once, down its
        own request pipe (never through the zygote, which serves every student), and loads
        while this process goes on."""
        self._squeezes = self.tree.squeezes()
        self._spawn()
        self._state.started()
        if self._state.program is not None:
            self._attach()
            self._send_program()

    def _stopped(self) -> None:
        self._state.stopped()

    def _send_program(self) -> None:
        assert self._pipe is not None
        self._requests += 1
        self._state.load_request = self._requests
        request = {"op": "load", "id": self._requests, **self._state.request()}
        self._pipe.send(request, WallDeadline(self._deadline))

    def load(
        self,
        program: str,
        *,
        origin: decode.Origin | None = None,
        missing_reasons: Mapping[str, str] | None = None,
    ) -> None:
        """Give a worker started without a program (``Worker(None, ...)``) the program to load.

        The process boots while the caller reads and extracts the notebook."""
        self._state.give(program, origin, missing_reasons or {})
        if self._pending is not None or self._process is not None:
            self._attach()
            self._send_program()

    def _ensure_ready(self) -> CallResult | None:
        """None once a live worker has loaded the program; else the failure every call gets."""
        state = self._state
        if state.program is None:
            raise RuntimeError("give the worker its program first: worker.load(program)")
        if state.failure is not None:
            return state.failure
        if time.monotonic() >= self._deadline:
            self._stop(grace=0.0)
            return self._life_spent()
        if self._process is None and self._pending is None:
            if self._starts > MAX_RESTARTS:
                text = msg.CALL_TOO_MANY_RESTARTS.format(count=MAX_RESTARTS)
                return CallResult(CallStatus.CRASHED, message=text)
            self._respawn()
        self._attach()
        if not state.ready:
            failure = self._finish_loading()
            if failure is not None and self._starts <= MAX_RESTARTS and state.leave_out(failure):
                self._stop(grace=0.0)
                return self._ensure_ready()  # start again without the statement that failed
            state.failure, state.ready = failure, failure is None
        return state.failure

    def _finish_loading(self) -> CallResult | None:
        assert self._pipe is not None
        assert self._process is not None
        hello = self._pipe.receive(first_deadline(self._deadline, START_SECONDS), 0)
        if isinstance(hello, Failure) and hello.kind == "eof":
            return self._start_failed()
        if isinstance(hello, Reply) and hello.header.get("op") != "hello":
            hello = Failure("garbage", "no greeting")
        if isinstance(hello, Failure):
            return self._failed(msg.CALL_LOADING, hello, None)
        self._process.note_started()
        clock = self._clock(self.limits.call_seconds)
        reply = self._pipe.receive(clock, self._state.load_request)
        while isinstance(reply, Reply) and reply.header.get("op") == "progress":
            self._state.running(reply.header.get("statement"))
            reply = self._pipe.receive(clock, self._state.load_request)
        if isinstance(reply, Reply):
            return self._loaded(reply)
        return self._failed(msg.CALL_LOADING, reply, clock)

    def _loaded(self, reply: Reply) -> CallResult | None:
        assert self._process is not None
        try:
            self._state.warned(decode.load_warnings(reply, self._state.origin))
        except decode.Garbled as error:
            return self._failed(msg.CALL_LOADING, Failure("garbage", str(error)), None)
        if self._process.stray():
            self._stop(grace=0.0)
            return CallResult(CallStatus.CRASHED, message=msg.SANDBOX_LOAD_LEFT_RUNNING)
        return None

    def _fork_ended(self, failure: Failure, request: dict[str, object]) -> bool:
        """After a call made in a fork ran out of time: end the fork and all it started, and
        take the reply the worker then sends for it. True when the worker, which ran nothing of
        the call itself, goes on clean (else it is ended as for any call)."""
        process = self._process
        if failure.kind != "timeout" or process is None or process.worker_pid is None:
            return False
        process.end_children()
        assert self._pipe is not None
        deadline = WallDeadline(time.monotonic() + _FORK_END_SECONDS)
        reply = self._pipe.receive(deadline, int(request["id"]))  # type: ignore[call-overload]
        return isinstance(reply, Reply) and not process.stray()

    def _start_failed(self) -> CallResult | None:
        """The worker died before saying hello: the machine's fault, not the student's, unless
        the submission's own processes had used up its budget (memory or processes) meanwhile:
        then it starts again once there is room (a worker booting ahead of need while another
        function's calls held everything), and fails the call when it cannot. When the
        namespaces are to blame (checked with a trivial worker, unless another worker found that
        already), start again without them; else raise."""
        assert self._process is not None
        confined = self._process.namespaces  # started before the platform was demoted, maybe
        returncode = self._stop(grace=1.0)
        detail = self._output.text()[-500:].strip()
        if self.tree.squeezed(self._squeezes):
            if self._starts > MAX_RESTARTS or not self.tree.wait_for_room():
                text = msg.SANDBOX_START_BUDGET.format(
                    mb=self.limits.memory_mb, processes=self.limits.max_processes
                )
                return CallResult(CallStatus.CRASHED, message=text)
            self._respawn()
            self._attach()
            return self._finish_loading()
        if confined and probe():
            refuse_unless_accepted(self._accept_weak)
            self._starts -= 1
            self._respawn()
            self._attach()
            return self._finish_loading()
        raise SandboxError(f"the sandbox worker could not start (status {returncode}): {detail}")

    def _failed(self, doing: str, failure: Failure, clock: BusyClock | None) -> CallResult:
        """The result of a call (or the loading) that got no proper reply; the worker is ended."""
        if failure.kind == "timeout":
            self._stop(grace=0.0)
            return self._timed_out(doing, clock)
        described = doing if doing == msg.CALL_LOADING else msg.CALL_RUNNING.format(name=doing)
        if failure.kind == "memory" or self.tree.oom_kills() > self._oom_kills:
            self._stop(grace=0.0)
            self._oom_kills = self.tree.oom_kills()
            text = msg.CALL_MEMORY_SUBMISSION.format(doing=described, mb=self.limits.memory_mb)
            return CallResult(CallStatus.MEMORY, message=text)
        if failure.kind == "garbage":
            self._stop(grace=0.0)
            text = msg.CALL_CRASH_GARBAGE.format(doing=described, detail=failure.detail)
            return CallResult(CallStatus.CRASHED, message=text)
        return decode.died(described, self._stop(grace=1.0), self.limits)

    def _timed_out(self, doing: str, clock: BusyClock | None) -> CallResult:
        limit = self.limits.call_seconds
        if clock is not None and clock.out_of_wall() and time.monotonic() >= self._deadline:
            return self._life_spent()
        if clock is not None and clock.allowed < limit and doing != msg.CALL_LOADING:
            text = msg.CALL_FUNCTION_BUDGET.format(seconds=self.limits.function_seconds)
        elif doing == msg.CALL_LOADING:
            text = msg.SANDBOX_LOAD_DIED.format(reason=msg.CALL_TIMEOUT_LOAD.format(seconds=limit))
        else:
            text = msg.CALL_TIMEOUT.format(name=doing, seconds=limit)
        return CallResult(CallStatus.TIMEOUT, message=text)

    def _life_spent(self) -> CallResult:
        text = msg.CALL_BUDGET_SPENT.format(seconds=self.limits.wall_seconds)
        return CallResult(CallStatus.TIMEOUT, message=text)

    def _missing_message(self, name: str) -> str:
        reason = self._state.missing.get(name)
        if reason is not None:
            detail = msg.CALL_MISSING_BROKEN.format(reason=reason)
        else:
            detail = decode.suggestion(name, self.defined())
        return msg.CALL_MISSING.format(name=name, detail=detail)
