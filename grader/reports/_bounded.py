"""A student's notebook made fit to render: a new, plain copy of only what the page shows, bounded.

Every string passes through ``grader.untrusted.safe_text``. The copy holds each cell's type and
source, each output's text or image, markdown attachments
that are images, and nothing else: no metadata of the student's (which a template could read),
no cell id of theirs, no output type that only a script could show (JavaScript, widgets). Each
cell gets the id ``c<index>``; a graded cell is marked with the names it defines.

Everything is bounded, so the page's size and the time it takes to render stay small whatever
was submitted: a cell's source, a text output, an image's bytes and pixels, the outputs of a
cell, and all of them together. What is cut is replaced by a note saying what and why.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.reports._images import KB, _size, image_problem
from grader.untrusted import safe_text

MAX_SOURCE = 100 * KB  # characters of one cell's source
MAX_TEXT = 200 * KB  # characters of one text output (a stream, a traceback, HTML, markdown)
MAX_OUTPUTS = 40  # outputs shown per cell
MAX_CELLS = 1500
MAX_TOTAL = 12 * KB * KB  # characters of everything shown, text counted as the page escapes it
TEXT_TYPES = ("text/html", "text/markdown", "text/latex", "text/plain")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


@dataclass
class _Budget:
    left: int = MAX_TOTAL
    notes: list[str] = field(default_factory=list)

    def take(self, size: int) -> bool:
        if size > self.left:
            self.left = 0
            return False
        self.left -= size
        return True


_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def _text(value: Any) -> str:
    """A string of the notebook (or its list of lines) through the grader's one door for
    untrusted text, terminal colours dropped first so that a traceback stays readable."""
    if isinstance(value, list):
        value = "".join(part for part in value if isinstance(part, str))
    if not isinstance(value, str):
        return ""
    return safe_text(_COLOURS.sub("", value), lines=True, limit=MAX_TOTAL)  # cut below, by kind


def _escaped(text: str) -> int:
    """The characters ``text`` takes on the page once escaped (``<`` is ``&lt;``)."""
    return len(html.escape(text))


def _cut(text: str, limit: int, what: str) -> str:
    """``text`` up to ``limit`` characters, the note first so that a reader sees it."""
    if len(text) <= limit:
        return text
    note = f"[initgrade: {what} is {_size(len(text))}; the page shows the first {_size(limit)}]"
    return f"{note}\n{text[:limit]}\n[...]"


def _note(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stderr", "text": f"[initgrade: {text}]\n"}


def _data_output(output: Mapping[str, Any], budget: _Budget) -> dict[str, Any] | None:
    given = output.get("data")
    data: dict[str, Any] = given if isinstance(given, dict) else {}
    kept: dict[str, str] = {}
    for kind in IMAGE_TYPES:
        value = _text(data.get(kind))
        if value:
            problem = image_problem(kind, value)
            if problem is not None:
                return _note(problem)
            if not budget.take(len(value)):
                return None
            kept[kind] = value
            break
    for kind in TEXT_TYPES:
        value = _text(data.get(kind))
        if value and not kept:
            value = _cut(value, MAX_TEXT, "this output")
            if not budget.take(_escaped(value)):
                return None
            kept[kind] = value
    if not kept:
        return None
    kind = "execute_result" if output.get("output_type") == "execute_result" else "display_data"
    made: dict[str, Any] = {"output_type": kind, "data": kept, "metadata": {}}
    if kind == "execute_result":
        made["execution_count"] = None
    return made


def _output(output: Any, budget: _Budget) -> dict[str, Any] | None:
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        text = _cut(_text(output.get("text")), MAX_TEXT, "this output")
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        if not budget.take(_escaped(text)):
            return None
        return {"output_type": "stream", "name": name, "text": text}
    if kind == "error":
        lines = [line for line in output.get("traceback") or [] if isinstance(line, str)]
        text = _cut("\n".join(lines) or _text(output.get("ename")), MAX_TEXT, "this traceback")
        if not budget.take(_escaped(text)):
            return None
        return {"output_type": "error", "ename": _text(output.get("ename"))[:200],
                "evalue": "", "traceback": [text]}  # fmt: skip
    if kind in ("display_data", "execute_result"):
        return _data_output(output, budget)
    return None


def _outputs(raw: Any, budget: _Budget) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = []
    items = raw if isinstance(raw, list) else []
    for output in items[:MAX_OUTPUTS]:
        made = _output(output, budget)
        if made is None and budget.left == 0:
            outputs.append(_note(f"the rest of this notebook's outputs are not shown: the page "
                                 f"shows {_size(MAX_TOTAL)} at most"))  # fmt: skip
            break
        if made is not None and not _merged(outputs, made):
            outputs.append(made)
    if len(items) > MAX_OUTPUTS and budget.left:
        outputs.append(_note(f"{len(items) - MAX_OUTPUTS} more outputs of this cell are not "
                             "shown"))  # fmt: skip
    return outputs


def _merged(outputs: list[dict[str, Any]], made: dict[str, Any]) -> bool:
    """Whether ``made`` was added to the stream before it (the page shows the two as one), that
    stream kept within ``MAX_TEXT`` characters as any one output is."""
    last = outputs[-1] if outputs else {}
    if not (made["output_type"] == "stream" == last.get("output_type")
            and made["name"] == last["name"]):  # fmt: skip
        return False
    room = max(MAX_TEXT - len(last["text"]), 0)
    note = f"\n[initgrade: the rest of this stream is not shown: the page shows {_size(MAX_TEXT)}" \
           " of one stream]\n"  # fmt: skip
    if not last["text"].endswith(note):
        last["text"] += made["text"][:room] + (note if len(made["text"]) > room else "")
    return True


def _attachments(raw: Any, budget: _Budget) -> dict[str, dict[str, str]]:
    kept: dict[str, dict[str, str]] = {}
    for name, bundle in raw.items() if isinstance(raw, dict) else ():
        for kind in ("image/png", "image/jpeg"):
            value = _text(bundle.get(kind)) if isinstance(bundle, dict) else ""
            if value and image_problem(kind, value) is None and budget.take(len(value)):
                kept[str(name)[:200]] = {kind: value}
                break
    return kept


def bounded_notebook(content: Mapping[str, Any], graded: Mapping[str, int]) -> Any:
    """A new version-4 ``NotebookNode`` of what ``content`` (a version-4 notebook as parsed JSON
    or a NotebookNode) shows, bounded; ``graded`` maps each graded function to its cell."""
    import nbformat

    budget = _Budget()
    marks: dict[int, list[str]] = {}
    for name, index in sorted(graded.items()):
        marks.setdefault(index, []).append(name)
    given = content.get("cells")
    raw_cells: list[Any] = given if isinstance(given, list) else []
    cells: list[Any] = []
    for index, raw in enumerate(raw_cells[:MAX_CELLS]):
        cell = _cell(raw, index, marks.get(index, ()), budget)
        if cell is not None:
            cells.append(cell)
    if len(raw_cells) > MAX_CELLS:
        more = len(raw_cells) - MAX_CELLS
        cells.append(_made("markdown", f"*[initgrade: {more} more cells are not shown]*", -1))
    language = {"name": "python", "pygments_lexer": "ipython3"}
    # Built as plain data: nbformat's constructors validate each cell against the schema,
    # which took longer than rendering it.
    return nbformat.from_dict(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": language},
         "cells": cells}
    )  # fmt: skip


def _made(kind: str, source: str, index: int) -> dict[str, Any]:
    return {"cell_type": kind, "id": f"c{index}", "metadata": {}, "source": source}


def _cell(raw: Any, index: int, graded: Sequence[str], budget: _Budget) -> Any:
    if not isinstance(raw, dict):
        return None
    source = _cut(_text(raw.get("source")), MAX_SOURCE, "this cell")
    budget.take(_escaped(source))
    kind = raw.get("cell_type")
    cell = _made(kind if kind in ("code", "markdown") else "raw", source, index)
    if kind == "code":
        cell["outputs"] = _outputs(raw.get("outputs"), budget)
        count = raw.get("execution_count")
        cell["execution_count"] = count if type(count) is int and 0 <= count < 10**9 else None
    elif kind == "markdown":
        attachments = _attachments(raw.get("attachments"), budget)
        if attachments:
            cell["attachments"] = attachments
    if graded:
        cell["metadata"] = {"initgrade": {"graded": list(graded)}}
    return cell
