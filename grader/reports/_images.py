"""Whether an image may be shown on a page made from a student's notebook: its bytes, its pixels
(read from the first bytes of a PNG, JPEG, GIF or WebP, so that a small file that decodes to a
huge bitmap is refused) and, for SVG, what could multiply the work of drawing it (``<use>``,
patterns, filters, nested images, entities) or too many elements. The same bounds apply to an
image output and to a ``data:`` image in the student's HTML or markdown."""

from __future__ import annotations

import base64
import binascii
import re
import struct

KB = 1024
MAX_IMAGE = 2 * KB * KB  # base64 characters of one image
MAX_PIXELS = 16_000_000  # width x height of one image


def _size(chars: int) -> str:
    return f"{chars / (KB * KB):.1f} MB" if chars >= KB * KB else f"{max(1, chars // KB)} kB"


def image_problem(kind: str, data: str) -> str | None:
    """Why an image is not shown (too many bytes, too many pixels), or None."""
    if len(data) > MAX_IMAGE:
        return f"an image of {_size(len(data))} is not shown (the page shows images up to " \
               f"{_size(MAX_IMAGE)})"  # fmt: skip
    if kind == "image/svg+xml":
        return _svg_problem(data)
    try:
        head = base64.b64decode("".join(data[:4096].split())[:4000] + "==", validate=False)
    except (binascii.Error, ValueError):
        return "an image that is not valid base64 is not shown"
    size = _dimensions(head) if kind in ("image/png", "image/jpeg") else _other_size(head)
    if size is None and kind not in ("image/png", "image/jpeg"):
        return f"an image of type {kind} whose size it does not say is not shown"
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        return f"an image of {size[0]} x {size[1]} pixels is not shown (the page shows images " \
               f"up to {MAX_PIXELS // 1_000_000} million pixels)"  # fmt: skip
    return None


MAX_SVG_ELEMENTS = 2000
_SVG_REFUSED = re.compile(
    r"<\s*(?:[\w.-]+:)?(?:use|pattern|filter|image|foreignObject)\b|<!ENTITY|<!DOCTYPE[^>\[]*\[",
    re.I,
)


def _svg_problem(svg: str) -> str | None:
    """Why an SVG is not shown: a reference or a declaration that can multiply the work of
    drawing it (``<use>``, patterns, filters, entities), or too many elements."""
    if _SVG_REFUSED.search(svg) or svg.count("<") > MAX_SVG_ELEMENTS:
        return f"an SVG image with <use>, patterns, filters, entities or more than " \
               f"{MAX_SVG_ELEMENTS} elements is not shown"  # fmt: skip
    return None


def data_image_problem(url: str) -> str | None:
    """Why a ``data:image/...;base64,`` address in the student's HTML or markdown is not
    shown: the bounds of an image output, applied to it."""
    kind, _, data = url.strip()[len("data:") :].partition(";base64,")
    if len(data) > MAX_IMAGE or kind != "image/svg+xml":
        return image_problem(kind, data)
    try:
        svg = base64.b64decode("".join(data.split()) + "==", validate=False)
    except (binascii.Error, ValueError):
        return "an image that is not valid base64 is not shown"
    return _svg_problem(svg.decode("utf-8", "replace"))


def _other_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a GIF's or WebP's first bytes, when they say."""
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return int(width), int(height)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and len(head) >= 30:
        chunk = head[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(head[24:27], "little") + 1
            return width, int.from_bytes(head[27:30], "little") + 1
        if chunk == b"VP8L":
            bits = int.from_bytes(head[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", head[26:30])
            return width & 0x3FFF, height & 0x3FFF
    return None


def _dimensions(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's or JPEG's first bytes, when they say."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return int(width), int(height)
    at = 2
    while head[:2] == b"\xff\xd8" and at + 9 <= len(head):
        marker, length = head[at + 1], struct.unpack(">H", head[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + length
    return None
