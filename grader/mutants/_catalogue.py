"""Every single-point mutant of the solution's graded functions, and the correct rewrites.

``mutants()`` runs each operator of ``_expressions`` and ``_statements`` over each graded
function of the solution notebook and keeps one mutant per distinct source. ``rewrites()`` are
the other correct ways to write each function, from ``_rewrites``; they must earn full marks.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

from grader.mistakes import Diagnosis
from grader.mutants._expressions import expression_edits
from grader.mutants._notebooks import read_source, solution_functions
from grader.mutants._rewrites import REWRITES
from grader.mutants._sites import Expect
from grader.mutants._statements import statement_edits
from grader.mutants._truth import verdict
from grader.spec import SPEC


@dataclass(frozen=True)
class Mutant:
    """One mutation of one graded function, with what its "Likely mistake" must name.

    ``expect`` holds the mistakes the mutation produces (``grader.mutants._truth``); empty, the
    mutant is expected to be equivalent for the reason ``why``. ``family`` says where it comes
    from: ``single`` (one change of the catalogue), ``pair`` (two applied together) or
    ``formula`` (a scale drawn at random from the grammar)."""

    ident: str
    function: str
    method: str
    kind: str
    change: str
    source: str
    expect: Expect
    why: str = ""
    family: str = "single"

    def verdict(self, diagnosis: Diagnosis | None) -> str:
        """named, wrong, partly or silent: what ``diagnosis`` says of this mutation."""
        return verdict(self.expect, diagnosis)

    def named_by(self, diagnosis: Diagnosis | None) -> bool:
        """Whether ``diagnosis`` names this mutation."""
        return bool(self.expect) and self.verdict(diagnosis) == "named"


@dataclass(frozen=True)
class Rewrite:
    """A correct way to write one graded function, other than the solution's."""

    ident: str
    function: str
    method: str
    description: str
    source: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@functools.lru_cache(maxsize=1)
def mutants() -> tuple[Mutant, ...]:
    """Every distinct single-point mutant of the three graded functions, in a stable order."""
    functions = solution_functions(read_source())
    found: list[Mutant] = []
    for entry in SPEC.functions:
        tree = functions[entry.name]
        original = ast.unparse(tree)
        example = entry.visible_cases[0].layer_dims
        seen = {original}
        counts: dict[str, int] = {}
        for edit in (*expression_edits(tree, example), *statement_edits(tree)):
            source = ast.unparse(edit.tree)
            if source in seen:
                continue
            seen.add(source)
            counts[edit.kind] = counts.get(edit.kind, 0) + 1
            ident = f"{entry.method}-{_slug(edit.kind)}-{counts[edit.kind]}"
            found.append(
                Mutant(
                    ident,
                    entry.name,
                    entry.method,
                    edit.kind,
                    edit.change,
                    source,
                    edit.expect,
                    edit.why,
                )
            )
    return tuple(found)


def rewrites() -> tuple[Rewrite, ...]:
    """The correct rewrites of every graded function."""
    methods = {entry.name: entry.method for entry in SPEC.functions}
    seed = f"np.random.seed({SPEC.exercise.seed})"
    return tuple(
        Rewrite(
            f"{methods[name]}-{_slug(description)}",
            name,
            methods[name],
            description,
            source.replace("np.random.seed(SEED)", seed),
        )
        for name, description, source in REWRITES
    )
