"""The grader's end of the worker's pipes: framed requests out, framed replies in, output drained.

A frame is a 4-byte big-endian length and a JSON object; a reply's ``blobs`` field lists the sizes
of raw byte strings that follow it. Every wait has a deadline, and while waiting the worker's
stdout/stderr pipe is drained into a bounded tail, so a worker that floods its output can neither
block itself nor grow the grader's memory. Nothing read here is evaluated: JSON is parsed with
``json.loads`` into plain values and blobs stay bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import struct
import subprocess
import time
from dataclasses import dataclass
from typing import Any

_HEADER = struct.Struct(">I")
_MAX_HEADER = 1 << 20
_READ_CHUNK = 1 << 20
_POLL_SECONDS = 0.05  # how often to check for a worker that died while something keeps its pipe


@dataclass(frozen=True)
class Reply:
    header: dict[str, Any]
    blobs: list[bytes]


@dataclass(frozen=True)
class Failure:
    kind: str  # "timeout" | "eof" | "garbage"
    detail: str = ""


class OutputTail:
    """The last ``limit`` bytes a process wrote, and how many it wrote in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self._data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self._data += chunk
        if len(self._data) > 2 * self.limit:
            del self._data[: len(self._data) - self.limit]

    def text(self) -> str:
        tail = bytes(self._data[-self.limit :]) if self.limit else b""
        dropped = self.total - len(tail)
        note = f"[... {dropped} earlier bytes of output left out ...]\n" if dropped else ""
        return note + tail.decode("utf-8", errors="replace")


class Pipe:
    def __init__(
        self, process: subprocess.Popen[bytes], *, output: OutputTail, max_reply: int
    ) -> None:
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        self.process = process
        self.output = output
        self.max_reply = max_reply
        self._in = process.stdin.fileno()
        self._out = process.stdout.fileno()
        self._err = process.stderr.fileno()
        for fd in (self._in, self._out, self._err):
            os.set_blocking(fd, False)
        self._buffer = bytearray()
        self._closed_out = False
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._out, selectors.EVENT_READ)
        self._selector.register(self._err, selectors.EVENT_READ)

    def close(self) -> None:
        self._selector.close()

    def send(self, message: dict[str, Any], deadline: float) -> Failure | None:
        body = json.dumps(message).encode()
        view = memoryview(_HEADER.pack(len(body)) + body)
        while view:
            try:
                view = view[os.write(self._in, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError:  # BrokenPipeError: the worker is gone
                return Failure("eof")
            if self._wait(deadline, writing=True) is not None:
                return Failure("timeout")
        return None

    def receive(self, deadline: float) -> Reply | Failure:
        while True:
            parsed = self._parse()
            if parsed is not None:
                return parsed
            if self._closed_out:
                return Failure("eof")
            if self._wait(deadline) is not None:
                return Failure("timeout")
            if self.process.poll() is not None and not self._readable():
                self.drain()
                return self._parse() or Failure("eof")

    def drain(self) -> None:
        """Read whatever the process has written, without waiting."""
        while self._readable():
            pass

    def _wait(self, deadline: float, *, writing: bool = False) -> str | None:
        """Wait a little for the pipes (draining output); 'timeout' once the deadline passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timeout"
        if writing:
            self._selector.register(self._in, selectors.EVENT_WRITE)
        try:
            self._selector.select(min(remaining, _POLL_SECONDS))
        finally:
            if writing:
                self._selector.unregister(self._in)
        self._readable()
        return None

    def _readable(self) -> bool:
        """One non-blocking read from each pipe; True when anything arrived."""
        got = False
        for fd in (self._out, self._err):
            if fd == self._out and self._closed_out:
                continue
            try:
                chunk = os.read(fd, _READ_CHUNK)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                chunk = b""
            if fd == self._out:
                self._closed_out = not chunk
                self._buffer += chunk
            elif chunk:
                self.output.add(chunk)
            else:
                self._unregister(fd)
            got = got or bool(chunk)
        return got

    def _unregister(self, fd: int) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(fd)

    def _parse(self) -> Reply | Failure | None:
        if len(self._buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._buffer)
        if size > _MAX_HEADER:
            return Failure("garbage", f"a reply header of {size} bytes")
        if len(self._buffer) < _HEADER.size + size:
            return None
        start = _HEADER.size + size
        try:
            header = json.loads(bytes(self._buffer[_HEADER.size : start]))
        except (ValueError, RecursionError):
            return Failure("garbage", "a reply that is not JSON")
        sizes = header.get("blobs", []) if isinstance(header, dict) else None
        if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes):
            return Failure("garbage", "a malformed reply header")
        if sum(sizes) > self.max_reply:
            return Failure("garbage", f"a reply of {sum(sizes)} bytes")
        if len(self._buffer) < start + sum(sizes):
            return None
        blobs = []
        for blob_size in sizes:
            blobs.append(bytes(self._buffer[start : start + blob_size]))
            start += blob_size
        del self._buffer[:start]
        return Reply(header, blobs)
