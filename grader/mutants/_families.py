"""Mutants outside the catalogue: two mutations applied together, and scales drawn at random.

``pairs`` takes a catalogue mutant and applies to it a second mutation, found by running the same
operators on the mutated function, of another part of the code (the structure, the random
stream, the scale, the biases...), so that each states its own mistakes. A mutation whose effect
the other hides (a draw before the loop, then a seed in every layer) is found by running the
pair, the first mutant and the second alone on the graded inputs: what the pair does not change
is not expected. ``formulas`` puts scales drawn from the grammar (``_formulas``) into the He and
random initializations. Both are drawn with ``RandomState`` of fixed seeds, so the families are
the same on every run.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Sequence

import numpy as np

from grader.mistakes import Mistake
from grader.mutants._catalogue import Mutant, mutants
from grader.mutants._equivalence import load_function
from grader.mutants._expressions import expression_edits
from grader.mutants._formulas import formulas as drawn_formulas
from grader.mutants._notebooks import read_source, solution_functions
from grader.mutants._sites import Edit, Expect, scale_formula
from grader.mutants._statements import statement_edits
from grader.mutants._truth import formula_values
from grader.sandbox import local_caller
from grader.spec import BASE_PRESEED, OTHER_PRESEED, SCALE_PROBE_DIMS, SPEC

PAIRS_SEED = 20_240_601
FORMULAS_SEED = 20_240_602
# Parts of the code a mistake belongs to; two mutations of one part may undo each other.
PARTS = {
    "seed": "stream", "draws": "stream", "scale": "scale", "keys": "keys", "loop": "loop",
    "shape": "shape", "biases": "biases", "weights": "weights",
}  # fmt: skip
UNPAIRED = ("raised.", "returned.", "layout.", "loop.fixed", "fact.", "example.")


def _parts(expect: Expect) -> set[str] | None:
    """The parts of the code the mistakes belong to (None: not a mutation to pair)."""
    if not expect or any(m.id.startswith(UNPAIRED) for m in expect):
        return None
    found = {PARTS[m.id.split(".")[0]] for m in expect}
    if any(m.id == "draws.distribution" for m in expect):
        found.add("scale")  # uniform draws are written as an interval that holds the scale
    return found


def _tree(source: str) -> ast.FunctionDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def _edits(tree: ast.FunctionDef, example: Sequence[int]) -> Iterator[Edit]:
    """Every single mutation of an already mutated function; an operator that does not apply to
    its new shape (a key renamed, a statement moved) proposes nothing."""
    for kind in ("expression", "statement"):
        try:
            edits = list(
                expression_edits(tree, example) if kind == "expression" else statement_edits(tree)
            )
        except (StopIteration, RuntimeError, ValueError, AssertionError, IndexError):
            continue
        yield from edits


def _plain(change: str) -> str:
    return re.sub(r"^line \d+: ", "", change)


@functools.lru_cache(maxsize=1)
def _inputs() -> tuple[tuple[int, ...], ...]:
    from grader.checks.strategies import property_inputs

    cases = [c.layer_dims for e in SPEC.functions for c in e.exact_cases]
    return (*cases, SCALE_PROBE_DIMS, *(tuple(d) for d in property_inputs(6)))


@functools.lru_cache(maxsize=512)
def _outputs(source: str, name: str) -> list[object]:
    caller = local_caller(load_function(source, name), name)  # type: ignore[arg-type]
    found: list[object] = []
    for dims in _inputs():
        for preseed in (BASE_PRESEED, OTHER_PRESEED):
            result = caller(list(dims), preseed)
            value = result.value or {}
            found.append(
                (
                    result.status,
                    {k: v.tobytes() + bytes(str(v.shape), "ascii") for k, v in value.items()},
                )
            )
    return found


def merged(one: Expect, two: Expect) -> Expect:
    """Both mutations' mistakes, as a diagnosis words them together (the key numbering or names
    that weights and biases share is one mistake)."""
    found = list(one)
    for mistake in two:
        twin = next((m for m in found if m.id == mistake.id and mistake.id in SHARED), None)
        if twin is None:
            found.append(mistake)
            continue
        fields = {**dict(twin.fields), **dict(mistake.fields)}
        if mistake.id == "keys.numbering" and twin.get("first") == mistake.get("first"):
            fields["letter"] = "both"
        elif mistake.id == "keys.numbering":
            found.append(mistake)
            continue
        found[found.index(twin)] = Mistake.of(mistake.id, **fields)
    return tuple(found)


SHARED = ("keys.numbering", "keys.names")


def _pair(first: Mutant, edit: Edit, singles: dict[tuple[str, str, str], Mutant]) -> Mutant | None:
    source = ast.unparse(edit.tree)
    pair = _outputs(source, first.function)
    expect = merged(first.expect, edit.expect)
    if pair == _outputs(first.source, first.function):
        return None  # the second mutation changes nothing the first left
    alone = singles.get((first.function, edit.kind, _plain(edit.change)))
    if alone is not None and pair == _outputs(alone.source, alone.function):
        return None  # the first is hidden by the second
    change = f"{first.change}; and {edit.change}"
    ident = f"{first.ident}+{edit.kind.replace(' ', '-')}"
    return Mutant(ident, first.function, first.method, "pair", change, source, expect, "", "pair")


def _second(first: Mutant, rs: np.random.RandomState, example: Sequence[int]) -> Edit | None:
    """A mutation of another part of ``first``'s function, drawn at random, or None."""
    parts = _parts(first.expect)
    if parts is None:
        return None
    edits = []
    for edit in _edits(_tree(first.source), example):
        other = _parts(edit.expect)
        if other is not None and not parts & other:
            edits.append(edit)
    return edits[int(rs.randint(len(edits)))] if edits else None


def pairs(per_function: int, seed: int = PAIRS_SEED) -> tuple[Mutant, ...]:
    """``per_function`` pairs of mutations of each graded function, drawn reproducibly: a
    catalogue mutant at random, then a mutation of another part of its function at random."""
    singles = {(m.function, m.kind, _plain(m.change)): m for m in mutants()}
    rs = np.random.RandomState(seed)
    found: list[Mutant] = []
    for entry in SPEC.functions:
        example = entry.visible_cases[0].layer_dims
        firsts = [m for m in mutants() if m.function == entry.name]
        kept: set[str] = set()
        for index in rs.permutation(len(firsts)):
            if len(kept) == per_function:
                break
            first = firsts[int(index)]
            second = _second(first, rs, example)
            made = _pair(first, second, singles) if second is not None else None
            if made is not None and made.source not in kept:
                kept.add(made.source)
                found.append(made)
    return tuple(found)


# -- scales drawn from the grammar -------------------------------------------------------------


def _scaled(tree: ast.FunctionDef, code: str) -> ast.FunctionDef | None:
    """The function with the factor of ``randn(...) * factor`` replaced by ``code``."""
    for node in ast.walk(tree):
        scaled = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
        if scaled and ast.unparse(node.left).startswith("np.random.randn("):  # type: ignore[attr-defined]
            node.right = ast.parse(code, mode="eval").body  # type: ignore[attr-defined]
            return ast.fix_missing_locations(tree)
    return None


def _usable(formula: str, reference: np.ndarray, seen: set[bytes]) -> bool:
    values = formula_values(formula)
    if values is None:
        return False
    array = np.asarray(values)
    if not np.all(np.isfinite(array)) or np.any(array <= 0) or np.allclose(array, reference):
        return False
    key = np.round(array, 9).tobytes()
    if key in seen:
        return False
    seen.add(key)
    return True


def formulas(per_function: int, seed: int = FORMULAS_SEED) -> tuple[Mutant, ...]:
    """``per_function`` scales drawn from the grammar, in each initialization that has one."""
    trees = solution_functions(read_source())
    drawn = drawn_formulas(seed)
    found: list[Mutant] = []
    for entry in SPEC.functions:
        original = scale_formula(trees[entry.name])
        reference = formula_values(original) if original else None
        if reference is None:
            continue
        seen: set[bytes] = set()
        for number in range(1, per_function + 1):
            formula, code = next(drawn)
            while not _usable(formula, np.asarray(reference), seen):
                formula, code = next(drawn)
            tree = _scaled(_tree(ast.unparse(trees[entry.name])), code)
            assert tree is not None
            expect = (Mistake.of("scale.expression", formula=formula),)
            found.append(
                Mutant(
                    f"{entry.method}-formula-{number}", entry.name, entry.method, "formula",
                    f"scale -> {code}", ast.unparse(tree), expect, "", "formula",
                )
            )  # fmt: skip
    return tuple(found)
