"""IPython syntax to plain Python, for extraction (``grader.extract``).

A cell that already parses as Python is taken as it is (IPython's transforms would leave it
unchanged), and so is one that parses once its unindented line magics and ``!shell`` lines are
made ``pass`` (the common ``%matplotlib inline``). Otherwise IPython's own ``TransformerManager``
does the work when it is installed; it is loaded from its file, so the ``IPython`` package and its
half-second import are not needed. Without it, a
line filter turns line magics and ``!shell`` lines into ``pass``. A cell magic that runs its body
as Python (``%%time``, ``%%timeit``, ``%%capture``, ``%%prun``) keeps the body; any other cell
magic means the cell is not Python.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import warnings
from pathlib import Path
from typing import Any

_BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
_LINE_MAGIC = re.compile(r"^([ \t]*)(?:[%!]|[A-Za-z_][\w., \t]*=[ \t]*[%!])")


def python_source(source: str) -> tuple[str, int] | None:
    """The cell as plain Python and how many lines were removed above it; None if not Python."""
    first = 0
    lines = source.splitlines()
    head = next((i for i, line in enumerate(lines) if line.strip()), None)
    if head is not None and lines[head].lstrip().startswith("%%"):
        name = lines[head].lstrip()[2:].split(maxsplit=1)[0] if lines[head].strip("% \t") else ""
        if name not in _BODY_MAGICS:
            return None
        first = head + 1
        source = "\n".join(lines[first:])
    if _plain_python(source):  # nothing for IPython to change, and its tokenizer is slow
        return source, first
    quick = _without_top_level_magics(source)
    if quick is not None:  # `%matplotlib inline` and the like: no need for IPython's transforms
        return quick, first
    manager = _transformer()
    text = None
    if manager is not None:
        try:
            text = manager.transform_cell(source)
        except Exception:  # IPython's tokenizer on odd input: fall back to the line filter
            text = None
    if text is None or len(text.splitlines()) != len(source.splitlines()):
        text = "\n".join(_filter_line(line) for line in source.splitlines())
    return text, first


def _plain_python(source: str) -> bool:
    """Whether the cell already is Python that IPython's transforms leave as it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _without_top_level_magics(source: str) -> str | None:
    """The cell with the line filter applied to its unindented lines, when that makes it Python;
    None otherwise. IPython would make those lines top-level calls (or assignments of a call),
    which extraction leaves out just as it leaves out ``pass``: the program is the same, without
    loading IPython. Indented magics, inside a function, are left to IPython."""
    lines = source.splitlines()
    changed = [line if line[:1] in (" ", "\t") else _filter_line(line) for line in lines]
    if changed == lines:
        return None
    text = "\n".join(changed)
    return text if _plain_python(text) else None


def _filter_line(line: str) -> str:
    match = _LINE_MAGIC.match(line)
    return f"{match.group(1)}pass" if match else line


@functools.lru_cache(maxsize=1)
def _transformer() -> Any:
    """IPython's TransformerManager, loaded from its file without importing the IPython package."""
    try:
        spec = importlib.util.find_spec("IPython")
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / "core" / "inputtransformer2.py"
        module_spec = importlib.util.spec_from_file_location("_initgrade_inputtransformer2", path)
        if module_spec is None or module_spec.loader is None:
            return None
        module = importlib.util.module_from_spec(module_spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module_spec.loader.exec_module(module)
        return module.TransformerManager()
    except Exception:  # no IPython, or a version laid out differently: use the line filter
        return None
