"""The one door for untrusted text: what it neutralises, keeps, bounds and refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
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

    cleaned = {"k\\x1b": ["\\ud800", 1, {"x": "\\x0d"}]}
    assert clean({"k\x1b": ["\ud800", 1, {"x": "\r"}]}) == cleaned
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(ValueError, match="nested"):
        clean(deep)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2066", "\u061c", "\u180e"],
)
def test_zero_width_and_direction_marks_are_shown_as_escapes(invisible: str) -> None:
    from grader.untrusted import safe_text

    shown = safe_text(f"alice{invisible}bob")
    assert invisible not in shown
    assert shown.startswith("alice\\")
    assert shown.endswith("bob")


@pytest.mark.parametrize(
    "blank",
    ["\u3164", "\u034f", "\ufe0f", "\u2800", "\u115f", "\u1160", "\uffa0", "\U000e0100"],
)
def test_printable_characters_that_show_nothing_are_escaped_in_names_and_text(blank: str) -> None:
    from grader.untrusted import real_name, safe_name, safe_text

    name = safe_name(f"alice{blank}")
    assert name.startswith("alice\\")
    assert real_name(name) == f"alice{blank}".encode()
    assert safe_text(f"alice{blank}bob").startswith("alice\\")
    assert safe_name("张伟") == "张伟"  # letters of any script stay as they are


def test_text_past_the_limit_is_cut_and_the_cut_is_said() -> None:
    from grader.untrusted import safe_text

    shown = safe_text("x" * 360_000, limit=100)
    assert shown.startswith("x" * 100)
    assert "359,900 more characters" in shown
    assert len(shown) < 200


@given(st.text())
def test_the_door_gives_printable_text_and_passing_it_twice_changes_nothing(text: str) -> None:
    from grader.untrusted import safe_name, safe_text

    once = safe_text(text)
    assert once.isprintable()
    assert safe_text(once) == once
    assert safe_text(safe_name(text)) == safe_name(text)


@given(st.binary(max_size=64))
def test_a_name_of_any_bytes_is_escaped_printably_and_can_be_read_back(raw: bytes) -> None:
    import os

    from grader.untrusted import real_name, safe_name

    for given_as in (raw, os.fsdecode(raw)):
        shown = safe_name(given_as)
        assert shown.isprintable()
        shown.encode("utf-8")  # no lone surrogate: SQLite, JSON and a terminal all take it
        assert real_name(shown) == raw


def test_names_that_differ_only_in_a_byte_or_a_backslash_stay_apart() -> None:
    from grader.untrusted import safe_name

    names = [b"a\xffb", b"a\\xffb", "a\u00ffb".encode(), b"a\\\\xffb", b"a\xc2\x85b", b"a\x85b"]
    assert len({safe_name(name) for name in names}) == len(names)


def test_a_carriage_return_in_a_csv_cell_cannot_start_a_row() -> None:
    import csv
    import io

    from grader.untrusted import spreadsheet_cell

    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([spreadsheet_cell("mallory\r=HYPERLINK(1)"), spreadsheet_cell(3.5)])
    writer.writerow([spreadsheet_cell("=1+1"), spreadsheet_cell(None)])
    text = handle.getvalue()
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["mallory\\x0d=HYPERLINK(1)", "3.5"], ["'=1+1", ""]]


def test_warnings_of_one_kind_are_capped_and_the_rest_counted() -> None:
    from grader.untrusted import MAX_PER_KIND, Notes

    notes = Notes()
    for cell in range(200_000):
        notes.add("cell {cell} marks a function it does not define", cell=cell)
    notes.add("another kind")
    lines = notes.lines()
    assert len(lines) == MAX_PER_KIND + 2
    assert (
        lines[-1]
        == "... and 199,980 more warnings like: cell 0 marks a function it does not define"
    )


def test_a_report_holds_a_bounded_number_of_warnings() -> None:
    from grader.untrusted import MAX_NOTES, bounded_notes

    kept = bounded_notes([f"warning {i}\x1b" for i in range(5000)])
    assert len(kept) == MAX_NOTES
    assert kept[0] == "warning 0\\x1b"
    assert kept[-1] == f"... and {5000 - MAX_NOTES + 1:,} more warnings."


def test_a_reply_string_over_the_limit_is_cut_where_it_enters() -> None:
    import json

    from grader.untrusted import MAX_TEXT, decode

    reply = decode(json.dumps({"error": "takes exactly " * 30_000}).encode())
    assert len(reply["error"]) < MAX_TEXT + 50
