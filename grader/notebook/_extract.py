"""Step 2 of grading: find the graded functions and build the program the sandbox runs.

``extract(notebook)`` walks the code cells in order and keeps, at the top level of each cell:
``import`` / ``from`` lines, ``def`` / ``async def`` / ``class`` statements, assignments of
constants to plain names (``LAYERS = [2, 10, 5, 1]``, ``SEED = int(3)``; calls are allowed only on
``np`` / ``numpy`` / ``math`` attributes and on a few pure builtins such as ``int``, ``round`` and
``dict`` that no kept statement rebinds, so ``parameters = model(...)`` is left out), and ``try``
blocks made only of those. Everything else is top-level work and is left out: calls, prints, plots,
loops, training runs. Later definitions come later in the program, so they win as they would in
the notebook.

Before parsing, IPython syntax becomes plain Python through IPython's own ``TransformerManager``
(loaded from its file, so the ``IPython`` package and its half-second import are not needed) or,
without IPython, a line filter: line magics and ``!shell`` lines become calls (or ``pass``) that
are then left out. ``%%time`` / ``%%timeit`` / ``%%capture`` / ``%%prun`` cells keep their body;
other cell magics (``%%bash``, ``%%writefile``...) are not Python and are left out. A top-level
assignment left out whose name a graded function reads gets a warning that names its line and why.

Extraction is bounded in bytes, statements and time (``grader.notebook._bounds``), and never
loses a graded function to those bounds. A cell that does not compile costs only the functions it
defines: it is reported as a
``CellError`` (cell, line, message, the ``def`` names found in it by a regular expression) and those
names go to ``compile_errors`` unless another cell defines them.

Graded functions are found by name wherever they are defined; the last definition wins, as when
the notebook runs from top to bottom. A cell that names a function as graded, by a
``# GRADED FUNCTION: name`` line or by ``metadata.initgrade.function`` (a string or a list of
strings), but defines no function of that name gets a warning. ``Location`` cells and lines are
0-based cell indices into the notebook and 1-based lines within the cell.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.util
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from grader import messages as msg
from grader.notebook._bounds import MAX_CELL_BYTES, Bounds, graded_parts, megabytes
from grader.notebook._load import Cell, LoadedNotebook
from grader.notebook._magics import python_source
from grader.untrusted import Notes, safe_text

_MARKER = re.compile(r"^[ \t]*#[ \t]*GRADED[ \t]+FUNCTION[ \t]*:[ \t]*([A-Za-z_]\w*)", re.I | re.M)
_TOP_LEVEL_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)", re.M)
_STATIC_CALL_ROOTS = frozenset({"np", "numpy", "math"})
# Builtins with no effect beyond their value: a constant built with them (SEED = int(3)) is kept.
PURE_BUILTINS = frozenset(
    {"int", "float", "round", "abs", "min", "max", "len", "dict", "list", "tuple", "str", "bool"}
    | {"range", "sum", "pow"}
)
_COMPILE_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


@dataclass(frozen=True)
class Location:
    cell: int
    line: int


@dataclass(frozen=True)
class CellError:
    cell: int
    line: int
    message: str
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Extraction:
    program: str
    functions: dict[str, Location]  # every top-level def, at its winning definition
    compile_errors: dict[str, str]  # def names with no definition that compiles -> why
    cell_errors: tuple[CellError, ...] = ()
    warnings: tuple[str, ...] = ()
    line_origins: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    # a name only a left-out top-level line assigns -> that line ("cell 2, line 3 (SEED = f(3))")
    left_out: dict[str, str] = field(default_factory=dict)

    def origin(self, program_line: int) -> tuple[int, int] | None:
        """The (cell, line) a 1-based program line came from."""
        if 1 <= program_line <= len(self.line_origins):
            return self.line_origins[program_line - 1]
        return None


@dataclass
class _Builder:
    lines: list[str] = field(default_factory=list)
    origins: list[tuple[int, int]] = field(default_factory=list)
    defs: dict[str, list[Location]] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    notes: Notes = field(default_factory=Notes)
    bound: set[str] = field(default_factory=lambda: set(dir(builtins)))  # by kept statements
    bounds: Bounds = field(default_factory=lambda: Bounds(frozenset()))
    template_only: frozenset[str] = frozenset()  # modules left out when they are not installed
    shadowed: set[str] = field(default_factory=set)  # pure builtins a kept statement rebinds
    left_out: dict[str, tuple[int, int, str]] = field(
        default_factory=dict
    )  # name -> cell, line, code
    reads: dict[str, set[str]] = field(default_factory=dict)  # def name -> globals it reads

    def emit(self, text: str, cell: int, first_line: int, *, same_line: bool = False) -> None:
        for offset, line in enumerate(text.splitlines()):
            self.lines.append(line)
            self.origins.append((cell, first_line if same_line else first_line + offset))


def extract(
    notebook: LoadedNotebook | Sequence[Cell],
    *,
    graded: Sequence[str] = (),
    template_imports: Sequence[str] = (),
) -> Extraction:
    """Build the submission program from a loaded notebook (or its cells); never raises.
    ``graded`` names the functions no bound may cost. ``template_imports`` names modules the
    course's own template imports and grading does without: where they are not installed,
    their imports are left out rather than reported to a student who cannot change them."""
    cells = notebook.cells if isinstance(notebook, LoadedNotebook) else tuple(notebook)
    build = _Builder(bounds=Bounds(frozenset(graded)), template_only=frozenset(template_imports))
    code = [cell for cell in cells if cell.cell_type == "code"]
    graded_here = build.bounds.graded_cells(code, [_marks(cell) for cell in code])
    for cell, here in zip(code, graded_here, strict=True):
        if build.bounds.read_whole(cell, here):
            _add_cell(build, cell)
        elif here:  # too large to read whole: its graded definitions and imports only
            size = megabytes(len(cell.source.encode(errors="replace")))
            limit, names = megabytes(MAX_CELL_BYTES), ", ".join(sorted(here))
            build.notes.add(
                msg.EXTRACT_CELL_TOO_LARGE, cell=cell.index + 1, size=size, limit=limit, names=names
            )
            for start, text in graded_parts(cell, sorted(here)):
                _add_cell(build, Cell(cell.index, "code", text, cell.metadata), offset=start)
    build.notes.extend(build.bounds.notes())
    return _finish(build)


def _add_cell(build: _Builder, cell: Cell, offset: int = 0) -> None:
    marks = _marks(cell)
    converted = python_source(cell.source)
    if converted is None:
        build.notes.add(msg.EXTRACT_NOT_PYTHON, cell=cell.index + 1)
        return
    text, first = converted
    first += offset
    tree = _compile(build, cell, text, first)
    if tree is None:
        return
    source_lines = text.splitlines()
    body = tree.body
    for position, stmt in enumerate(body):
        if not _kept(stmt, build.bound, build.shadowed):
            _note_left_out(build, cell.index, stmt, source_lines, first)
            continue
        if _absent_template_import(stmt, build.template_only):
            continue
        if not build.bounds.keep_statement(getattr(stmt, "name", None), cell):
            continue
        binds = _binds(stmt)
        build.bound.update(binds)
        if binds & PURE_BUILTINS:
            build.shadowed.update(binds & PURE_BUILTINS)
        if build.left_out:
            for name in binds:
                build.left_out.pop(name, None)
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        end = stmt.end_lineno or stmt.lineno
        crowded = (position > 0 and (body[position - 1].end_lineno or 0) >= start) or (
            position + 1 < len(body) and body[position + 1].lineno <= end
        )
        if crowded:  # shares a line with a statement that is left out: keep this one alone
            build.emit(_alone(stmt, source_lines), cell.index, stmt.lineno + first, same_line=True)
        else:
            build.emit("\n".join(source_lines[start - 1 : end]), cell.index, start + first)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            build.defs.setdefault(stmt.name, []).append(Location(cell.index, stmt.lineno + first))
            if stmt.name in build.bounds.graded:
                build.reads[stmt.name] = _global_reads(stmt)
    _check_marks(build, cell, marks, body)


def _note_left_out(
    build: _Builder, cell: int, stmt: ast.stmt, source_lines: list[str], first: int
) -> None:
    """Remember a left-out assignment to plain names, in case a graded function reads one."""
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    if not all(_plain_target(t) for t in targets):
        return
    line = source_lines[stmt.lineno - 1].strip() if stmt.lineno <= len(source_lines) else ""
    code = safe_text(line, limit=80)
    for name in _binds(stmt):
        build.left_out[name] = (cell, stmt.lineno + first, code)


def _global_reads(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a function reads that it neither takes nor assigns (its globals, roughly)."""
    loads: set[str] = set()
    local: set[str] = set()
    arguments = function.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        local.add(arg.arg)
    local |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    for node in ast.walk(function):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else local).add(node.id)
    return loads - local


def _alone(stmt: ast.stmt, source_lines: list[str]) -> str:
    """A statement that shares its line with others, as code of its own."""
    try:
        return ast.unparse(stmt)
    except RecursionError:  # nested too deeply to unparse: its own columns of the source
        segment = ast.get_source_segment("\n".join(source_lines), stmt)
        return segment or "pass"


def _compile(build: _Builder, cell: Cell, text: str, first: int) -> ast.Module | None:
    """The cell's syntax tree, or None after recording why it does not compile."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning and friends belong to the student
            tree = ast.parse(text)
            compile(tree, f"<cell {cell.index + 1}>", "exec", flags=_COMPILE_FLAGS)
        return tree
    except SyntaxError as error:
        line = (error.lineno or 1) + first
        message = f"{type(error).__name__}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        line, message = 1 + first, f"{type(error).__name__}: {error}"
    names = tuple(dict.fromkeys(_TOP_LEVEL_DEF.findall(cell.source)))
    build.errors.append(CellError(cell.index, line, message, names))
    return None


def _marks(cell: Cell) -> set[str]:
    """The function names this cell says it defines for grading (a marker line, or metadata)."""
    marks = set(_MARKER.findall(cell.source))
    own = cell.metadata.get("initgrade")
    named = own.get("function") if isinstance(own, dict) else None
    for name in [named] if isinstance(named, str) else named if isinstance(named, list) else []:
        if isinstance(name, str) and name.isidentifier():
            marks.add(name)
    return marks


def _check_marks(build: _Builder, cell: Cell, marks: set[str], body: list[ast.stmt]) -> None:
    defined = {s.name for s in body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for name in sorted(marks - defined):
        build.notes.add(msg.EXTRACT_MARK_WITHOUT_DEF, cell=cell.index + 1, name=name)


def _finish(build: _Builder) -> Extraction:
    functions = {name: places[-1] for name, places in build.defs.items()}
    notes = build.notes
    for function in sorted(build.bounds.graded & functions.keys()):
        for name in sorted(build.reads.get(function, set()) & build.left_out.keys()):
            cell, line, code = build.left_out[name]
            where = msg.EXTRACT_WHERE.format(cell=cell + 1, line=line)
            notes.add(msg.EXTRACT_LEFT_OUT, where=where, code=code, name=name, function=function)
    for name, places in build.defs.items():
        cells = sorted({place.cell for place in places})
        if len(cells) > 1:
            shown = ", ".join(str(c + 1) for c in cells[:10]) + (", ..." if cells[10:] else "")
            notes.add(msg.EXTRACT_REDEFINED, name=name, cells=shown, last=cells[-1] + 1)
    compile_errors: dict[str, str] = {}
    for error in build.errors:
        where = msg.EXTRACT_WHERE.format(cell=error.cell + 1, line=error.line)
        notes.add(msg.EXTRACT_CELL_BROKEN, where=where, error=error.message)
        for name in error.functions:
            if name in functions:
                other = functions[name].cell + 1
                notes.add(msg.EXTRACT_BROKEN_FALLBACK, name=name, where=where, cell=other)
            else:
                compile_errors[name] = msg.EXTRACT_BROKEN_FUNCTION.format(
                    name=name, where=where, error=error.message
                )
    program = "\n".join(build.lines) + ("\n" if build.lines else "")
    left_out = {
        name: f"{msg.EXTRACT_WHERE.format(cell=cell + 1, line=line)} ({code})"
        for name, (cell, line, code) in build.left_out.items()
    }
    return Extraction(
        program,
        functions,
        compile_errors,
        tuple(build.errors),
        tuple(notes.lines()),
        tuple(build.origins),
        left_out,
    )


def _kept(stmt: ast.stmt, bound: set[str], shadowed: set[str] | None = None) -> bool:
    """Whether a top-level statement is a definition (kept) or work (left out). An assignment
    is kept when its value does no work and uses only names the kept statements bound so far
    (``runs = {"he": parameters_he}`` needs a training run that is left out, so it is too)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        plain = all(_plain_target(t) for t in targets)
        return (
            plain
            and value is not None
            and _static(value, shadowed or set())
            and _names(value) <= bound
        )
    if isinstance(stmt, ast.Try):
        parts = [*stmt.body, *stmt.orelse, *stmt.finalbody]
        parts += [s for handler in stmt.handlers for s in handler.body]
        return all(isinstance(s, ast.Pass) or _kept(s, bound, shadowed) for s in parts)
    return False


def _absent_template_import(stmt: ast.stmt, modules: frozenset[str]) -> bool:
    """An import of only the template's modules, none of them installed here."""
    if isinstance(stmt, ast.Import):
        names = [alias.name for alias in stmt.names]
    elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
        names = [stmt.module]
    else:
        return False
    tops = {name.split(".")[0] for name in names}
    return bool(modules) and tops <= modules and not any(map(_installed, tops))


@functools.cache
def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _binds(stmt: ast.stmt) -> set[str]:
    """Names a kept statement binds (a star import binds none that can be known)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).partition(".")[0] for a in stmt.names if a.name != "*"}
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    names = {
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    if isinstance(stmt, ast.Try):
        for part in [*stmt.body, *stmt.orelse, *stmt.finalbody]:
            names |= _binds(part)
    return names


def _evaluated_children(node: ast.AST) -> list[ast.AST]:
    """The parts of ``node`` evaluated with it: a lambda's defaults, not its body."""
    if isinstance(node, ast.Lambda):
        return [d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None]
    return list(ast.iter_child_nodes(node))


def _names(root: ast.AST) -> set[str]:
    """Names an expression reads when evaluated (not in lambdas, minus comprehension variables).

    Walked with an explicit stack, children before their parent: a student's expression can be
    nested far deeper than Python's recursion limit (``1 + 1 + ... + 1``) and still compile."""
    found: dict[int, set[str]] = {}
    stack: list[tuple[ast.AST, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _evaluated_children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        # no pop: some nodes (the Load context) are shared by many parents
        names: set[str] = set().union(*(found[id(child)] for child in children))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            names.add(node.id)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            names -= {
                n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)
            }
        found[id(node)] = names
    return found[id(root)]


def _plain_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, (ast.Tuple, ast.List)) and all(_plain_target(e) for e in target.elts)


def _static(root: ast.AST, shadowed: set[str]) -> bool:
    """No work hides in this expression: calls only on np/numpy/math and the pure builtins no
    kept statement rebinds (``shadowed``), nothing that yields.
    Walked with an explicit stack, as ``_names`` is."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr):
            return False
        if isinstance(node, ast.Call) and not _static_call(node.func, shadowed):
            return False
        stack.extend(_evaluated_children(node))
    return True


def _static_call(func: ast.expr, shadowed: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in PURE_BUILTINS and func.id not in shadowed
    return _call_root(func) in _STATIC_CALL_ROOTS


def _call_root(func: ast.expr) -> str | None:
    if not isinstance(func, ast.Attribute):
        return None
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None
