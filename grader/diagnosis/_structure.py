"""The structure of a student's loop: which layers it visits, which keys and shapes it makes.

A ``Structure`` is a loop over ``l`` (``range(start, len(layers_dims) + stop)`` or a fixed
range) and, for the weights and the biases, a ``Letter``: the key's spelling (``'W{}'``), what
its number is (``l + shift``, ``layers_dims[l + sized] + shift``, or one ``fixed`` number for
every layer, so that later layers overwrite earlier ones), and the size of each axis
(``layers_dims[l + shift] * times + plus``, or a fixed size). ``_keys`` reads a structure off
the calls; ``moved`` says when two structures are the same code with ``l`` counted from
elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

Dims = tuple[int, ...]


def index(dims: Dims, position: int) -> int:
    """``layers_dims[position]`` as Python reads it: IndexError past either end."""
    if position >= len(dims) or position < -len(dims):
        raise IndexError("list index out of range")
    return int(dims[position])


@dataclass(frozen=True)
class Axis:
    """An axis's size: ``layers_dims[l + shift] * times + plus``, or a fixed ``size``."""

    shift: int | None = None
    size: int | None = None
    times: int = 1
    plus: int = 0

    def length(self, dims: Dims, layer: int) -> int:
        if self.shift is None:
            return int(self.size or 0)
        return index(dims, layer + self.shift) * self.times + self.plus

    def moved(self, by: int) -> Axis:
        return self if self.shift is None else replace(self, shift=self.shift - by)


@dataclass(frozen=True)
class Letter:
    """How one kind of array is keyed and shaped."""

    spelling: str
    axes: tuple[Axis, ...]
    shift: int = 0  # the key's number is l + shift ...
    sized: int | None = None  # ... or layers_dims[l + sized] + shift
    fixed: int | None = None  # ... or this number in every layer

    def number(self, dims: Dims, layer: int) -> int:
        if self.fixed is not None:
            return self.fixed
        if self.sized is not None:
            return index(dims, layer + self.sized) + self.shift
        return layer + self.shift

    def key(self, dims: Dims, layer: int) -> str:
        if "{}" not in self.spelling:
            return self.spelling.replace("{{", "{").replace("}}", "}")
        return self.spelling.format(self.number(dims, layer))

    def shape(self, dims: Dims, layer: int) -> tuple[int, ...]:
        return tuple(axis.length(dims, layer) for axis in self.axes)

    def moved(self, by: int) -> Letter:
        axes = tuple(axis.moved(by) for axis in self.axes)
        if self.fixed is not None:
            return replace(self, axes=axes)
        if self.sized is not None:
            return replace(self, axes=axes, sized=self.sized - by)
        return replace(self, axes=axes, shift=self.shift - by)


@dataclass(frozen=True)
class Loop:
    """``range(start, len(layers_dims) + stop)``, or ``range(start, stop)`` when ``fixed``."""

    start: int = 1
    stop: int = 0
    fixed: bool = False

    def layers(self, dims: Dims) -> range:
        return range(self.start, self.stop if self.fixed else len(dims) + self.stop)


@dataclass(frozen=True)
class Structure:
    loop: Loop
    weights: Letter
    biases: Letter | None

    def moved(self, by: int) -> Structure:
        """The same code with ``l`` counted ``by`` higher."""
        loop = Loop(self.loop.start + by, self.loop.stop + by, self.loop.fixed)
        biases = self.biases.moved(by) if self.biases is not None else None
        return Structure(loop, self.weights.moved(by), biases)

    def kept(self, letter: Letter, dims: Dims) -> dict[str, int]:
        """Each key ``letter`` leaves in the dictionary, with the last layer that wrote it."""
        found: dict[str, int] = {}
        for layer in self.loop.layers(dims):
            found[letter.key(dims, layer)] = layer
        return found


REFERENCE = Structure(
    Loop(),
    Letter("W{}", (Axis(0), Axis(-1))),
    Letter("b{}", (Axis(0), Axis(size=1))),
)
