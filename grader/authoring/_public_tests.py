"""The self-checks students run: hand-written, with their block of published values recomputed."""

from __future__ import annotations

from pathlib import Path

from grader.errors import ReleaseError
from grader.spec import SPEC
from reference.initializers import INITIALIZERS

# The notebook's visible examples (each method's first visible case; see /DESIGN.md for the
# values they publish).
PUBLISHED_INPUTS = {
    entry.method: list(entry.visible_cases[0].layer_dims) for entry in SPEC.functions
}
VALUES_BEGIN, VALUES_END = "# BEGIN PUBLISHED VALUES\n", "# END PUBLISHED VALUES\n"
LINE_LENGTH = 100


def build_public_tests(text: str, path: Path) -> str:
    """``text`` with the block between the published-values markers recomputed."""
    begin, end = text.find(VALUES_BEGIN), text.find(VALUES_END)
    if begin < 0 or end < begin:
        raise ReleaseError(f"{path}: expected the lines {VALUES_BEGIN!r} and {VALUES_END!r}")
    lines = ["PUBLISHED = {"]
    for method, layers_dims in PUBLISHED_INPUTS.items():
        params = INITIALIZERS[method](layers_dims)
        lines += [f'    "{method}": {{', f'        "layers_dims": {layers_dims},']
        for key in sorted(key for key in params if key.startswith("W")):
            lines += _render_matrix(f'        "{key}": ', params[key].tolist())
        lines.append("    },")
    lines.append("}")
    block = "\n".join(lines) + "\n"
    return text[: begin + len(VALUES_BEGIN)] + block + text[end:]


def _render_matrix(prefix: str, rows: list[list[float]]) -> list[str]:
    """``prefix`` and a nested list of floats, laid out as ``ruff format`` would."""
    one_line = prefix + repr(rows) + ","
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    pad = " " * (len(prefix) - len(prefix.lstrip()))
    return [prefix + "[", *(f"{pad}    {row!r}," for row in rows), pad + "],"]
