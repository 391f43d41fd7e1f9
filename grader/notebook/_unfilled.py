"""Which graded functions are still the released template: nothing written between the markers.

The released notebook leaves, in each graded function, blocks between ``### START CODE HERE ###``
and ``### END CODE HERE ###`` for the student to fill; older course templates leave them empty
(so the cell does not even compile) or hold ``x = None`` placeholders. A function whose every
such block still holds only blank lines, comments, ``None`` placeholders, ``pass`` or ``...`` is
*unfilled*. The grader then says so once, instead of every check repeating the error the
template causes. A function whose blocks are empty but which was written elsewhere in its cell
is graded as usual: the caller only uses this for a function that earned nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from grader.notebook._load import Cell

START = re.compile(r"#+\s*START CODE HERE\s*#*", re.I)
END = re.compile(r"#+\s*END CODE HERE\s*#*", re.I)
_PLACEHOLDER = re.compile(r"^\s*(#.*|pass|\.\.\.|[\w\[\]'\"+(). ]+=\s*None\s*(#.*)?|)\s*$")
_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.M)


def unfilled(cells: Iterable[Cell], graded: Sequence[str]) -> set[str]:
    """The graded functions whose last defining cell is the template, untouched."""
    last: dict[str, str] = {}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for name in _DEF.findall(cell.source):
            if name in graded:
                last[name] = cell.source
    return {name for name, source in last.items() if _untouched(source)}


def _untouched(source: str) -> bool:
    """The source has marker blocks, and each holds nothing but placeholders."""
    blocks: list[list[str]] = []
    current: list[str] = []
    inside = False
    for line in source.splitlines():
        if START.search(line):
            inside, current = True, []
        elif END.search(line) and inside:
            inside = False
            blocks.append(current)
        elif inside:
            current.append(line)
    return bool(blocks) and all(all(_PLACEHOLDER.match(line) for line in b) for b in blocks)
