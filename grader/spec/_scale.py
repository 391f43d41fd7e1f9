"""A weight scale as data: a small arithmetic expression of ``fan_in`` and ``fan_out``.

A method's scale (``"sqrt(2 / fan_in)"``, ``"10"``, ``"0"``) and the wrong scales the diagnosis
knows for it (``"sqrt(2 / (fan_in + fan_out))"``, ``"2 // fan_in"``...) are written as such
expressions, so the model holds them as text: they serialize into its digest, a course's
assignment file can change them, and one expression gives the number (``value``), the numpy code
a hint shows (``code``) and the formula a message quotes for a layer (``formula``). Only numbers,
the two names, ``+ - * / // **``, unary minus and ``sqrt(...)`` are allowed; anything else is
refused when the expression is read.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

NAMES = ("fan_in", "fan_out")
CODE_NAMES = {"fan_in": "layers_dims[l - 1]", "fan_out": "layers_dims[l]", "sqrt": "np.sqrt"}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
}


class ScaleError(ValueError):
    """An expression that is not a scale this module can read."""


def _check(node: ast.AST, text: str) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, text)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, text)
    elif isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "sqrt"):
            raise ScaleError(f"scale {text!r}: the only function is sqrt(...)")
        if len(node.args) != 1 or node.keywords:
            raise ScaleError(f"scale {text!r}: sqrt takes one argument")
        _check(node.args[0], text)
    elif isinstance(node, ast.Name):
        if node.id not in NAMES:
            raise ScaleError(f"scale {text!r}: unknown name {node.id!r} (use fan_in, fan_out)")
    elif not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
        raise ScaleError(f"scale {text!r}: only numbers, fan_in, fan_out, + - * / // ** and sqrt")


def _value(node: ast.AST, names: dict[str, float]) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body, names)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_value(node.left, names), _value(node.right, names))
    if isinstance(node, ast.UnaryOp):
        return -_value(node.operand, names)
    if isinstance(node, ast.Call):
        return math.sqrt(_value(node.args[0], names))
    if isinstance(node, ast.Name):
        return names[node.id]
    assert isinstance(node, ast.Constant)
    assert isinstance(node.value, int | float)
    return float(node.value)


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ScaleError(f"scale {text!r} is not an expression") from None
    _check(tree, text)
    return tree


@dataclass(frozen=True)
class Scale:
    """One scale expression; see the module docstring."""

    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise ScaleError(f"a scale is an expression written as text, not {self.text!r}")
        _parsed(self.text)

    def value(self, fan_in: int, fan_out: int = 1) -> float:
        """The scale for a layer of ``fan_in`` inputs and ``fan_out`` units."""
        names = {"fan_in": float(fan_in), "fan_out": float(fan_out)}
        return float(_value(_parsed(self.text), names))

    @property
    def per_layer(self) -> bool:
        """Whether the scale depends on the layer's sizes (a constant does not)."""
        return any(name in self.text for name in NAMES)

    @property
    def reads_fan_out(self) -> bool:
        """Whether the scale depends on the layer's units as well as its inputs (Glorot's)."""
        return "fan_out" in self.text

    @property
    def code(self) -> str:
        """The expression as a student writes it: ``np.sqrt(2 / layers_dims[l - 1])``."""
        text = self.text
        for name, code in CODE_NAMES.items():
            text = text.replace(name, code)
        return text

    def formula(self, fan_in: int, fan_out: int = 1) -> str:
        """The expression for one layer, as a message quotes it: ``sqrt(2/60)``."""
        text = self.text.replace(" ", "")
        return text.replace("fan_in", str(fan_in)).replace("fan_out", str(fan_out))
