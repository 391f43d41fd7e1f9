"""How much of a notebook extraction reads: bounded in bytes, statements and time.

Reading a cell costs about 0.1 ms per line (IPython's transformer, the parse, the walk), so a
notebook of 600,000 one-line definitions would hold the grader for minutes. Extraction therefore
reads at most ``MAX_CODE_BYTES`` of code, ``MAX_CELL_BYTES`` of one cell, ``MAX_STATEMENTS``
top-level statements and ``MAX_SECONDS`` of time, and says what it left out. It never loses a
graded function: the last ``KEEP_DEFINITIONS`` cells that define or mark one are always read
(the last definition wins; the ones before stand in when it does not compile), and from a cell
too large to read whole, its graded definitions and its import lines are taken out by their
text. Any other cell that defines or marks a graded function, however many there are, counts
against the bounds like every cell.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader import messages as msg
from grader.notebook._load import Cell

MAX_CODE_BYTES = 512 * 1024
MAX_CELL_BYTES = 256 * 1024
MAX_STATEMENTS = 5000
MAX_SECONDS = 5.0
KEEP_DEFINITIONS = 3
_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.M)
_IMPORT = re.compile(r"^(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+[\w.,* \t]+$")
_OPENS_BLOCK_BODY = re.compile(r"^[ \t]|^#|^$|^[)\]}]")  # lines that continue a definition


@dataclass
class Bounds:
    """What is left of the bounds while the cells are read, and what was left out."""

    graded: frozenset[str]
    bytes_left: int = MAX_CODE_BYTES
    statements_left: int = MAX_STATEMENTS
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_SECONDS)
    skipped: list[int] = field(default_factory=list)  # cells left out
    total: int = 0  # bytes of code in all cells
    cut_at: int | None = None  # the cell where statements ran out

    def graded_in(self, cell: Cell, marks: set[str]) -> set[str]:
        return (set(_DEF.findall(cell.source)) | marks) & self.graded

    def graded_cells(self, cells: Sequence[Cell], marks: Sequence[set[str]]) -> list[set[str]]:
        """For each cell, the graded functions it is always read for: those it defines or marks,
        when it is one of the last ``KEEP_DEFINITIONS`` cells to do so for that function."""
        found = [self.graded_in(cell, marked) for cell, marked in zip(cells, marks, strict=True)]
        left = dict.fromkeys(self.graded, KEEP_DEFINITIONS)
        kept: list[set[str]] = []
        for names in reversed(found):
            kept.append({name for name in names if left[name] > 0})
            for name in kept[-1]:
                left[name] -= 1
        return kept[::-1]

    def read_whole(self, cell: Cell, graded_here: set[str]) -> bool:
        """Whether to read ``cell`` whole (else it is left out, or only its graded parts)."""
        size = len(cell.source.encode(errors="replace"))
        self.total += size
        fits = size <= MAX_CELL_BYTES
        if fits and (graded_here or (size <= self.bytes_left and time.monotonic() < self.deadline)):
            self.bytes_left -= size
            return True
        if not graded_here:
            self.skipped.append(cell.index)
        return False

    def keep_statement(self, name: str | None, cell: Cell) -> bool:
        """Whether one more top-level statement fits (a graded definition always does)."""
        if name in self.graded:
            return True
        if self.statements_left <= 0:
            self.cut_at = cell.index if self.cut_at is None else self.cut_at
            return False
        self.statements_left -= 1
        return True

    def notes(self) -> list[str]:
        found = []
        if self.skipped:
            found.append(
                msg.EXTRACT_TOO_LARGE.format(
                    size=megabytes(self.total),
                    limit=megabytes(MAX_CODE_BYTES),
                    seconds=MAX_SECONDS,
                    count=len(self.skipped),
                    first=self.skipped[0] + 1,
                )
            )
        if self.cut_at is not None:
            found.append(msg.EXTRACT_TOO_MANY.format(limit=MAX_STATEMENTS, cell=self.cut_at + 1))
        return found


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size >> 10} KB"


def graded_parts(cell: Cell, names: Sequence[str]) -> list[tuple[int, str]]:
    """From a cell too large to read whole: its one-line imports and the text of each graded
    definition (from its decorators to the next line at column 0), with their first line."""
    lines = cell.source.splitlines()
    parts = [(i, line) for i, line in enumerate(lines) if _IMPORT.match(line)]
    for index, line in enumerate(lines):
        found = _DEF.match(line)
        if found is None or found.group(1) not in names:
            continue
        start = index
        while start > 0 and lines[start - 1].startswith("@"):
            start -= 1
        end = index + 1
        while end < len(lines) and _OPENS_BLOCK_BODY.match(lines[end]):
            end += 1
        parts.append((start, "\n".join(lines[start:end])))
    return sorted(parts)
