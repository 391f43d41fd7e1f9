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
from grader.spec import METHODS, Scale

Fields = dict[str, Any]


# -- a method's scale in words, for checks and mistakes alike ---------------------------------


def expects(name: str, scale: str, fan_in: int, fan_out: int = 1) -> str:
    """ "He for fan-in 60 expects 0.183 = sqrt(2/60)": what a method's scale is for one layer of
    ``fan_in`` inputs and ``fan_out`` units (named only for a scale that reads it)."""
    expression = Scale(scale)
    if not expression.per_layer:
        return msg.EXPECTS_CONSTANT.format(name=name, formula=expression.formula(fan_in))
    template = msg.EXPECTS_PER_LAYER_BOTH if expression.reads_fan_out else msg.EXPECTS_PER_LAYER
    return template.format(
        name=name, fan_in=fan_in, fan_out=fan_out, expected=expression.value(fan_in, fan_out),
        formula=expression.formula(fan_in, fan_out),
    )  # fmt: skip


def weights_hint(scale: str, seed: int) -> str:
    """How the weights of a method with this scale are made, for a student to compare with."""
    expression = Scale(scale)
    if not expression.per_layer and expression.value(1) == 0.0:
        return msg.HINT_WEIGHTS_ZERO
    each = "" if expression.per_layer else msg.HINT_WEIGHTS_EACH
    return msg.HINT_WEIGHTS_DRAWN.format(seed=seed, code=expression.code, each=each)


def _zero(scale: str) -> bool:
    expression = Scale(scale)
    return not expression.per_layer and expression.value(1) == 0.0


def _method_expects(f: Fields) -> str:
    """What the method's record multiplies the draws by, in words (its name and its code)."""
    scale = f.get("method_scale")
    if scale is None:
        return msg.SAY_EXPECTS_UNKNOWN
    if _zero(scale):
        return msg.SAY_EXPECTS_ZERO
    return msg.SAY_EXPECTS.format(name=f.get("method_name") or "", code=Scale(scale).code)


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
        meaning=_meaning(f, meaning),
    )


def _meaning(f: Fields, meaning: str) -> str:
    """What the error usually means; a name that only a left-out line assigns, that line."""
    if meaning == "name" and f.get("left_out"):
        return msg.DIAG_RAISED_NAME_LEFT_OUT.format(name=f["name"], line=f["left_out"])
    return msg.DIAG_RAISED_MEANING[meaning].format(name=f.get("name") or "it")


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


# -- the random stream, the scale, the values ---------------------------------------------------


def _extra(f: Fields) -> str:
    count, where = f["count"], f["where"]
    numbers = "number" if count == "1" else "numbers"
    if where == "before_loop":
        seed = f["exercise_seed"]
        return msg.SAY_EXTRA_BEFORE_LOOP.format(count=count, numbers=numbers, exercise_seed=seed)
    bias = msg.SAY_EXTRA_BIAS if count == "layers_dims[l]" else ""
    return msg.SAY_EXTRA_IN_LAYER.format(
        count=count, numbers=numbers, where=msg.SAY_EXTRA_WHERE[where], bias=bias
    )


def _transform(f: Fields) -> str:
    when = msg.SAY_CLIP_BEFORE if f.get("before_scale") else ""
    return msg.SAY_TRANSFORM[f["transform"]].format(bound=f.get("bound") or 0, when=when)


def _uniform(f: Fields) -> str:
    scale = f.get("method_scale")
    code = Scale(scale).code if scale is not None else msg.SAY_ITS_SCALE
    return msg.SAY_UNIFORM.format(low=f["code_low"], high=f["code_high"], scale=code)


def _formula_name(name: str) -> str:
    """The words that name a known formula: its own, else the method whose scale it is."""
    if name in msg.SAY_SCALE_NAMES:
        return msg.SAY_SCALE_NAMES[name]
    rules = METHODS.get(name)
    return msg.SAY_SCALE_OF_METHOD.format(title=rules.title) if rules is not None else ""


def _scale(f: Fields) -> str:
    expects = _method_expects(f)
    if f.get("name") == "unit":
        return msg.SAY_SCALE_NONE.format(expects=expects)
    name = _formula_name(f.get("name") or "")
    floor = msg.SAY_SCALE_FLOOR if "//" in f["code"] else ""
    return msg.SAY_SCALE.format(code=f["code"], name=name, expects=expects) + floor


def _constant(f: Fields) -> str:
    value, scale = f["value"], f.get("method_scale") or "0"
    ones = msg.SAY_WEIGHTS_ONES if value == 1 else ""
    if _zero(scale):
        expected = msg.SAY_WEIGHTS_ZEROS.format(function=f.get("function") or "the function")
    else:
        expected = msg.SAY_WEIGHTS_DRAWN_EXPECTED.format(code=Scale(scale).code)
    return msg.SAY_WEIGHTS_CONSTANT.format(value=value, ones=ones, expected=expected)


# -- the structure ------------------------------------------------------------------------------


def _loop_start(f: Fields) -> str:
    template = msg.SAY_LOOP_START.get(f["start"], msg.SAY_LOOP_START_OTHER)
    return template.format(**f)


def _loop_stop(f: Fields) -> str:
    missing = -f["stop"]
    layers = "one layer" if missing == 1 else f"{missing} layers"
    what = "layer's W and b are" if missing == 1 else f"{missing} layers' W and b are"
    return msg.SAY_LOOP_STOP.format(layers=layers, what=what)


def _loop_fixed(f: Fields) -> str:
    return msg.SAY_LOOP_FIXED_ONE if f["count"] == 1 else msg.SAY_LOOP_FIXED.format(**f)


def _key_names(f: Fields) -> str:
    weights, biases = f.get("weights") or "W{}", f.get("biases") or "b{}"
    got = ", ".join(repr(s.format(n)) for n in (1, 2) for s in (weights, biases))
    return msg.SAY_KEY_NAMES.format(got=got, expected="'W1', 'b1', 'W2', 'b2'")


def _letters(letter: str) -> list[str]:
    return ["W", "b"] if letter == "both" else [letter]


def _numbering(f: Fields) -> str:
    first, letters = f["first"], _letters(f["letter"])
    got = ", ".join(f"{x}{first}" for x in letters) + ", ..."
    expected = ", ".join(f"{x}1" for x in letters) + ", ..."
    return msg.SAY_KEY_NUMBERING.format(
        what=msg.SAY_WHAT[f["letter"]], first=first, got=got, expected=expected, letter=letters[0]
    )


def _by_size(f: Fields) -> str:
    what, letter = msg.SAY_WHAT[f["letter"]], _letters(f["letter"])[0]
    return msg.SAY_KEY_BY_SIZE.format(what=what, code=f["code"], letter=letter)


def _same_key(f: Fields) -> str:
    what = msg.SAY_WHAT_PLURAL[f["letter"]]
    return msg.SAY_KEY_SAME.format(what=what, key=f["key"], letter=f["letter"])


def _missing(f: Fields) -> str:
    return msg.SAY_KEY_MISSING.format(what=msg.SAY_WHAT_PLURAL[f["letter"]], letter=f["letter"])


def _axis(f: Fields) -> str:
    fixed = msg.SAY_AXIS_FIXED if f.get("fixed") else ""
    return msg.SAY_AXIS.format(axis=f["axis"], source=f["source"], fixed=fixed, want=f["want"])


def _unfilled(f: Fields) -> str:
    template = msg.DIAG_UNFILLED if "function" in f else msg.SAY_UNFILLED
    return template.format(**f)


def _shared(f: Fields) -> str:
    return msg.SAY_STATE_SHARED.format(dims=f["dims"], extra=", ".join(f["extra"]))


def _not_float64(f: Fields) -> str:
    dtype = f["dtype"]
    hint = msg.NOT_FLOAT64_HINT.get(dtype.rstrip("0123456789"), msg.NOT_FLOAT64_HINT["float"])
    return msg.DIAG_NOT_FLOAT64.format(**f, hint=hint)


def _hard_coded(f: Fields) -> str:
    if f.get("key") is None:
        return msg.DIAG_HARD_CODED.split(":")[0] + "."
    return msg.DIAG_HARD_CODED.format(
        **{**f, "got": _shape(f["got"]), "expected": _shape(f["expected"])}
    )


# -- facts ---------------------------------------------------------------------------------------


def _fact_keys(f: Fields) -> str:
    parts = []
    if f.get("missing"):
        parts.append(msg.SAY_FACT_KEYS_MISSING.format(keys=", ".join(f["missing"])))
    if f.get("extra"):
        parts.append(msg.SAY_FACT_KEYS_EXTRA.format(keys=", ".join(f["extra"])))
    return msg.SAY_FACT_KEYS.format(dims=f["dims"], parts=" and ".join(parts))


def _fact_distribution(f: Fields) -> str:
    if not f.get("finite", True):
        return msg.SAY_FACT_NOT_FINITE.format(**f)
    sign = msg.SAY_FACT_NONNEGATIVE if f.get("nonnegative") else ""
    return msg.SAY_FACT_DISTRIBUTION.format(**f, sign=sign)


def _number(value: Any) -> Any:
    """A number field as a float (a non-finite one is kept as its text, ``nan``, in JSON)."""
    return float(value) if isinstance(value, str) else value


def _fact_value(f: Fields) -> str:
    index = "[" + ", ".join(str(i) for i in f["index"]) + "]"
    return msg.SAY_FACT_VALUE.format(**{**f, "index": index, "got": _number(f["got"])})


def _fact_biases(f: Fields) -> str:
    return msg.SAY_FACT_BIASES.format(**{**f, "value": _number(f["value"])})


def _bias_shape(f: Fields) -> str:
    """A bias of shape () is the number the student wrote: said as such."""
    return (msg.SAY_BIAS_NUMBER if f.get("shape") == "()" else msg.SAY_BIAS_SHAPE).format(**f)


RENDER: dict[str, Callable[[Fields], str]] = {
    "example.hard_coded": _hard_coded,
    "layout.empty": _plain(msg.DIAG_EMPTY),
    "loop.start": _loop_start,
    "loop.stop": _loop_stop,
    "loop.fixed": _loop_fixed,
    "keys.names": _key_names,
    "keys.numbering": _numbering,
    "keys.by_size": _by_size,
    "keys.same": _same_key,
    "keys.missing": _missing,
    "shape.transposed": _plain(msg.SAY_TRANSPOSED),
    "shape.axis": _axis,
    "shape.axes": _plain(msg.SAY_WEIGHT_SHAPE),
    "biases.shape": _bias_shape,
    "biases.value": _plain(msg.SAY_BIASES_VALUE),
    "biases.drawn": _plain(msg.SAY_BIASES_DRAWN),
    "weights.constant": _constant,
    "weights.drawn": _plain(msg.SAY_WEIGHTS_DRAWN),
    "seed.missing": _plain(msg.SAY_SEED_MISSING),
    "seed.value": _plain(msg.SAY_SEED_VALUE),
    "seed.per_layer": _plain(msg.SAY_SEED_PER_LAYER),
    "seed.after_each_layer": _plain(msg.SAY_SEED_AFTER),
    "draws.generator": _plain(msg.SAY_GENERATOR),
    "draws.distribution": _uniform,
    "draws.transposed": _plain(msg.SAY_DRAWS_TRANSPOSED),
    "draws.order": _plain(msg.SAY_DRAWS_REVERSED),
    "draws.extra": _extra,
    "draws.transform": _transform,
    "draws.shift": _plain(msg.SAY_SHIFT),
    "scale.expression": _scale,
    "scale.added": _plain(msg.SAY_ADDED),
    "state.shared_dict": _shared,
    "dtype.not_float64": _not_float64,
    "input.mutated": _plain(msg.DIAG_INPUT_MUTATED),
    "call.stopped": _plain(msg.DIAG_STOPPED),
    "call.refused": _plain(msg.DIAG_REFUSED),
    "submission.unfilled": _unfilled,
    "submission.ungradable": _plain(msg.DIAG_UNGRADABLE),
    "fact.keys": _fact_keys,
    "fact.shape": _plain(msg.SAY_FACT_SHAPE, "got", "expected"),
    "fact.changes_with_state": _plain(msg.SAY_FACT_STATE),
    "fact.biases_nonzero": _fact_biases,
    "fact.weights_nonzero": _plain(msg.SAY_FACT_WEIGHTS),
    "fact.scale": _plain(msg.SAY_FACT_SCALE),
    "fact.distribution": _fact_distribution,
    "fact.value_differs": _fact_value,
}
# Families whose last part selects a piece of the sentence: raised.<meaning>, returned.<problem>.
FAMILIES: dict[str, tuple[Callable[[Fields, str], str], frozenset[str]]] = {
    "raised": (_raised, frozenset(msg.DIAG_RAISED_MEANING)),
    "returned": (_returned, frozenset(_RETURNED)),
}


def known(mistake_id: str) -> bool:
    """Whether ``mistake_id`` has words (every id the grader names must)."""
    family, _, kind = mistake_id.partition(".")
    return mistake_id in RENDER or kind in FAMILIES.get(family, (None, frozenset()))[1]


def mistake_text(mistake: Mistake) -> str:
    """One mistake (or fact) as its sentence."""
    fields = {name: mistake.get(name) for name, _ in mistake.fields}
    render = RENDER.get(mistake.id)
    if render is not None:
        return render(fields)
    family, _, kind = mistake.id.partition(".")
    if family in FAMILIES and kind in FAMILIES[family][1]:
        return FAMILIES[family][0](fields, kind)
    raise KeyError(f"no words for the mistake id {mistake.id!r}")


def diagnosis_text(diagnosis: Diagnosis | None) -> str | None:
    """The whole diagnosis as one paragraph: the mistakes (the first, then "Also: ..."), each
    equally simple alternative, then what differs where no mistake rebuilds the numbers; None
    when there is nothing to say."""
    if diagnosis is None:
        return None
    sentences = [mistake_text(m) for m in diagnosis.mistakes]
    if diagnosis.facts:
        facts = msg.SAY_FACT_JOIN.join(mistake_text(f) for f in diagnosis.facts)
        sentences.append(msg.SAY_FACTS + facts + ".")
    if not sentences:
        return None
    text = sentences[0] + "".join(msg.DIAG_ALSO.format(more=s) for s in sentences[1:])
    for alternative in diagnosis.alternatives:
        other = " ".join(mistake_text(m) for m in alternative)
        text += msg.DIAG_OR.format(other=other)
    return text


def mistake_name(mistake_id: str) -> str:
    """The short name the dashboard and the exports show for ``mistake_id``."""
    return msg.MISTAKE_NAMES.get(mistake_id, msg.REPORT_NO_DIAGNOSIS)
