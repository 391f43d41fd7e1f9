"""Mistake values made into words: the one place a ``Diagnosis`` becomes a sentence.

A diagnosis (``grader.mistakes``) holds ids and fields; the terminal, results.json, JUnit, the
HTML page and the dashboard call ``diagnosis_text`` (or ``mistake_text``, ``mistake_name``) where
they write text. The templates are ``grader.messages``'; this module only says which template an
id takes and how its fields fill it (a shape as a tuple, a list of keys joined, the hint of a
method). An id with no template here is a bug of the grader, and raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader import messages as msg
from grader.mistakes import Diagnosis, Mistake
from grader.spec import Scale

Fields = dict[str, Any]


# -- a method's scale in words, for checks and mistakes alike ---------------------------------


def expects(name: str, scale: str, fan_in: int) -> str:
    """ "He for fan-in 60 expects 0.183 = sqrt(2/60)": what a method's scale is for one layer."""
    expression = Scale(scale)
    if not expression.per_layer:
        return msg.EXPECTS_CONSTANT.format(name=name, formula=expression.formula(fan_in))
    return msg.EXPECTS_PER_LAYER.format(
        name=name, fan_in=fan_in, expected=expression.value(fan_in),
        formula=expression.formula(fan_in),
    )  # fmt: skip


def weights_hint(scale: str, seed: int) -> str:
    """How the weights of a method with this scale are made, for a student to compare with."""
    expression = Scale(scale)
    if not expression.per_layer and expression.value(1) == 0.0:
        return msg.HINT_WEIGHTS_ZERO
    each = "" if expression.per_layer else msg.HINT_WEIGHTS_EACH
    return msg.HINT_WEIGHTS_DRAWN.format(seed=seed, code=expression.code, each=each)


def _shape(value: Any) -> Any:
    """A shape as Python prints one, ``(3, 2)`` (a field holds it as a list)."""
    return tuple(value) if isinstance(value, list) else value


def _plain(template: str, *shapes: str) -> Callable[[Fields], str]:
    """Fill ``template`` with the fields; those named in ``shapes`` print as tuples."""

    def render(f: Fields) -> str:
        return template.format(**{**f, **{k: _shape(f.get(k)) for k in shapes}})

    return render


def _raised(f: Fields, meaning: str) -> str:
    place = ""
    if f.get("where") and f.get("code"):
        place = msg.DIAG_RAISED_PLACE.format(where=f["where"], code=f["code"])
    text = f.get("text") or ""
    return msg.DIAG_RAISED.format(
        kind=f["kind"],
        dims=f["dims"],
        place=place,
        text=msg.DIAG_RAISED_TEXT.format(text=text.rstrip(".")) if text else "",
        meaning=msg.DIAG_RAISED_MEANING[meaning].format(name=f.get("name") or "it"),
    )


_RETURNED = {
    "none": msg.DIAG_RETURNED_NONE,
    "type": msg.DIAG_RETURNED_TYPE,
    "bias_number": msg.DIAG_RETURNED_BIAS_NUMBER,
    "number": msg.DIAG_RETURNED_NUMBER,
    "value": msg.DIAG_RETURNED_VALUE,
    "other": msg.DIAG_RETURNED_OTHER,
}


def _returned(f: Fields, problem: str) -> str:
    return msg.DIAG_RETURNED.format(dims=f["dims"], problem=_RETURNED[problem].format(**f))


def _explanation(f: Fields, formula: str) -> str:
    """Why the scale is wrong: the words of ``scale.<formula>`` for the method, else its own."""
    words = msg.DIAG_EXPLAIN_FOR.get(f["method"], {}).get(formula, msg.DIAG_EXPLAIN.get(formula))
    if formula == "constant":
        return msg.DIAG_EXPLAIN["constant"].format(ratio=f["ratio"])
    if formula == "mixed":
        return msg.DIAG_EXPLAIN["mixed"].format(ratios=", ".join(f"{r:.3g}" for r in f["ratios"]))
    if words is None:
        wrong = Scale(f["wrong"]).formula(f["fan_in"])
        return msg.DIAG_EXPLAIN_OTHER.format(formula=wrong, name=f["name"])
    return words


def _scale(f: Fields, formula: str) -> str:
    return msg.DIAG_SCALE.format(
        dims=f["dims"],
        key=f["key"],
        what=msg.DIAG_SCALE_WHAT[f["measure"]],
        got=f["got"],
        expects=expects(f["name"], f["scale"], f["fan_in"]),
        explanation=_explanation(f, formula),
    )


def _same_key(f: Fields) -> str:
    return msg.DIAG_SAME_KEY.format(**f, what=msg.DIAG_WHAT[f["letter"]])


def _fixed_layers(f: Fields) -> str:
    count = f["count"]
    keys = ", ".join(f["keys"])
    return msg.DIAG_FIXED_LAYERS.format(**{**f, "keys": keys}, s="s" * (count != 1))


def _missing_last(f: Fields) -> str:
    layer = f["layer"]
    return msg.DIAG_MISSING_LAST.format(dims=f["dims"], missing=f"W{layer} or b{layer}")


def _numbered_from(f: Fields) -> str:
    return msg.DIAG_NUMBERED_FROM.format(
        **{**f, "got": ", ".join(f["got"]), "expected": ", ".join(f["expected"])}
    )


def _key_names(f: Fields) -> str:
    return msg.DIAG_KEY_NAMES.format(
        got=", ".join(map(repr, f["got"])), expected=", ".join(map(repr, f["expected"]))
    )


def _axis_shape(f: Fields) -> str:
    parts = []
    for axis, used, wanted in f["axes"]:
        if used is None:
            parts.append(msg.DIAG_SHAPE_UNCLEAR.format(axis=axis))
            continue
        shown = used if used.startswith("layers_dims") else msg.DIAG_SHAPE_FIXED.format(size=used)
        parts.append(msg.DIAG_SHAPE_AXIS.format(axis=axis, used=shown, wanted=wanted))
    return msg.DIAG_SHAPE.format(
        dims=f["dims"], key=f["key"], got=_shape(f["got"]),
        expected=_shape(f["expected"]), formula=f["formula"],
        axes=msg.DIAG_SHAPE_AND.join(parts),
    )  # fmt: skip


def _shifted(f: Fields) -> str:
    where = msg.DIAG_SHIFTED_BEFORE
    if f.get("previous"):
        where = msg.DIAG_SHIFTED_BETWEEN.format(before=f["previous"], key=f["key"])
    why = msg.DIAG_SHIFTED_BIAS.format(bias=f["bias"]) if f.get("bias") else ""
    extra = f["extra"]
    return msg.DIAG_SHIFTED.format(
        key=f["key"], got=f["got"], want=f["want"], extra=extra, exercise_seed=f["exercise_seed"],
        numbers=msg.DIAG_SHIFTED_NUMBERS[extra == 1], where=where, why=why,
    )  # fmt: skip


def _added(f: Fields) -> str:
    hint = msg.DIAG_ADDED_HINT.format(code=Scale(f["scale"]).code)
    return msg.DIAG_ADDED.format(**f, hint=hint)


def _not_float64(f: Fields) -> str:
    dtype = f["dtype"]
    hint = msg.NOT_FLOAT64_HINT.get(dtype.rstrip("0123456789"), msg.NOT_FLOAT64_HINT["float"])
    return msg.DIAG_NOT_FLOAT64.format(**f, hint=hint)


def _value_differs(f: Fields) -> str:
    weights = str(f["key"]).startswith("W")
    hint = weights_hint(f["scale"], f["seed"]) if weights else msg.HINT_BIASES
    return msg.DIAG_UNEXPLAINED.format(**f, hint=hint)


RENDER: dict[str, Callable[[Fields], str]] = {
    "example.hard_coded": _plain(msg.DIAG_HARD_CODED, "got", "expected"),
    "keys.names": _key_names,
    "layout.empty": _plain(msg.DIAG_EMPTY),
    "layout.return_in_loop": _plain(msg.DIAG_RETURN_IN_LOOP),
    "layout.same_key": _same_key,
    "layout.fixed_layers": _fixed_layers,
    "layout.loop_from_0": _plain(msg.DIAG_LOOP_FROM_0),
    "layout.loop_from_2": _plain(msg.DIAG_LOOP_FROM_2),
    "layout.missing_last": _missing_last,
    "layout.numbered_from": _numbered_from,
    "shape.transposed": _plain(msg.DIAG_TRANSPOSED, "got", "expected"),
    "shape.axis": _axis_shape,
    "biases.scalar": _plain(msg.DIAG_BIAS_SCALAR, "expected"),
    "biases.shape": _plain(msg.DIAG_BIAS_SHAPE, "got", "expected"),
    "biases.not_zero": _plain(msg.DIAG_BIASES_NOT_ZERO),
    "zeros.ones": _plain(msg.DIAG_ZEROS_ONES),
    "zeros.not_zero": _plain(msg.DIAG_ZEROS_RANDOM),
    "input.mutated": _plain(msg.DIAG_INPUT_MUTATED),
    "seed.missing": _plain(msg.DIAG_NO_SEED),
    "seed.per_layer": _plain(msg.DIAG_RESEED),
    "seed.value": _plain(msg.DIAG_OTHER_SEED),
    "draws.default_rng": _plain(msg.DIAG_DEFAULT_RNG),
    "draws.uniform": _plain(msg.DIAG_RAND),
    "draws.shifted": _shifted,
    "draws.column_order": _plain(msg.DIAG_COLUMN_ORDER),
    "draws.order": _plain(msg.DIAG_DRAW_ORDER),
    "scale.added": _added,
    "dtype.not_float64": _not_float64,
    "call.stopped": _plain(msg.DIAG_STOPPED),
    "call.refused": _plain(msg.DIAG_REFUSED),
    "fact.value_differs": _value_differs,
    "submission.unfilled": _plain(msg.DIAG_UNFILLED),
    "submission.ungradable": _plain(msg.DIAG_UNGRADABLE),
}
# Families whose last part selects a piece of the sentence: raised.<meaning>,
# returned.<problem>, scale.<formula> (a wrong scale of a method record: any name; one without
# words of its own is quoted as its expression).
FAMILIES: dict[str, tuple[Callable[[Fields, str], str], frozenset[str] | None]] = {
    "raised": (_raised, frozenset(msg.DIAG_RAISED_MEANING)),
    "returned": (_returned, frozenset(_RETURNED)),
    "scale": (_scale, None),
}


def known(mistake_id: str) -> bool:
    """Whether ``mistake_id`` has words (every id the grader names must)."""
    family, _, kind = mistake_id.partition(".")
    if mistake_id in RENDER:
        return True
    if family not in FAMILIES or not kind:
        return False
    kinds = FAMILIES[family][1]
    return kinds is None or kind in kinds


def mistake_text(mistake: Mistake) -> str:
    """One mistake (or fact) as its sentence."""
    fields = {name: mistake.get(name) for name, _ in mistake.fields}
    render = RENDER.get(mistake.id)
    if render is not None:
        return render(fields)
    if known(mistake.id):
        family, _, kind = mistake.id.partition(".")
        return FAMILIES[family][0](fields, kind)
    raise KeyError(f"no words for the mistake id {mistake.id!r}")


def diagnosis_text(diagnosis: Diagnosis | None) -> str | None:
    """The whole diagnosis as one paragraph: the mistakes (the first, then "Also: ..."), each
    equally simple alternative, then the facts; None when there is nothing to say."""
    if diagnosis is None:
        return None
    sentences = [mistake_text(m) for m in (*diagnosis.mistakes, *diagnosis.facts)]
    if not sentences:
        return None
    text = sentences[0] + "".join(msg.DIAG_ALSO.format(more=s) for s in sentences[1:])
    for alternative in diagnosis.alternatives:
        other = " ".join(mistake_text(m) for m in alternative)
        text += msg.DIAG_OR.format(other=other)
    return text


def mistake_name(mistake_id: str) -> str:
    """The short name the dashboard and the exports show for ``mistake_id``."""
    if mistake_id in msg.MISTAKE_NAMES:
        return msg.MISTAKE_NAMES[mistake_id]
    if mistake_id.startswith("scale.") and known(mistake_id):
        return msg.MISTAKE_NAME_OTHER_SCALE
    return msg.REPORT_NO_DIAGNOSIS
