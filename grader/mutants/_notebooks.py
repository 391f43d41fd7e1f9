"""The solution's graded functions, read from the source notebook, and notebooks built around
other versions of them.

A mutant or a rewrite is graded as a student's notebook would be: the whole solution notebook
(``source.ipynb``: imports, data, model, self-checks, plots) with one graded cell replaced.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from pathlib import Path

import nbformat

from grader.spec import ASSIGNMENT_DIR

SOURCE = ASSIGNMENT_DIR / "source.ipynb"
GRADED_MARK = "# GRADED FUNCTION: {name}"


def _function_name(cell: nbformat.NotebookNode) -> str | None:
    mark = cell.get("metadata", {}).get("initgrade", {})
    name = mark.get("function") if isinstance(mark, dict) else None
    return name if isinstance(name, str) else None


def read_source(path: Path = SOURCE) -> nbformat.NotebookNode:
    """The solution notebook."""
    notebook: nbformat.NotebookNode = nbformat.read(str(path), as_version=4)
    return notebook


def solution_functions(notebook: nbformat.NotebookNode) -> dict[str, ast.FunctionDef]:
    """Each graded function's definition, by name, parsed from its cell."""
    found: dict[str, ast.FunctionDef] = {}
    for cell in notebook.cells:
        name = _function_name(cell)
        if cell.cell_type != "code" or name is None:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                found[name] = node
    return found


def with_functions(notebook: nbformat.NotebookNode, sources: Mapping[str, str]) -> str:
    """The notebook as JSON text, each graded cell named in ``sources`` holding that source."""
    built = copy.deepcopy(notebook)
    for cell in built.cells:
        name = _function_name(cell)
        if name is not None and name in sources:
            cell.source = GRADED_MARK.format(name=name) + "\n\n" + sources[name]
            cell.outputs, cell.execution_count = [], None
    text: str = nbformat.writes(built, version=4)
    return text
