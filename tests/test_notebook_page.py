"""The submitted notebook as a page (``grader.reports.notebook``): every hostile case of
``tests/hostile_pages.py`` comes out with nothing that can run or load, the page is bounded, and a
notebook that cannot be rendered gives a page that says so instead of an exception."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.reports import notebook as page_module
from grader.reports._sanitize import DROPPED_WITH_CONTENT, TAGS
from grader.reports.notebook import notebook_path, render_notebook
from tests import hostile_pages, notebooks

SERVER = "http://127.0.0.1:9"
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "main", "h1", "p", "a"}


class Collected(HTMLParser):
    """Every tag and attribute of a page, and the text inside <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collected = Collected()
    collected.feed(html)
    return collected.tags


def render(content: dict, **options) -> str:
    page = render_notebook(json.dumps(content).encode(), title="student.ipynb", **options)
    assert page.error is None, page.error
    return page.html


def assert_inert(html: str) -> None:
    """Nothing a browser would run or load by itself, and only the page's own style sheet."""
    tags = parsed(html)
    assert {tag for tag, _ in tags} <= TAGS | PAGE_TAGS
    assert not {tag for tag, _ in tags} & DROPPED_WITH_CONTENT - {"style", "title", "head"}
    assert sum(tag == "style" for tag, _ in tags) == 1
    metas = [attrs for tag, attrs in tags if tag == "meta"]
    assert metas[1]["http-equiv"] == "Content-Security-Policy"
    assert "default-src 'none'" in str(metas[1]["content"])
    assert sum(attrs.get("http-equiv") is not None for attrs in metas) == 1
    for tag, attrs in tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("style", "srcset", "action", "formaction", "poster", "data")
            text = (value or "").strip().lower()
            assert not text.startswith(("javascript:", "vbscript:", "data:text")), (tag, name)
            if name == "src":
                assert text.startswith("data:image/"), (tag, value)
    assert SERVER not in html.split("<main>")[1].replace(f'href="{SERVER}', "")


@pytest.mark.parametrize("name", sorted(hostile_pages.cases(SERVER)))
def test_a_hostile_notebook_becomes_an_inert_page(name: str) -> None:
    content = hostile_pages.cases(SERVER)[name]
    html = render(content, graded={"initialize_parameters_he": len(content["cells"]) - 1})
    assert_inert(html)


def test_the_graded_cells_are_marked_and_linked_to_the_feedback_page() -> None:
    nb = notebooks.new_generation()
    index = next(i for i, c in enumerate(nb.cells) if "def initialize_parameters_he" in c.source)
    html = render(nb, graded={"initialize_parameters_he": index}, feedback_href="ada-1.html")
    assert html.count('id="graded-initialize_parameters_he"') == 1
    assert 'href="./ada-1.html#graded-initialize_parameters_he"' in html
    assert 'href="./ada-1.html"' in html  # back to the feedback page, from the banner
    assert_inert(html)


def test_a_student_cannot_take_the_pages_own_anchors() -> None:
    content = hostile_pages.cases(SERVER)["anchors_taken_by_the_student"]
    html = render(content)  # nothing is graded: no mark of the page's own
    assert "graded-initialize_parameters_he" not in html
    assert "graded-mark" not in html.split("<main>")[1]


def test_huge_outputs_are_cut_with_a_note_and_the_page_stays_small() -> None:
    html = render(hostile_pages.cases(SERVER)["huge_outputs"])
    assert len(html) < 1024 * 1024
    assert "this output is 10.0 MB; the page shows the first 200 kB" in html
    assert "an image of 60000 x 60000 pixels is not shown" in html
    assert "an image of 3.0 MB is not shown" in html


def test_the_whole_page_is_bounded_whatever_the_number_of_outputs() -> None:
    many = [{"output_type": "stream", "name": name, "text": "y" * 190_000}
            for name in ("stdout", "stderr")] * 4  # fmt: skip
    content = hostile_pages._notebook(*(hostile_pages._code("x", *many) for _ in range(10)))
    html = render(content)
    assert len(html) < 14 * 1024 * 1024
    assert "the rest of this notebook&#x27;s outputs are not shown" in html  # text, escaped


def test_a_file_that_is_not_a_notebook_gets_a_page_saying_so() -> None:
    page = render_notebook(b"{ cut short", title="broken.ipynb", feedback_href="b.html")
    assert page.error is not None
    assert "could not be shown as a page" in page.html
    assert "Its grade does not depend on this page" in page.html
    assert 'href="./b.html"' in page.html
    assert_inert(page.html.replace("<body>", "<body><main>"))


def test_rendering_past_its_time_gives_a_page_saying_so(monkeypatch) -> None:
    monkeypatch.setattr(page_module, "RENDER_SECONDS", -1.0)
    page = render_notebook(json.dumps(notebooks.new_generation()).encode(), title="slow.ipynb")
    assert page.error == "rendering took longer than -1 s"


def test_rendering_stuck_where_no_deadline_is_checked_is_killed_at_its_limit(
    monkeypatch,
) -> None:
    def stuck(*_: object) -> str:
        while True:  # a library's C call: no cooperative deadline would ever run
            pass

    monkeypatch.setattr(page_module, "_render", stuck)
    started = time.monotonic()
    page = render_notebook(b"{}", title="stuck.ipynb", feedback_href="f.html", seconds=0.5)
    assert time.monotonic() - started < 5
    assert page.error == "rendering took longer than 0.5 s"
    assert "Its grade does not depend on this page" in page.html


def test_consecutive_streams_shown_as_one_are_cut_like_one_output() -> None:
    from grader.reports._bounded import MAX_TEXT, bounded_notebook

    flood = [{"output_type": "stream", "name": "stdout", "text": "&" * MAX_TEXT}] * 5
    cell = {"cell_type": "code", "source": "", "outputs": flood}
    shown = bounded_notebook({"cells": [cell]}, {})["cells"][0]["outputs"]
    assert len(shown) == 1
    assert MAX_TEXT <= len(shown[0]["text"]) < MAX_TEXT + 200
    assert "the rest of this stream is not shown" in shown[0]["text"]


def test_what_a_page_shows_is_bounded_as_escaped_not_as_submitted() -> None:
    import html

    from grader.reports._bounded import MAX_TEXT, MAX_TOTAL, bounded_notebook

    flood = {"output_type": "stream", "name": "stdout", "text": "<" * MAX_TEXT}
    cells = [{"cell_type": "code", "source": "", "outputs": [flood]}] * 16  # 3.2 MB, 16 escaped
    shown = bounded_notebook({"cells": cells}, {})["cells"]
    texts = [output["text"] for cell in shown for output in cell["outputs"]]
    assert sum(len(html.escape(text)) for text in texts) <= MAX_TOTAL + 10_000
    assert "the rest of this notebook's outputs are not shown" in texts[-1]


def test_plain_text_outputs_reach_the_page_escaped_and_tokens_cannot_be_forged() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "<b>a & b</b>"},
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": ["<i>trace</i>"]},
    ]
    nb = {**notebooks.new_generation(), "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "initgradetext0n0e"},
        {"cell_type": "code", "metadata": {}, "source": "", "outputs": outputs,
         "execution_count": 1},
    ]}  # fmt: skip
    html = render_notebook(json.dumps(nb).encode(), title="t.ipynb").html
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in html
    assert "&lt;i&gt;trace&lt;/i&gt;" in html
    assert "initgradetext0n0e" in html


def _png_header(width: int, height: int) -> str:
    import base64
    import struct

    head = (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)
    )
    return base64.b64encode(head + b"\x08\x02\x00\x00\x00" + bytes(4)).decode()


def test_images_in_the_students_html_are_held_to_the_image_outputs_bounds() -> None:
    import base64

    from grader.reports._sanitize import clean_fragment

    bomb = f'<img alt="b" src="data:image/png;base64,{_png_header(16_000, 16_000)}">'
    small = f'<img alt="s" src="data:image/png;base64,{_png_header(10, 10)}">'
    use = b'<svg><g id="a"><rect/></g><use href="#a"/><use href="#a"/></svg>'
    svg = f'<img alt="u" src="data:image/svg+xml;base64,{base64.b64encode(use).decode()}">'
    cleaned = clean_fragment(bomb + small + svg)
    assert cleaned.count("src=") == 1
    assert _png_header(10, 10) in cleaned


def test_an_svg_output_that_repeats_its_own_parts_is_a_note_not_an_image() -> None:
    from grader.reports._bounded import bounded_notebook

    use = '<svg><g id="a"><rect/></g>' + '<use href="#a"/>' * 10 + "</svg>"
    output = {"output_type": "display_data", "data": {"image/svg+xml": use}, "metadata": {}}
    cell = {"cell_type": "code", "source": "", "outputs": [output]}
    shown = bounded_notebook({"cells": [cell]}, {})["cells"][0]["outputs"]
    assert shown[0]["output_type"] == "stream"
    assert "SVG image with <use>" in shown[0]["text"]


def test_a_student_cannot_dress_their_html_as_the_pages_own_parts() -> None:
    from grader.reports._sanitize import PAGE_CLASSES, clean_fragment

    fake = "".join(f'<div class="{name} mine">fake</div>' for name in sorted(PAGE_CLASSES))
    cleaned = clean_fragment(fake + '<p class="failure">could not be shown</p>')
    assert cleaned.count('class="mine"') == len(PAGE_CLASSES)
    assert "<p>could not be shown</p>" in cleaned


def test_the_page_beside_a_feedback_page_is_named_after_it() -> None:
    assert notebook_path(Path("out/ada-12.html")) == Path("out/ada-12.notebook.html")
    assert notebook_path(Path("feedback")) == Path("feedback.notebook.html")


def test_nbconvert_is_imported_only_when_a_page_is_rendered() -> None:
    code = (
        "import sys, grader.api, grader.reports.notebook, grader.reports.html\n"
        "print(sorted(m for m in ('nbconvert', 'nh3', 'mistune') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_executed_notebook_is_rendered_with_its_new_outputs() -> None:
    import nbformat

    nb = notebooks.new_generation()
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="cost 0.6931")]
    page = render_notebook(nb, title="ada.ipynb", executed=True)
    assert page.error is None
    assert "as executed by the grader's kernel" in page.html
    assert "cost 0.6931" in page.html


def test_text_no_encoder_can_write_still_renders_through_the_one_door() -> None:
    content = hostile_pages._notebook(
        hostile_pages._markdown("a lone \ud800 surrogate and a \u202e reversal"),
        hostile_pages._code(
            "x", {"output_type": "stream", "name": "stderr", "text": "\x1b[31mred\x1b[0m \x00 end"}
        ),
    )
    page = render_notebook(json.dumps(content).encode(), title="name\udcff.ipynb")
    assert page.error is None
    page.html.encode("utf-8")  # writable
    assert "a lone \\ud800 surrogate and a \\u202e reversal" in page.html
    assert "red \\x00 end" in page.html
