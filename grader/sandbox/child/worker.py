"""The sandbox worker: loads one submission's program and answers the grader's calls over a pipe.

Started by ``grader.sandbox`` as ``python -I _worker.py CONFIG`` (CONFIG is JSON) inside the
sandbox. It is a standalone script: it imports the standard library and numpy, never the grader.

Start-up, before any student code: apply the resource limits; keep private copies of the
protocol's stdin/stdout and point fd 1 and 2 at the output pipe (fd 2 as the parent set it up) and
fd 0 at /dev/null, so nothing the student prints or closes can reach the protocol; block imports of
the grader's own packages; make a few slow plotting/notebook packages load on first use; import
numpy; say hello.

Protocol: each message is a 4-byte big-endian length and a JSON object; a reply's ``blobs`` lists
the sizes of the raw ``.npy`` byte strings that follow it. Requests are ``load``, ``defined`` and
``call``; replies carry plain data only (names, line numbers, statuses), and the grader turns them
into sentences and validates every array again.

With CONFIG's ``exec`` set, the script only applies the limits and replaces itself with that
command (used to start a Jupyter kernel under the same limits).
"""

import ast
import builtins
import json
import os
import resource
import struct
import sys
import types
from collections.abc import Sequence
from typing import Any

# A submission can rebind names in the builtins module (``builtins.isinstance = ...``) while it
# loads. Names are looked up in this module's globals before the builtins, so the worker keeps the
# originals of everything it uses, bound here before any student code exists.
_TRUSTED_BUILTINS = (
    "BaseException", "Exception", "ImportError", "SyntaxError", "ValueError", "callable", "dict",
    "getattr", "int", "issubclass", "len", "list", "sorted", "str", "tuple", "type",
)  # fmt: skip
globals().update({name: getattr(builtins, name) for name in _TRUSTED_BUILTINS})

_HEADER = struct.Struct(">I")
_MAX_REQUEST = 64 * 1024 * 1024


def main() -> None:
    config = json.loads(sys.argv[1])
    _apply_limits(config["limits"])
    status_fd = config.get("status_fd")
    if os.getpid() == 1:
        _become_init(status_fd)  # returns in the child that does the work
    elif status_fd is not None:
        os.close(status_fd)
    if config.get("exec"):
        os.execv(config["exec"][0], config["exec"])
    channel = _Channel.take_over_stdio()
    os.chdir(config["scratch"])
    sys.path.insert(0, config["scratch"])
    import _initgrade_returns as returns  # copied next to this script
    from _initgrade_guard import ImportGuard  # the same

    sys.meta_path.insert(0, ImportGuard(config["blocked"], config["lazy"]))
    import numpy

    worker = _Worker(numpy, returns, config)
    channel.send({"op": "hello", "pid": os.getpid()})
    worker.serve(channel)


def _apply_limits(limits: dict[str, int]) -> None:
    pairs = [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_CPU, limits["cpu"], limits["cpu"] + 1),
        (resource.RLIMIT_AS, limits["as_bytes"], limits["as_bytes"]),
        (resource.RLIMIT_FSIZE, limits["fsize_bytes"], limits["fsize_bytes"]),
        (resource.RLIMIT_NPROC, limits["nproc"], limits["nproc"]),
    ]
    for which, soft, hard in pairs:
        resource.setrlimit(which, (soft, hard))


def _become_init(status_fd: int | None) -> None:
    """Stay behind as the pid namespace's init: reap orphans, report how the worker ended.

    The init of a pid namespace ignores every signal it has no handler for, even SIGXCPU from the
    CPU limit; so the work happens in a child, and this process only waits for it, writes its
    wait status to ``status_fd`` and exits, which kills everything left in the namespace.
    """
    child = os.fork()
    if child == 0:
        if status_fd is not None:
            os.close(status_fd)
        return
    for fd in (0, 1, 2):
        os.close(fd)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(0)
        if pid == child:
            break
    if os.WIFSIGNALED(status):
        report = {"signal": os.WTERMSIG(status)}
    else:
        report = {"code": os.waitstatus_to_exitcode(status)}
    if status_fd is not None:
        os.write(status_fd, json.dumps(report).encode())
    os._exit(0)


class _Channel:
    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    @classmethod
    def take_over_stdio(cls) -> "_Channel":
        channel = cls(os.dup(0), os.dup(1))  # dup'ed descriptors are not inherited by exec
        os.dup2(2, 1)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        return channel

    def _read_exact(self, size: int) -> bytes | None:
        chunks, left = [], size
        while left:
            chunk = os.read(self.read_fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> dict[str, Any] | None:
        head = self._read_exact(_HEADER.size)
        if head is None:
            return None
        (size,) = _HEADER.unpack(head)
        body = self._read_exact(size) if size <= _MAX_REQUEST else None
        return None if body is None else json.loads(body)

    def send(self, header: dict[str, Any], blobs: Sequence[bytes] = ()) -> None:
        header["blobs"] = [len(blob) for blob in blobs]
        body = json.dumps(header).encode()
        for data in (_HEADER.pack(len(body)) + body, *blobs):
            view = memoryview(data)
            while view:
                view = view[os.write(self.write_fd, view) :]


class _Worker:
    def __init__(self, numpy: Any, returns: Any, config: dict[str, Any]) -> None:
        # Taken before student code runs, which may replace any of them.
        self.returns = returns
        self.converter = returns.Converter(numpy, config["max_keys"], config["max_bytes"])
        self.seed = numpy.random.seed
        self.namespace: dict[str, Any] = {}

    def serve(self, channel: _Channel) -> None:
        self.channel = channel
        handlers = {"load": self.load, "defined": self.defined, "call": self.call}
        while (request := channel.receive()) is not None:
            reply, blobs = handlers[request["op"]](request)
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                self.returns.quietly(lambda stream=stream: stream.flush(), None)
            channel.send(reply, blobs)

    def load(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = module
        self.namespace = module.__dict__
        describe = self.returns.describe
        try:
            tree = ast.parse(request["program"], self.returns.SUBMISSION)
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
            self.channel.send({"op": "progress", "statement": index})
            code = compile(ast.Module([statement], []), self.returns.SUBMISSION, "exec")
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
        names = [
            name
            for name, value in list(self.namespace.items())
            if type(name) is str
            and not name.startswith("__")
            and callable(value)
            and not issubclass(type(value), (type, types.ModuleType))
        ]
        return {"functions": sorted(names)[:1000]}, []

    def call(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        name = request["function"]
        if name not in self.namespace:
            return {"status": "missing"}, []
        function = self.namespace[name]
        if not callable(function) or issubclass(type(function), type):
            return {"status": "not_callable", "kind": self.returns.type_name(function)}, []
        dims = [int(d) for d in request["layers_dims"]]
        argument = tuple(dims) if request.get("as_tuple") else dims
        if request.get("preseed") is not None:
            self.seed(request["preseed"])
        return self.returns.run_call(function, argument, self.converter)  # type: ignore[no-any-return]


if __name__ == "__main__":
    main()
