"""Mutations of whole statements: the seed moved, an extra draw, two lines swapped, the return in
the loop, the parameter renamed. Each says, with the mutation, what a diagnosis must name, or why
the result cannot change."""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator

from grader.mistakes import Mistake
from grader.mutants._sites import RANDN, SEED, Edit, Expect, is_call
from grader.spec import SPEC

NO_SEED: Expect = (Mistake.of("seed.missing"),)
RESEEDED: Expect = (Mistake.of("seed.per_layer"),)
INDEPENDENT = (
    "neither statement reads what the other writes, and at most one of them draws random "
    "numbers, so every draw keeps its place"
)
NO_DRAWS = "this function returns no random numbers, so drawing one more changes nothing it returns"
SEEDED_TWICE = (
    "a second np.random.seed({seed}) before any draw leaves the generator where the first did"
)


def _body(tree: ast.FunctionDef) -> list[ast.stmt]:
    """The statements of the function after its docstring."""
    first = tree.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return tree.body[1:] if docstring else tree.body


def _loop(tree: ast.FunctionDef) -> ast.For:
    return next(node for node in _body(tree) if isinstance(node, ast.For))


def _seed(tree: ast.FunctionDef) -> ast.stmt | None:
    for node in _body(tree):
        if isinstance(node, ast.Expr) and is_call(node.value, SEED):
            return node
    return None


def _draws(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and ast.unparse(n.func).startswith("np.random.")
        for n in ast.walk(node)
    )


def _edit(kind: str, change: str, tree: ast.FunctionDef, expect: Expect, why: str = "") -> Edit:
    return Edit(kind, change, ast.fix_missing_locations(tree), expect, why)


def seed_moves(tree: ast.FunctionDef) -> Iterator[Edit]:
    """The exercise's np.random.seed removed, moved into the loop or after it, or given twice."""
    if _seed(tree) is None:
        return
    for change, expect, why in (
        ("removed", NO_SEED, ""),
        ("moved into the loop", RESEEDED, ""),
        ("moved after the loop", NO_SEED, ""),
        ("given twice before the loop", (), SEEDED_TWICE.format(seed=SPEC.exercise.seed)),
        ("also given inside the loop", RESEEDED, ""),
    ):
        mutated = copy.deepcopy(tree)
        seed, loop = _seed(mutated), _loop(mutated)
        assert seed is not None
        if change in ("removed", "moved into the loop", "moved after the loop"):
            mutated.body.remove(seed)
        if change in ("moved into the loop", "also given inside the loop"):
            loop.body.insert(0, copy.deepcopy(seed))
        elif change == "moved after the loop":
            mutated.body.insert(mutated.body.index(loop) + 1, seed)
        elif change == "given twice before the loop":
            mutated.body.insert(mutated.body.index(seed), copy.deepcopy(seed))
        yield _edit("seed", f"np.random.seed({SPEC.exercise.seed}) {change}", mutated, expect, why)


def extra_draws(tree: ast.FunctionDef) -> Iterator[Edit]:
    """One more randn call, before the loop, at the top of it, or after a layer's weights."""
    random = _seed(tree) is not None
    one = ast.parse(f"{RANDN}()").body[0]
    bias_sized = ast.parse(f"{RANDN}(layers_dims[l], 1)").body[0]
    for where, statement, place, count in (
        ("before the loop", one, "before_loop", "1"),
        ("at the top of the loop", one, "before_weights", "1"),
        ("after the weights", one, "after_weights", "1"),
        ("after the weights", bias_sized, "after_weights", "layers_dims[l]"),
    ):
        extra = (Mistake.of("draws.extra", where=place, count=count),)
        expect, why = (extra, "") if random else ((), NO_DRAWS)
        mutated = copy.deepcopy(tree)
        loop = _loop(mutated)
        if where == "before the loop":
            mutated.body.insert(mutated.body.index(loop), copy.deepcopy(statement))
        elif where == "at the top of the loop":
            loop.body.insert(0, copy.deepcopy(statement))
        else:
            weights = next(i for i, s in enumerate(loop.body) if _draws(s) or "W" in ast.unparse(s))
            loop.body.insert(weights + 1, copy.deepcopy(statement))
        change = f"`{ast.unparse(statement)}` inserted {where}"
        yield _edit("extra draw", change, mutated, expect, why)


def _names(node: ast.AST, context: type[ast.expr_context]) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}


def _swap_expect(first: ast.stmt, second: ast.stmt) -> tuple[Expect, str]:
    if isinstance(first, ast.For) and isinstance(second, ast.Return):
        return (Mistake.of("layout.empty"),), ""
    if _names(first, ast.Store) & _names(second, ast.Load):
        return (Mistake.of("raised.unbound", kind="UnboundLocalError"),), ""
    if _draws(first) and _draws(second):
        raise ValueError("two drawing statements side by side: say what swapping them does")
    return (), INDEPENDENT


def swaps(tree: ast.FunctionDef) -> Iterator[Edit]:
    """Two neighbouring statements in the other order, in the function and in its loop."""
    for in_loop in (False, True):
        block = _loop(tree).body if in_loop else _body(tree)
        for i in range(len(block) - 1):
            expect, why = _swap_expect(block[i], block[i + 1])
            mutated = copy.deepcopy(tree)
            target = _loop(mutated).body if in_loop else mutated.body
            offset = 0 if in_loop else len(mutated.body) - len(block)
            j = offset + i
            target[j], target[j + 1] = target[j + 1], target[j]
            first, second = (ast.unparse(s).splitlines()[0] for s in (block[i], block[i + 1]))
            change = f"`{first}` and `{second}` swapped"
            yield _edit("statement order", change, mutated, expect, why)


def returns_in_loop(tree: ast.FunctionDef) -> Iterator[Edit]:
    mutated = copy.deepcopy(tree)
    returned = mutated.body.pop()
    _loop(mutated).body.append(returned)
    expect = (Mistake.of("loop.fixed", count=1),)
    yield _edit("return", "`return parameters` moved into the loop", mutated, expect)


def parameter_renamed(tree: ast.FunctionDef) -> Iterator[Edit]:
    mutated = copy.deepcopy(tree)
    mutated.args.args[0].arg = "layer_dims"
    expect = (Mistake.of("raised.name_layers_dims", kind="NameError"),)
    yield _edit("parameter name", "the parameter renamed layer_dims", mutated, expect)


def statement_edits(tree: ast.FunctionDef) -> Iterator[Edit]:
    """Every statement mutation of ``tree``."""
    for operator in (seed_moves, extra_draws, swaps, returns_in_loop, parameter_renamed):
        yield from operator(tree)
