"""The one door for untrusted text: what it neutralises, keeps, bounds and refuses."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("\x1b[2Kcleared\rTotal: 30", "\\x1b[2Kcleared\\x0dTotal: 30"),
        ("two\nlines\tand a tab", "two lines and a tab"),
        ("\u202eright to left\u202c", "\\u202eright to left\\u202c"),
        ("nul\x00 del\x7f c1\x85", "nul\\x00 del\\x7f c1\\x85"),
    ],
)
def test_untrusted_text_is_made_printable_and_encodable(raw: str, shown: str) -> None:
    from grader.untrusted import safe_text

    assert safe_text(raw) == shown
    safe_text(raw).encode("utf-8")  # no lone surrogate left to fail an encoder


def test_untrusted_text_keeps_its_lines_where_lines_are_wanted() -> None:
    from grader.untrusted import safe_text

    assert safe_text("a\nb\tc\x1b", lines=True) == "a\nb\tc\\x1b"


def test_every_string_of_a_reply_is_cleaned_and_deep_nesting_is_refused() -> None:
    from grader.untrusted import clean

    assert clean({"k\x1b": ["\ud800", 1, {"x": "\r"}]}) == {"k\\x1b": ["\ufffd", 1, {"x": "\\x0d"}]}
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError, match="nested"):
        clean(deep)
