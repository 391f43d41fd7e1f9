"""The submitted notebook as an HTML page, rendered with nbconvert and made safe to open.

``render_notebook`` takes the notebook (the submitted file's bytes, or the executed notebook of
``--execute``) and gives a ``NotebookPage``: the page's text, and the reason when it could not be
rendered (then the text is a short page saying so). It never raises for anything in the
notebook; rendering is separate from grading and its failure is the page's alone.

The way to a page: ``_bounded`` makes a plain copy of what the page shows, every part bounded;
nbconvert's ``HTMLExporter`` renders it with initgrade's template (``templates/notebook.html.j2``,
nbconvert's classic cells with a mark on each graded cell); ``_sanitize`` cleans each fragment
the student wrote and then the whole body; the page around it has a strict
Content-Security-Policy. The per-cell work (highlighting code, rendering and cleaning markdown
and HTML) is kept by its text, so the cells every student's notebook shares are rendered once
per process. nbconvert is imported here only, when a page is first rendered.
"""

from __future__ import annotations

import functools
import html
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.authoring import STUB_NAME
from grader.reports._bounded import bounded_notebook
from grader.reports._child import in_child
from grader.reports._sanitize import (
    PlainTexts,
    clean_document,
    clean_fragment,
    content_security_policy,
)
from grader.spec import ASSIGNMENT_DIR
from grader.untrusted import relative_link, safe_text

RENDER_SECONDS = 20.0  # past this, the page says it could not be rendered
MAX_PAGE = 16 * 1024 * 1024  # characters of the whole page (what it shows is bounded below this)
TEMPLATES = Path(__file__).parent / "templates"
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 1rem auto; padding: 0 1rem;
       color: #1d1d1f; }
header { border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
h1, h2, h3 { overflow-wrap: anywhere; }
header p { margin: .3rem 0; color: #444; }
.cell { margin: .6rem 0; }
.input_prompt, .output_prompt, .prompt { color: #777; font-family: monospace; font-size: .8rem; }
.input_area { background: #f6f7f9; border: 1px solid #e3e5e8; border-radius: 3px; }
pre { margin: 0; padding: .4rem .6rem; overflow-x: auto; white-space: pre-wrap;
      word-break: break-word; font-size: .85rem; }
.output_area pre { background: none; max-height: 40rem; overflow-y: auto; }
.output_stderr { background: #fff3f2; }
.output_error pre { background: #fff3f2; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .4rem; }
.graded-mark { border-left: .3rem solid #1f5fa8; background: #eef4fb; padding: .3rem .8rem;
               margin-top: 1.2rem; }
.graded-mark p { margin: .2rem 0; }
.graded-mark + .cell .input_area { border: 2px solid #1f5fa8; }
.failure { border-left: .3rem solid #b3261e; background: #fbeeed; padding: .6rem 1rem; }
"""


class RenderTimeout(Exception):
    """Rendering took longer than ``RENDER_SECONDS``."""


@dataclass(frozen=True)
class NotebookPage:
    """The page's text, and why the notebook could not be rendered (None when it was)."""

    html: str
    error: str | None = None


def render_notebook(
    notebook: bytes | Mapping[str, Any],
    *,
    title: str,
    graded: Mapping[str, int] | None = None,
    feedback_href: str | None = None,
    executed: bool = False,
    seconds: float | None = None,
) -> NotebookPage:
    """The notebook as a page. ``notebook``: the submitted file's bytes, or a version-4 notebook
    (the executed copy); ``graded``: each graded function's cell; ``feedback_href``: the feedback
    page's file name (or relative path) beside this one, linked (as ``relative_link`` encodes
    it) from each graded cell.

    The page is drawn in a child process killed at ``RENDER_SECONDS`` (or ``seconds``, when
    less time is left), so its time is bounded whatever the libraries do with the notebook."""
    title = safe_text(title)
    limit = RENDER_SECONDS if seconds is None else min(seconds, RENDER_SECONDS)

    def work() -> str:
        page = _render_here(notebook, title, graded, feedback_href, executed)
        return json.dumps([page.html, page.error])

    _exporter(), _style(), _warmed()  # once per process, so that each child starts with them
    answer = in_child(work, limit)
    if answer is None:
        return failure_page(title, feedback_href, f"rendering took longer than {limit:g} s")
    text, error = json.loads(answer)
    return NotebookPage(str(text), None if error is None else str(error))


@functools.lru_cache(maxsize=1)
def _warmed() -> None:
    """The course's own student notebook drawn once in this process, where it is trusted: the
    cells every student keeps as handed out are then in the per-cell caches (``_kept``) that each
    child starts with, and a child draws only what the student changed."""
    template = ASSIGNMENT_DIR / STUB_NAME
    if template.is_file():  # _render_here turns any failure into a page, which is dropped
        _render_here(template.read_bytes(), "", None, None, False)


def _render_here(
    notebook: bytes | Mapping[str, Any],
    title: str,
    graded: Mapping[str, int] | None,
    feedback_href: str | None,
    executed: bool,
) -> NotebookPage:
    link = None if feedback_href is None else relative_link(feedback_href)
    try:
        content = _content(notebook)
        body = _render(content, dict(graded or {}), link)
    except RenderTimeout:
        reason = f"rendering took longer than {RENDER_SECONDS:g} s"
        return failure_page(title, feedback_href, reason)
    except Exception as error:  # nbconvert, mistune or pygments on input they cannot take
        return failure_page(title, feedback_href, f"{type(error).__name__}: {str(error)[:300]}")
    page = _page(title, body, link, executed)
    if len(page) > MAX_PAGE:  # highlighting and markup past what the bounds foresaw
        reason = f"the page would be {len(page) / 2**20:.1f} MB, over {MAX_PAGE >> 20} MB"
        return failure_page(title, feedback_href, reason)
    return NotebookPage(page)


def _content(notebook: bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(notebook, bytes):
        return notebook
    content = json.loads(notebook.decode("utf-8-sig"))
    if not isinstance(content, dict):
        raise ValueError("the file is not a notebook")
    if content.get("nbformat") == 3:
        import nbformat

        converted: Mapping[str, Any] = nbformat.convert(nbformat.from_dict(content), 4)
        return converted
    return content


def _render(content: Mapping[str, Any], graded: dict[str, int], feedback: str | None) -> str:
    exporter, start = _exporter(), time.monotonic()
    _Deadline.at = start + RENDER_SECONDS
    notebook, texts = bounded_notebook(content, graded), PlainTexts()
    _set_aside(notebook, texts)
    resources = {"initgrade_feedback": feedback or ""}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    _Deadline.check()
    allowed = (feedback,) if feedback else ()
    return texts.put_back(clean_document(str(body), links=allowed))


def _set_aside(notebook: Any, texts: PlainTexts) -> None:
    """Each output's plain text swapped for its token (see ``PlainTexts``)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", ()):
            if output.output_type == "stream":
                output.text = texts.set_aside(output.text)
            elif output.output_type == "error":
                output.traceback = [texts.set_aside(line) for line in output.traceback]
            elif "text/plain" in output.get("data", {}):
                output.data["text/plain"] = texts.set_aside(output.data["text/plain"])


class _Deadline:
    """When the page being rendered must be done; checked between cells."""

    at = float("inf")

    @classmethod
    def check(cls) -> None:
        if time.monotonic() > cls.at:
            raise RenderTimeout


KEPT_TEXTS = 1024  # per-cell results kept per process ...
KEPT_CHARS = 4096  # ... for texts up to this long: a course's shared cells, not a flood


def _kept(function: Callable[[str], str]) -> Callable[[str], str]:
    """``function`` remembered for short texts, with the deadline checked on each call."""
    remembered = functools.lru_cache(maxsize=KEPT_TEXTS)(function)

    def call(text: str) -> str:
        _Deadline.check()
        return remembered(text) if len(text) <= KEPT_CHARS else function(text)

    return call


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """One exporter per process (its templates are compiled once)."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    highlight = Highlight2HTML(pygments_lexer="ipython3")
    highlighted = _kept(lambda source: str(highlight(source)))
    cleaned = _kept(lambda text: clean_fragment(text))

    class Renderer(IPythonRenderer):
        def _embed_image_or_attachment(self, src: str) -> str:
            # An attachment the page left out (not an image, too large) shows its alt text.
            name = src[len("attachment:") :] if src.startswith("attachment:") else None
            if name is not None and name not in self.attachments:
                return ""
            return str(super()._embed_image_or_attachment(src))

    def markdown(source: str, attachments: Any = None) -> str:
        make: Any = Renderer
        renderer = make(escape=False, attachments=attachments or {}, exclude_anchor_links=True)
        return str(MarkdownWithMath(renderer=renderer).render(source))

    as_markdown = _kept(markdown)

    class Exporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            attachments = context.get("cell", {}).get("attachments", {})
            if not attachments:
                return as_markdown(source)
            _Deadline.check()
            return markdown(source, attachments)

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # nbconvert's own version adds a BeautifulSoup pass over the page (alt texts and
            # tab stops) that took most of the time; the template gives every image its alt.
            from nbconvert.exporters.templateexporter import TemplateExporter

            this: Any = self
            this.register_filter("highlight_code", lambda source, **_: highlighted(source))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    make: Any = Exporter
    exporter: Any = make(
        template_name="basic",
        extra_template_paths=[str(TEMPLATES)],
        template_file="notebook.html.j2",
        sanitize_html=True,
        exclude_anchor_links=True,
        default_preprocessors=[],
    )
    exporter.register_filter("clean_html", cleaned)
    return exporter


@functools.lru_cache(maxsize=1)
def _style() -> str:
    from pygments.formatters import HtmlFormatter

    return STYLE + str(HtmlFormatter(style="default").get_style_defs(".highlight"))


def _head(title: str) -> str:
    css = _style()
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(css)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>"
    )


def _banner(title: str, feedback: str | None, executed: bool) -> str:
    how = "as executed by the grader's kernel" if executed else "as submitted (saved outputs)"
    back = f' <a href="{html.escape(feedback)}">Back to the feedback page</a>.' if feedback else ""
    return (
        f"<header><h1>{html.escape(title)}</h1><p>The student's notebook {how}. Scripts, forms, "
        f"frames and anything loaded from elsewhere were removed; graded cells are marked.{back}"
        "</p></header>"
    )


def _page(title: str, body: str, feedback: str | None, executed: bool) -> str:
    banner = _banner(title, feedback, executed)
    return f"{_head(title)}<body>{banner}<main>{body}</main></body></html>\n"


def failure_page(title: str, feedback: str | None, reason: str) -> NotebookPage:
    """A page that says why the notebook is not shown; ``feedback``: the feedback page's file
    name beside it."""
    feedback = None if feedback is None else relative_link(feedback)
    back = f' <a href="{html.escape(feedback)}">Back to the feedback page</a>.' if feedback else ""
    body = (
        f'<header><h1>{html.escape(title)}</h1></header><p class="failure">The notebook could '
        f"not be shown as a page: {html.escape(reason)}. Its grade does not depend on this page."
        f"{back}</p>"
    )
    return NotebookPage(f"{_head(title)}<body>{body}</body></html>\n", reason)


def notebook_path(feedback: Path) -> Path:
    """Where the notebook's page goes beside a feedback page: ``x.html`` -> ``x.notebook.html``."""
    name = feedback.name[:-5] if feedback.name.lower().endswith(".html") else feedback.name
    return feedback.with_name(f"{name}.notebook.html")
