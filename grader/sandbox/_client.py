"""Step 3 of grading: run a submission's program in an isolated worker and call its functions.

    with Worker(extraction.program, helper_dirs=[bundle], limits=Limits(),
                origin=extraction.origin, missing_reasons=extraction.compile_errors) as worker:
        worker.load_warnings          # tuple[str, ...]: imports that failed, top-level errors
        worker.defined()              # set[str]: callable names the program defines
        worker.call("initialize_parameters_he", [2, 4, 1], preseed=None)  # -> CallResult
        worker.output_tail            # str: the last Limits.max_output_kb of the student's output

One worker process per submission, started on ``__enter__`` and reused for every call; the
program is sent at once and loaded statement by statement (``grader._worker``). ``helper_dirs``
holds the files students receive (a file, or a folder whose top-level ``.py`` and data files are
copied; notebooks never are): they are copied into the worker's scratch folder, which is on its
``sys.path``. How the process is isolated is in ``grader._sandbox_launch``; ``isolation_report()``
says which defenses this machine allows.

Time: each call (and the program's loading) has ``Limits.call_seconds``, the worker's whole life
(restarts included) ``Limits.wall_seconds``; both are enforced from here with SIGKILL of the
worker's process group. When a call times out or the worker dies, the worker is killed and the
next call starts a new one with the program reloaded (at most ``MAX_RESTARTS`` times); callers
that want to stop calling a function that hung do so themselves (``grader.grading.CallLog``). A
program whose loading hangs or kills the worker is not retried: every call returns that failure.

``preseed`` seeds numpy's global generator right before the call, so a caller can tell a function
that seeds itself from one that does not. Nothing from the worker is evaluated or unpickled.
"""

from __future__ import annotations

import ast
import difflib
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from grader import messages as msg
from grader.errors import SandboxError
from grader.sandbox import _decode as decode
from grader.sandbox import _launch as launch
from grader.sandbox._pipe import Failure, OutputTail, Pipe, Reply
from grader.sandbox._process import WorkerProcess
from grader.types import Caller, CallResult, CallStatus, Limits

__all__ = ["MAX_RESTARTS", "Worker"]

MAX_RESTARTS = 3


class Worker:
    def __init__(
        self,
        program: str | None,
        *,
        helper_dirs: Sequence[Path] = (),
        limits: Limits | None = None,
        origin: decode.Origin | None = None,
        missing_reasons: Mapping[str, str] | None = None,
    ) -> None:
        self.program = program  # None: started now, given its program later with ``load``
        self.limits = limits or Limits()
        self._helpers = [Path(h) for h in helper_dirs]
        self._origin = origin
        self._missing = dict(missing_reasons or {})
        self._lines = program.splitlines() if program is not None else []
        self._output = OutputTail(self.limits.max_output_kb * 1024)
        self._deadline = 0.0
        self._process: WorkerProcess | None = None
        self._pipe: Pipe | None = None
        self._starts = 0
        self._ready = False
        self._warnings: tuple[str, ...] = ()
        self._load_failure: CallResult | None = None
        self._skip: dict[int, str] = {}  # statements left out of loading -> why (a warning)
        self._loading: int | None = None  # the statement the worker said it was running

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> Worker:
        self._deadline = time.monotonic() + self.limits.wall_seconds
        self._spawn()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Kill the worker and everything it started; remove its scratch folder."""
        self._stop(grace=0.0)

    @property
    def output_tail(self) -> str:
        if self._pipe is not None:
            self._pipe.drain()
        return self._output.text()

    @property
    def scratch(self) -> Path | None:
        """The running worker's scratch folder (its working directory), or None."""
        return self._process.scratch if self._process else None

    @property
    def load_warnings(self) -> tuple[str, ...]:
        self._ensure_ready()
        return self._warnings

    # -- the program, as the checks see it (grader.types.Program) ------------------------------

    @property
    def call_seconds(self) -> float:
        return self.limits.call_seconds

    def caller(self, name: str) -> Caller:
        """A caller of the function ``name`` in this worker."""

        def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
            return self.call(name, layer_dims, preseed)

        return call

    # -- requests -----------------------------------------------------------------------------

    def defined(self) -> set[str]:
        """Names of the callables the loaded program defines (empty when it cannot be asked)."""
        if self._ensure_ready() is not None:
            return set()
        reply = self._exchange({"op": "defined"}, time.monotonic() + self.limits.call_seconds)
        names = reply.header.get("functions") if isinstance(reply, Reply) else None
        if not isinstance(names, list) or not all(type(n) is str for n in names):
            self._stop(grace=0.0)
            return set()
        return set(names)

    def missing_reason(self, name: str) -> str | None:
        """Why ``name`` is not defined, when the grader knows (its cell does not compile, or its
        definition stopped the worker while loading); None otherwise."""
        self._ensure_ready()
        return self._missing.get(name)

    def call(self, name: str, layers_dims: Sequence[int], preseed: int | None = None) -> CallResult:
        """Call ``name(layers_dims)`` in the worker; never raises for anything the student did."""
        if not self._deadline:
            raise RuntimeError("use Worker as a context manager: `with Worker(...) as worker:`")
        if preseed is not None and not 0 <= preseed < 2**32:
            raise ValueError(f"preseed must be in [0, 2**32), not {preseed}")
        request = {
            "op": "call",
            "function": name,
            "layers_dims": [int(d) for d in layers_dims],
            "as_tuple": isinstance(layers_dims, tuple),
            "preseed": None if preseed is None else int(preseed),
        }
        problem = self._ensure_ready()
        if problem is not None:
            return problem
        call_end = time.monotonic() + self.limits.call_seconds
        reply = self._exchange(request, min(call_end, self._deadline))
        if isinstance(reply, Failure):
            return self._failed(name, reply, budget=self._deadline < call_end)
        try:
            result = decode.call_result(name, reply, self.limits, self._lines, self._origin)
        except decode.Garbled as error:
            return self._failed(name, Failure("garbage", str(error)), budget=False)
        if result.status is CallStatus.MISSING and not result.message:
            result = replace(result, message=self._missing_message(name))
        return result

    # -- internals ----------------------------------------------------------------------------

    def _spawn(self) -> None:
        caps = {"max_keys": decode.MAX_KEYS, "max_bytes": decode.MAX_RESULT_BYTES}
        self._process = WorkerProcess.start(self.limits, self._helpers, caps)
        self._pipe = Pipe(
            self._process.popen, output=self._output, max_reply=decode.MAX_RESULT_BYTES
        )
        self._starts += 1
        self._ready = False
        self._loading = None
        if self.program is not None:
            self._send_program()

    def _send_program(self) -> None:
        assert self._pipe is not None
        request = {"op": "load", "program": self.program, "skip": sorted(self._skip)}
        self._pipe.send(request, self._deadline)

    def load(
        self,
        program: str,
        *,
        origin: decode.Origin | None = None,
        missing_reasons: Mapping[str, str] | None = None,
    ) -> None:
        """Give a worker started without a program (``Worker(None, ...)``) the program to load.

        The process boots (Python, numpy) while the caller reads and extracts the notebook."""
        if self.program is not None:
            raise RuntimeError("this worker already has its program")
        self.program, self._origin = program, origin
        self._missing.update(missing_reasons or {})
        self._lines = program.splitlines()
        if self._pipe is not None:
            self._send_program()

    def _ensure_ready(self) -> CallResult | None:
        """None once a live worker has loaded the program; else the failure every call gets."""
        if self.program is None:
            raise RuntimeError("give the worker its program first: worker.load(program)")
        if self._load_failure is not None:
            return self._load_failure
        if time.monotonic() >= self._deadline:
            self._stop(grace=0.0)
            return self._budget_spent()
        if self._process is None:
            if self._starts > MAX_RESTARTS:
                text = msg.CALL_TOO_MANY_RESTARTS.format(count=MAX_RESTARTS)
                return CallResult(CallStatus.CRASHED, message=text)
            self._spawn()
        if not self._ready:
            failure = self._finish_loading()
            if failure is not None and self._leave_out(failure):
                return self._ensure_ready()  # start again without the statement that failed
            self._load_failure = failure
            self._ready = failure is None
        return self._load_failure

    def _leave_out(self, failure: CallResult) -> bool:
        """After loading died or hung in a known statement, leave that statement out (while
        restarts remain): only the names it defines are lost, with the reason."""
        statement, program = self._loading, self.program
        if statement is None or statement in self._skip or self._starts > MAX_RESTARTS:
            return False
        if program is None:
            return False
        names, line = _statement_names(program, statement)
        where = decode.where(line, self._origin)
        shown = ", ".join(names) or msg.SANDBOX_NO_NAMES
        self._skip[statement] = msg.SANDBOX_LOAD_SKIPPED.format(
            where=where, names=shown, reason=failure.message
        )
        reason = msg.SANDBOX_LOAD_SKIPPED_NAME.format(reason=failure.message)
        for name in names:
            self._missing.setdefault(name, reason)
        self._stop(grace=0.0)
        return True

    def _finish_loading(self) -> CallResult | None:
        assert self._pipe is not None
        assert self._process is not None
        hello = self._pipe.receive(self._deadline)
        if isinstance(hello, Failure) and hello.kind == "eof":
            return self._start_failed()
        if isinstance(hello, Reply) and hello.header.get("op") != "hello":
            hello = Failure("garbage", "no greeting")
        load_end = time.monotonic() + self.limits.call_seconds
        reply = hello
        if isinstance(hello, Reply):
            self._process.note_started()
            reply = self._pipe.receive(min(load_end, self._deadline))
            while isinstance(reply, Reply) and reply.header.get("op") == "progress":
                statement = reply.header.get("statement")
                self._loading = statement if type(statement) is int else None
                reply = self._pipe.receive(min(load_end, self._deadline))
        if isinstance(reply, Reply):
            try:
                warnings = decode.load_warnings(reply, self._origin)
                self._warnings = (*self._skip.values(), *warnings)
                return None
            except decode.Garbled as error:
                reply = Failure("garbage", str(error))
        if reply.kind == "timeout":
            self._stop(grace=0.0)
            if self._deadline < load_end:
                return self._budget_spent()
            text = msg.CALL_TIMEOUT_LOAD.format(seconds=self.limits.call_seconds)
            return CallResult(CallStatus.TIMEOUT, message=msg.SANDBOX_LOAD_DIED.format(reason=text))
        failed = self._failed(msg.CALL_LOADING, reply, budget=False)
        return replace(failed, message=msg.SANDBOX_LOAD_DIED.format(reason=failed.message))

    def _start_failed(self) -> CallResult | None:
        """The worker died before saying hello: the machine's fault, not the student's. When the
        namespaces are to blame (checked with a trivial process), fall back once; else raise."""
        returncode = self._stop(grace=1.0)
        detail = self._output.text()[-500:].strip()
        if launch.platform().namespaces and launch.probe():
            self._starts -= 1
            self._spawn()
            return self._finish_loading()
        raise SandboxError(f"the sandbox worker could not start (status {returncode}): {detail}")

    def _exchange(self, request: dict[str, object], deadline: float) -> Reply | Failure:
        assert self._pipe is not None
        failure = self._pipe.send(request, deadline)
        return failure or self._pipe.receive(deadline)

    def _failed(self, doing: str, failure: Failure, *, budget: bool) -> CallResult:
        """The result of a call (or the loading) that got no proper reply; the worker is ended."""
        if failure.kind == "timeout":
            self._stop(grace=0.0)
            if budget:
                return self._budget_spent()
            text = msg.CALL_TIMEOUT.format(name=doing, seconds=self.limits.call_seconds)
            return CallResult(CallStatus.TIMEOUT, message=text)
        doing = doing if doing == msg.CALL_LOADING else msg.CALL_RUNNING.format(name=doing)
        if failure.kind == "garbage":
            self._stop(grace=0.0)
            text = msg.CALL_CRASH_GARBAGE.format(doing=doing, detail=failure.detail)
            return CallResult(CallStatus.CRASHED, message=text)
        return decode.died(doing, self._stop(grace=1.0), self.limits)

    def _budget_spent(self) -> CallResult:
        text = msg.CALL_BUDGET_SPENT.format(seconds=self.limits.wall_seconds)
        return CallResult(CallStatus.TIMEOUT, message=text)

    def _missing_message(self, name: str) -> str:
        if name in self._missing:
            detail = msg.CALL_MISSING_BROKEN.format(reason=self._missing[name])
        else:
            close = difflib.get_close_matches(name, sorted(self.defined()), n=1, cutoff=0.75)
            detail = msg.CALL_MISSING_SUGGESTION.format(candidate=close[0]) if close else ""
        return msg.CALL_MISSING.format(name=name, detail=detail)

    def _stop(self, *, grace: float) -> int | None:
        """End the worker (waiting ``grace`` seconds for it to exit by itself); its exit status."""
        process, pipe, self._process, self._ready = self._process, self._pipe, None, False
        if process is None or pipe is None:
            return None
        returncode = process.end(grace)
        pipe.drain()
        pipe.close()
        process.release()
        return returncode


def _statement_names(program: str, index: int) -> tuple[list[str], int]:
    """The names top-level statement ``index`` of ``program`` binds, and its first line."""
    try:
        statement = ast.parse(program).body[index]
    except (SyntaxError, ValueError, IndexError):
        return [], 0
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names = [statement.name]
    elif isinstance(statement, ast.Import | ast.ImportFrom):
        names = [(alias.asname or alias.name).split(".")[0] for alias in statement.names]
    else:
        names = sorted(
            node.id
            for node in ast.walk(statement)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        )
    return names, statement.lineno
