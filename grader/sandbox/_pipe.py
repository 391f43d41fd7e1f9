"""The grader's end of the worker's pipes: framed requests out, framed replies in, output drained.

A frame is a 4-byte big-endian length and a JSON object; a reply's ``blobs`` field lists the sizes
of raw byte strings that follow it. Every request carries an ``id`` and every frame sent for it
must repeat it: a frame for another request (one a stray process wrote, or a leftover) is a
failure, never an answer. Every wait has a deadline, and while waiting the worker's output pipe
is drained into a bounded tail, so a worker that floods its output can neither block itself nor
grow the grader's memory. A reply whose arrays add up to more than the caller allows is refused
as soon as its header is read: its bytes are read and dropped, never kept. Nothing read here is
evaluated: JSON is parsed with ``json.loads`` into plain values, every string in it made safe
(``grader.untrusted``), and blobs stay bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.sandbox._clock import Deadline
from grader.untrusted import MAX_TEXT, decode, safe_text

_HEADER = struct.Struct(">I")
_MAX_HEADER = 1 << 20
_READ_CHUNK = 1 << 20
_POLL_SECONDS = 0.05  # how often to check for a worker that died while something keeps its pipe


@dataclass(frozen=True)
class Reply:
    header: dict[str, Any]
    blobs: list[bytes] = field(default_factory=list)
    refused: int = 0  # the bytes of arrays it announced over the limit (blobs is then empty)


@dataclass(frozen=True)
class Failure:
    kind: str  # "timeout" | "eof" | "garbage" | "memory" (the submission's, over its limit)
    detail: str = ""


class OutputTail:
    """The last ``limit`` bytes a process wrote, and how many it wrote in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.frozen = False
        self.total = 0
        self._data = bytearray()

    def freeze(self) -> None:
        """Keep nothing more, and count nothing more: what comes from now on is dropped unseen."""
        self.frozen = True

    def add(self, chunk: bytes) -> None:
        if self.frozen:
            return
        self.total += len(chunk)
        self._data += chunk
        if len(self._data) > 2 * self.limit:
            del self._data[: len(self._data) - self.limit]

    def text(self) -> str:
        tail = bytes(self._data[-self.limit :]) if self.limit else b""
        dropped = self.total - len(tail)
        note = f"[... {dropped} earlier bytes of output left out ...]\n" if dropped else ""
        text = tail.decode("utf-8", errors="replace")
        return note + safe_text(text, lines=True, limit=max(self.limit, MAX_TEXT))


class Pipe:
    def __init__(
        self,
        requests: int,
        replies: int,
        output: int,
        *,
        tail: OutputTail,
        max_reply: int,
        exited: Callable[[], bool],
        over: Callable[[], bool] | None = None,
    ) -> None:
        self.output = tail
        self.max_reply = max_reply
        self._exited = exited
        self._over = over  # whether the submission holds more memory than it may
        self._in, self._out, self._err = requests, replies, output
        for fd in (self._in, self._out, self._err):
            os.set_blocking(fd, False)
        self._buffer = bytearray()
        self._skip = 0  # bytes of a refused reply still to drop
        self._refused: dict[str, Any] | None = None
        self._closed_out = False
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._out, selectors.EVENT_READ)
        self._selector.register(self._err, selectors.EVENT_READ)

    def close(self) -> None:
        self._selector.close()

    def send(self, message: dict[str, Any], deadline: Deadline) -> Failure | None:
        return self.send_all([message], deadline)

    def send_all(self, messages: list[dict[str, Any]], deadline: Deadline) -> Failure | None:
        """Frame every message and write them at once (a batch of requests)."""
        frames = []
        for message in messages:
            body = json.dumps(message).encode()
            frames += [_HEADER.pack(len(body)), body]
        view = memoryview(b"".join(frames))
        while view:
            try:
                view = view[os.write(self._in, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError:  # BrokenPipeError: the worker is gone
                return Failure("eof")
            if self._wait(deadline, writing=True) == "timeout":
                return Failure("timeout")
        return None

    def receive(
        self, deadline: Deadline, request_id: int, limit: int | None = None
    ) -> Reply | Failure:
        """The next frame for request ``request_id``; arrays over ``limit`` bytes are refused."""
        while True:
            parsed = self._parse(request_id, self.max_reply if limit is None else limit)
            if parsed is not None:
                return parsed
            if self._closed_out:
                return Failure("eof")
            waited = self._wait(deadline)
            if waited == "timeout":
                return Failure("timeout")
            if waited == "idle" and self._over is not None and self._over():
                return Failure("memory")
            if waited == "idle" and self._exited() and not self._readable():
                self.drain()
                return self._parse(request_id, limit or self.max_reply) or Failure("eof")

    def pending(self) -> bool:
        """Whether reply bytes came that no request has read (after every request was answered:
        a frame no request asked for)."""
        self.drain()
        return bool(self._buffer) or self._refused is not None

    def drain(self) -> None:
        """Read whatever the process has written, without waiting."""
        while self._readable():
            pass

    def _wait(self, deadline: Deadline, *, writing: bool = False) -> str | None:
        """Wait a little for the pipes (draining output): 'timeout' once the deadline passed,
        'idle' when nothing came meanwhile (then the caller checks on the process), else None."""
        remaining = deadline.remaining()
        if remaining <= 0:
            return "timeout"
        if writing:
            self._selector.register(self._in, selectors.EVENT_WRITE)
        try:
            ready = self._selector.select(min(remaining, _POLL_SECONDS))
        finally:
            if writing:
                self._selector.unregister(self._in)
        got = self._readable()
        return None if ready or got else "idle"

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
                self._take(chunk)
            elif chunk:
                self.output.add(chunk)
            else:
                self._unregister(fd)
            got = got or bool(chunk)
        return got

    def _take(self, chunk: bytes) -> None:
        """Keep reply bytes, except those of a refused reply, which are dropped as they come."""
        dropped = min(self._skip, len(chunk))
        self._skip -= dropped
        self._buffer += chunk[dropped:]

    def _unregister(self, fd: int) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(fd)

    def _parse(self, request_id: int, limit: int) -> Reply | Failure | None:
        if self._refused is not None:
            if self._skip:
                return None
            header, self._refused = self._refused, None
            return Reply(header, [], refused=sum(header["blobs"]))
        if len(self._buffer) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(self._buffer)
        if size > _MAX_HEADER:
            return Failure("garbage", f"a reply header of {size} bytes")
        if len(self._buffer) < _HEADER.size + size:
            return None
        start = _HEADER.size + size
        decoded = _header(bytes(self._buffer[_HEADER.size : start]))
        if isinstance(decoded, Failure):
            return decoded
        header = decoded
        if type(header.get("id")) is not int or header["id"] != request_id:
            return Failure("garbage", "a reply to another request")
        sizes: list[int] = header["blobs"]
        total = sum(sizes)
        if total > self.max_reply:
            return Failure("garbage", f"a reply of {total} bytes")
        if total > limit:  # refused: drop its arrays without keeping them
            rest = bytes(self._buffer[start:])
            self._buffer.clear()
            self._refused, self._skip = header, total
            self._take(rest)
            return self._parse(request_id, limit)
        if len(self._buffer) < start + total:
            return None
        blobs = []
        for blob_size in sizes:
            blobs.append(bytes(self._buffer[start : start + blob_size]))
            start += blob_size
        del self._buffer[:start]
        return Reply(header, blobs)


def _header(body: bytes) -> dict[str, Any] | Failure:
    """A frame's JSON object, its strings made safe; a Failure when it is not one."""
    try:
        header = decode(body)
    except (ValueError, RecursionError):
        return Failure("garbage", "a reply that is not JSON")
    if not isinstance(header, dict):
        return Failure("garbage", "a malformed reply header")
    sizes = header.get("blobs", [])
    if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes):
        return Failure("garbage", "a malformed reply header")
    header["blobs"] = sizes
    reply: dict[str, Any] = header
    return reply
