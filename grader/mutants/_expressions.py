"""Mutations of one expression: the numbers, indices, calls and operators students get wrong.

Each operator walks the solution function and proposes, for every node it applies to, the
replacement, and with it the mistakes it produces (``Expect``: mistake values with the fields a
diagnosis must get right), written here, with the mutation, from what it breaks; a scale's
formula is read off the mutated code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

import numpy as np

from grader.mistakes import Mistake
from grader.mutants._sites import (
    RANDN,
    SEED,
    SQRT,
    ZEROS,
    Chooser,
    Edit,
    Expect,
    Produces,
    Sites,
    expression,
    is_call,
    layer_index,
    node_edits,
    scale_mistake,
)

Proposal = Iterator[tuple[ast.AST, str, Produces, str]]
INDEX_ERROR: Expect = (Mistake.of("raised.index", kind="IndexError"),)
ONE_EARLY: Expect = (Mistake.of("loop.stop", stop=-1),)
EMPTY_WHY = (
    "np.empty hands back memory as it finds it; memory the process has not used yet is zero-filled"
)
OTHER_SEEDS = (0, 1, 2, 4, 42)


def role(sites: Sites, node: ast.AST) -> str | None:
    """What a node sizes or scales: 'W rows', 'W columns', 'b rows', 'b columns', 'scale',
    'W key' or 'b key' (the layer number in a key), or None."""
    call, key = sites.call_of(node), sites.key_of(node)
    if call is None:
        return "scale" if sites.inside(node, SQRT) else None
    name, position = call
    if isinstance(node, ast.Tuple) and key is not None:
        return f"{key} shape"
    axis = ("rows", "columns")[position] if position < 2 else None
    if name in (RANDN, ZEROS) and key is not None and axis is not None:
        return f"{key} {axis}"
    if name == "str" and key is not None:
        return f"{key} key"
    if name == SQRT:
        return "scale"
    return None


def _index_expect(what: str | None, new: str) -> Produces | None:
    if what is None:
        return None
    if what.endswith("key"):
        first = 1 + {"l - 1": -1, "l + 1": 1}[new]
        return (Mistake.of("keys.numbering", letter=what[0], first=first),)
    if new == "l + 1":
        return INDEX_ERROR
    if what == "scale":
        return scale_mistake
    key, axis = what.split()
    if key == "b":
        return (Mistake.of("biases.shape", shape=f"(layers_dims[{new}], 1)"),)
    return (Mistake.of("shape.axis", axis=axis, source=f"layers_dims[{new}]"),)


def index_shifts(sites: Sites, node: ast.AST) -> Proposal:
    """``l - 1`` <-> ``l`` <-> ``l + 1`` wherever a layer index is read."""
    if isinstance(node, ast.Subscript):
        old = layer_index(node)
        slot: ast.AST = node.slice
    elif isinstance(node, ast.Name) and node.id == "l" and sites.call_of(node) == ("str", 0):
        old, slot = "l", node
    else:
        return
    what = role(sites, slot if isinstance(node, ast.Name) else node)
    for new in {"l": ("l - 1", "l + 1"), "l - 1": ("l", "l + 1")}.get(old or "", ()):
        expect = _index_expect(what, new)
        if expect is None:
            continue
        if isinstance(node, ast.Name):
            yield expression(new), "", expect, ""
        else:
            yield ast.Subscript(node.value, expression(new), ast.Load()), "", expect, ""


def _is_scale(sites: Sites, node: ast.AST) -> bool:
    parent = sites.parent.get(node)
    if not (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mult)):
        return False
    return parent.right is node and is_call(parent.left, RANDN)


def constants(sites: Sites, node: ast.AST) -> Proposal:
    """The exercise's numbers: the x10, He's 2 and the seed 3."""
    if not isinstance(node, ast.Constant) or type(node.value) not in (int, float):
        return
    value, parent = node.value, sites.parent.get(node)
    if value == 10 and _is_scale(sites, node):
        for other in (1, 0.01, 100):
            yield ast.Constant(other), "", scale_mistake, ""
    elif value == 2 and isinstance(parent, ast.BinOp) and sites.inside(node, SQRT):
        yield ast.Constant(type(value)(1)), "", scale_mistake, ""
        yield ast.Constant(type(value)(4)), "", scale_mistake, ""
    elif value == 3 and sites.call_of(node) == (SEED, 0):
        for seed in OTHER_SEEDS:
            yield ast.Constant(seed), "", (Mistake.of("seed.value", seed=seed),), ""


def _value_in_example(node: ast.AST, example: Sequence[int]) -> object:
    """What ``node`` evaluates to at layer 1 of the notebook's example."""
    names = {"layers_dims": list(example), "l": 1, "L": len(example) - 1, "np": np}
    code = compile(ast.Expression(ast.fix_missing_locations(node)), "<mutation>", "eval")  # type: ignore[arg-type]
    return eval(code, {"__builtins__": {}}, names)  # our own solution's expression


def _fixed_shape(what: str, value: object) -> Expect:
    """A shape (or one axis of it) fixed at the example's numbers."""
    key, axis = what.split()
    sizes = list(value) if isinstance(value, tuple) else [value]
    if key == "b":
        shape = list(value) if isinstance(value, tuple) else [value, 1]
        return (Mistake.of("biases.shape", shape=f"({shape[0]}, {shape[1]})"),)
    axes = ("rows", "columns") if axis == "shape" else (axis,)
    return tuple(
        Mistake.of("shape.axis", axis=a, source=str(n), fixed=True)
        for a, n in zip(axes, sizes, strict=True)
    )


def constant_arguments(example: Sequence[int]) -> Chooser:
    """An argument replaced by the number it has at layer 1 of the notebook's example."""

    def choose(sites: Sites, node: ast.AST) -> Proposal:
        call = sites.call_of(node)
        if call is None or isinstance(node, ast.Constant) or call[0] == SEED:
            return
        what = role(sites, node)
        name = call[0]
        value = _value_in_example(node, example)
        expect: Produces
        if what is not None and what.split()[-1] in ("rows", "columns", "shape"):
            expect = _fixed_shape(what, value)
        elif what == "scale":
            expect = scale_mistake
        elif what is not None and what.endswith("key"):
            expect = (Mistake.of("keys.same", letter=what[0]),)
        elif name in ("len", "range"):
            expect = (Mistake.of("loop.fixed", count=len(example) - 1),)
        else:
            return
        yield expression(repr(value)), "the value in the notebook's example", expect, ""

    return choose


def shapes(sites: Sites, node: ast.AST) -> Proposal:
    """Shape arguments swapped, or given in the other call's style."""
    key = sites.key_of(node)
    if is_call(node, RANDN) and len(node.args) == 2:
        a, b = node.args
        yield ast.Call(node.func, [b, a], []), "swapped", (Mistake.of("shape.transposed"),), ""
        style = (Mistake.of("raised.randn_tuple", kind="TypeError"),)
        yield ast.Call(node.func, [ast.Tuple([a, b], ast.Load())], []), "one tuple", style, ""
    elif is_call(node, ZEROS) and isinstance(node.args[0], ast.Tuple):
        a, b = node.args[0].elts
        swapped = ast.Call(node.func, [ast.Tuple([b, a], ast.Load())], [])
        row = Mistake.of("biases.shape", shape=f"(1, {ast.unparse(a)})")
        expect: Expect = (Mistake.of("shape.transposed"),) if key == "W" else (row,)
        yield swapped, "swapped", expect, ""
        style = (Mistake.of("raised.zeros_numbers", kind="TypeError"),)
        yield ast.Call(node.func, [a, b], []), "two numbers", style, ""


def _plus(node: ast.expr, shift: int) -> ast.expr:
    """``node + shift``, folded into a trailing ``+ n`` or ``- n`` when there is one."""
    text = ast.unparse(node)
    if isinstance(node, ast.BinOp) and isinstance(node.right, ast.Constant):
        sign = 1 if isinstance(node.op, ast.Add) else -1 if isinstance(node.op, ast.Sub) else 0
        if sign and isinstance(node.right.value, int):
            total = sign * node.right.value + shift
            text = ast.unparse(node.left) + (
                f" + {total}" if total > 0 else f" - {-total}" if total else ""
            )
    else:
        text = f"{text} + {shift}" if shift > 0 else f"{text} - {-shift}"
    return expression(text)


def range_bounds(sites: Sites, node: ast.AST) -> Proposal:
    """The loop's first or last layer moved by one, in ``range`` or in ``L``."""
    if is_call(node, "range") and len(node.args) == 2:
        start, stop = node.args
        starts: tuple[tuple[int, Expect], ...] = tuple(
            (first, (Mistake.of("loop.start", start=first),)) for first in (0, 2)
        )
        for first, expect in starts:
            yield ast.Call(node.func, [ast.Constant(first), stop], []), "", expect, ""
        stops: tuple[tuple[int, Expect], ...] = ((-1, ONE_EARLY), (1, INDEX_ERROR))
        for shift, expect in stops:
            later = _plus(stop, shift)
            yield ast.Call(node.func, [start, later], []), "", expect, ""
    parent = sites.parent.get(node)
    if (
        isinstance(parent, ast.Assign)
        and parent.value is node
        and ast.unparse(parent.targets[0]) == "L"
    ):
        length = expression("len(layers_dims)")
        yield length, "", INDEX_ERROR, ""
        yield ast.BinOp(length, ast.Sub(), ast.Constant(2)), "", ONE_EARLY, ""


def _renamed(call: ast.Call, name: str) -> ast.Call:
    func = expression(name)
    return ast.Call(func, call.args, call.keywords)


def calls(sites: Sites, node: ast.AST) -> Proposal:
    """Another numpy function in place of randn, zeros or sqrt."""
    if not isinstance(node, ast.Call):
        return
    if is_call(node, RANDN):
        yield _renamed(node, "np.random.rand"), "", _uniform, ""
        number = (Mistake.of("returned.number", key="W1"),)
        yield _renamed(node, "np.random.normal"), "", number, ""
        expect = (Mistake.of("raised.standard_normal", kind="TypeError"),)
        yield _renamed(node, "np.random.standard_normal"), "", expect, ""
    elif is_call(node, ZEROS):
        key = sites.key_of(node)
        ones = Mistake.of("weights.constant" if key == "W" else "biases.value", value=1.0)
        empty = Mistake.of("fact.weights_nonzero" if key == "W" else "fact.biases_nonzero")
        yield _renamed(node, "np.ones"), "", (ones,), ""
        yield _renamed(node, "np.empty"), "", (empty,), EMPTY_WHY
    elif is_call(node, SQRT):
        yield node.args[0], "square root removed", scale_mistake, ""


def _uniform(tree: ast.FunctionDef) -> Expect:
    """``rand`` for ``randn``: uniform numbers from 0 up to the scale."""
    (scale,) = scale_mistake(tree)
    high = scale.get("formula")
    return (Mistake.of("draws.distribution", distribution="uniform", low="0", high=high),)


def square_roots_added(sites: Sites, node: ast.AST) -> Proposal:
    """A square root around the scale factor (randn(...) * np.sqrt(scale))."""
    if _is_scale(sites, node) and isinstance(node, ast.expr):
        yield ast.Call(expression(SQRT), [node], []), "square root added", scale_mistake, ""


def operators(sites: Sites, node: ast.AST) -> Proposal:
    """``/`` -> ``//`` in the scale, and the scale added instead of multiplied."""
    if not isinstance(node, ast.BinOp):
        return
    if isinstance(node.op, ast.Div):
        yield ast.BinOp(node.left, ast.FloorDiv(), node.right), "", scale_mistake, ""
    if isinstance(node.op, ast.Mult) and is_call(node.left, RANDN):
        added = lambda tree: scale_mistake(tree, "scale.added")  # noqa: E731
        yield ast.BinOp(node.left, ast.Add(), node.right), "", added, ""


def key_names(sites: Sites, node: ast.AST) -> Proposal:
    """The letters of a key renamed, or its layer number left an int."""
    parent = sites.parent.get(node)
    in_key = isinstance(parent, ast.BinOp) and sites.key_of(node) is not None
    if isinstance(node, ast.Constant) and in_key and node.value in ("W", "b"):
        others = ("w", "W_", "weights") if node.value == "W" else ("B", "bias")
        field = "weights" if node.value == "W" else "biases"
        for other in others:
            names = Mistake.of("keys.names", **{field: other + "{}"})
            yield ast.Constant(other), "", (names,), ""
    elif is_call(node, "str") and in_key:
        expect = (Mistake.of("raised.key_int", kind="TypeError"),)
        yield node.args[0], "str() left out", expect, ""


def expression_edits(tree: ast.FunctionDef, example: Sequence[int]) -> Iterator[Edit]:
    """Every expression mutation of ``tree``, kind by kind."""
    sites = Sites(tree)
    yield from node_edits(sites, "constant", constants)
    yield from node_edits(sites, "layer index", index_shifts)
    yield from node_edits(sites, "constant argument", constant_arguments(example))
    yield from node_edits(sites, "loop range", range_bounds)
    yield from node_edits(sites, "shape argument", shapes)
    yield from node_edits(sites, "numpy function", calls)
    yield from node_edits(sites, "numpy function", square_roots_added)
    yield from node_edits(sites, "operator", operators)
    yield from node_edits(sites, "key name", key_names)
