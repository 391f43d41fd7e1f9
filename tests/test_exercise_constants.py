"""The exercise's constants are written once, in the model (grader/spec/): no code of the grader
writes the seed, the outcome network's sizes, its learning rate or its number of steps as a
literal. Prose (docstrings, comments) may name them; code and the sentences students read take
them from the model, so a course's term with another seed or network changes them everywhere.

Out of scope: reference/, the answer key the model points to (and the home of other
experiments, with their own rates and seeds), and the tests, which state published facts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from grader.spec import EXERCISE

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "grader" / "spec"
SEED_CALL = re.compile(r"seed\(\s*(\d+)\s*\)")
RATE_NAMES = re.compile(r"(^|_)(learning_rate|lr|rate)$", re.I)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of string expressions that are statements (docstrings and the like)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _sizes(node: ast.AST) -> tuple[object, ...] | None:
    if isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) for e in node.elts
    ):
        return tuple(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


def exercise_literals(source: str) -> list[str]:
    """Every place ``source`` writes one of the exercise's constants as a literal."""
    tree = ast.parse(source)
    prose = _docstrings(tree)
    hidden = EXERCISE.outcome_dims[1:-1]
    found = []
    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and id(node) not in prose:
            if isinstance(node.value, str):
                seeds = [int(s) for s in SEED_CALL.findall(node.value)]
                if EXERCISE.seed in seeds:
                    found.append(f"{where}: the seed in {node.value[:60]!r}")
                if any(f"{EXERCISE.steps:{style}}" in node.value for style in ("", ",", "_")):
                    found.append(f"{where}: the number of steps in {node.value[:60]!r}")
            elif type(node.value) is int and node.value == EXERCISE.steps:
                found.append(f"{where}: the number of steps {node.value}")
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("seed"):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if EXERCISE.seed in args:
                found.append(f"{where}: the seed in {ast.unparse(node)}")
        elif _sizes(node) in (EXERCISE.outcome_dims, hidden):
            found.append(f"{where}: the outcome network's sizes {ast.unparse(node)}")
        elif isinstance(node, ast.keyword | ast.Assign | ast.AnnAssign):
            names = [node.arg] if isinstance(node, ast.keyword) else _targets(node)
            value = node.value
            rate = isinstance(value, ast.Constant) and value.value == EXERCISE.learning_rate
            if rate and any(n and RATE_NAMES.search(n) for n in names):
                found.append(f"{where}: the learning rate {ast.unparse(value)}")  # type: ignore[arg-type]
    return found


def _targets(node: ast.Assign | ast.AnnAssign) -> list[str | None]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id if isinstance(t, ast.Name) else None for t in targets]


def grader_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "grader").rglob("*.py") if MODEL not in p.parents)


@pytest.mark.parametrize("path", grader_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_grader_module_writes_an_exercise_constant_outside_the_model(path: Path) -> None:
    assert exercise_literals(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_each_kind_of_constant_and_leaves_prose_alone() -> None:
    code = '''
"""Trains for 15000 steps after np.random.seed(3) on [2, 10, 5, 1]."""
np.random.seed(3)
HINT = "call np.random.seed(3) once"
SAID = "After 15,000 training steps"
train(X, Y, params, learning_rate=0.01, num_iterations=15000)
LAYERS = [2, 10, 5, 1]
HIDDEN = (10, 5)
OTHER = np.random.seed(4), (3, 2, 1), 0.01
'''
    found = sorted(exercise_literals(code))
    assert found == [
        "line 3: the seed in np.random.seed(3)",
        "line 4: the seed in 'call np.random.seed(3) once'",
        "line 5: the number of steps in 'After 15,000 training steps'",
        "line 6: the learning rate 0.01",
        "line 6: the number of steps 15000",
        "line 7: the outcome network's sizes [2, 10, 5, 1]",
        "line 8: the outcome network's sizes (10, 5)",
    ]
