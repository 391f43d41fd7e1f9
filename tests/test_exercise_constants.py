"""The exercise's constants are written once, in the model (grader/spec/): no code of the grader,
of the answer key or of the benchmarks writes the seed, the outcome network's sizes, its learning
rate or its number of steps as a literal. Prose (docstrings, comments) may name them; code and
the sentences students read take them from the model, so a course's term with another seed or
network changes them everywhere.

Two exceptions, each named here. The answer key (reference/) imports nothing from the grader, so it
publishes the course's exercise as its own defaults, once each (``ANSWER_KEY``), and the model is
checked to agree with them (tests/test_spec_model.py). reference/experiments/settings.py holds the
comparison experiments' own settings, which are not the exercise (a rate of 0.01 there is theirs).
The tests state published facts and are out of scope.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
from pathlib import Path

import pytest

from grader.spec import EXERCISE

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "grader" / "spec"
SEED_CALL = re.compile(r"(?:seed|RandomState|default_rng)\(\s*(?:seed\s*=\s*)?(\d+)\s*\)")
SEED_FUNCTIONS = ("seed", "RandomState", "default_rng")
SCANNED = ("grader", "reference", "benchmarks")
NOT_THE_EXERCISE = (MODEL, ROOT / "reference" / "experiments" / "settings.py")
# The answer key's published defaults: the one place each is written in reference/.
ANSWER_KEY = {
    ROOT / "reference" / "initializers.py": {"SEED"},
    ROOT / "reference" / "training.py": {"MODEL_HIDDEN_UNITS", "LEARNING_RATE", "NUM_ITERATIONS"},
}
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


def _published(tree: ast.Module, names: set[str]) -> set[int]:
    """The ids of the nodes inside the module-level assignments of ``names``."""
    found: set[int] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign) and set(_targets(statement)) & names:
            found |= {id(node) for node in ast.walk(statement)}
    return found


def _in_text(text: str) -> list[str]:
    """What of the exercise a string says: its seed in a seeding call, its steps, its sizes."""
    found = []
    if EXERCISE.seed in [int(s) for s in SEED_CALL.findall(text)]:
        found.append("the seed")
    if any(f"{EXERCISE.steps:{style}}" in text for style in ("", ",", "_")):
        found.append("the number of steps")
    sizes = r",\s*".join(str(n) for n in EXERCISE.outcome_dims)
    if re.search(rf"(?<![\d.]){sizes}(?![\d.])", text):
        found.append("the outcome network's sizes")
    return found


def _seeds(node: ast.AST) -> bool:
    """A seeding call, or a seed (a keyword, a name, a parameter's default) of the exercise's."""
    if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(SEED_FUNCTIONS):
        args = [*node.args, *(k.value for k in node.keywords)]
        return any(isinstance(a, ast.Constant) and a.value == EXERCISE.seed for a in args)
    if isinstance(node, ast.keyword | ast.Assign | ast.AnnAssign):
        names = [node.arg] if isinstance(node, ast.keyword) else _targets(node)
        value = node.value
        seed = isinstance(value, ast.Constant) and value.value == EXERCISE.seed
        return seed and any(n and "seed" in n.lower() for n in names)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        given = node.args
        named = [*given.posonlyargs, *given.args]
        pairs = [
            *zip(named[len(named) - len(given.defaults) :], given.defaults, strict=True),
            *zip(given.kwonlyargs, given.kw_defaults, strict=True),
        ]
        return any(
            "seed" in arg.arg.lower()
            and isinstance(default, ast.Constant)
            and default.value == EXERCISE.seed
            for arg, default in pairs
        )
    return False


def _rate(node: ast.AST) -> bool:
    """A learning rate (a name or keyword such as ``lr``) given the exercise's value."""
    if not isinstance(node, ast.keyword | ast.Assign | ast.AnnAssign):
        return False
    names = [node.arg] if isinstance(node, ast.keyword) else _targets(node)
    value = node.value
    rate = isinstance(value, ast.Constant) and value.value == EXERCISE.learning_rate
    return rate and any(n and RATE_NAMES.search(n) for n in names)


def exercise_literals(source: str, published: Collection[str] = ()) -> list[str]:
    """Every place ``source`` writes one of the exercise's constants as a literal, except in the
    module-level assignments of the names in ``published``."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _published(tree, set(published))
    hidden = EXERCISE.outcome_dims[1:-1]
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"{where}: {what} in {node.value[:60]!r}" for what in _in_text(node.value)]
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            if node.value == EXERCISE.steps:
                found.append(f"{where}: the number of steps {node.value}")
        elif _seeds(node):
            shown = ast.unparse(node.args if hasattr(node, "body") else node)  # type: ignore[attr-defined]
            found.append(f"{where}: the seed in {shown}")
            skip |= {id(keyword) for keyword in getattr(node, "keywords", ())}
        elif _sizes(node) in (EXERCISE.outcome_dims, hidden):
            found.append(f"{where}: the outcome network's sizes {ast.unparse(node)}")
        elif _rate(node):
            found.append(f"{where}: the learning rate {ast.unparse(node.value)}")  # type: ignore[attr-defined]
    return found


def _targets(node: ast.Assign | ast.AnnAssign) -> list[str | None]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id if isinstance(t, ast.Name) else None for t in targets]


def scanned_modules() -> list[Path]:
    """The grader's, the answer key's and the benchmarks' modules, but for the model and what is
    not the exercise."""
    paths = (p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))
    return sorted(
        p for p in paths if not any(p == skip or skip in p.parents for skip in NOT_THE_EXERCISE)
    )


@pytest.mark.parametrize("path", scanned_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_writes_an_exercise_constant_outside_the_model(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert exercise_literals(source, ANSWER_KEY.get(path, set())) == []


def test_the_exceptions_are_the_experiments_settings_and_the_answer_keys_defaults() -> None:
    scanned = scanned_modules()
    assert ROOT / "reference" / "experiments" / "settings.py" not in scanned
    assert {ROOT / "reference" / "training.py", ROOT / "benchmarks" / "floor.py"} <= set(scanned)
    assert not any(MODEL in p.parents for p in scanned)
    assert all(path in scanned for path in ANSWER_KEY)


def test_the_check_finds_each_kind_of_constant_and_leaves_prose_alone() -> None:
    code = '''
"""Trains for 15000 steps after np.random.seed(3) on [2, 10, 5, 1]."""
np.random.seed(3)
HINT = "call np.random.seed(3) once"
SAID = "After 15,000 training steps"
train(X, Y, params, learning_rate=0.01, num_iterations=15000)
LAYERS = [2, 10, 5, 1]
HIDDEN = (10, 5)
OTHER = np.random.seed(4), (3, 2, 1), 0.01, "seed(30)", "[2, 10, 5, 10]"
rng, state = np.random.default_rng(3), np.random.RandomState(seed=3)
initialize_parameters_he([3, 2, 1], seed=3)
COURSE_SEED: int = 3
def draws(layer_dims, seed=3, *, other_seed=4): ...
TOLD = f"on {dims}: [2, 10, 5, 1] by RandomState(3)"
'''
    found = sorted(exercise_literals(code))
    assert found == [
        "line 10: the seed in np.random.RandomState(seed=3)",
        "line 10: the seed in np.random.default_rng(3)",
        "line 11: the seed in seed=3",
        "line 12: the seed in COURSE_SEED: int = 3",
        "line 13: the seed in layer_dims, seed=3, *, other_seed=4",
        "line 14: the outcome network's sizes in ': [2, 10, 5, 1] by RandomState(3)'",
        "line 14: the seed in ': [2, 10, 5, 1] by RandomState(3)'",
        "line 3: the seed in np.random.seed(3)",
        "line 4: the seed in 'call np.random.seed(3) once'",
        "line 5: the number of steps in 'After 15,000 training steps'",
        "line 6: the learning rate 0.01",
        "line 6: the number of steps 15000",
        "line 7: the outcome network's sizes [2, 10, 5, 1]",
        "line 8: the outcome network's sizes (10, 5)",
    ]


def test_the_answer_keys_defaults_are_exempt_only_where_they_are_published() -> None:
    code = "SEED = 3\nLEARNING_RATE = 0.01\ndef draws(seed=3): ...\nnp.random.seed(3)\n"
    assert exercise_literals(code, {"SEED", "LEARNING_RATE"}) == [
        "line 3: the seed in seed=3",
        "line 4: the seed in np.random.seed(3)",
    ]
    assert len(exercise_literals(code)) == 4
