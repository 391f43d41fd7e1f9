"""A hypothesis: a small, explicit description of the code a student wrote, and running it.

A ``Hypothesis`` composes independent parts: the loop's ``Structure`` (keys, layers, shapes),
the ``Stream`` its draws come from (generator, seed and where it is set, extra draws, their
order and layout), how a layer's ``Values`` are made from its draws (a transform, a scale
expression, a shift), the ``Biases``, and the dtypes. ``run`` executes it on one
``layers_dims`` the way such code would, with a generator of its own: the same numbers, the same
``IndexError`` when it reads past the end of the list. A hypothesis is believed only when
``run`` rebuilds what the student's function returned on every call (``_search``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.diagnosis._grammar import Expression, Formula
from grader.diagnosis._placing import Fit, transformed
from grader.diagnosis._streams import Source, draw, generator, long_stream
from grader.diagnosis._structure import Dims, Structure
from grader.types import Params


@dataclass(frozen=True)
class Count:
    """How many numbers an extra draw takes: ``fixed``, plus ``layers_dims[l + shift]`` or
    ``layers_dims[index]``, or the layer's weight count."""

    fixed: int = 0
    shift: int | None = None
    index: int | None = None
    weights: bool = False

    def value(self, dims: Dims, layer: int, weight_count: int) -> int:
        total = self.fixed
        if self.shift is not None:
            total += int(dims[layer + self.shift])
        if self.index is not None:
            total += int(dims[self.index])
        if self.weights:
            total += weight_count
        return total

    @property
    def none(self) -> bool:
        return self == Count()


@dataclass(frozen=True)
class Stream:
    """Where the draws come from and in what order they are taken."""

    source: Source = field(default_factory=Source)
    reseed: str = ""  # "each": seeded again at the top of every layer; "after": at its end
    layout: str = "C"  # "F": drawn with the shape turned round, then transposed
    reverse: bool = False  # the layers are drawn last one first
    before: Count = Count()  # numbers drawn before the loop
    extra: Count = Count()  # numbers drawn in every layer besides the weights and biases
    extra_first: bool = False  # ... before the weights
    bias_first: bool = False  # drawn biases come before the weights


@dataclass(frozen=True)
class Values:
    """A layer's numbers: ``scale * T(z) + shift``, or a constant when nothing is drawn."""

    drawn: bool = True
    transform: str = "none"
    scale: Formula = field(default_factory=lambda: Expression(1.0))
    shift: Formula | None = None
    bound: float = 0.0  # the clipping bound or the decimals of rounding
    constant: float = 0.0  # the value of every entry when nothing is drawn
    clip_first: bool = False  # the draws are clipped to +-bound before they are scaled


@dataclass(frozen=True)
class Hypothesis:
    structure: Structure
    stream: Stream = Stream()
    weights: Values = Values()
    biases: Values = Values(drawn=False)
    dtypes: tuple[tuple[str, str], ...] = ()  # ("W" or "b", the dtype) for arrays not float64
    notes: tuple[str, ...] = field(default=(), compare=False)


class CannotRun(Exception):
    """The hypothesis cannot rebuild this call (its draws depend on state it does not know)."""


def _letter_dtype(h: Hypothesis, letter: str) -> str | None:
    return dict(h.dtypes).get(letter)


def _finish(values: np.ndarray, dtype: str | None) -> np.ndarray:
    if dtype is None:
        return values
    with np.errstate(invalid="ignore", over="ignore"):
        return values.astype(dtype).astype(np.float64)


def _layer_values(
    values: Values, z: np.ndarray | None, shape: tuple[int, ...], scale: float, shift: float
) -> np.ndarray:
    if not values.drawn or z is None:
        return np.full(shape, values.constant, dtype=np.float64)
    bound = values.bound * abs(scale) if values.clip_first else values.bound
    return transformed(z, Fit(values.transform, scale, shift, bound))


class _Run:
    """One call of a hypothesis: a cursor in the stream of numbers its generator gives.

    Drawing ``a`` numbers then ``b`` gives the first ``a + b`` numbers of one stream (numpy's
    generators keep their place between calls, the legacy one its spare normal too), so the
    draws are read from the cached stream of the seed, and a new seed starts at its beginning."""

    def __init__(self, h: Hypothesis, dims: Dims, preseed: int | None) -> None:
        self.h, self.dims, self.preseed = h, dims, preseed
        self.seed: int | None = None
        self.numbers: np.ndarray | None = None
        self.position = 0
        if h.weights.drawn or h.biases.drawn:
            # seeded only at the end of each layer: the first draws come from the call's state
            first = preseed if h.stream.reseed == "after" else None
            self.reseed(first)

    def reseed(self, seed: int | None = None) -> None:
        """Start the stream again from ``seed`` (None: the hypothesis's own seed)."""
        source = self.h.stream.source
        self.seed = seed if seed is not None else source.seeded(self.preseed)
        if self.seed is None:
            raise CannotRun("the draws depend on a state the grader does not set")
        self.position = 0
        self.numbers = long_stream(source, self.seed)

    def take(self, shape: tuple[int, ...], layout: str = "C") -> np.ndarray:
        assert self.numbers is not None
        count = int(np.prod(shape))
        end = self.position + count
        if end > self.numbers.size:
            assert self.seed is not None
            source = self.h.stream.source
            self.numbers = draw(generator(source, self.seed), source.distribution, (end,))
        piece = self.numbers[self.position : end]
        self.position = end
        if layout == "F" and len(shape) == 2:
            return np.asarray(piece.reshape(shape[::-1]).T)
        return np.asarray(piece.reshape(shape))

    def skip(self, count: int) -> None:
        if count > 0:
            self.take((count,))


def run(h: Hypothesis, dims: Dims, preseed: int | None, scales: ScaleTable) -> Params:
    """What code of this hypothesis returns for ``dims`` (IndexError when it reads past the end)."""
    state = _Run(h, dims, preseed)
    stream, structure = h.stream, h.structure
    if state.numbers is not None:
        state.skip(stream.before.value(dims, 0, 0))
    layers = list(structure.loop.layers(dims))
    out: Params = {}
    for layer in reversed(layers) if stream.reverse else layers:
        if stream.reseed == "each" and state.numbers is not None:
            state.reseed()
        w_shape = structure.weights.shape(dims, layer)
        b_shape = structure.biases.shape(dims, layer) if structure.biases else None
        w, b = _iteration(h, state, dims, layer, w_shape, b_shape, scales)
        out[structure.weights.key(dims, layer)] = _finish(w, _letter_dtype(h, "W"))
        if structure.biases is not None and b is not None:
            out[structure.biases.key(dims, layer)] = _finish(b, _letter_dtype(h, "b"))
        if stream.reseed == "after" and state.numbers is not None:
            state.reseed()
    return out


def _iteration(
    h: Hypothesis,
    state: _Run,
    dims: Dims,
    layer: int,
    w_shape: tuple[int, ...],
    b_shape: tuple[int, ...] | None,
    scales: ScaleTable,
) -> tuple[np.ndarray, np.ndarray | None]:
    stream = h.stream
    size = int(np.prod(w_shape))
    extra = stream.extra.value(dims, layer, size) if state.numbers is not None else 0
    bias_z = None
    if stream.extra_first:
        state.skip(extra)
    if h.biases.drawn and b_shape is not None and stream.bias_first:
        bias_z = state.take(b_shape)
    w_z = state.take(w_shape, stream.layout) if h.weights.drawn else None
    if h.biases.drawn and b_shape is not None and not stream.bias_first:
        bias_z = state.take(b_shape)
    if not stream.extra_first:
        state.skip(extra)
    w_scale, w_shift = scales.of("W", dims, layer)
    b_scale, b_shift = scales.of("b", dims, layer)
    w = _layer_values(h.weights, w_z, w_shape, w_scale, w_shift)
    b = _layer_values(h.biases, bias_z, b_shape, b_scale, b_shift) if b_shape is not None else None
    return w, b


class ScaleTable:
    """Each layer's scale and shift under a hypothesis, computed for all layers at once."""

    def __init__(self, h: Hypothesis, rows: list[tuple[Dims, int]]) -> None:
        from grader.diagnosis._grammar import layer_table

        self.index = {row: i for i, row in enumerate(rows)}
        table = layer_table(rows)
        self.values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for letter, values in (("W", h.weights), ("b", h.biases)):
            scale = values.scale.values(table)
            shift = values.shift.values(table) if values.shift is not None else scale * 0
            self.values[letter] = (scale, shift)

    def of(self, letter: str, dims: Dims, layer: int) -> tuple[float, float]:
        i = self.index[(dims, layer)]
        scale, shift = self.values[letter]
        return float(scale[i]), float(shift[i])
