"""A hypothesis's deviations from the exercise's code, as mistake values.

Each part of a hypothesis that differs from the reference is one ``Mistake`` (its id names the
kind, its fields the particulars, in the student's terms where they exist: the seed, the key
spellings, the formula as code; what the method's record expects: its seed, its scale). The
number of mistakes is a hypothesis's cost: the search names
the cheapest hypotheses that rebuild the student's numbers.

Ids (stable; ``grader.messages`` words them):

- structure: ``loop.start``, ``loop.stop``, ``loop.fixed``, ``keys.names``,
  ``keys.numbering``, ``keys.by_size``, ``keys.same``, ``keys.missing``, ``shape.transposed``,
  ``shape.axis``, ``shape.axes``, ``biases.shape``;
- random stream: ``seed.missing``, ``seed.value``, ``seed.per_layer``, ``draws.generator``,
  ``draws.distribution``, ``draws.transposed``, ``draws.order``, ``draws.extra``,
  ``draws.transform``, ``draws.shift``;
- values: ``scale.expression``, ``scale.added``, ``weights.constant``, ``weights.drawn``,
  ``biases.value``, ``biases.drawn``.
"""

from __future__ import annotations

import numpy as np

from grader.diagnosis._grammar import Expression, Formula, Sum
from grader.diagnosis._hypothesis import Count, Hypothesis, Stream, Values
from grader.diagnosis._naming import (
    known_name,
    reference_values,
    same_values,
    standard_table,
)
from grader.diagnosis._structure import REFERENCE, Axis, Letter, Structure
from grader.mistakes import Mistake
from grader.spec import FunctionSpec


def _expression(
    id_: str, expression: Formula, rules: FunctionSpec | None = None, **extra: object
) -> Mistake:
    name = known_name(expression, rules.wrong_scales if rules is not None else ())
    return Mistake.of(id_, formula=expression.text(), code=expression.code(), name=name, **extra)


# -- structure ---------------------------------------------------------------------------------


def _axis_text(axis: Axis) -> str:
    """An axis's size as the student's code writes it: ``layers_dims[l - 1] * 10``."""
    if axis.shift is None:
        return str(axis.size)
    text = (
        "layers_dims[l]"
        if axis.shift == 0
        else (f"layers_dims[l {'+' if axis.shift > 0 else '-'} {abs(axis.shift)}]")
    )
    if axis.times != 1:
        text += f" * {axis.times}"
    if axis.plus:
        text += f" {'+' if axis.plus > 0 else '-'} {abs(axis.plus)}"
    return text


def _shape_text(axes: tuple[Axis, ...]) -> str:
    inner = ", ".join(_axis_text(a) for a in axes)
    return f"({inner},)" if len(axes) == 1 else f"({inner})"


def _letter(found: Letter | None, want: Letter, letter: str) -> list[Mistake]:
    if found is None:
        return [Mistake.of("keys.missing", letter=letter)]
    mistakes = []
    if found.fixed is not None:
        mistakes.append(Mistake.of("keys.same", letter=letter, key=found.key((), 0)))
    elif found.sized is not None:
        code = _axis_text(Axis(found.sized, plus=found.shift))
        mistakes.append(Mistake.of("keys.by_size", letter=letter, code=code))
    elif found.shift != want.shift:
        mistakes.append(Mistake.of("keys.numbering", letter=letter, first=1 + found.shift))
    if found.axes == want.axes:
        return mistakes
    if letter == "b":
        shape, wanted = _shape_text(found.axes), _shape_text(want.axes)
        return [*mistakes, Mistake.of("biases.shape", shape=shape, want=wanted)]
    if found.axes == want.axes[::-1]:
        return [*mistakes, Mistake.of("shape.transposed")]
    for position, (got, wanted_axis) in enumerate(zip(found.axes, want.axes, strict=True)):
        if got != wanted_axis:
            mistakes.append(
                Mistake.of(
                    "shape.axis",
                    axis=("rows", "columns")[position],
                    source=_axis_text(got),
                    fixed=got.shift is None,
                    want=_axis_text(wanted_axis),
                )
            )
    return mistakes


MERGED = ("keys.numbering", "keys.by_size")  # said once when weights and biases share them


def structure_mistakes(found: Structure, reference: Structure = REFERENCE) -> list[Mistake]:
    mistakes: list[Mistake] = []
    loop, want = found.loop, reference.loop
    if loop.fixed:
        mistakes.append(Mistake.of("loop.fixed", start=loop.start, count=loop.stop - loop.start))
    else:
        if loop.start != want.start:
            mistakes.append(Mistake.of("loop.start", start=loop.start))
        if loop.stop != want.stop:
            mistakes.append(Mistake.of("loop.stop", stop=loop.stop - want.stop))
    spellings = (found.weights.spelling, found.biases.spelling if found.biases else None)
    wanted = (reference.weights.spelling, reference.biases.spelling if reference.biases else None)
    if spellings != wanted and found.biases is not None:
        mistakes.append(Mistake.of("keys.names", weights=spellings[0], biases=spellings[1]))
    elif spellings[0] != wanted[0]:
        mistakes.append(Mistake.of("keys.names", weights=spellings[0], biases=None))
    assert reference.biases is not None
    weights = _letter(found.weights, reference.weights, "W")
    biases = _letter(found.biases, reference.biases, "b")
    for both in [m for m in weights if m.id in MERGED]:
        twin = Mistake(both.id, tuple((k, "b" if k == "letter" else v) for k, v in both.fields))
        if twin in biases:
            biases.remove(twin)
            weights[weights.index(both)] = Mistake.of(
                both.id, **{**dict(both.fields), "letter": "both"}
            )
    return mistakes + weights + biases


# -- the stream and the values -------------------------------------------------------------------


def _count_text(count: Count) -> str:
    parts = []
    if count.weights:
        parts.append("the weights' count")
    if count.shift is not None:
        parts.append(_axis_text(Axis(count.shift)))
    if count.index is not None:
        parts.append(f"layers_dims[{count.index}]")
    if count.fixed or not parts:
        parts.append(str(count.fixed))
    return " + ".join(parts)


def stream_mistakes(stream: Stream, seed: int) -> list[Mistake]:
    """The deviations of ``stream`` from the exercise's: ``seed`` once, then randn per layer."""
    found = []
    source = stream.source
    if source.seed is None:
        found.append(Mistake.of("seed.missing", exercise_seed=seed))
    elif source.seed != seed:
        found.append(Mistake.of("seed.value", seed=source.seed, exercise_seed=seed))
    if stream.reseed == "each":
        found.append(Mistake.of("seed.per_layer", exercise_seed=seed))
    elif stream.reseed == "after":
        found.append(Mistake.of("seed.after_each_layer", exercise_seed=seed))
    if source.generator != "legacy":
        found.append(Mistake.of("draws.generator", generator="default_rng", exercise_seed=seed))
    if stream.layout == "F":
        found.append(Mistake.of("draws.transposed"))
    if stream.reverse:
        found.append(Mistake.of("draws.order", order="reversed"))
    if not stream.before.none:
        count = _count_text(stream.before)
        found.append(
            Mistake.of("draws.extra", where="before_loop", count=count, exercise_seed=seed)
        )
    if not stream.extra.none:
        where = "before_weights" if stream.extra_first else "after_weights"
        found.append(Mistake.of("draws.extra", where=where, count=_count_text(stream.extra)))
    return found


def _interval(shift: Formula, scale: Formula) -> Mistake:
    """Uniform draws from ``shift`` to ``shift + scale``, as written."""
    return Mistake.of(
        "draws.distribution", distribution="uniform", low=shift.text(),
        high=f"{shift.text()} + {scale.text()}", code_low=shift.code(),
        code_high=f"{shift.code()} + {scale.code()}",
    )  # fmt: skip


def _uniform(values: Values) -> Mistake:
    """Uniform draws ``scale * u + shift``: the interval they fill, as the student's bounds."""
    scale, shift = values.scale, values.shift
    if shift is None:
        low, high = Expression(0.0), scale
    elif isinstance(scale, Sum):
        return _interval(shift, scale)
    else:
        half = Expression(scale.constant / 2, scale.factors)
        if same_values(shift, -half.values(standard_table())):
            low, high = Expression(-half.constant, half.factors), half
        else:
            return _interval(shift, scale)
    return Mistake.of(
        "draws.distribution", distribution="uniform", low=low.text(), high=high.text(),
        code_low=low.code(), code_high=high.code(),
    )  # fmt: skip


def _expects(rules: FunctionSpec) -> dict[str, object]:
    """The fields that say what the method's record expects of the weights."""
    return {
        "method": rules.method,
        "method_name": rules.scale_name,
        "method_scale": rules.scale.text,
        "function": rules.name,
    }


def values_mistakes(
    values: Values, rules: FunctionSpec, distribution: str = "normal"
) -> list[Mistake]:
    found = []
    if values.transform not in ("none", "shift"):
        found.append(
            Mistake.of(
                "draws.transform", transform=values.transform, bound=values.bound,
                before_scale=values.clip_first,
            )
        )  # fmt: skip
    if distribution == "uniform":
        uniform = _uniform(values)
        return [*found, Mistake.of(uniform.id, **dict(uniform.fields), **_expects(rules))]
    reference = reference_values(rules.scale)
    unit = same_values(values.scale, np.ones_like(reference))
    if values.shift is not None and unit and same_values(values.shift, reference):
        return [*found, _expression("scale.added", values.shift)]
    if not same_values(values.scale, reference):
        found.append(_expression("scale.expression", values.scale, rules, **_expects(rules)))
    if values.shift is not None:
        found.append(_expression("draws.shift", values.shift))
    return found


def weight_mistakes(h: Hypothesis, rules: FunctionSpec) -> list[Mistake]:
    weights = h.weights
    constant = Mistake.of("weights.constant", value=weights.constant, **_expects(rules))
    if rules.zero:
        if not weights.drawn:
            return [] if weights.constant == 0 else [constant]
        scale = weights.scale
        return [
            Mistake.of(
                "weights.drawn", seed=h.stream.source.seed, formula=scale.text(), code=scale.code()
            )
        ]
    if not weights.drawn:
        return [constant]
    distribution = h.stream.source.distribution
    return stream_mistakes(h.stream, rules.seed) + values_mistakes(weights, rules, distribution)


def bias_mistakes(h: Hypothesis) -> list[Mistake]:
    biases = h.biases
    if h.structure.biases is None:
        return []
    if not biases.drawn:
        return [] if biases.constant == 0 else [Mistake.of("biases.value", value=biases.constant)]
    return [_expression("biases.drawn", biases.scale)]


def mistakes(h: Hypothesis, rules: FunctionSpec) -> tuple[Mistake, ...]:
    """Every deviation of ``h`` from the code of the method's record, structure first."""
    found = structure_mistakes(h.structure) + weight_mistakes(h, rules) + bias_mistakes(h)
    return tuple(found)
