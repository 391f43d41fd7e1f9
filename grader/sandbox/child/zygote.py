"""The zygote: imports Python's runtime, numpy and the worker once, then forks a worker per request.

Started by the grader (``grader.sandbox._zygote``) as ``python -I zygote.py FD`` with the
workers' scrubbed environment, FD being its end of a Unix socket pair. It never runs student
code and never reads a file of the grader's: everything a worker needs (its confinement plan,
its configuration, the helper files' bytes) comes in the request.

For each ``spawn`` request it makes four pipes (requests, replies, output, exit status), forks,
and sends the grader's ends back with a pidfd of the child, over the socket (``SCM_RIGHTS``). The
child puts its ends at fds 0-3, closes every other descriptor, confines itself
(``confine.enter``: its own namespaces, mounts, uid and limits, exactly as a fresh process would)
and runs the worker there. The zygote reaps its children, writes the exit status of each on its
status pipe (after the status the worker's init wrote, when there is one) and, when the grader's
end of the socket closes, kills them all and exits.
"""

import contextlib
import gc
import importlib.util
import json
import os
import select
import signal
import socket
import struct
import sys
import traceback
from typing import Any

_HEADER = struct.Struct(">I")
_HERE = os.path.dirname(os.path.abspath(__file__))
_MODULES = (
    ("_initgrade_guard", "guard.py"),
    ("_initgrade_returns", "returns.py"),
    ("_initgrade_confine", "confine.py"),
    ("_initgrade_inert", "inert.py"),
    ("_initgrade_worker", "worker.py"),
)
_HIGH_FD = 100  # where the child parks its pipe ends before moving them to 0-3


def _load(name: str, filename: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, os.path.join(_HERE, filename))
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {filename} from {_HERE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Zygote:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.buffer = bytearray()
        self.statuses: dict[int, int] = {}  # child pid -> write end of its status pipe
        modules = [_load(name, filename) for name, filename in _MODULES]
        self.confine, self.worker = modules[2], modules[-1]
        import numpy
        import numpy.lib.format  # what the worker writes its replies with
        import numpy.random  # loaded on first use otherwise: 20 ms in every worker

        self.numpy = numpy
        gc.freeze()  # the collector never walks what every worker shares: no copy-on-write for it
        self.confine.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphaned inits come back here
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def serve(self) -> None:
        self._send({"op": "ready", "pid": os.getpid()}, [])
        while True:
            ready, _, _ = select.select([self.control.fileno(), self.wake_read], [], [])
            if self.wake_read in ready:
                self._reap()
            if self.control.fileno() in ready:
                request = self._receive()
                if request is None:
                    break
                self._spawn(request)
                while (request := self._buffered()) is not None:  # they may come together
                    self._spawn(request)
        for pid in list(self.statuses):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _receive(self) -> dict[str, Any] | None:
        """The next request, read from the socket as far as needed; None once it is closed."""
        while (request := self._buffered()) is None:
            chunk = self.control.recv(1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        return request

    def _buffered(self) -> dict[str, Any] | None:
        """A request already read whole, if there is one."""
        if len(self.buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self.buffer)
        if len(self.buffer) < _HEADER.size + size:
            return None
        body = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
        del self.buffer[: _HEADER.size + size]
        return json.loads(body)  # type: ignore[no-any-return]

    def _send(self, message: dict[str, Any], fds: list[int]) -> None:
        body = json.dumps({**message, "fds": len(fds)}).encode()  # they go with the first byte
        socket.send_fds(self.control, [_HEADER.pack(len(body)) + body], fds)

    def _reap(self) -> None:
        try:
            while os.read(self.wake_read, 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            fd = self.statuses.pop(pid, None)
            if fd is not None:
                report = json.dumps(self.confine.wait_report(status)) + "\n"
                with contextlib.suppress(OSError):
                    os.write(fd, report.encode())
                os.close(fd)

    def _spawn(self, request: dict[str, Any]) -> None:
        pipes = [os.pipe() for _ in range(4)]  # requests, replies, output, status
        ends = [pipes[0][0], pipes[1][1], pipes[2][1], pipes[3][1]]  # the child's
        theirs = [pipes[0][1], pipes[1][0], pipes[2][0], pipes[3][0]]  # the grader's
        try:
            pid = os.fork()
        except OSError as error:
            for fd in ends + theirs:
                os.close(fd)
            self._send({"id": request["id"], "error": str(error)}, [])
            return
        if pid == 0:
            self._child(request, ends)
        for fd in ends[:3]:
            os.close(fd)
        self.statuses[pid] = ends[3]
        pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else -1
        extra = [pidfd] if pidfd >= 0 else []
        self._send({"id": request["id"], "pid": pid, "pidfd": bool(extra)}, theirs + extra)
        for fd in theirs + extra:
            os.close(fd)

    def _child(self, request: dict[str, Any], ends: list[int]) -> None:
        """In the forked child: take the pipe ends, confine, serve; never returns."""
        code = 0
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            parked = [os.dup2(fd, _HIGH_FD + index) for index, fd in enumerate(ends)]
            for target, fd in enumerate(parked):
                os.dup2(fd, target)
            os.closerange(4, os.sysconf("SC_OPEN_MAX"))
            try:
                self.confine.enter(request["plan"], 3)
            except OSError as error:  # the machine does not allow a step: say which, in a line
                os.write(2, f"initgrade sandbox: {error}\n".encode(errors="replace"))
                os._exit(125)
            self.worker.run(request["config"], self.numpy)
        except BaseException:
            code = 125
            with contextlib.suppress(OSError):
                os.write(2, traceback.format_exc().encode(errors="replace"))
        os._exit(code)


def main() -> None:
    os.chdir("/")
    control = socket.socket(fileno=int(sys.argv[1]))
    Zygote(control).serve()


if __name__ == "__main__":
    main()
