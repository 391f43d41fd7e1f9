"""What a page made from a student's notebook may contain, and the policy that enforces it.

A notebook's markdown and outputs are the student's HTML. It is cleaned with ``nh3`` (the Python
binding of the Ammonia sanitiser) to an allow-list: text, headings, lists, tables, code, links
and images, with no script, style, frame, form, embedded object or event handler, and no address
the browser would load by itself. Images must be ``data:`` images; a link may only go to a place
in the page, or to an ``http``/``https``/``mailto`` address the reader chooses to follow.

Cleaning happens twice: each fragment the student wrote (``clean_fragment``, where the page's
template puts it), then the whole rendered body (``clean_document``), which also catches
anything the template itself let through. A fragment may not use the names the page gives its
own anchors (``RESERVED``), so a student cannot move the feedback page's links, nor the classes
its style sheet gives its own parts (``PAGE_CLASSES``). The page's
Content-Security-Policy (``content_security_policy``) forbids every script, connection, frame,
font and form, and every image that is not ``data:``, should anything get past both.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

RESERVED = "graded-"  # the prefix of the page's own anchors and marks
TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
    "var", "wbr",
})  # fmt: skip
# Removed with everything inside them, not only their tags.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
    "applet", "template", "noscript", "noembed", "noframes", "textarea", "select", "title",
    "xmp", "plaintext", "head",
})  # fmt: skip
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})
# The classes the page's style sheet gives its own parts: a student's HTML may not take them,
# so it cannot draw a fake code cell, a fake error or a fake "could not be shown" box.
PAGE_CLASSES = frozenset({
    "cell", "failure", "input_area", "input_prompt", "output_area", "output_error",
    "output_prompt", "output_stderr", "prompt",
})  # fmt: skip
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z")
_LINK = re.compile(r"(?:#[^\s]*|https?://[^\s]+|mailto:[^\s]+)\Z", re.I)
_NUMBER = re.compile(r"[0-9]{1,5}%?\Z")


def _attribute(reserved_allowed: bool, links: tuple[str, ...]) -> Any:
    def keep(tag: str, name: str, value: str) -> str | None:
        if name == "src":
            if not _DATA_IMAGE.match(value.strip()):
                return None
            from grader.reports._images import data_image_problem

            return value if data_image_problem(value) is None else None
        if name == "href":
            if any(value == link or value.startswith(link + "#") for link in links):
                return value
            return value if _LINK.match(value.strip()) else None
        if name in ("width", "height"):
            return value if _NUMBER.match(value.strip()) else None
        if name == "id" and not reserved_allowed and value.strip().startswith(RESERVED):
            return None
        if name == "class" and not reserved_allowed:
            kept = [word for word in value.split()
                    if not word.startswith(RESERVED) and word not in PAGE_CLASSES]  # fmt: skip
            return " ".join(kept) or None
        return value

    return keep


def _clean(html: str, *, reserved_allowed: bool, links: tuple[str, ...] = ()) -> str:
    import nh3

    return str(
        nh3.clean(
            html,
            tags=set(TAGS),
            clean_content_tags=set(DROPPED_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
            attribute_filter=_attribute(reserved_allowed, links),
            url_schemes=set(URL_SCHEMES),
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
        )
    )


def clean_fragment(html: str) -> str:
    """HTML the student wrote (a markdown cell, an output), cleaned to the allow-list."""
    return _clean(html, reserved_allowed=False)


def clean_document(html: str, *, links: tuple[str, ...] = ()) -> str:
    """The page's whole rendered body, cleaned once more; the page's own anchors stay, and so do
    links to ``links`` (the page's own relative addresses, such as its feedback page)."""
    return _clean(html, reserved_allowed=True, links=links)


class PlainTexts:
    """The plain text of a notebook's outputs (streams, tracebacks, ``text/plain``), kept out of
    the cleaner: ``set_aside`` swaps each for a token no student can guess, and ``put_back``
    puts each back into the cleaned page, escaped with ``html.escape``. Text needs no cleaning,
    and the cleaner's time grows faster than the length of one text."""

    def __init__(self) -> None:
        import secrets

        self.texts: list[str] = []
        self.nonce = secrets.token_hex(12)
        self.tokens = re.compile(f"initgradetext{self.nonce}n([0-9]+)e")

    def set_aside(self, text: str) -> str:
        self.texts.append(text)
        return f"initgradetext{self.nonce}n{len(self.texts) - 1}e"

    def put_back(self, page: str) -> str:
        import html

        return self.tokens.sub(lambda found: html.escape(self.texts[int(found[1])]), page)


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this ``<style>`` element's text."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(css: str) -> str:
    """Nothing but ``data:`` images and the page's own style sheet."""
    return (
        f"default-src 'none'; img-src data:; style-src {style_hash(css)}; "
        "base-uri 'none'; form-action 'none'"
    )
