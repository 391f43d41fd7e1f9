"""The grader's end of the zygote: one pre-imported process that forks every sandboxed worker.

``zygote()`` gives this process's zygote, started on first use (``warm()`` starts it early, so
it imports numpy while the grader reads a notebook). ``spawn(plan, config)`` asks it for a fresh
worker and returns the worker's pipes and a pidfd. The zygote runs ``child/zygote.py`` with the
workers' environment, never runs student code, and exits when this process's end of its socket
closes (this process exiting, whatever the way); a process forked from this one starts its own.

What every worker shares with the others is the zygote's memory as it was at the fork: the Python
runtime and numpy, imported, and the worker's own code, all copy-on-write. Nothing a worker does
reaches the zygote or another worker; each one confines itself after the fork exactly as a fresh
process would.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import SandboxError

_SCRIPT = Path(__file__).with_name("child") / "zygote.py"
_HEADER = struct.Struct(">I")
_READY_SECONDS = 30.0
_SPAWN_SECONDS = 10.0
_FDS = 5  # requests, replies, output, status, and the pidfd


@dataclass
class Spawned:
    """A fresh worker: the host pid of the zygote's child, a pidfd of it, the grader's pipe ends."""

    pid: int
    pidfd: int | None
    requests: int
    replies: int
    output: int
    status: int

    def close(self) -> None:
        for fd in (self.pidfd, self.requests, self.replies, self.output, self.status):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)


class Zygote:
    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket, self._buffer, self._next = ours, bytearray(), 0
        self._arrived: dict[int, tuple[dict[str, Any], list[int]]] = {}  # ticket -> reply, fds
        self._fds: list[int] = []  # received, not yet matched to their message
        self._lock = threading.Lock()
        try:
            self._process = subprocess.Popen(
                # -s, not -I: isolated mode would ignore the environment's PYTHONHASHSEED, which
                # fixes str hashes for every worker; the environment is all ours anyway.
                [sys.executable, "-s", str(_SCRIPT), str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=env,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        finally:
            theirs.close()
        self._ready = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def spawn(self, plan: dict[str, Any], config: dict[str, Any]) -> Spawned:
        """A fresh worker, forked and confining itself per ``plan``."""
        return self.take(self.start(plan, config))

    def start(self, plan: dict[str, Any], config: dict[str, Any]) -> int:
        """Ask for a fresh worker without waiting for it; ``take`` the ticket when it is needed
        (it boots meanwhile)."""
        with self._lock:
            self._next += 1
            self._send({"op": "spawn", "id": self._next, "plan": plan, "config": config})
            return self._next

    def take(self, ticket: int) -> Spawned:
        """The worker asked for with ``ticket``."""
        with self._lock:
            self._await_ready()
            deadline = time.monotonic() + _SPAWN_SECONDS
            while ticket not in self._arrived:
                reply, fds = self._receive(deadline)
                if type(reply.get("id")) is not int:  # no answer: the zygote is gone or stuck
                    self._arrived[ticket] = (reply, fds)
                    break
                self._arrived[reply["id"]] = (reply, fds)
            reply, fds = self._arrived.pop(ticket)
        if "pid" not in reply or len(fds) < _FDS - 1:
            for fd in fds:
                os.close(fd)
            raise SandboxError(f"the sandbox could not start a worker: {reply.get('error')}")
        pidfd = fds[4] if reply.get("pidfd") and len(fds) == _FDS else None
        return Spawned(int(reply["pid"]), pidfd, *fds[:4])

    def close(self) -> None:
        """Close the socket (the zygote then kills its workers and exits) and reap it."""
        with contextlib.suppress(OSError):
            self._socket.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()

    def _await_ready(self) -> None:
        if self._ready:
            return
        reply, fds = self._receive(time.monotonic() + _READY_SECONDS)
        for fd in fds:
            os.close(fd)
        if reply.get("op") != "ready":
            raise SandboxError(f"the sandbox's zygote did not start: {reply.get('error')}")
        self._ready = True
        if self._process.stderr is not None:  # it writes nothing from now on
            self._process.stderr.close()
            self._process.stderr = None

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        try:
            self._socket.sendall(_HEADER.pack(len(body)) + body)
        except OSError as error:
            raise SandboxError(f"the sandbox's zygote is gone ({error})") from None

    def _receive(self, deadline: float) -> tuple[dict[str, Any], list[int]]:
        """One framed message from the zygote, and the descriptors it says came with it (a read
        may bring the bytes of several messages; their descriptors arrive in the same order)."""
        while True:
            if len(self._buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buffer)
                end = _HEADER.size + size
                if len(self._buffer) >= end:
                    message = json.loads(bytes(self._buffer[_HEADER.size : end]))
                    del self._buffer[:end]
                    count = message.get("fds", 0) if isinstance(message, dict) else 0
                    fds, self._fds = self._fds[:count], self._fds[count:]
                    return message, fds
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._socket], [], [], remaining)[0]:
                return {"error": "no answer in time"}, []
            data, more, _, _ = socket.recv_fds(self._socket, 1 << 16, 4 * _FDS)
            self._fds += more
            if not data:
                return {"error": self._last_words()}, []
            self._buffer += data

    def _last_words(self) -> str:
        """What the zygote said before it died, for the error message."""
        if self._process.stderr is None or self.alive():
            return "it closed its socket"
        return self._process.stderr.read()[-500:].decode(errors="replace").strip()


_current: dict[int, Zygote] = {}  # os.getpid() -> this process's zygote
_lock = threading.Lock()


def zygote(env: dict[str, str]) -> Zygote:
    """This process's zygote, started (with ``env``) when there is none or it died."""
    with _lock:
        found = _current.get(os.getpid())
        if found is None or not found.alive():
            if found is not None:
                found.close()
            found = _current[os.getpid()] = Zygote(env)
        return found


def _forget_inherited() -> None:
    """In a forked child: the parent's zygote is the parent's; drop our copy of its socket."""
    global _lock
    _lock = threading.Lock()  # another thread of the parent may have held it at the fork
    for pid, inherited in list(_current.items()):
        if pid != os.getpid():
            with contextlib.suppress(OSError):
                inherited._socket.close()
            del _current[pid]


def shutdown() -> None:
    """Stop this process's zygote, if it has one (also run at exit)."""
    with _lock:
        found = _current.pop(os.getpid(), None)
    if found is not None:
        found.close()


os.register_at_fork(after_in_child=_forget_inherited)
atexit.register(shutdown)
