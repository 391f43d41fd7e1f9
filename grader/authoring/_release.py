"""Build the student bundle of an assignment from its solution source and reference/.

``build_release`` is pure: it returns each released file's content by name. ``run_release`` writes
them (or, with ``check``, only reports which checked-in files are stale). Three files come out:

- ``Initialization.ipynb``: the source notebook with every solution between the START/END CODE
  markers replaced by placeholders (``target = None``), outputs cleared, and the cells tagged
  ``solution`` or ``remove`` dropped;
- ``init_utils.py``: the course-named helpers of reference/course.py together with the reference
  code they use, copied into one module (see ``_build_init_utils``);
- ``public_tests.py``: the hand-written self-checks with their block of published values
  recomputed from reference/initializers.py.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path
from typing import TextIO

import nbformat

from reference.course import __all__ as COURSE_NAMES
from reference.initializers import INITIALIZERS

DEFAULT_ASSIGNMENT_DIR = Path(__file__).resolve().parents[2] / "assignments" / "initialization"
SOURCE_NAME = "source.ipynb"
STUB_NAME = "Initialization.ipynb"
UTILS_NAME = "init_utils.py"
TESTS_NAME = "public_tests.py"

START_MARKER = "### START CODE HERE ###"
END_MARKER = "### END CODE HERE ###"
DROPPED_TAGS = frozenset({"solution", "remove"})
# The notebook's visible examples (the course's published inputs; see /DESIGN.md for the values).
PUBLISHED_INPUTS = {"zeros": [3, 2, 1], "random": [3, 2, 1], "he": [2, 4, 1]}
VALUES_BEGIN, VALUES_END = "# BEGIN PUBLISHED VALUES\n", "# END PUBLISHED VALUES\n"
# Text that must never reach the helper module: it would hand students an answer.
FORBIDDEN_IN_UTILS = ("initialize_parameters", "randn", "INITIALIZERS")
UTILS_ENTRY_MODULE = "reference.course"
LINE_LENGTH = 100
# A line's own lint exemptions are dropped: the student folder has its own lint settings.
NOQA_COMMENT = re.compile(r"\s+# noqa(: [A-Z0-9, ]+)?$")


class ReleaseError(Exception):
    """The inputs of a release are missing or malformed; the message names the file."""


def build_release(assignment_dir: Path) -> dict[str, str]:
    """The released files of ``assignment_dir`` by file name, as they should be on disk."""
    source = _read_notebook(assignment_dir / SOURCE_NAME)
    tests_path = assignment_dir / TESTS_NAME
    if not tests_path.is_file():
        raise ReleaseError(f"{tests_path}: missing; it holds the hand-written public tests")
    return {
        STUB_NAME: _write_notebook(make_stub(source, assignment_dir / SOURCE_NAME)),
        UTILS_NAME: _build_init_utils(),
        TESTS_NAME: _build_public_tests(tests_path.read_text(encoding="utf-8"), tests_path),
    }


def run_release(assignment_dir: Path | None, *, check: bool = False, out: TextIO) -> int:
    """Write (or with ``check``, verify) the released files; returns the exit code."""
    folder = DEFAULT_ASSIGNMENT_DIR if assignment_dir is None else Path(assignment_dir)
    try:
        files = build_release(folder)
    except ReleaseError as error:
        out.write(f"release failed: {error}\n")
        return 1
    stale = [name for name, text in files.items() if _read_or_none(folder / name) != text]
    if check:
        for name in stale:
            out.write(f"stale: {folder / name} differs from a fresh release\n")
        if stale:
            out.write("run `initgrade release` to regenerate\n")
            return 1
        out.write(f"up to date: {', '.join(files)} in {folder}\n")
        return 0
    for name, text in files.items():
        if name in stale:
            (folder / name).write_text(text, encoding="utf-8", newline="")
            out.write(f"wrote {folder / name}\n")
        else:
            out.write(f"unchanged {folder / name}\n")
    return 0


def _read_or_none(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


# --- the student notebook -----------------------------------------------------------------------


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise ReleaseError(f"{path}: the solution source notebook is missing")
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several unrelated types for bad files
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ReleaseError(f"{path}: not a valid notebook ({reason})") from error
    return notebook


def _write_notebook(notebook: nbformat.NotebookNode) -> str:
    text = nbformat.writes(notebook, version=4)
    return text if text.endswith("\n") else text + "\n"


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
    lines, block, start = [], [], None
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


# --- the public tests ---------------------------------------------------------------------------


def _build_public_tests(text: str, path: Path) -> str:
    """``text`` with the block between the published-values markers recomputed."""
    begin, end = text.find(VALUES_BEGIN), text.find(VALUES_END)
    if begin < 0 or end < begin:
        raise ReleaseError(f"{path}: expected the lines {VALUES_BEGIN!r} and {VALUES_END!r}")
    lines = ["PUBLISHED = {"]
    for method, layers_dims in PUBLISHED_INPUTS.items():
        params = INITIALIZERS[method](layers_dims)
        lines += [f'    "{method}": {{', f'        "layers_dims": {layers_dims},']
        for key in sorted(key for key in params if key.startswith("W")):
            lines += _render_matrix(f'        "{key}": ', params[key].tolist())
        lines.append("    },")
    lines.append("}")
    block = "\n".join(lines) + "\n"
    return text[: begin + len(VALUES_BEGIN)] + block + text[end:]


def _render_matrix(prefix: str, rows: list[list[float]]) -> list[str]:
    """``prefix`` and a nested list of floats, laid out as ``ruff format`` would."""
    one_line = prefix + repr(rows) + ","
    if len(one_line) <= 100:
        return [one_line]
    pad = " " * (len(prefix) - len(prefix.lstrip()))
    return [prefix + "[", *(f"{pad}    {row!r}," for row in rows), pad + "],"]


# --- the helper module --------------------------------------------------------------------------


def _build_init_utils() -> str:
    """One module holding reference/course.py's course names and everything they use.

    Starting from the exported names, each top-level definition they refer to is collected from
    its reference module (following ``from reference.x import y`` to its origin), then written
    out module by module in source order. A reference name that clashes with a course name (the
    network's ``predict`` and the course's ``predict``) is renamed ``_<module>_<name>`` in the
    copied code. Imports of other packages are gathered at the top.
    """
    graph = _SymbolGraph()
    for name in COURSE_NAMES:
        graph.visit(UTILS_ENTRY_MODULE, name)
    body = graph.render()
    for word in FORBIDDEN_IN_UTILS:
        if word in body:
            raise ReleaseError(f"{UTILS_NAME}: the generated helper module would contain {word!r}")
    sources = "".join(f"\n- reference/{module.rsplit('.', 1)[-1]}.py" for module in graph.order)
    exports = "".join(f'    "{name}",\n' for name in COURSE_NAMES)
    header = (
        '"""Helpers for the initialization assignment: data, network, predictions and plots.\n\n'
        f"GENERATED by `initgrade release` from the code these names use in:{sources}\n\n"
        "Do not edit: change reference/ and release again. Writing the initializers is up to you.\n"
        '"""\n\n'
    )
    if any(len(line) > LINE_LENGTH for line in body.splitlines()):
        header += "# Renamed names made some copied lines longer.\n# ruff: noqa: E501\n\n"
    all_block = f"__all__ = [  # noqa: RUF022\n{exports}]\n\n\n"
    return header + graph.render_imports() + "\n" + all_block + body


class _Module:
    """The top-level names of one reference module: definitions, reference links, other imports."""

    def __init__(self, name: str) -> None:
        self.name, self.short = name, name.rsplit(".", 1)[-1]
        self.text = inspect.getsource(importlib.import_module(name))
        self.lines = self.text.splitlines()
        self.defs: dict[str, ast.stmt] = {}
        self.links: dict[str, tuple[str, str]] = {}
        self.external: dict[str, tuple[str, str | None, str | None]] = {}
        self.type_only: set[str] = set()
        for statement in ast.parse(self.text).body:
            self._add(statement)

    def _add(self, statement: ast.stmt) -> None:
        if _is_type_checking_block(statement):
            # Imports for annotations only: the helper keeps them out of its import time too.
            for inner in statement.body:  # type: ignore[attr-defined]
                before = set(self.external)
                self._add(inner)
                self.type_only |= set(self.external) - before
        elif isinstance(statement, ast.FunctionDef | ast.ClassDef):
            self.defs[statement.name] = statement
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = getattr(statement, "targets", None) or [statement.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        self.defs[node.id] = statement
        elif isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
            module = statement.module or ""
            for alias in statement.names:
                local = alias.asname or alias.name
                if module.split(".")[0] == "reference":
                    self.links[local] = (module, alias.name)
                else:
                    self.external[local] = (module, alias.name, alias.asname)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name.split(".")[0] == "reference":
                    raise ReleaseError(f"{self.name}: import names from reference modules")
                self.external[alias.asname or alias.name] = (alias.name, None, alias.asname)

    def segment(self, statement: ast.stmt) -> tuple[int, list[str]]:
        """The first line number and the lines of ``statement``, with the comments just above."""
        first = min(
            [statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])]
        )
        while first > 1 and self.lines[first - 2].startswith("#"):
            first -= 1
        return first, self.lines[first - 1 : statement.end_lineno]


def _is_type_checking_block(statement: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``) with no ``else``."""
    if not isinstance(statement, ast.If) or statement.orelse:
        return False
    test = statement.test
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


class _SymbolGraph:
    """The reference definitions the course names need, and the names they get in one module."""

    def __init__(self) -> None:
        self.modules: dict[str, _Module] = {}
        self.included: dict[tuple[str, str], ast.stmt] = {}
        self.imports: set[tuple[str, str | None, str | None]] = set()
        self.type_imports: set[tuple[str, str | None, str | None]] = set()
        self.after: dict[str, set[str]] = {}  # module -> modules whose code must come first

    @property
    def order(self) -> list[str]:
        """Modules with included code, each after the modules it takes names from."""
        done: list[str] = []
        pending = sorted({module for module, _ in self.included})
        while pending:
            ready = [m for m in pending if not (self.after.get(m, set()) - {m}) - set(done)]
            done.append(ready[0])
            pending.remove(ready[0])
        return done

    def module(self, name: str) -> _Module:
        if name not in self.modules:
            self.modules[name] = _Module(name)
        return self.modules[name]

    def resolve(self, module_name: str, name: str) -> tuple[str, str] | None:
        """Where ``name`` as seen in ``module_name`` is defined, if it is a reference definition."""
        module = self.module(module_name)
        if name in module.links:
            return self.resolve(*module.links[name])
        return (module_name, name) if name in module.defs else None

    def visit(self, module_name: str, name: str) -> None:
        """Include the definition ``name`` of ``module_name`` and everything it uses."""
        module = self.module(module_name)
        if name in module.external:
            imports = self.type_imports if name in module.type_only else self.imports
            imports.add(module.external[name])
            return
        origin = self.resolve(module_name, name)
        if origin is None:
            raise ReleaseError(f"{module_name}: no top-level definition of {name!r} to copy")
        self.after.setdefault(module_name, set()).add(origin[0])
        if origin in self.included:
            return
        home = self.module(origin[0])
        self.included[origin] = home.defs[origin[1]]
        for node in ast.walk(home.defs[origin[1]]):
            if isinstance(node, ast.Name) and node.id in {*home.defs, *home.links, *home.external}:
                self.visit(origin[0], node.id)

    def out_names(self) -> dict[tuple[str, str], str]:
        """The name of each included definition in the generated module (clashes prefixed)."""
        names: dict[tuple[str, str], str] = {}
        for module, name in self.included:
            clash = any(o != (module, name) and o[1] == name for o in self.included)
            keep = not clash or module == UTILS_ENTRY_MODULE
            names[module, name] = name if keep else f"_{module.rsplit('.', 1)[-1]}_{name}"
        return names

    def render(self) -> str:
        """The included definitions, grouped by module in dependency order, renamed as needed."""
        names, sections = self.out_names(), []
        for module_name in self.order:
            module = self.module(module_name)
            chosen = {id(s): s for (m, _), s in self.included.items() if m == module_name}
            text, previous = f"# --- from reference/{module.short}.py ---\n", None
            for statement in sorted(chosen.values(), key=lambda s: s.lineno):
                first, lines = module.segment(statement)
                if previous is not None:
                    text += _separator(previous, statement, first)
                text += "\n".join(self._renamed(module, statement, first, lines, names))
                previous = statement
            sections.append(text)
        return "\n\n\n".join(sections) + "\n"

    def _renamed(
        self, module: _Module, statement: ast.stmt, first: int, lines: list[str], names: dict
    ) -> list[str]:
        """``lines`` with every use of a renamed reference definition given its new name."""
        edits: list[tuple[int, int, str, str]] = []
        renamed = {old for (m, old), new in names.items() if new != old}
        for node in ast.walk(statement):
            if isinstance(node, ast.arg) and node.arg in renamed:
                raise ReleaseError(f"{module.name}: argument {node.arg!r} shadows a renamed name")
            origin = self.resolve(module.name, node.id) if isinstance(node, ast.Name) else None
            if origin is not None and names[origin] != node.id:
                edits.append((node.lineno, node.col_offset, node.id, names[origin]))
        if isinstance(statement, ast.FunctionDef | ast.ClassDef):
            new = names[module.name, statement.name]
            line = module.lines[statement.lineno - 1]
            match = re.match(r"\s*(async\s+)?(def|class)\s+", line)
            if new != statement.name and match:
                edits.append((statement.lineno, len(match.group(0).encode()), statement.name, new))
        out = [NOQA_COMMENT.sub("", line) for line in lines]
        for lineno, byte_col, old, new in sorted(edits, reverse=True):
            raw = out[lineno - first].encode()
            assert raw[byte_col : byte_col + len(old.encode())] == old.encode()
            out[lineno - first] = (
                raw[:byte_col] + new.encode() + raw[byte_col + len(old) :]
            ).decode()
        return out

    def render_imports(self) -> str:
        """``from __future__``, standard-library and third-party imports, isort-style, then the
        imports needed only by annotations under ``if TYPE_CHECKING:``."""
        runtime = self.imports | (
            {("typing", "TYPE_CHECKING", None)} if self.type_imports - self.imports else set()
        )
        blocks = ["from __future__ import annotations", *_import_sections(runtime)]
        type_only = _import_sections(self.type_imports - self.imports)
        if type_only:
            lines = "\n".join(type_only).splitlines()
            blocks.append("if TYPE_CHECKING:\n" + "\n".join("    " + line for line in lines))
        return "\n\n".join(blocks) + "\n"


def _import_sections(imports: set[tuple[str, str | None, str | None]]) -> list[str]:
    """The standard-library block, then the third-party block (each only if non-empty)."""
    sections: dict[bool, list[str]] = {True: [], False: []}
    plain = sorted((m, a) for m, name, a in imports if name is None)
    for module, alias in sorted(plain, key=lambda item: item[0].lower()):
        line = f"import {module}" + (f" as {alias}" if alias else "")
        sections[_is_stdlib(module)].append(line)
    members: dict[str, set[tuple[str, str | None]]] = {}
    for module, name, alias in imports:
        if name is not None:
            members.setdefault(module, set()).add((name, alias))
    for module in sorted(members, key=str.lower):
        listed = sorted(members[module], key=lambda item: _member_order(item[0]))
        names = ", ".join(name + (f" as {alias}" if alias else "") for name, alias in listed)
        sections[_is_stdlib(module)].append(f"from {module} import {names}")
    return ["\n".join(lines) for lines in (sections[True], sections[False]) if lines]


def _separator(previous: ast.stmt, statement: ast.stmt, first: int) -> str:
    """Blank lines between two copied statements, as ``ruff format`` leaves them."""
    definitions = ast.FunctionDef | ast.ClassDef
    if isinstance(previous, definitions) or isinstance(statement, definitions):
        return "\n\n\n"
    return "\n" if first == (previous.end_lineno or 0) + 1 else "\n\n"


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _member_order(name: str) -> tuple[int, str]:
    """isort's order of imported names: CONSTANTS, then Classes, then functions and modules."""
    if name.isupper() and len(name) > 1:
        return 0, name
    return (1 if name[:1].isupper() else 2), name
