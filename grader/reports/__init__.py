"""Renderings of a ``Report``: terminal text, Gradescope ``results.json``, JUnit XML, an HTML page.

``grader.reports.html`` draws plots with matplotlib and is imported on its own
(``from grader.reports.html import write_html``) so the other formats stay light.
"""

from __future__ import annotations

from grader.reports._sanitize import content_security_policy
from grader.reports.csv import csv_row
from grader.reports.gradescope import gradescope_json, write_gradescope
from grader.reports.junit import junit_xml, write_junit
from grader.reports.text import render_text

__all__ = [
    "content_security_policy",
    "csv_row",
    "gradescope_json",
    "junit_xml",
    "render_text",
    "write_gradescope",
    "write_junit",
]
