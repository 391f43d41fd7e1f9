"""The student notebook: the solution source with every answer between the markers replaced.

Each block between ``### START CODE HERE ###`` and ``### END CODE HERE ###`` becomes placeholders
that compile (``target = None`` per assignment of the solution), outputs are cleared, and cells
tagged ``solution`` or ``remove`` are dropped.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from pathlib import Path

import nbformat

from grader.errors import ReleaseError

SOURCE_NAME = "source.ipynb"
START_MARKER = "### START CODE HERE ###"
END_MARKER = "### END CODE HERE ###"
DROPPED_TAGS = frozenset({"solution", "remove"})


def read_notebook(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise ReleaseError(f"{path}: the solution source notebook is missing")
    try:
        notebook: nbformat.NotebookNode = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several unrelated types for bad files
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ReleaseError(f"{path}: not a valid notebook ({reason})") from error
    return notebook


def make_stub(
    source: nbformat.NotebookNode, origin: Path | str = SOURCE_NAME
) -> nbformat.NotebookNode:
    """The student version of ``source``: solutions replaced, outputs cleared, hidden cells gone."""
    stub = copy.deepcopy(source)
    stub.cells = [cell for cell in stub.cells if not DROPPED_TAGS & set(_tags(cell))]
    for number, cell in enumerate(stub.cells, start=1):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
        if START_MARKER in cell.source:
            where = f"{origin}, cell {number}"
            cell.source = stub_code(cell.source, where)
    return stub


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def stub_code(code: str, where: str = "cell") -> str:
    """``code`` with each block between the markers replaced by ``target = None`` lines."""
    lines: list[str] = []
    block: list[str] = []
    start: str | None = None
    for line in code.split("\n"):
        if START_MARKER in line:
            if start is not None:
                raise ReleaseError(f"{where}: nested {START_MARKER!r}")
            start, block = line, []
            lines.append(line)
        elif END_MARKER in line:
            if start is None:
                raise ReleaseError(f"{where}: {END_MARKER!r} without a start marker")
            indent = start[: len(start) - len(start.lstrip())]
            lines += [indent + placeholder for placeholder in _placeholders(block, where)]
            lines.append(line)
            start = None
        elif start is None:
            lines.append(line)
        else:
            block.append(line)
    if start is not None:
        raise ReleaseError(f"{where}: {START_MARKER!r} without an end marker")
    stubbed = "\n".join(lines)
    try:
        ast.parse(stubbed)
    except SyntaxError as error:
        raise ReleaseError(f"{where}: the stubbed code does not compile ({error})") from error
    return stubbed


def _placeholders(block: list[str], where: str) -> list[str]:
    """One ``target = None`` per assignment of the solution block; ``None`` if it has none."""
    try:
        tree = ast.parse(textwrap.dedent("\n".join(block)))
    except SyntaxError as error:
        raise ReleaseError(f"{where}: the solution does not compile ({error})") from error
    text = textwrap.dedent("\n".join(block))
    result = []
    for statement in tree.body:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        if not isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            continue
        names = [ast.get_source_segment(text, target) or "" for target in targets]
        width = len(targets[-1].elts) if isinstance(targets[-1], ast.Tuple | ast.List) else 1
        result.append(" = ".join([*names, ", ".join(["None"] * width)]))
    return result or ["None"]
