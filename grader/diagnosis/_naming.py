"""Which formula a scale is: the method's own, or one with a name (Xavier, Glorot...).

Two formulas are the same when they give the same value in every layer of the graded inputs
(``standard_rows``), whatever their text; a method's own scale comes from its record
(``FunctionSpec.scale``), and every method record's scale is a known formula named after the
method, never a formula written here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from grader.diagnosis._grammar import QUANTITIES, Formula, layer_table
from grader.spec import METHODS, Scale, WrongScale

# Published formulas with a name of their own that no method record holds, to say which one a
# student used (found by their values); the methods' own scales are named after their records.
PUBLISHED: dict[str, str] = {
    "glorot": "sqrt(2 / (fan_in + fan_out))",
    "glorot_uniform": "sqrt(6 / (fan_in + fan_out))",
    "he_fan_out": "sqrt(2 / fan_out)",
    "unit": "1",
}


STANDARD_INPUTS = 120  # layers_dims on which two formulas are compared
STANDARD_SEED = 20_240_603


@functools.lru_cache(maxsize=1)
def standard_rows() -> list[tuple[tuple[int, ...], int]]:
    """Layers on which two expressions are compared: those of many layers_dims of 2 to 6 sizes
    from 1 to 300, drawn once from a seed of their own (formulas that agree on all of them are
    the same for any network the exercise grades)."""
    state = np.random.RandomState(STANDARD_SEED)
    rows = []
    for _ in range(STANDARD_INPUTS):
        dims = tuple(int(n) for n in state.randint(1, 301, size=int(state.randint(2, 7))))
        rows += [(dims, layer) for layer in range(1, len(dims))]
    return rows


@functools.lru_cache(maxsize=1)
def standard_table() -> dict[str, np.ndarray]:
    return layer_table(standard_rows())


def same_values(expression: Formula, values: np.ndarray) -> bool:
    got = expression.values(standard_table())
    return bool(np.allclose(got, values, rtol=1e-9, atol=0.0))


def reference_values(scale: Scale) -> np.ndarray:
    """A method's scale (its record's) in every standard layer."""
    return _scale_values(scale.text)


@functools.lru_cache(maxsize=16)
def _scale_values(text: str) -> np.ndarray:
    values = np.asarray(_evaluate(text), dtype=np.float64)
    values.setflags(write=False)
    return values


def known() -> dict[str, str]:
    """Every named formula: each method record's scale under the method's name, then the
    published ones."""
    methods = {name: rules.scale.text for name, rules in METHODS.items() if not rules.zero}
    return {**methods, **{k: v for k, v in PUBLISHED.items() if k not in methods}}


def _evaluate(text: str) -> np.ndarray:
    table = standard_table()
    scope = {"sqrt": np.sqrt, **{name: table[name] for name in QUANTITIES}}
    return np.broadcast_to(
        eval(text, {"__builtins__": {}}, scope), table["l"].shape
    )  # our own text


def known_name(expression: Formula, wrong: Sequence[WrongScale] = ()) -> str:
    """The name of the formula ``expression`` is: a method's or a published one, else one of
    the wrong scales the method's record lists (``wrong``); "" when it has none."""
    named = [*known().items(), *((w.name, w.scale.text) for w in wrong)]
    for name, text in named:
        if same_values(expression, _scale_values(text)):
            return name
    return ""
