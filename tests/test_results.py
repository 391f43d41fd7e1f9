"""Result values: frozen, summed correctly, and a report for a submission that cannot run."""

from __future__ import annotations

import dataclasses
import json

import pytest

from grader.mistakes import Diagnosis, Mistake, Quoted
from grader.results import CheckResult, FunctionResult, Report, environment
from grader.spec import SPEC


def check(name: str, points: float, max_points: float, passed: bool) -> CheckResult:
    return CheckResult(name, "f", points, max_points, passed, "message")


def test_check_results_are_frozen() -> None:
    result = check("a", 1.0, 1.0, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.points = 0.0  # type: ignore[misc]


def test_check_result_rejects_an_unknown_visibility() -> None:
    with pytest.raises(ValueError, match="visibility"):
        CheckResult("a", "f", 0.0, 1.0, False, "", "sometimes")  # type: ignore[arg-type]


def test_check_result_rejects_points_above_the_maximum() -> None:
    with pytest.raises(ValueError, match="outside"):
        check("a", 2.0, 1.0, True)


def test_function_score_sums_its_checks() -> None:
    result = FunctionResult("f", [check("a", 1.0, 1.0, True), check("b", 0.0, 0.5, False)])
    assert (result.score, result.max_score, result.passed) == (1.0, 1.5, False)
    assert isinstance(result.checks, tuple)


def test_report_score_sums_its_functions() -> None:
    one = FunctionResult("f", [check("a", 1.0, 2.0, False)])
    two = FunctionResult("g", [check("b", 3.0, 3.0, True)])
    report = Report("s.ipynb", "0" * 64, [one, two])
    assert (report.score, report.max_score) == (4.0, 5.0)
    assert len(list(report.checks)) == 2


def test_without_results_fails_every_check_with_the_reason() -> None:
    report = Report.without_results("s.ipynb", "ab" * 32, "not a notebook", SPEC)
    assert report.error == "not a notebook"
    assert report.score == 0.0
    assert report.max_score == SPEC.max_score == 30.0
    assert [f.name for f in report.functions] == list(SPEC.graded_functions)
    assert all(not c.passed and c.message == "not a notebook" for c in report.checks)


def test_environment_names_python_numpy_and_platform() -> None:
    assert set(environment()) == {"python", "numpy", "platform"}


def test_report_survives_a_json_round_trip() -> None:
    named = Diagnosis(
        (
            Mistake.of("seed.value", seed=0, exercise_seed=3),
            Mistake.of("scale.unit", dims=[3, 2, 1]),
        )
    )
    quoting = CheckResult("b", "f", 0.0, 1.0, False, "x", inputs=(Quoted((7, 3), False),))
    function = FunctionResult("f", [check("a", 0.5, 1.0, False), quoting], named)
    report = Report(
        "s", "c" * 64, [function], ["w"], None, "tail", timing={"total": 1.5},
        grader_version="1.2.3", policy_digest="d" * 64,
    )  # fmt: skip
    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report


def test_every_text_of_a_report_has_been_through_the_door() -> None:
    check = CheckResult("c", "f", 0.0, 1.0, False, "\rTotal: 30 / 30\u202e" + "x" * 50_000)
    function = FunctionResult("f", (check,))
    report = Report(
        "fake\n\x1b[2KTotal: 30 / 30.ipynb",
        "0" * 64,
        (function,),
        warnings=tuple(f"note {i}\u200b" for i in range(10_000)),
        error="bad\r\nnews",
        internal="Traceback\n  \x1b[31m" + "y" * 500_000,
    )
    texts = [report.submission, report.error or "", *report.warnings, check.message]
    assert all(text.isprintable() for text in texts)
    assert report.submission == "fake \\x1b[2KTotal: 30 / 30.ipynb"
    assert len(report.checks.__next__().message) < 5_000
    assert len(report.warnings) == 100
    assert (report.internal or "").splitlines()[0] == "Traceback"
    assert len(json.dumps(report.to_dict())) < 1 << 20
