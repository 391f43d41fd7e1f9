"""Notebooks whose markdown and outputs try to run a script or load something in the reader's
browser, for the notebook page (``grader.reports.notebook``).

Each case is a version-4 notebook as plain data. A payload that ran would set the page's title to
``PWNED`` (or ``window.pwned``); one that loaded anything would ask ``{server}`` (a local HTTP
server the browser test starts, which counts every request). ``cases(server)`` builds them all.
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

RUN = "document.title='PWNED';window.pwned=1"


def _png(width: int, height: int) -> str:
    """A valid PNG header declaring ``width`` x ``height`` pixels, and one row of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    data += chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1))) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii")


def _markdown(source: str, **extra: Any) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source, **extra}


def _code(source: str, *outputs: dict[str, Any], metadata: Any = None) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": metadata or {},
        "source": source,
        "outputs": list(outputs),
        "execution_count": 1,
    }


def _display(data: dict[str, Any], metadata: Any = None) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


def _notebook(*cells: dict[str, Any], metadata: Any = None) -> dict[str, Any]:
    for index, cell in enumerate(cells):
        cell.setdefault("id", f"cell{index}")
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {}, "cells": list(cells)}


def _graded() -> dict[str, Any]:
    return _code("def initialize_parameters_he(layers_dims):\n    return {}\n")


def cases(server: str) -> dict[str, dict[str, Any]]:
    """Every hostile notebook by name; ``server`` is an address such as http://127.0.0.1:PORT."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" onload="{RUN}"><script>{RUN}</script>'
        f'<image href="{server}/svg-image.png" width="10" height="10"/>'
        f'<foreignObject><iframe src="{server}/svg-frame"></iframe></foreignObject></svg>'
    )
    svg_data = base64.b64encode(svg.encode()).decode()
    return {
        "script_in_markdown": _notebook(
            _markdown(f"# Title\n<script>{RUN}</script>\n<SCRIPT SRC={server}/x.js></SCRIPT>"),
            _graded(),
        ),
        "event_handlers_in_markdown": _notebook(
            _markdown(
                f'<img src="x" onerror="{RUN}"> <body onload="{RUN}"> '
                f'<details open ontoggle="{RUN}">x</details> <input autofocus onfocus="{RUN}"> '
                f'<div onmouseover="{RUN}">hover</div> <a onclick="{RUN}">click</a>'
            ),
            _graded(),
        ),
        "javascript_links": _notebook(
            _markdown(
                f"[click](javascript:{RUN}) <a href='javascript:{RUN}'>a</a> "
                f"<a href=' JaVaScRiPt:{RUN}'>b</a> <a href='data:text/html,<script>{RUN}</script>'"
                f">c</a> <a href='vbscript:msgbox(1)'>d</a>"
            ),
            _graded(),
        ),
        "script_in_html_output": _notebook(
            _code(
                "show()",
                _display(
                    {
                        "text/html": f"<b>bold</b><script>{RUN}</script>",
                        "text/plain": "<IPython.core.display.HTML object>",
                    }
                ),
            ),
        ),
        "handlers_in_html_output": _notebook(
            _code(
                "show()",
                _display(
                    {
                        "text/html": (
                            f'<svg onload="{RUN}"></svg><img src=x onerror="{RUN}">'
                            f'<marquee onstart="{RUN}">m</marquee>'
                            f'<video src=x onerror="{RUN}"></video>'
                            f'<style onload="{RUN}">p{{}}</style>'
                            f'<iframe srcdoc="<script>{RUN}</script>">'
                            "</iframe>"
                        )
                    }
                ),
            ),
        ),
        "svg_output_with_script": _notebook(
            _code("plot()", _display({"image/svg+xml": svg})),
            _markdown(f"![inline svg](data:image/svg+xml;base64,{svg_data})"),
            _markdown(
                "![a](attachment:a.svg) ![b](attachment:b.html)",
                attachments={
                    "a.svg": {"image/svg+xml": svg_data},
                    "b.html": {"text/html": base64.b64encode(svg.encode()).decode()},
                },
            ),
        ),
        "javascript_output": _notebook(
            _code("js()", _display({"application/javascript": RUN, "text/plain": "js"})),
            _code(
                "w()",
                _display(
                    {
                        "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                        "text/plain": "a widget",
                    }
                ),
            ),
            metadata={
                "widgets": {
                    "application/vnd.jupyter.widget-state+json": {
                        "state": {},
                        "version_major": 2,
                        "version_minor": 0,
                        "x": f"</script><script>{RUN}</script>",
                    }
                }
            },
        ),
        "frames": _notebook(
            _markdown(f'<iframe src="{server}/frame"></iframe><frameset><frame src="{server}/f">'),
            _code(
                "x",
                _display(
                    {"text/html": f'<iframe src="{server}/out-frame"></iframe>'},
                    {"text/html": {"isolated": True}},
                ),
            ),
        ),
        "meta_refresh_and_base": _notebook(
            _markdown(f'<meta http-equiv="refresh" content="0;url={server}/refresh">'),
            _code(
                "x",
                _display(
                    {
                        "text/html": f'<base href="{server}/"><img src="relative.png">'
                        f'<meta http-equiv="refresh" content="1;url={server}/r2">'
                    }
                ),
            ),
        ),
        "css_urls": _notebook(
            _markdown(
                f"<style>body {{ background: url({server}/css-bg) }} @import '{server}/i.css';"
                f'</style><div style="background-image: url({server}/inline)">styled</div>'
                f'<link rel="stylesheet" href="{server}/link.css">'
            ),
            _code("x", _display({"text/html": f'<p style="background:url({server}/p)">p</p>'})),
        ),
        "external_resources": _notebook(
            _markdown(
                f'![remote]({server}/md.png) <img src="{server}/img.png" '
                f'srcset="{server}/set.png 2x"> <video poster="{server}/poster.png"></video>'
                f'<audio src="{server}/a.mp3" autoplay></audio><object data="{server}/o">'
                f'</object><embed src="{server}/e"><img src="/etc/passwd"><img src="file:///etc/x">'
            ),
            _graded(),
        ),
        "forms": _notebook(
            _markdown(
                f'<form action="{server}/form"><input name="q" value="1"><button formaction='
                f'"{server}/b">Send</button><textarea>t</textarea><select><option>o</select></form>'
            ),
            _graded(),
        ),
        "huge_outputs": _notebook(
            _code(
                "print(s)",
                {"output_type": "stream", "name": "stdout", "text": "x" * (10 * 1024 * 1024)},
            ),
            _code("img()", _display({"image/png": _png(60_000, 60_000)})),
            _code("big()", _display({"image/png": "A" * (3 * 1024 * 1024)})),
        ),
        "forged_metadata": _notebook(
            _code(
                "img()",
                _display(
                    {"image/png": _png(2, 2)},
                    {
                        "image/png": {
                            "width": f'1 onerror="{RUN}"',
                            "height": "2 onload=x",
                            "alt": f'"><script>{RUN}</script>',
                        },
                        "filenames": {"image/png": f"{server}/file.png"},
                    },
                ),
            ),
            _code(
                "x",
                metadata={
                    "tags": [f'"><script>{RUN}</script>'],
                    "alt": f'x" onerror="{RUN}',
                    "initgrade": {"graded": [f'"><script>{RUN}</script>']},
                },
            ),
            metadata={"language_info": {"name": "html", "pygments_lexer": "html"}},
        ),
        "anchors_taken_by_the_student": _notebook(
            _markdown(
                '<div id="graded-initialize_parameters_he" class="graded-mark">fake</div>'
                '<a name="graded-initialize_parameters_he">n</a>'
            ),
            _graded(),
        ),
        "text_that_looks_like_markup": _notebook(
            _code(
                "x",
                {"output_type": "stream", "name": "stderr", "text": f"<script>{RUN}</script>"},
                {
                    "output_type": "error",
                    "ename": "E",
                    "evalue": "v",
                    "traceback": [f"\x1b[31m<img src=x onerror={RUN}>\x1b[0m"],
                },
                _display({"text/latex": f"$</div><script>{RUN}</script>$"}),
                _display({"text/markdown": f"<script>{RUN}</script> **md**"}),
            ),
            _markdown(f"$<script>{RUN}</script>$ and $$<img src=x onerror={RUN}>$$"),
        ),
    }
