"""The sandbox worker: loads one submission's program and answers the grader's calls over a pipe.

Runs in a child of the zygote (``zygote.py``), once ``confine.enter`` has confined it: ``run``
takes over from there. It imports the standard library and numpy, never the grader.

Start-up, before any student code: keep private copies of the protocol's request and reply pipes
(fds 0 and 1 as the zygote set them up), point fd 1 and 2 at the output pipe (fd 2) and fd 0 at
/dev/null, so nothing the student prints or closes can reach the protocol; block imports of the
grader's own packages; make a few slow plotting/notebook packages load on first use; seed
numpy's and Python's global generators, so code that runs while loading draws the same numbers
on every run; say hello.

Protocol: each message is a 4-byte big-endian length and a JSON object; a reply's ``blobs`` lists
the sizes of the raw ``.npy`` byte strings that follow it. Requests are ``load``, ``defined`` and
``call``, each with an ``id`` that every frame sent for it repeats; the program comes only this
way, after the fork, never through the zygote (whose memory every worker starts from); replies carry
plain data only (names, line numbers, statuses), and the grader turns them into sentences and
validates every array again.
"""

import ast
import builtins
import json
import os
import random
import struct
import sys
import types
from collections.abc import Sequence
from typing import Any

import _initgrade_returns as returns  # the zygote loads these from this folder under these names
from _initgrade_guard import ImportGuard

# A submission can rebind names in the builtins module (``builtins.isinstance = ...``) while it
# loads. Names are looked up in this module's globals before the builtins, so the worker keeps the
# originals of everything it uses, bound here before any student code exists.
_TRUSTED_BUILTINS = (
    "BaseException", "Exception", "ImportError", "SyntaxError", "ValueError", "callable", "dict",
    "getattr", "int", "issubclass", "len", "list", "set", "sorted", "str", "tuple", "type",
)  # fmt: skip
globals().update({name: getattr(builtins, name) for name in _TRUSTED_BUILTINS})

_HEADER = struct.Struct(">I")
_MAX_REQUEST = 64 * 1024 * 1024
_MAX_NAMES = 1000  # names reported besides the ones the grader asks about
_MAX_NAME_LENGTH = 100
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
    def __init__(self, numpy: Any, config: dict[str, Any]) -> None:
        # Taken before student code runs, which may replace any of them.
        self.converter = returns.Converter(numpy, config["max_keys"], config["max_bytes"])
        self.seed = numpy.random.seed
        self.namespace: dict[str, Any] = {}
        self.request_id: object = None

    def serve(self, channel: _Channel) -> None:
        """Answer requests until the pipe closes."""
        self.channel = channel
        handlers = {"load": self.load, "defined": self.defined, "call": self.call}
        while (request := channel.receive()) is not None:
            self.request_id = request.get("id")
            reply, blobs = handlers[request["op"]](request)
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                returns.quietly(lambda stream=stream: stream.flush(), None)
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

    def call(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
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
