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
import io
import json
import os
import resource
import struct
import sys
import time
import types

# A submission can rebind names in the builtins module (``builtins.isinstance = ...``) while it
# loads. Names are looked up in this module's globals before the builtins, so the worker keeps the
# originals of everything it uses, bound here before any student code exists.
_TRUSTED_BUILTINS = (
    "BaseException", "Exception", "ImportError", "MemoryError", "SyntaxError", "SystemExit",
    "ValueError", "abs", "all", "callable", "dict", "getattr", "int", "isinstance", "issubclass",
    "len", "list", "min", "repr", "sorted", "str", "tuple", "type",
)  # fmt: skip
globals().update({name: getattr(builtins, name) for name in _TRUSTED_BUILTINS})

_HEADER = struct.Struct(">I")
_MAX_REQUEST = 64 * 1024 * 1024
_SUBMISSION = "<submission>"


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
    from _initgrade_guard import ImportGuard  # copied next to this script

    sys.meta_path.insert(0, ImportGuard(config["blocked"], config["lazy"]))
    import numpy

    worker = _Worker(numpy, config)
    channel.send({"op": "hello", "pid": os.getpid()})
    worker.serve(channel)


def _apply_limits(limits: dict) -> None:
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

    def receive(self) -> dict | None:
        head = self._read_exact(_HEADER.size)
        if head is None:
            return None
        (size,) = _HEADER.unpack(head)
        body = self._read_exact(size) if size <= _MAX_REQUEST else None
        return None if body is None else json.loads(body)

    def send(self, header: dict, blobs: list[bytes] | tuple = ()) -> None:
        header["blobs"] = [len(blob) for blob in blobs]
        body = json.dumps(header).encode()
        for data in (_HEADER.pack(len(body)) + body, *blobs):
            view = memoryview(data)
            while view:
                view = view[os.write(self.write_fd, view) :]


class _Worker:
    def __init__(self, numpy, config: dict) -> None:
        # Taken before student code runs, which may replace any of them.
        self.write_array = numpy.lib.format.write_array
        self.seed = numpy.random.seed
        self.ndarray, self.float64 = numpy.ndarray, numpy.float64
        self.max_keys, self.max_bytes = config["max_keys"], config["max_bytes"]
        self.namespace: dict = {}

    def serve(self, channel: _Channel) -> None:
        self.channel = channel
        handlers = {"load": self.load, "defined": self.defined, "call": self.call}
        while (request := channel.receive()) is not None:
            reply, blobs = handlers[request["op"]](request)
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                _quietly(lambda stream=stream: stream.flush())
            channel.send(reply, blobs)

    def load(self, request: dict) -> tuple[dict, list]:
        module = types.ModuleType("__main__")
        module.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = module
        self.namespace = module.__dict__
        try:
            tree = ast.parse(request["program"], _SUBMISSION)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None) or 0
            return {"warnings": [{"kind": "error", "line": line, "error": _describe(error)}]}, []
        problems = []
        skip = set(request.get("skip") or ())
        for index, statement in enumerate(tree.body):
            if index in skip:
                continue
            # Said before the statement runs: if it kills or hangs the worker, the grader knows
            # which one did and loads the program again without it.
            self.channel.send({"op": "progress", "statement": index})
            code = compile(ast.Module([statement], []), _SUBMISSION, "exec")
            try:
                exec(code, self.namespace)
            except ImportError as error:
                problems.append(
                    {
                        "kind": "import",
                        "line": statement.lineno,
                        "module": str(error.name or "?"),
                        "error": _describe(error),
                    }
                )
            except BaseException as error:  # SystemExit at load is a warning too
                problems.append(
                    {"kind": "error", "line": statement.lineno, "error": _describe(error)}
                )
        return {"warnings": problems}, []

    def defined(self, request: dict) -> tuple[dict, list]:
        names = [
            name
            for name, value in list(self.namespace.items())
            if type(name) is str
            and not name.startswith("__")
            and callable(value)
            and not issubclass(type(value), (type, types.ModuleType))
        ]
        return {"functions": sorted(names)[:1000]}, []

    def call(self, request: dict) -> tuple[dict, list]:
        name = request["function"]
        if name not in self.namespace:
            return {"status": "missing"}, []
        function = self.namespace[name]
        if not callable(function) or issubclass(type(function), type):
            return {"status": "not_callable", "kind": _type_name(function)}, []
        dims = [int(d) for d in request["layers_dims"]]
        argument = tuple(dims) if request.get("as_tuple") else dims
        if request.get("preseed") is not None:
            self.seed(request["preseed"])
        start = time.perf_counter()
        try:
            value = function(argument)
        except MemoryError as error:
            return {"status": "memory", "error": _describe(error)}, []
        except Exception as error:
            return {"status": "exception", "error": _describe(error), "frames": _frames(error)}, []
        except BaseException as error:  # SystemExit, KeyboardInterrupt...
            return {"status": "raised", "kind": _type_name(error), "code": _exit_code(error)}, []
        seconds = time.perf_counter() - start
        try:
            reply, blobs = self.convert(value)
        except MemoryError as error:
            reply, blobs = {"status": "memory", "error": _describe(error)}, []
        reply.update(seconds=seconds, args_after=_args_after(argument))
        return reply, blobs

    def convert(self, value) -> tuple[dict, list]:
        """Copy a returned value into float64 .npy bytes, or say what is wrong with it."""
        if type(value) is not dict:
            problem = "dict_subclass" if issubclass(type(value), dict) else "type"
            problem = "none" if value is None else problem
            return {"status": "invalid", "problem": problem, "kind": _type_name(value)}, []
        if len(value) > self.max_keys:
            return {"status": "invalid", "problem": "too_many", "count": len(value)}, []
        keys, notes, blobs, total = [], [], [], 0
        for key, item in list(dict.items(value)):
            bad = self.check_entry(key, item)
            if bad:
                return {"status": "invalid", **bad}, []
            total += item.size * 8
            if total > self.max_bytes:
                return {"status": "invalid", "problem": "too_large"}, []
            if item.dtype.kind != "f":
                notes.append({"key": key, "dtype": str(item.dtype)})
            buffer = io.BytesIO()
            self.write_array(buffer, item.astype(self.float64), allow_pickle=False)
            keys.append(key)
            blobs.append(buffer.getvalue())
        return {"status": "ok", "keys": keys, "notes": notes}, blobs

    def check_entry(self, key, item) -> dict | None:
        if type(key) is not str or len(key) > 100:
            return {"problem": "key", "key": _short_repr(key), "kind": _type_name(key)}
        if type(item) is not self.ndarray:
            return {"problem": "value_type", "key": key, "kind": _type_name(item)}
        if item.dtype.kind not in "fiub":
            return {"problem": "dtype", "key": key, "dtype": str(item.dtype)[:40]}
        if item.ndim > 8:
            return {"problem": "ndim", "key": key, "ndim": item.ndim}
        return None


def _frames(error: BaseException) -> list:
    frames, trace = [], error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename == _SUBMISSION:
            frames.append({"function": code.co_name, "line": trace.tb_lineno})
        trace = trace.tb_next
    return frames[-3:]


def _args_after(argument) -> list | None:
    if type(argument) not in (list, tuple) or len(argument) > 10_000:
        return None
    if not all(type(d) is int and abs(d) < 2**53 for d in argument):
        return None
    return list(argument)


def _exit_code(error: BaseException):
    code = getattr(error, "code", None) if isinstance(error, SystemExit) else None
    return code if code is None or type(code) in (int, str) else _short_repr(code)


def _describe(error: BaseException) -> str:
    text = _quietly(lambda: str(error), "<unprintable>")
    return f"{_type_name(error)}: {text}"[:400] if text else _type_name(error)


def _type_name(value) -> str:
    name = _quietly(lambda: type(value).__name__, "object")
    return name[:60] if type(name) is str else "object"


def _short_repr(value) -> str:
    text = _quietly(lambda: repr(value), "<unprintable>")
    return text[:40] if type(text) is str else "<unprintable>"


def _quietly(action, default=None):
    try:
        return action()
    except BaseException:  # student objects may raise anything, even SystemExit
        return default


if __name__ == "__main__":
    main()
