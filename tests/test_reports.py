"""Reports: text, Gradescope results.json, JUnit XML, HTML and the CSV row."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from grader.checks import (
    GradedFunction,
    OutcomeCache,
    build_feedback,
    effective_std,
    expected_params,
)
from grader.mistakes import Diagnosis, Mistake, Quoted
from grader.reports import csv_row, gradescope_json, junit_xml, render_text, write_gradescope
from grader.reports.gradescope import dumps
from grader.reports.html import render_html, write_html
from grader.reports.junit import write_junit
from grader.results import CheckResult, FunctionResult, Report
from grader.spec import OUTCOME_DIMS, SPEC
from tests.mistakes import MISTAKES, graded, stand_in_trainer

SCRIPT = "<script>alert('x')</script>"


def mistake(name: str) -> FunctionResult:
    return graded(next(m for m in MISTAKES if m.name == name))


def hostile_function() -> FunctionResult:
    check = CheckResult("visible case", "initialize_parameters_zeros", 0.0, 2.0, False, SCRIPT)
    raised = Mistake.of("raised.other", kind="ValueError", dims=[3, 2, 1], text=SCRIPT)
    return FunctionResult("initialize_parameters_zeros", (check,), Diagnosis((raised,)))


@pytest.fixture
def report() -> Report:
    return Report(
        submission="alice.ipynb",
        sha256="ab" * 32,
        functions=(hostile_function(), mistake("random_times_1"), mistake("he_xavier")),
        warnings=("cell 4 was skipped: it trains a model",),
        output_tail="hello\x00\x1b[31m",
        timing={"total": 3.25, "grading": 2.0},
        grader_version="9.8.7",
        policy_digest="5eed" * 16,
    )


def test_text_shows_points_verdicts_messages_diagnosis_and_total(report: Report) -> None:
    text = render_text(report)
    assert "initialize_parameters_he: 3 / 10" in text  # its outcome needs the right scale
    assert "✓ biases are zero" in text
    assert "✗ weight scale of every layer" in text
    assert "Likely mistake, the cause of these 7 failed checks: Your weights are" in text
    assert "(the Xavier scale)" in text
    assert f"Total: {report.score:g} / 22" in text
    ascii_text = render_text(report, ascii_marks=True)
    assert "PASS biases are zero" in ascii_text
    assert "✓" not in ascii_text


def test_text_for_an_ungradable_submission_gives_the_reason() -> None:
    report = Report.without_results("bob.ipynb", "cd" * 32, "not a notebook: bad JSON", SPEC)
    text = render_text(report)
    assert "Could not be graded: not a notebook: bad JSON" in text
    assert "Total: 0 / 30" in text


def test_results_json_has_gradescope_fields(report: Report) -> None:
    results = gradescope_json(report)
    assert results["score"] == report.score
    assert results["visibility"] == "visible"
    assert results["stdout_visibility"] == "hidden"
    assert results["output_format"] == "text"
    assert results["execution_time"] == 3.25
    assert len(results["tests"]) == len(list(report.checks))
    for test in results["tests"]:
        assert set(test) == {
            "name",
            "score",
            "max_score",
            "status",
            "output",
            "output_format",
            "visibility",
            "tags",
        }
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
        assert test["tags"] == [test["name"].split(":")[0]]
    extra = results["extra_data"]
    assert extra["max_score"] == report.max_score
    assert extra["submission_sha256"] == "ab" * 32
    assert set(extra["environment"]) == {"python", "numpy", "platform"}
    he = extra["functions"]["initialize_parameters_he"]
    assert (he["score"], he["max_score"]) == (3.0, 10.0)
    assert "Xavier" in he["diagnosis"]
    assert he["mistakes"] == ["scale.expression"]
    assert (extra["grader_version"], extra["policy_digest"]) == ("9.8.7", "5eed" * 16)
    zeros = extra["functions"]["initialize_parameters_zeros"]
    assert zeros["diagnosis"].startswith(f"Your function raises ValueError ({SCRIPT})")
    assert zeros["mistakes"] == ["raised.other"]
    assert extra["mistakes"] == ["raised.other", "scale.expression"]


def test_hidden_cases_are_shown_after_the_due_date(report: Report) -> None:
    tests = gradescope_json(report)["tests"]
    hidden = [t for t in tests if "hidden case" in t["name"]]
    assert hidden
    assert {t["visibility"] for t in hidden} == {"after_due_date"}


def test_results_json_is_deterministic_except_timing(report: Report) -> None:
    other = Report(**{**report.__dict__, "timing": {"total": 99.0}})
    first, second = gradescope_json(report), gradescope_json(other)
    for results in (first, second):
        results.pop("execution_time")
        results["extra_data"].pop("timing")
    assert dumps(first) == dumps(second)
    assert dumps(gradescope_json(report)) == dumps(gradescope_json(report))


def test_write_gradescope_writes_parseable_json(report: Report, tmp_path) -> None:
    path = tmp_path / "results" / "results.json"
    write_gradescope(report, path)
    assert json.loads(path.read_text(encoding="utf-8"))["score"] == report.score
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_junit_parses_with_one_testcase_per_check(report: Report, tmp_path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(report, path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(list(report.checks))
    failures = [case.find("failure") for case in cases if case.find("failure") is not None]
    assert int(suite.get("failures", "")) == len(failures)
    assert {case.get("classname") for case in cases} == {f.name for f in report.functions}
    assert failures[0] is not None
    assert failures[0].get("message") == SCRIPT
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (properties["grader_version"], properties["policy_digest"]) == ("9.8.7", "5eed" * 16)


def test_junit_holds_characters_xml_cannot_hold_as_visible_escapes() -> None:
    check = CheckResult("c", "f", 0.0, 1.0, False, "bell\x07 and nul\x00")
    data = junit_xml(Report("s", "0" * 64, (FunctionResult("f", (check,)),)))
    failure = ET.fromstring(data).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bell\\x07 and nul\\x00"


def test_junit_marks_an_ungradable_submission_as_errors() -> None:
    report = Report.without_results("bob.ipynb", "cd" * 32, "worker crashed", SPEC)
    root = ET.fromstring(junit_xml(report))
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("errors") == str(len(list(report.checks)))
    assert suite.get("failures") == "0"


def test_html_escapes_everything_a_student_controls(report: Report) -> None:
    hostile = Report(**{**report.__dict__, "submission": f"{SCRIPT}.ipynb"})
    page = render_html(hostile)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "hello" in page
    assert "\x00" not in page
    assert "\x1b" not in page
    assert page.startswith("<!doctype html>")


def test_html_renders_without_plots(report: Report, tmp_path) -> None:
    path = tmp_path / "feedback.html"
    write_html(report, path)
    page = path.read_text(encoding="utf-8")
    assert "data:image/png" not in page
    assert "Likely mistake" in page
    footer = page[page.index("<footer>") :]
    assert "graded by initgrade 9.8.7, policy 5eed5eed5eed" in footer


def test_html_embeds_plots_for_each_function_with_feedback_data(report: Report) -> None:
    start = {k: v.copy() for k, v in expected_params("he", OUTCOME_DIMS).items()}
    trainer = stand_in_trainer("he")
    trained = GradedFunction(report.functions[2], start, trainer(start))
    untrained = GradedFunction(report.functions[0])  # its start did not fit the network
    functions = [untrained, GradedFunction(report.functions[1]), trained]
    feedback = build_feedback(SPEC, functions, trainer=trainer, cache=OutcomeCache(None))
    assert list(feedback) == ["initialize_parameters_he"]
    page = render_html(report, feedback=feedback)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 2


def _quoting(*inputs: Quoted, message: str = "") -> CheckResult:
    return CheckResult("c", "initialize_parameters_he", 0.0, 1.0, False, message, inputs=inputs)


def test_html_names_the_inputs_the_grader_made_up_from_the_results_values() -> None:
    made_up, example = Quoted((7, 3), False), Quoted((2, 4, 1), True)
    found = Diagnosis((Mistake.of("seed.missing", exercise_seed=3),), inputs=(made_up, example))
    function = FunctionResult(
        "initialize_parameters_he", (_quoting(Quoted((5, 5, 1), False), example),), found
    )
    page = render_html(Report("s.ipynb", "ab" * 32, (function,)))
    note = re.search(r'<p class="inputs">(.*?)</p>', page)
    assert note is not None
    quoted_dims = re.findall(r"layers_dims=(\[[0-9, ]*\])", note.group(1))
    assert quoted_dims == ["[7, 3]", "[5, 5, 1]"]
    assert "are inputs the grader made up" in note.group(1)


def test_html_does_not_read_inputs_out_of_sentences() -> None:
    # A message that words an input but whose values quote only an example: no note.
    check = _quoting(Quoted((2, 4, 1), True), message="For layers_dims=[9, 9]: W1 is off")
    page = render_html(
        Report("s.ipynb", "ab" * 32, (FunctionResult("initialize_parameters_he", (check,)),))
    )
    assert 'class="inputs"' not in page


def test_grading_marks_each_quoted_input_as_example_or_made_up() -> None:
    function = mistake("he_xavier")
    examples = {case.layer_dims for case in SPEC.function(function.name).visible_cases}
    quoted_inputs = [q for c in function.checks for q in c.inputs]
    assert quoted_inputs, "the failed checks quote the inputs they failed on"
    assert all(q.example == (q.dims in examples) for q in quoted_inputs)
    assert all(c.inputs == () for c in function.checks if c.passed)


def test_effective_std_scales_the_students_rule_to_a_wider_layer() -> None:
    he = dict(expected_params("he", (60, 200, 1)))
    assert effective_std(he, "he", 100) == pytest.approx(np.sqrt(2 / 100), rel=0.1)
    halved = {k: v / 2 for k, v in he.items()}
    assert effective_std(halved, "he", 100) == pytest.approx(np.sqrt(2 / 100) / 2, rel=0.1)
    assert effective_std(dict(expected_params("zeros", (3, 2, 1))), "zeros") == 0.0


def test_csv_row_has_scores_total_and_error(report: Report) -> None:
    row = csv_row(report)
    assert row["submission"] == "alice.ipynb"
    assert row["sha256"] == "ab" * 32
    assert row["initialize_parameters_he"] == 3.0
    assert row["total"] == report.score
    assert row["error"] == ""


def test_the_largest_report_a_submission_can_cause_stays_under_two_megabytes() -> None:
    # Every text a submission can fill, filled past its bound with characters of three bytes.
    wide = "\u4e00" * 100_000
    functions = tuple(
        FunctionResult(
            entry.name,
            tuple(
                CheckResult(check.name, entry.name, 0.0, check.max_points, False, wide)
                for check in function.checks
            ),
        )
        for entry, function in zip(SPEC.functions, SPEC.failed_results("x"), strict=True)
    )
    report = Report(
        wide, "0" * 64, functions, warnings=(wide,) * 1000, error=wide, output_tail=wide * 10,
        internal=wide * 10,
    )  # fmt: skip
    assert len(dumps(gradescope_json(report)).encode()) < 2 << 20
    assert len(junit_xml(report)) < 2 << 20
