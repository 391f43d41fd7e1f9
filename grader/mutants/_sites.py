"""Where a node sits in a graded function: the vocabulary every mutation operator shares.

A mutation changes one node (an expression) or one statement list of a copy of the solution's
function. Operators choose their nodes by what they are in the exercise's terms: the key a line
assigns (``W`` or ``b``), the call and argument a node is in (the rows of ``randn``, the scale
factor), so that each mutation can say what it breaks and what a diagnosis of it must name.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeGuard

from grader.mistakes import Mistake

Expect = tuple[Mistake, ...]  # the mistakes the mutation produces (``grader.mutants._truth``)


@dataclass(frozen=True)
class Edit:
    """One mutation of a function: what kind, what changed, the result, and what it must earn.

    ``expect`` empty means the mutant is expected to be equivalent to the solution, for the
    reason ``why``; a kind that may or may not change the result gives both. ``expect`` holding
    a fact (``fact.*``) means no hypothesis can rebuild its numbers, and a diagnosis must state
    that fact."""

    kind: str
    change: str
    tree: ast.FunctionDef
    expect: Expect
    why: str = ""


class Sites:
    """The solution function with each node's parent known."""

    def __init__(self, tree: ast.FunctionDef) -> None:
        self.tree = tree
        self.nodes = list(ast.walk(tree))
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in self.nodes:
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node

    def key_of(self, node: ast.AST) -> str | None:
        """'W' or 'b' when ``node`` is inside the assignment of ``parameters['W' + ...]``."""
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.Assign):
            current = self.parent.get(current)
        if current is None or not isinstance(current.targets[0], ast.Subscript):
            return None
        index = current.targets[0].slice
        if isinstance(index, ast.BinOp) and isinstance(index.left, ast.Constant):
            value = index.left.value
            return value[:1] if isinstance(value, str) else None
        return None

    def call_of(self, node: ast.AST) -> tuple[str, int] | None:
        """(the called function, the position) when ``node`` is an argument of a call, or an
        element of a shape tuple given to one: ``('np.random.randn', 0)`` for the rows."""
        parent = self.parent.get(node)
        if isinstance(parent, ast.Tuple):
            holder = self.parent.get(parent)
            if isinstance(holder, ast.Call) and parent in holder.args:
                return ast.unparse(holder.func), [id(e) for e in parent.elts].index(id(node))
            return None
        if isinstance(parent, ast.Call) and any(arg is node for arg in parent.args):
            return ast.unparse(parent.func), [id(a) for a in parent.args].index(id(node))
        return None

    def inside(self, node: ast.AST, function: str) -> bool:
        """Whether ``node`` is somewhere inside a call of ``function`` (``'np.sqrt'``)."""
        current = self.parent.get(node)
        while current is not None:
            if isinstance(current, ast.Call) and ast.unparse(current.func) == function:
                return True
            current = self.parent.get(current)
        return False

    def line(self, node: ast.AST) -> int:
        current: ast.AST | None = node
        while current is not None and not hasattr(current, "lineno"):
            current = self.parent.get(current)
        return int(getattr(current, "lineno", 0))


def substituted(sites: Sites, old: ast.AST, new: ast.AST) -> ast.FunctionDef:
    """A copy of the function with the node ``old`` replaced by ``new``."""
    index = sites.nodes.index(old)
    tree = copy.deepcopy(sites.tree)
    target = list(ast.walk(tree))[index]
    if target is tree:
        raise ValueError("the function itself cannot be substituted")
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
                return ast.fix_missing_locations(tree)
            if isinstance(value, list) and any(item is target for item in value):
                value[[id(item) for item in value].index(id(target))] = new
                return ast.fix_missing_locations(tree)
    raise ValueError("node not found in its copy")


def expression(text: str) -> ast.expr:
    """A parsed expression, for building replacements."""
    node = ast.parse(text, mode="eval").body
    return node


# What a mutation produces: the mistakes, or how to read them off the mutated function.
Produces = Expect | Callable[[ast.FunctionDef], Expect]
Chooser = Callable[[Sites, ast.AST], Iterator[tuple[ast.AST, str, Produces, str]]]


def node_edits(sites: Sites, kind: str, choose: Chooser) -> Iterator[Edit]:
    """Every edit ``choose`` proposes, node by node: (replacement, note, expect, why)."""
    for node in sites.nodes:
        for new, note, expect, why in choose(sites, node):
            before, after = ast.unparse(node), ast.unparse(new)
            change = f"line {sites.line(node)}: `{before}` -> `{after}`" + (
                f" ({note})" if note else ""
            )
            tree = substituted(sites, node, new)
            yield Edit(kind, change, tree, expect(tree) if callable(expect) else expect, why)


def is_call(node: ast.AST, *names: str) -> TypeGuard[ast.Call]:
    """Whether ``node`` calls one of ``names`` (as written: ``np.random.randn``)."""
    return isinstance(node, ast.Call) and ast.unparse(node.func) in names


def layer_index(node: ast.AST) -> str | None:
    """``'l'``, ``'l - 1'`` or ``'l + 1'`` when ``node`` is ``layers_dims[...]`` indexed so."""
    if not (isinstance(node, ast.Subscript) and ast.unparse(node.value) == "layers_dims"):
        return None
    index = ast.unparse(node.slice)
    return index if index in ("l", "l - 1", "l + 1") else None


RANDN = "np.random.randn"
ZEROS = "np.zeros"
SQRT = "np.sqrt"
SEED = "np.random.seed"


# -- what a mutated scale computes ---------------------------------------------------------------

QUANTITY_CODE = {"layers_dims[l - 1]": "fan_in", "layers_dims[l]": "fan_out", "L": "L"}


class _Formula(ast.NodeTransformer):
    """A scale expression of the solution's code in the grader's quantities (``fan_in``...)."""

    def __init__(self) -> None:
        self.unknown = False

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        name = QUANTITY_CODE.get(ast.unparse(node))
        if name is None:
            self.unknown = True
            return node
        return ast.Name(name, ast.Load())

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if ast.unparse(node) == "len(layers_dims)":
            return expression("(L + 1)")
        if ast.unparse(node.func) in ("np.sqrt", "math.sqrt"):
            return ast.Call(ast.Name("sqrt", ast.Load()), [self.visit(a) for a in node.args], [])
        self.unknown = True
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in ("L", "l"):
            self.unknown = True
        return node


def scale_formula(tree: ast.FunctionDef) -> str | None:
    """The formula ``randn(...) * scale`` multiplies by, in the grader's quantities, or None."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, (ast.Mult, ast.Add))
            and is_call(node.left, RANDN, "np.random.rand")
        ):
            converter = _Formula()
            converted = converter.visit(copy.deepcopy(node.right))
            return None if converter.unknown else ast.unparse(converted)
    return None


def scale_mistake(tree: ast.FunctionDef, id: str = "scale.expression") -> Expect:
    """The scale mistake of a mutated tree, with the formula its code computes."""
    formula = scale_formula(tree)
    return (Mistake.of(id, formula=formula),) if formula is not None else (Mistake.of(id),)
