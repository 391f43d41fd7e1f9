"""The house rules of the code, read from its imports (``ast``, imports inside functions included).

- no import cycle among the grader's parts (each subpackage or top-level module is one part);
- ``reference/`` imports nothing of ``grader/`` or ``assignments/``;
- a module never imports another part's private module (``grader.checks._loop`` is for
  ``grader.checks`` alone);
- what runs inside the worker (``grader/sandbox/child/``) imports only the standard library and
  numpy.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("grader", "reference")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every module of ours that ``path`` imports, at any depth of its code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            # ``from grader import messages`` imports the module, not the package's public face
            found |= submodules if len(submodules) == len(node.names) else {node.module}
    return {name for name in found if name in known}


GRAPH = {name: imports_of(path, set(modules())) for name, path in modules().items()}


def part(module: str) -> str:
    """The part a module belongs to: ``grader.checks._loop`` -> ``grader.checks``."""
    return ".".join(module.split(".")[:2])


def part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        edges = graph.setdefault(part(module), set())
        edges |= {part(t) for t in targets if part(t) != part(module)}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_reader_sees_imports_inside_functions() -> None:
    assert "grader.sandbox" in GRAPH["grader.api"]
    assert "grader.checks" in GRAPH["grader.api"]  # imported inside _grade


def test_there_is_no_import_cycle_among_the_parts_of_the_grader() -> None:
    assert find_cycle(part_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_reference_imports_nothing_of_the_grader_or_the_assignments() -> None:
    for module, path in modules().items():
        if module.startswith("reference"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = [
                n.module if isinstance(n, ast.ImportFrom) else a.name
                for n in ast.walk(tree)
                if isinstance(n, ast.Import | ast.ImportFrom)
                for a in (n.names if isinstance(n, ast.Import) else [n])
                if isinstance(n, ast.Import) or n.module
            ]
            assert not [n for n in names if n.split(".")[0] in ("grader", "assignments")], module


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_another_parts_private_module(module: str) -> None:
    for target in GRAPH[module]:
        private = any(piece.startswith("_") for piece in target.split(".")[2:])
        if private:
            assert part(target) == part(module), f"{module} imports {target}"


def test_what_runs_inside_the_worker_imports_only_the_standard_library_and_numpy() -> None:
    for path in (ROOT / "grader" / "sandbox" / "child").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                for name in names:
                    top = name.split(".")[0]
                    allowed = top in sys.stdlib_module_names or top in ("numpy", "_initgrade_guard")
                    ours = top in ("_initgrade_returns", "_initgrade_inert")
                    assert allowed or ours, f"{path.name} imports {name}"
