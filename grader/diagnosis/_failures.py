"""What the calls that gave no parameters show, and what a function's calls show directly.

These need no hypothesis: the grader saw them. A call that raised is named with its type, text,
the student's line and, when the line and the text agree on it, what that error means in this
exercise (``meaning``); a value that is not parameters with what was returned instead; an
unfilled template (the notebook's ``None`` placeholders) once; a call that never returned; the
list the function was given changed in place; arrays of another dtype. One cause is named once,
with how many calls it cost, on the first call a student may see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from grader.diagnosis._calls import Call
from grader.mistakes import Mistake
from grader.types import DEAD, CallStatus, Params, Raised

Dims = tuple[int, ...]

# (exception type, pattern of its text, pattern the line of code must match, meaning). The text
# and the line are the student's (at most ``grader.untrusted.MAX_TEXT`` characters, from the
# door); a gap is bounded (``.{0,200}``), never ``.*``, so a search stays linear in their length.
# fmt: off
MEANINGS: tuple[tuple[str, str, str, str], ...] = (
    ("TypeError", r"'tuple' object cannot be interpreted as an integer", r"randn?\(\(",
     "randn_tuple"),
    ("TypeError", r"Cannot interpret .{0,200} as a data type|data type .{0,200} not understood",
     r"(zeros|ones|empty)\([^(]", "zeros_numbers"),
    ("TypeError", r"can only concatenate str|'int' and 'str'|'str' and 'int'",
     r"['\"]\s*\+|\+\s*['\"]", "key_int"),
    ("TypeError", r"standard_normal\(\) takes at most 1 positional", r"standard_normal",
     "standard_normal"),
    ("TypeError", r"takes (at most|exactly|from) .{0,200}positional argument", r"",
     "too_many_arguments"),
    ("IndexError", r"index out of range", r"layers_dims|\[", "index"),
    ("NameError", r"name 'layers_dims' is not defined", r"", "name_layers_dims"),
    ("NameError", r"name '.{0,200}' is not defined", r"", "name"),
    ("UnboundLocalError", r"", r"", "unbound"),
    ("ValueError", r"negative dimensions", r"", "negative"),
    ("KeyError", r"", r"", "key_error"),
    ("AttributeError", r"'(list|tuple|dict|int|float|str)' object has no attribute", r"",
     "attribute_builtin"),
    ("AttributeError", r"has no attribute", r"", "attribute"),
    ("ZeroDivisionError", r"", r"", "zero_division"),
)
# fmt: on


def meaning(raised: Raised) -> str:
    """What an exception usually means here, when its text and its line agree; else 'other'."""
    for kind, text, code, key in MEANINGS:
        if raised.kind != kind or not re.search(text, raised.text):
            continue
        if raised.code and code and not re.search(code, raised.code):
            return "other"
        return key
    return "other"


def _name(raised: Raised) -> str:
    found = re.search(r"name '(\w+)'", raised.text)
    return found.group(1) if found else ""


def _smallest_first(found: Sequence[Call]) -> list[Call]:
    """Quotable calls, the notebook's examples first, then the smallest."""
    quotable = [c for c in found if c.quotable]
    head = quotable[:1]
    return head + sorted(quotable[1:], key=lambda c: (len(c.dims), sum(c.dims)))


def _cause(call: Call) -> tuple[str, ...]:
    """What makes two failed calls one cause: the same exception at the same place, the same
    refusal, a dead worker."""
    result = call.result
    if result.status is CallStatus.EXCEPTION and result.raised is not None:
        return ("raised", result.raised.kind, result.raised.where)
    if result.status is CallStatus.INVALID and result.refused is not None:
        return ("returned", result.refused.problem, result.refused.key[:1])
    return ("stopped",) if result.status in DEAD else ("other", result.status.value)


NUMBER_KINDS = ("float", "int", "float64", "float32", "int64", "int32", "bool")


def _returned(problem: str, key: str, kind: str) -> str:
    """The kind of value returned instead of parameters, as the ``returned.*`` ids name it."""
    if problem in ("none", "type"):
        return problem
    if problem == "value_type" and kind in NUMBER_KINDS:
        return "bias_number" if key[:1] == "b" else "number"
    return "value" if problem == "value_type" else "other"


def failure(call: Call, count: int) -> Mistake:
    """The mistake one failed call shows; ``count``: calls it failed the same way."""
    result, dims = call.result, list(call.dims)
    if result.status is CallStatus.EXCEPTION and result.raised is not None:
        raised = result.raised
        return Mistake.of(
            f"raised.{meaning(raised)}", kind=raised.kind, text=raised.text, where=raised.where,
            code=raised.code, dims=dims, name=_name(raised), calls=count,
        )  # fmt: skip
    if result.status is CallStatus.INVALID and result.refused is not None:
        refused = result.refused
        if refused.problem == "value_none":
            return Mistake.of("submission.unfilled", key=refused.key, dims=dims, calls=count)
        return Mistake.of(
            f"returned.{_returned(refused.problem, refused.key, refused.kind)}",
            key=refused.key, kind=refused.kind, dims=dims, calls=count,
            message=result.message.rstrip("."),
        )  # fmt: skip
    if result.status in DEAD:
        return Mistake.of("call.stopped", dims=dims, calls=count)
    text = (result.message or result.status.value).rstrip(".")
    return Mistake.of("call.refused", dims=dims, message=text, calls=count)


def failures(
    found: Sequence[Call], explained: set[tuple[tuple[int, ...], int | None]]
) -> list[Mistake]:
    """Each cause of the calls that gave no parameters (and no hypothesis explains), once."""
    failed = [c for c in found if not c.ok and (c.dims, c.preseed) not in explained]
    causes: dict[tuple[str, ...], list[Call]] = {}
    for call in failed:
        causes.setdefault(_cause(call), []).append(call)
    mistakes = []
    for group in causes.values():
        shown = _smallest_first(group)
        if shown:
            mistakes.append(failure(shown[0], len(group)))
    return mistakes


def mutated(found: Sequence[Call]) -> list[Mistake]:
    """The list given to the function, changed by it: the first call a student may see."""
    for call in _smallest_first([c for c in found if c.preseed is not None]):
        after = call.result.args_after
        if after is not None and (isinstance(after, str) or list(after) != list(call.dims)):
            shown = after if isinstance(after, str) else list(after)
            return [Mistake.of("input.mutated", before=list(call.dims), after=shown)]
    return []


def _same_params(one: Params, two: Params) -> bool:
    if set(one) != set(two) or any(one[k].shape != two[k].shape for k in one):
        return False
    return all(np.array_equal(one[k], two[k], equal_nan=True) for k in one)


def constant_output(found: Sequence[Call], visible: Sequence[Dims]) -> Mistake | None:
    """The same dictionaries whatever the input: the notebook's examples, pasted. Every call
    returns one of at most as many dictionaries as the notebook has examples, each what the
    function returned for one of them, while the inputs differ in length."""
    ok = [c for c in found if c.ok]
    if len({len(c.dims) for c in ok}) < 3:
        return None
    outputs: list[tuple[Params, list[Dims]]] = []
    for call in ok:
        match = next((o for o in outputs if _same_params(o[0], call.params)), None)
        if match is None:
            outputs.append((call.params, [call.dims]))
            if len(outputs) > max(1, len(visible)):
                return None
        elif call.dims not in match[1]:
            match[1].append(call.dims)
    if len(outputs) == 1 and not outputs[0][0]:
        return Mistake.of("layout.empty", dims=list(ok[0].dims))
    examples = [next((d for d in dims if d in visible), None) for _, dims in outputs]
    if len(outputs) > 1 and None in examples:
        return None
    return _hard_coded([list(d) for d in examples if d is not None], ok)


def _hard_coded(examples: list[list[int]], ok: Sequence[Call]) -> Mistake:
    """Where the pasted answer shows: the smallest other input a student may see, a key whose
    shape is not that input's."""
    from grader.spec import expected_shapes

    others = [c for c in ok if c.quotable and list(c.dims) not in examples]
    for call in sorted(others, key=lambda c: (len(c.dims), sum(c.dims))):
        wanted = expected_shapes(call.dims)
        for key, shape in wanted.items():
            got = call.params.get(key)
            if got is None or got.shape != shape:
                shown = list(got.shape) if got is not None else None
                return Mistake.of(
                    "example.hard_coded", examples=examples, dims=list(call.dims), key=key,
                    got=shown, expected=list(shape),
                )  # fmt: skip
    return Mistake.of("example.hard_coded", examples=examples)


def dtypes(found: Sequence[Call]) -> list[Mistake]:
    """Arrays that came back in another dtype than float64: each dtype once, with its keys'
    letters (``W``, ``b`` or ``both``) and the first call a student may see."""
    seen: dict[str, tuple[set[str], Call, str]] = {}
    for call in _smallest_first([c for c in found if c.ok]):
        for key, dtype in call.result.dtypes:
            letters = seen.setdefault(dtype, (set(), call, key))[0]
            letters.add("b" if key[:1].lower() == "b" else "W")
    named = []
    for dtype, (letters, call, key) in seen.items():
        letter = "both" if len(letters) > 1 else letters.pop()
        dims = list(call.dims)
        named.append(
            Mistake.of("dtype.not_float64", dtype=dtype, key=key, dims=dims, letter=letter)
        )
    return named
