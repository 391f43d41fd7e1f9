"""Wrong shapes with the right keys: where each axis's size comes from.

Over every call that returned the right keys, each axis of each ``W`` (and ``b``) is matched with
the sizes it should follow, ``layers_dims[l]`` for rows and ``layers_dims[l - 1]`` for columns,
and with what a slip gives instead: ``layers_dims[l - 1]``, ``layers_dims[l]``,
``layers_dims[l + 1]``, or one fixed number in every layer (a size copied from the example).
"""

from __future__ import annotations

from grader.diagnosis._evidence import Dims, Evidence
from grader.mistakes import Diagnosis, Mistake
from grader.spec import expected_keys, expected_shapes
from grader.types import Params

INDEXED = ((0, "layers_dims[l]"), (-1, "layers_dims[l - 1]"), (1, "layers_dims[l + 1]"))
WANTED = {
    ("W", 0): "layers_dims[l]",
    ("W", 1): "layers_dims[l - 1]",
    ("b", 0): "layers_dims[l]",
    ("b", 1): "1",
}
AXES = ("rows", "columns")


def _source(sizes: list[tuple[Dims, int, int]]) -> str | None:
    """The one formula every (layers_dims, layer, size) follows, or None."""
    for shift, text in INDEXED:
        if all(0 <= layer + shift < len(d) and d[layer + shift] == n for d, layer, n in sizes):
            return text
    found = {n for _, _, n in sizes}
    return str(found.pop()) if len(found) == 1 else None


def _sizes(ev: Evidence, letter: str, axis: int) -> list[tuple[Dims, int, int]]:
    sizes = []
    for dims, params in ev.returned():
        if set(params) != set(expected_keys(dims)):
            continue
        for layer in range(1, len(dims)):
            value = params[f"{letter}{layer}"]
            if value.ndim != 2:
                return []
            sizes.append((dims, layer, int(value.shape[axis])))
    return sizes


def _first_wrong(ev: Evidence, letter: str) -> tuple[Dims, str, Params] | None:
    for dims, params in ev.returned():
        if not ev.quotable(dims) or set(params) != set(expected_keys(dims)):
            continue
        for key, shape in expected_shapes(dims).items():
            if key.startswith(letter) and params[key].shape != shape:
                return dims, key, params
    return None


def shapes(ev: Evidence) -> Diagnosis | None:
    """Name the axis whose size comes from the wrong place, for W first, then b."""
    for letter in "Wb":
        wrong = _first_wrong(ev, letter)
        if wrong is None:
            continue
        dims, key, params = wrong
        axes = []  # (axis, the size it follows or None when unclear, the size it should follow)
        for axis in (0, 1):
            used = _source(_sizes(ev, letter, axis))
            if used != WANTED[(letter, axis)]:
                axes.append((AXES[axis], used, WANTED[(letter, axis)]))
        if axes:
            formula = "(" + ", ".join(WANTED[(letter, a)] for a in (0, 1)) + ")"
            found = Mistake.of(
                "shape.axis", dims=list(dims), key=key, got=params[key].shape,
                expected=expected_shapes(dims)[key], formula=formula, axes=axes,
            )  # fmt: skip
            return Diagnosis((found,))
    return None
