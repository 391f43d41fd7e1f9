"""Untrusted text, made safe to print and to write, once, where it enters the grader.

A leaf of the grader that every stage may import (it imports only the standard library).
Everything a sandboxed process sends back is the student's text: exception messages, module and
key names, the output it printed, a kernel's error values. ``safe_text`` makes such a string
printable on any terminal and writable in any encoding and format (JSON, XML, HTML): a lone
surrogate becomes U+FFFD; control characters (escape sequences, carriage returns, NUL, DEL, the
C1 range), the Unicode line separators and the bidirectional overrides become visible escapes such
as ``\\x1b``; tabs and newlines stay only in multi-line text, and are spaces elsewhere, so a
message can never start a line of its own (a fake "Total: 30 / 30"). ``clean`` applies it to
every string of a decoded reply, keys included; ``decode`` parses a reply's JSON and cleans it.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_INVISIBLE = [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
_INVISIBLE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPE = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _INVISIBLE}
_ONE_LINE = {**_ESCAPE, ord("\n"): " ", ord("\t"): " "}
_LINES = {**_ESCAPE, ord("\n"): "\n", ord("\t"): "\t"}
_MAX_DEPTH = 16


def safe_text(text: str, *, lines: bool = False) -> str:
    """``text`` with nothing that can break a terminal, an encoder or a report's layout."""
    if text.isprintable():  # no control, format (bidi), separator or surrogate character
        return text
    return _SURROGATE.sub("\ufffd", text).translate(_LINES if lines else _ONE_LINE)


def clean(value: Any, depth: int = 0) -> Any:
    """A decoded JSON value with every string (keys too) made safe; deeper than 16 is refused.
    (``json.loads`` makes exactly these types, so ``type`` tells them apart, and quickly.)"""
    kind = type(value)
    if kind is str:
        return safe_text(value)
    if kind is not list and kind is not dict:
        return value  # a number, a bool or None
    if depth >= _MAX_DEPTH:
        raise ValueError("nested too deeply")
    if kind is list:
        return [clean(item, depth + 1) for item in value]
    return {safe_text(str(k)): clean(v, depth + 1) for k, v in value.items()}


# Bytes outside printable ASCII, and the backslash that starts every JSON escape: JSON without
# any decodes to strings that are printable ASCII already.
_NOT_PLAIN = re.compile(rb"[^\x20-\x5b\x5d-\x7e]")


def decode(body: bytes) -> Any:
    """``clean(json.loads(body))``, raising what they raise. JSON that is plain printable ASCII
    and has no more brackets than ``clean`` allows levels is returned as parsed: ``clean`` would
    make nothing new of it."""
    value = json.loads(body)
    if _NOT_PLAIN.search(body) or body.count(b"[") + body.count(b"{") > _MAX_DEPTH:
        return clean(value)
    return value
