"""The sandbox worker: loads one submission's program and answers the grader's calls over a pipe.

Runs in a child of the zygote (``zygote.py``), once ``confine.enter`` has confined it: ``run``
takes over from there. It imports the standard library and numpy, never the grader.

Start-up, before any student code: keep private copies of the protocol's request and reply pipes
(fds 0 and 1 as the zygote set them up), point fd 1 and 2 at the output pipe (fd 2) and fd 0 at
/dev/null, so nothing the student prints or closes can reach the protocol; block imports of the
grader's own packages; make a few slow plotting/notebook packages load on first use; seed
numpy's and Python's global generators, so code that runs while loading draws the same numbers
on every run; say hello.

Requests may come in batches: each is answered in turn, with a frame of its own. A call's reply
says how many threads and processes the call left running (``left``), waiting a moment for those
that are ending, so that a batch's next call never starts beside them unnoticed (the grader also
looks for itself once the batch is answered). A ``call`` with ``fork`` is made in a fork of this
process, which answers it and exits: the call then runs in the state the program had before it,
whatever this process did since.

Protocol: each message is a 4-byte big-endian length and a JSON object; a reply's ``blobs`` lists
the sizes of the raw ``.npy`` byte strings that follow it. Requests are ``load``, ``defined`` and
``call``, each with an ``id`` that every frame sent for it repeats; the program comes only this
way, after the fork, never through the zygote (whose memory every worker starts from); replies carry
plain data only (names, line numbers, statuses), and the grader turns them into sentences and
validates every array again.
"""

import ast
import builtins
import contextlib
import ctypes
import json
import os
import random
import struct
import sys
import time
import types
from collections.abc import Sequence
from typing import Any

import _initgrade_inert as inert
import _initgrade_returns as returns  # the zygote loads these from this folder under these names
from _initgrade_guard import ImportGuard

# A submission can rebind names in the builtins module (``builtins.isinstance = ...``) while it
# loads. Names are looked up in this module's globals before the builtins, so the worker keeps the
# originals of everything it uses, bound here before any student code exists.
_TRUSTED_BUILTINS = (
    "BaseException", "Exception", "ImportError", "IndexError", "InterruptedError", "KeyError",
    "ChildProcessError", "OSError", "SyntaxError", "TypeError", "ValueError", "bool", "bytes",
    "callable", "dict", "getattr", "int", "issubclass", "len", "list", "open", "set", "sorted",
    "str", "sum", "tuple", "type",
)  # fmt: skip
globals().update({name: getattr(builtins, name) for name in _TRUSTED_BUILTINS})

_HEADER = struct.Struct(">I")
_MAX_REQUEST = 64 * 1024 * 1024
_MAX_NAMES = 1000  # names reported besides the ones the grader asks about
_MAX_NAME_LENGTH = 100
_ENDING_SECONDS = 0.02  # what a thread or process that is ending may take to be gone
_CLONE_NEWUSER = 0x10000000
LOAD_SEED = 0  # numpy's and Python's global generators start from this before loading


def run(config: dict[str, Any], numpy: Any) -> None:
    """Serve the grader until it closes the request pipe (in the confined worker process)."""
    channel = _Channel.take_over_stdio()
    os.environ.update(config["env"])
    os.chdir(config["scratch"])
    sys.path[0:1] = [config["scratch"]]  # the zygote's own folder is not the submission's
    sys.meta_path.insert(0, ImportGuard(config["blocked"], config["lazy"]))
    numpy.random.seed(LOAD_SEED)
    random.seed(LOAD_SEED)
    worker = _Worker(numpy, config)
    channel.send({"op": "hello", "id": 0, "pid": os.getpid()})
    worker.serve(channel)


class _Channel:
    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd
        self.buffer = bytearray()

    @classmethod
    def take_over_stdio(cls) -> "_Channel":
        channel = cls(os.dup(0), os.dup(1))  # dup'ed descriptors are not inherited by exec
        os.dup2(2, 1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        return channel

    def _fill(self, size: int) -> bool:
        """Read until ``size`` bytes are buffered; False once the pipe is closed. A read takes
        all that is waiting (a whole batch, which the grader writes at once), so that no request
        is left in the pipe for a process a call starts to find."""
        while len(self.buffer) < size:
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def receive(self) -> dict[str, Any] | None:
        if not self._fill(_HEADER.size):
            return None
        (size,) = _HEADER.unpack_from(self.buffer)
        if size > _MAX_REQUEST or not self._fill(_HEADER.size + size):
            return None
        body = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
        del self.buffer[: _HEADER.size + size]
        return json.loads(body)  # type: ignore[no-any-return]

    def send(self, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
        header["blobs"] = [len(blob) for blob in blobs]
        body = json.dumps(header).encode()
        for data in (_HEADER.pack(len(body)) + body, *blobs):
            view = memoryview(data)
            while view:
                view = view[os.write(self.write_fd, view) :]


class _Worker:
    def __init__(self, numpy: Any, config: dict[str, Any]) -> None:
        # Taken before student code runs, which may replace any of them.
        self.converter = returns.Converter(numpy, config["max_keys"], config["max_bytes"])
        self.seed = numpy.random.seed
        self.namespace: dict[str, Any] = {}
        self.request_id: object = None
        self.pid = os.getpid()

    def serve(self, channel: _Channel) -> None:
        """Answer requests until the pipe closes."""
        self.channel = channel
        handlers = {"load": self.load, "defined": self.defined, "call": self.call}
        while (request := channel.receive()) is not None:
            self.request_id = request.get("id")
            answered = handlers[request["op"]](request)
            _flush()
            if answered is not None:  # None: a fork answered it
                reply, blobs = answered
                reply["id"] = self.request_id
                channel.send(reply, blobs)

    def load(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = module
        self.namespace = module.__dict__
        describe = returns.describe
        try:
            tree = ast.parse(request["program"], returns.SUBMISSION)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None) or 0
            return {"warnings": [{"kind": "error", "line": line, "error": describe(error)}]}, []
        problems = []
        skip = set(request.get("skip") or ())
        for index, statement in enumerate(tree.body):
            if index in skip:
                continue
            # Said before the statement runs: if it kills or hangs the worker, the grader knows
            # which one did and loads the program again without it.
            self.channel.send({"op": "progress", "statement": index, "id": self.request_id})
            refused = inert.not_run(statement)
            if refused is None and isinstance(statement, ast.ClassDef):
                plain = inert.plain_bases(statement, self.namespace)
                refused = None if plain else inert.CLASS_BASE
            if refused is None and not inert.library_decorators(statement, self.namespace):
                refused = inert.DECORATOR
            if refused is not None:  # it would run student code while the worker is the grader's
                problems.append({"kind": "not_run", "line": statement.lineno, "reason": refused})
                # The definition it would make is not the notebook's last: an earlier one of the
                # same name is not graded in its place.
                self.namespace.pop(getattr(statement, "name", ""), None)
                continue
            code = compile(ast.Module([statement], []), returns.SUBMISSION, "exec")
            try:
                exec(code, self.namespace)
            except ImportError as error:
                problems.append(
                    {
                        "kind": "import",
                        "line": statement.lineno,
                        "module": str(error.name or "?"),
                        "error": describe(error),
                    }
                )
            except BaseException as error:  # SystemExit at load is a warning too
                problems.append(
                    {
                        "kind": "error",
                        "line": statement.lineno,
                        "error": describe(error),
                    }
                )
        return {"warnings": problems}, []

    def defined(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        """The callables the program defines: the names asked about first, then some others."""
        names = {
            name
            for name, value in list(self.namespace.items())
            if type(name) is str
            and len(name) <= _MAX_NAME_LENGTH
            and name.isidentifier()
            and not name.startswith("__")
            and callable(value)
            and not issubclass(type(value), (type, types.ModuleType))
        }
        wanted = [name for name in request.get("wanted") or () if name in names]
        others = sorted(names - set(wanted))[:_MAX_NAMES]
        return {"functions": wanted + others}, []

    def call(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]] | None:
        if request.get("fork"):
            return self.forked(request)
        reply, blobs = self.call_here(request)
        reply["left"] = _left_running(self.pid)
        return reply, blobs

    def forked(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]] | None:
        """The call made in a fork of this process. The fork writes its reply to this process,
        which sends it on once the fork is gone (so nothing of it runs when the grader reads the
        reply), or says how the fork ended when its reply is not whole."""
        reply_read, reply_write = os.pipe()
        state = random.getstate()
        pid = os.fork()
        if pid == 0:
            os.close(reply_read)
            _cut_off(self.channel)
            random.setstate(state)  # the random module reseeds a fork from the system's entropy
            try:
                reply, blobs = self.call_here(request)
                _flush()
                reply["left"], reply["id"] = _left_running(os.getpid()), self.request_id
                _Channel(-1, reply_write).send(reply, blobs)
            finally:
                os._exit(0)
        os.close(reply_write)
        frame = _read_all(reply_read, _HEADER.size + _MAX_REQUEST + self.converter.max_bytes)
        os.close(reply_read)
        status = _wait(pid)
        _end_the_rest(self.pid)
        if frame is not None and _whole(frame):
            view = memoryview(frame)
            while view:
                view = view[os.write(self.channel.write_fd, view) :]
            return None
        return {"status": "died", "code": os.waitstatus_to_exitcode(status)}, []

    def call_here(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        name = request["function"]
        if name not in self.namespace:
            return {"status": "missing"}, []
        function = self.namespace[name]
        if not callable(function) or issubclass(type(function), type):
            return {"status": "not_callable", "kind": returns.type_name(function)}, []
        dims = [int(d) for d in request["layers_dims"]]
        argument = tuple(dims) if request.get("as_tuple") else dims
        if request.get("preseed") is not None:
            self.seed(request["preseed"])
        return returns.run_call(function, argument, self.converter)  # type: ignore[no-any-return]


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        returns.quietly(lambda stream=stream: stream.flush(), None)


def _read_all(fd: int, most: int) -> bytes | None:
    """Everything written to ``fd`` until it closes; None past ``most`` bytes."""
    chunks, size = [], 0
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
        size += len(chunk)
        if size > most:
            return None
    return b"".join(chunks)


def _whole(frame: bytes) -> bool:
    """Whether ``frame`` is one reply, whole: a header and exactly the blobs it announces."""
    if len(frame) < _HEADER.size:
        return False
    (size,) = _HEADER.unpack_from(frame)
    try:
        header = json.loads(frame[_HEADER.size : _HEADER.size + size])
        blobs = header["blobs"]
        return bool(len(frame) == _HEADER.size + size + sum(int(b) for b in blobs))
    except (ValueError, TypeError, KeyError):
        return False


def _wait(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue


def _left_running(pid: int) -> int:
    """Threads of this process besides its own, and live processes it started (in its own pid
    namespace, where it is pid 2: every process there but init and itself), after a moment for
    those that are ending."""
    deadline = time.monotonic() + _ENDING_SECONDS
    while (found := _running_now(pid)) and time.monotonic() < deadline:
        time.sleep(_ENDING_SECONDS / 20)
    return found


def _running_now(pid: int) -> int:
    try:
        threads = len(os.listdir(f"/proc/{pid}/task")) - 1
        if pid == 2:  # a pid namespace of its own: all of it
            listed = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, pid)]
        else:
            listed = _children(pid)
    except OSError:
        return 0
    return threads + sum(1 for child in listed if _alive(child))


def _cut_off(channel: "_Channel") -> None:
    """In a fork that makes one call: no way back to the grader but its own reply pipe. It
    closes the worker's protocol pipes and enters a user namespace of its own, so that it can
    neither reopen them through /proc nor trace the worker (where user namespaces exist)."""
    os.close(channel.read_fd)
    os.close(channel.write_fd)
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.unshare(_CLONE_NEWUSER)


def _end_the_rest(pid: int) -> None:
    """In a pid namespace of its own (pid 2): kill whatever a fork left behind, so that it does
    not stay running beside the calls that follow (the grader looks for itself afterwards)."""
    if pid != 2:
        return
    deadline = time.monotonic() + _ENDING_SECONDS * 10
    while _running_now(pid) and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            os.kill(-1, 9)  # every process of the namespace but its init and this one
        while True:  # reap what was this process's own
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        time.sleep(_ENDING_SECONDS / 20)


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(c) for c in handle.read().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False
