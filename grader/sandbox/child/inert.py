"""Which of a program's definitions the worker may run while loading: those that run no code of
the student's. Loading is when the worker is the grader's alone; code run then could reach the
worker's own objects (its preseed function, its validator) and change how every later call is
judged. So loading runs a function's ``def`` only when its decorators are a library's own (such as
``functools.lru_cache``: a name or attribute of an imported module that the module itself defines,
called, if at all, with inert arguments) and its defaults and annotations are inert; and a class
only when it has no decorator or keyword (no metaclass), its bases are names of classes whose
type is ``type``, and its body holds nothing but undecorated such defs, inert assignments,
``pass`` and strings. What is not run is said, with its reason, as a warning.

An inert expression calls nothing a student wrote: constants, names, attributes, containers,
operators and lambdas (whose defaults are inert); never a call, a subscript, a comprehension, an
f-string or a walrus. Other top-level statements are judged where the program is made (the
notebook's extraction keeps only definitions, imports and constants).

Runs in the worker (``worker.py``): the standard library only.
"""

import ast
import sys
from typing import Any

DECORATOR = "decorator"
DEFAULT = "default"
CLASS_BODY = "class_body"
CLASS_BASE = "class_base"

_INERT = (
    ast.Constant, ast.Name, ast.Attribute, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp,
    ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.expr_context, ast.operator,
    ast.unaryop, ast.cmpop, ast.boolop,
)  # fmt: skip
# Modules whose own callables may decorate a graded function while loading.
_LIBRARIES = frozenset({"functools", "numpy", "builtins", "typing"})
# Called by the interpreter when a subclass or an attribute of the class is made.
_HOOKS = frozenset({"__init_subclass__", "__set_name__", "__prepare__", "__class_getitem__"})


def inert(node: ast.AST | None) -> bool:
    """Whether evaluating the expression ``node`` runs no student code (None: nothing to run)."""
    if node is None:
        return True
    try:
        if isinstance(node, ast.Lambda):
            arguments = node.args
            return all(inert(d) for d in [*arguments.defaults, *arguments.kw_defaults])
        return isinstance(node, _INERT) and all(inert(c) for c in ast.iter_child_nodes(node))
    except RecursionError:
        return False


def not_run(statement: ast.stmt) -> str | None:
    """Why loading must not run ``statement`` (a code such as ``DECORATOR``), or None."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return _def(statement)
    if isinstance(statement, ast.ClassDef):
        return _class(statement)
    return None


def _def(statement: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    if not all(_decorator_shape(d) is not None for d in statement.decorator_list):
        return DECORATOR
    a = statement.args
    every = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
    annotations = [arg.annotation for arg in every if arg is not None]
    parts = [*a.defaults, *a.kw_defaults, statement.returns, *annotations]
    return None if all(inert(part) for part in parts) else DEFAULT


def _class(statement: ast.ClassDef) -> str | None:
    if statement.decorator_list:
        return DECORATOR
    if statement.keywords or not all(
        isinstance(b, ast.Name | ast.Attribute) for b in statement.bases
    ):
        return CLASS_BASE
    if not all(inert(base) for base in statement.bases):
        return CLASS_BASE
    for part in statement.body:
        if isinstance(part, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if part.decorator_list:
                return DECORATOR
            if part.name in _HOOKS:
                return CLASS_BODY
            reason = not_run(part)
            if reason is not None:
                return reason
        elif not _inert_statement(part):
            return CLASS_BODY
    return None


def _inert_statement(statement: ast.stmt) -> bool:
    """``pass``, a string, or an assignment of an inert value to plain names."""
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Assign):
        targets = statement.targets
        return all(isinstance(t, ast.Name) for t in targets) and inert(statement.value)
    if isinstance(statement, ast.AnnAssign):
        plain = isinstance(statement.target, ast.Name)
        return plain and inert(statement.annotation) and inert(statement.value)
    return False


def plain_bases(statement: ast.ClassDef, namespace: dict[str, Any]) -> bool:
    """Whether a class's bases (inert, so evaluating them runs no student code) are all classes
    whose type is ``type``: no metaclass of a library (an enum's) calls the class's methods."""
    for base in statement.bases:
        try:
            value = eval(compile(ast.Expression(base), "<base>", "eval"), namespace)
        except Exception:
            return False
        if type(value) is not type:
            return False
    return True


def _decorator_shape(node: ast.expr) -> ast.expr | None:
    """The callable a decorator names (a name or an attribute, called at most once with inert
    arguments), or None when it has another shape."""
    if isinstance(node, ast.Call):
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if not all(inert(argument) for argument in arguments):
            return None
        node = node.func
    return node if isinstance(node, ast.Name | ast.Attribute) and inert(node) else None


def library_decorators(statement: ast.stmt, namespace: dict[str, Any]) -> bool:
    """Whether every decorator of ``statement`` is a callable of one of ``_LIBRARIES``, found
    under its own name in its own module (a student's object that claims a library's module is
    not found there), so applying it runs no student code."""
    for decorator in getattr(statement, "decorator_list", []):
        named = _decorator_shape(decorator)
        if named is None:
            return False
        try:
            value = eval(compile(ast.Expression(named), "<decorator>", "eval"), namespace)
        except Exception:
            return False
        module = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        if not isinstance(module, str) or module.split(".")[0] not in _LIBRARIES:
            return False
        if not isinstance(qualname, str) or "." in qualname:
            return False
        if getattr(sys.modules.get(module), qualname, None) is not value:
            return False
    return True
