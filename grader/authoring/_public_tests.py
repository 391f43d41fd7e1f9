"""The self-checks students run: hand-written, with their block of generated values and names.

The block between the markers is written from the model: the exercise's seed, each graded
method's published values (its first visible case, from reference/ with that seed), its title,
its scale, the ``<function>_test`` function students call, and ``__all__``. The rest of the
file is edited by hand and reads what it needs from the block, so a course's term with another
seed or another method gets its own self-checks from the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.errors import ReleaseError
from grader.spec import SPEC, AssignmentSpec, FunctionSpec
from reference.initializers import INITIALIZERS

VALUES_BEGIN, VALUES_END = "# BEGIN PUBLISHED VALUES\n", "# END PUBLISHED VALUES\n"
LINE_LENGTH = 100
# The notebook's visible examples (each method's first visible case; see /DESIGN.md for the
# values they publish).
PUBLISHED_INPUTS = {
    entry.method: list(entry.visible_cases[0].layer_dims) for entry in SPEC.functions
}


def build_public_tests(text: str, path: Path, spec: AssignmentSpec = SPEC) -> str:
    """``text`` with the block between the published-values markers recomputed for ``spec``."""
    begin, end = text.find(VALUES_BEGIN), text.find(VALUES_END)
    if begin < 0 or end < begin:
        raise ReleaseError(f"{path}: expected the lines {VALUES_BEGIN!r} and {VALUES_END!r}")
    names = sorted(f"{entry.name}_test" for entry in spec.functions)
    lines = ["__all__ = [", *(f'    "{name}",' for name in names), "]", ""]
    lines += [f"SEED = {spec.exercise.seed}  # every initializer calls np.random.seed(SEED) once"]
    lines += _published(spec)
    lines += ["# How each method is named where the checks have no words of their own for it."]
    lines += ["TITLES = {", *(f'    "{e.method}": {json.dumps(e.title)},' for e in spec.functions)]
    lines += ["}"]
    lines += ["# Weight scale of each method for a layer of fan_in = layers_dims[l-1] inputs and"]
    lines += ["# fan_out = layers_dims[l] units."]
    lines += ["EXPECTED_SCALE = {"]
    lines += [
        f'    "{e.method}": lambda fan_in, fan_out: {_code(e)},'
        for e in spec.functions
        if not e.zero
    ]
    lines += ["}", ""]
    for entry in spec.functions:
        check = f'    _run_checks(target, "{entry.method}")'
        lines += ["", f"def {entry.name}_test(target):", check, ""]
    block = "\n".join([*lines, ""]) + "\n"
    return text[: begin + len(VALUES_BEGIN)] + block + text[end:]


def _published(spec: AssignmentSpec) -> list[str]:
    lines = ["PUBLISHED = {"]
    for entry in spec.functions:
        layers_dims = list(entry.visible_cases[0].layer_dims)
        params = INITIALIZERS[entry.method](layers_dims, spec.exercise.seed)
        lines += [f'    "{entry.method}": {{', f'        "layers_dims": {layers_dims},']
        for key in sorted(key for key in params if key.startswith("W")):
            lines += _render_matrix(f'        "{key}": ', params[key].tolist())
        lines.append("    },")
    lines.append("}")
    return lines


def _code(entry: FunctionSpec) -> str:
    """The method's scale as numpy code of ``fan_in`` and ``fan_out`` (a float, as the checks
    compare)."""
    text = entry.scale.text.replace("sqrt(", "np.sqrt(")
    return text if entry.scale.per_layer else f"{float(entry.scale.value(1))!r}"


def _render_matrix(prefix: str, rows: list[list[float]]) -> list[str]:
    """``prefix`` and a nested list of floats, laid out as ``ruff format`` would."""
    one_line = prefix + repr(rows) + ","
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    pad = " " * (len(prefix) - len(prefix.lstrip()))
    return [prefix + "[", *(f"{pad}    {row!r}," for row in rows), pad + "],"]
