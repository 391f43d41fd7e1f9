"""The short name of the mistake a diagnosis names, so the dashboard can count them.

A diagnosis is one of the sentences of ``grader.messages`` (``DIAG_*``) filled with the
student's numbers; each template becomes a pattern (its fields match anything), tried in turn.
The scale template is split by its explanation (Xavier, fan-out, ...), the exception template by
what the exception usually means, and the refused-value template by the sentence that completes
it, which is what tells those mistakes apart. A sentence that matches no template counts as
"another mistake".
"""

from __future__ import annotations

import re
import string
from functools import cache

from grader import messages as msg


def _pattern(template: str) -> str:
    """A regular expression for ``template``: its text literally, each field as ``.*?``, and
    fields with no text between them as one ``.*?`` (two in a row would try every split of the
    student's text between them: quadratic in its length)."""
    parts: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(re.escape(literal))
        if field is not None and parts[-1:] != [".*?"]:
            parts.append(".*?")
    return "".join(parts)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    found = []
    scale_head = msg.DIAG_SCALE.split("{explanation}")[0]
    for key, name in msg.SCALE_MISTAKE_NAMES.items():
        explanation = msg.DIAG_EXPLAIN[key]
        found.append((re.compile(_pattern(scale_head) + _pattern(explanation), re.S), name))
    raised_head = msg.DIAG_RAISED.split("{meaning}")[0]
    for key, name in msg.RAISED_MISTAKE_NAMES.items():
        meaning = msg.DIAG_RAISED_MEANING[key]
        found.append((re.compile(_pattern(raised_head) + _pattern(meaning), re.S), name))
    returned_head = msg.DIAG_RETURNED.split("{problem}")[0]
    for constant, name in msg.RETURNED_MISTAKE_NAMES.items():
        problem = getattr(msg, constant)
        found.append((re.compile(_pattern(returned_head) + _pattern(problem), re.S), name))
    for constant, name in msg.MISTAKE_NAMES.items():
        found.append((re.compile(_pattern(getattr(msg, constant)), re.S), name))
    return tuple(found)


def mistake_name(diagnosis: str) -> str:
    """The short name of the (first) mistake ``diagnosis`` names."""
    first = diagnosis.split(msg.DIAG_ALSO.split("{more}")[0])[0]
    for pattern, name in _patterns():
        if pattern.fullmatch(first):
            return name
    return msg.REPORT_NO_DIAGNOSIS
