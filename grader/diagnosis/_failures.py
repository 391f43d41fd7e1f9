"""Calls that gave no parameters: an exception (its type, the student's line, and what that error
usually means in this exercise), a value that is not a dictionary of arrays, a call that never
returned. ``failed_visible`` looks at the notebook's own example first; ``failed_anywhere`` at
every call, for a function that fails only on some inputs."""

from __future__ import annotations

import re

from grader.diagnosis._evidence import Dims, Evidence
from grader.mistakes import Diagnosis, Mistake
from grader.spec import BASE_PRESEED
from grader.types import DEAD, CallResult, CallStatus, Raised

# (exception type, pattern of its text) -> the key of its meaning in DIAG_RAISED_MEANING. The text
# is the student's (at most ``grader.untrusted.MAX_TEXT`` characters, from the door); a gap is
# bounded (``.{0,200}``), never ``.*``, so a search stays linear in the text's length.
MEANINGS: tuple[tuple[str, str, str], ...] = (
    ("TypeError", r"'tuple' object cannot be interpreted as an integer", "randn_tuple"),
    (
        "TypeError",
        r"Cannot interpret .{0,200} as a data type|data type .{0,200} not understood",
        "zeros_numbers",
    ),
    ("TypeError", r"can only concatenate str|'int' and 'str'|'str' and 'int'", "key_int"),
    ("TypeError", r"standard_normal\(\) takes at most 1 positional", "standard_normal"),
    (
        "TypeError",
        r"takes (at most|exactly|from) .{0,200}positional argument",
        "too_many_arguments",
    ),
    ("IndexError", r"index out of range", "index"),
    ("NameError", r"name 'layers_dims' is not defined", "name_layers_dims"),
    ("NameError", r"name '.{0,200}' is not defined", "name"),
    ("UnboundLocalError", r"", "unbound"),
    ("ValueError", r"negative dimensions", "negative"),
    ("KeyError", r"", "key_error"),
    ("AttributeError", r"has no attribute", "attribute"),
    ("ZeroDivisionError", r"", "zero_division"),
)
NUMBER_KINDS = ("float", "int", "float64", "float32", "int64", "int32", "bool")


def meaning(raised: Raised) -> str:
    """What an exception of this type and text usually means in this exercise (a key of
    ``DIAG_RAISED_MEANING``, the last part of the mistake's id)."""
    for kind, pattern, key in MEANINGS:
        if raised.kind == kind and re.search(pattern, raised.text):
            return key
    return "other"


def _raised(dims: Dims, raised: Raised) -> Mistake:
    key = meaning(raised)
    name = re.search(r"name '(\w+)'", raised.text) if key == "name" else None
    return Mistake.of(
        f"raised.{key}", kind=raised.kind, dims=list(dims), text=raised.text,
        where=raised.where, code=raised.code, name=name.group(1) if name else None,
    )  # fmt: skip


def describe_failure(dims: Dims, result: CallResult) -> Mistake | None:
    """The mistake one call that returned no parameters shows, or None when it returned them."""
    if result.ok:
        return None
    if result.status is CallStatus.EXCEPTION and result.raised is not None:
        return _raised(dims, result.raised)
    if result.status is CallStatus.INVALID and result.refused is not None:
        return _refusal(dims, result)
    if result.status in DEAD:  # which limit came first can vary: the mistake does not
        return Mistake.of("call.stopped", dims=list(dims))
    if result.status is CallStatus.INVALID:
        text = (result.message or result.status.value).rstrip(".")
        return Mistake.of("call.refused", dims=list(dims), message=text)
    return None


def _refusal(dims: Dims, result: CallResult) -> Mistake:
    refused = result.refused
    assert refused is not None
    problem = refused.problem
    if problem == "value_type" and refused.kind in NUMBER_KINDS:
        problem = "bias_number" if refused.key[:1] == "b" else "number"
    elif problem == "value_type":
        problem = "value"
    elif problem not in ("none", "type"):
        problem = "other"
    return Mistake.of(
        f"returned.{problem}", dims=list(dims), key=refused.key, kind=refused.kind,
        message=result.message.rstrip("."),
    )  # fmt: skip


def failed_visible(ev: Evidence) -> Diagnosis | None:
    """The notebook's first example gave no parameters."""
    dims = ev.visible[0]
    result = ev.calls.get((dims, BASE_PRESEED))
    found = describe_failure(dims, result) if result is not None else None
    return Diagnosis((found,)) if found is not None else None


def failed_anywhere(ev: Evidence) -> Diagnosis | None:
    """Some call gave no parameters: the first such call the student may see."""
    for dims, result in ev.results():
        if ev.quotable(dims) and result.status is not CallStatus.MISSING:
            found = describe_failure(dims, result)
            if found is not None:
                return Diagnosis((found,))
    return None
