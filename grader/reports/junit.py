"""JUnit XML for CI: one ``testsuite`` per submission, one ``testcase`` per check.

``classname`` is the graded function and ``name`` the check; a failed check carries a ``failure``
element (``error`` when the whole submission could not be graded) whose ``message`` attribute is
the check's message. Characters XML 1.0 cannot hold (control characters a student's output may
contain) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.results import Report
from grader.sentences import diagnosis_text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _suite(report: Report) -> ET.Element:
    checks = list(report.checks)
    failed = sum(not check.passed for check in checks)
    suite = ET.Element(
        "testsuite",
        name=xml_text(report.submission),
        tests=str(len(checks)),
        failures="0" if report.error else str(failed),
        errors=str(failed) if report.error else "0",
        skipped="0",
        time=f"{report.timing.get('total', 0.0):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    values = {"sha256": report.sha256, "score": f"{report.score:g}", **report.environment}
    values["max_score"] = f"{report.max_score:g}"
    values["grader_version"] = report.grader_version
    values["policy_digest"] = report.policy_digest
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=xml_text(str(value)))
    for check in checks:
        case = ET.SubElement(
            suite, "testcase", classname=check.function, name=xml_text(check.name), time="0"
        )
        if not check.passed:
            kind = "error" if report.error else "failure"
            element = ET.SubElement(case, kind, message=xml_text(check.message), type="CheckFailed")
            element.text = xml_text(check.message)
    notes = [f"{f.name}: {text}" for f in report.functions if (text := diagnosis_text(f.diagnosis))]
    ET.SubElement(suite, "system-out").text = xml_text("\n".join(notes + list(report.warnings)))
    return suite


def junit_xml(report: Report) -> bytes:
    """The XML document, UTF-8 encoded with its declaration."""
    root = ET.Element("testsuites", name="initgrade")
    root.append(_suite(report))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def write_junit(report: Report, path: str | Path) -> None:
    Path(path).write_bytes(junit_xml(report))
