"""The one door for untrusted text: every string a student chose is bounded and neutralised here.

A leaf of the grader that every stage may import (it imports only the standard library and
``grader.messages``). What passes through it: everything a sandboxed process sends back
(exception messages, key and module names, the output it printed, a kernel's error values), and
every name a student or a course's files chose (a notebook's file name, a path in a folder or
zip, a student id, a Gradescope submitter), before any regular expression, report, log line,
CSV cell, database row or page sees it.

- ``safe_text`` makes a string printable on any terminal and writable in any encoding and format
  (JSON, XML, HTML, CSV) and bounds its length: every character that ``str.isprintable`` rejects
  (control characters and escape sequences, carriage returns, the C1 range, lone surrogates,
  bidirectional overrides and isolates, zero-width and other format characters, the Unicode line
  and paragraph separators) becomes a visible escape such as ``\\x1b`` or ``\\u200b``; tabs and
  newlines stay only in multi-line text and are spaces elsewhere, so a message can never start a
  line of its own (a fake "Total: 30 / 30"). Printable characters that show nothing (Unicode's
  default-ignorable code points, the Hangul fillers, the blank Braille pattern) are escaped too,
  so two names that differ only by them never read alike. Text past the limit is cut, and the
  cut says how much was left out. Escaped text is printable, so the door is idempotent, and
  text that is already printable and short costs one ``isprintable`` scan and one search.
- ``safe_name`` does the same for a name, reversibly: bytes that are not UTF-8 (a file name on
  disk arrives with them as lone surrogates) become ``\\xNN``, the backslash itself ``\\\\``, and
  ``real_name`` gives back the original bytes.
- ``safe_path`` shows a path (a notebook given on the command line, a batch's own folder).
- ``relative_link`` is the ``href`` of a file beside a page, from the file's raw name.
- ``spreadsheet_cell`` is a CSV cell: safe text, with a leading apostrophe where a spreadsheet
  would run it as a formula. Every CSV writer uses it.
- ``clean`` applies ``safe_text`` to every string of a decoded reply, keys included; ``decode``
  parses a reply's JSON and cleans it.
- ``Notes`` collects warnings, keeping at most ``MAX_PER_KIND`` of each kind and counting the
  rest; ``bounded_notes`` caps any list of warnings in count and length.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from grader import messages as msg

MAX_TEXT = 2_000  # characters of one untrusted string kept (a worker caps exceptions at 400)
MAX_NAME = 1_000  # characters of a name: far above a real path, far below what slows a regex
MAX_PER_KIND = 20  # warnings of one kind shown before "and N more"
MAX_NOTES = 100  # warnings of a report in all
_MAX_DEPTH = 16
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Characters ``str.isprintable`` accepts that show nothing, so that "alice" and "alice" with one
# of them appended read alike: Unicode's Default_Ignorable_Code_Point (the combining grapheme
# joiner, the Hangul fillers, the Khmer inherent vowels, the Mongolian and other variation
# selectors, the Khitan filler, the tag characters) and the blank Braille pattern. Those that are
# not printable are listed too; they were escaped already.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U00016fe4\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def _shown_as_is(text: str) -> bool:
    """Whether every character of ``text`` shows as itself: printable, and not invisible."""
    return text.isprintable() and _INVISIBLE.search(text) is None


class _Escapes(dict[int, "int | str"]):
    """A ``str.translate`` table computed on demand: a printable character maps to itself and
    any other to its escape. Lookups after the first are C dictionary hits; the table is cleared
    once it holds more characters than any text needs, so a flood of distinct ones cannot grow
    it without end."""

    def __init__(self, overrides: dict[int, str], *, name: bool) -> None:
        super().__init__(overrides)
        self.overrides = overrides
        self.name = name

    def __missing__(self, code: int) -> int | str:
        if len(self) > 50_000:
            self.clear()
            self.update(self.overrides)
        shown = _shown_as_is(chr(code))
        self[code] = value = code if shown else _escape(code, name=self.name)
        return value


def _escape(code: int, *, name: bool) -> str:
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < (0x80 if name else 0x100):
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_ONE_LINE = _Escapes({ord("\n"): " ", ord("\t"): " "}, name=False)
_LINES = _Escapes({ord("\n"): "\n", ord("\t"): "\t"}, name=False)
_NAME = _Escapes({ord("\\"): "\\\\"}, name=True)
_PATH = _Escapes({}, name=False)


def safe_text(text: str, *, lines: bool = False, limit: int = MAX_TEXT) -> str:
    """``text`` with nothing that can break a terminal, an encoder or a report's layout, and at
    most ``limit`` of its characters (the cut is said)."""
    return _shown(text, _LINES if lines else _ONE_LINE, limit)


def _shown(text: str, table: _Escapes, limit: int) -> str:
    if len(text) <= limit and _shown_as_is(text):  # the common case: nothing to do
        return text
    cut = len(text) - limit
    shown = (text[:limit] if cut > 0 else text).translate(table)
    return shown + msg.TEXT_CUT.format(count=cut) if cut > 0 else shown


def safe_name(name: str | bytes, *, limit: int = MAX_NAME) -> str:
    """A file name, path or id made printable and reversible (see ``real_name``): bytes that are
    not UTF-8 become ``\\xNN``, a backslash ``\\\\``, and every character ``safe_text`` would
    escape an escape too; past ``limit`` characters it is cut (and no longer reversible)."""
    text = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
    if len(text) <= limit and _shown_as_is(text) and "\\" not in text:
        return text
    cut = len(text) - limit
    shown = (text[:limit] if cut > 0 else text).translate(_NAME)
    return shown + msg.TEXT_CUT.format(count=cut) if cut > 0 else shown


def safe_path(path: str | os.PathLike[str]) -> str:
    """A path or file name to show: as ``safe_text`` makes it, but a line break or tab is an
    escape too, and at most ``MAX_NAME`` characters. Unlike ``safe_name`` it leaves a backslash
    be, so a name escaped already shows as it is."""
    return _shown(str(path), _PATH, MAX_NAME)


_ESCAPED = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def real_name(shown: str) -> bytes:
    """The bytes of the name ``safe_name`` escaped as ``shown`` (``safe_name``'s inverse)."""
    out = bytearray()
    position = 0
    for found in _ESCAPED.finditer(shown):
        out += shown[position : found.start()].encode("utf-8", "surrogateescape")
        code = found.group(1)
        if code == "\\":
            out += b"\\"
        elif code[0] == "x":
            out.append(int(code[1:], 16))
        else:
            out += chr(int(code[1:], 16)).encode("utf-8", "surrogatepass")
        position = found.end()
    return bytes(out + shown[position:].encode("utf-8", "surrogateescape"))


def relative_link(path: str) -> str:
    """The address of a file beside a page (``path``: a file name, or a relative POSIX path,
    as a student or course chose it) for an ``href``: each segment percent-encoded, so that
    ``#``, ``?``, ``%`` and spaces stay part of the name, and ``./`` before it unless it starts
    with ``../``, so that a name such as ``javascript:x`` can never read as an address's scheme."""
    from urllib.parse import quote

    parts = [quote(part.encode("utf-8", "surrogateescape"), safe="") for part in path.split("/")]
    quoted = "/".join(parts)
    return quoted if quoted.startswith("../") else f"./{quoted}"


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell: a number as it is, None as empty, text through the door, with an apostrophe
    before text a spreadsheet would run as a formula. Every CSV writer uses this."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    text = safe_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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
    """``clean(json.loads(body))``, raising what they raise. JSON that is plain printable ASCII,
    has no more brackets than ``clean`` allows levels and is too short to hold a string over the
    limit is returned as parsed: ``clean`` would make nothing new of it."""
    value = json.loads(body)
    if (
        len(body) > MAX_TEXT
        or _NOT_PLAIN.search(body)
        or body.count(b"[") + body.count(b"{") > _MAX_DEPTH
    ):
        return clean(value)
    return value


class Notes:
    """Warnings as they are found, each made safe text: at most ``keep`` of each kind (the
    template a warning was made from) are kept, in the order found, and the rest of each kind is
    counted, for one line "and N more like this" at the end."""

    def __init__(self, keep: int = MAX_PER_KIND) -> None:
        self.keep = keep
        self.kept: list[str] = []
        self.counts: dict[str, int] = {}
        self.examples: dict[str, str] = {}

    def add(self, template: str, kind: str | None = None, **fields: Any) -> None:
        """Add ``template`` filled with ``fields``; its kind is ``kind``, else the template."""
        kind = template if kind is None else kind
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        if count <= self.keep:
            self.kept.append(safe_text(template.format(**fields)))
            self.examples.setdefault(kind, self.kept[-1])

    def extend(self, notes: Iterable[str]) -> None:
        """Warnings already written: each its own kind, each made safe."""
        self.kept += (safe_text(note) for note in notes)

    def lines(self) -> list[str]:
        more = [
            msg.NOTES_MORE.format(count=count - self.keep, example=self.examples[kind][:80].strip())
            for kind, count in self.counts.items()
            if count > self.keep
        ]
        return self.kept + more

    def __len__(self) -> int:
        return len(self.kept)


def bounded_notes(notes: Sequence[str], *, most: int = MAX_NOTES) -> tuple[str, ...]:
    """``notes`` through the door, each at most ``MAX_TEXT`` characters and at most ``most`` of
    them, the last line saying how many more there were."""
    kept = [safe_text(note) for note in notes[:most]]
    if len(notes) > most:
        kept[-1] = msg.NOTES_OMITTED.format(count=len(notes) - most + 1)
    return tuple(kept)
