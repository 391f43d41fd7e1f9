"""The command line at its edges: every failure still leaves the report files, with the right code.

Each test goes through ``initgrade grade`` itself (``grader.cli.main``), as a course pipeline does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from grader import messages as msg
from grader.api import run_limits
from grader.cli import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, main
from grader.errors import UsageError
from grader.types import Limits
from tests import notebooks


@pytest.fixture
def correct(tmp_path: Path) -> Path:
    return notebooks.write(notebooks.new_generation(), tmp_path / "student.ipynb")


def test_an_expression_deeper_than_the_recursion_limit_is_graded(tmp_path: Path, capsys) -> None:
    nb = notebooks.new_generation()
    nb.cells.append(nbformat.v4.new_code_cell("LAYERS = " + " + ".join(["1"] * 500)))
    path = notebooks.write(nb, tmp_path / "deep.ipynb")
    results = tmp_path / "results.json"
    assert main(["grade", str(path), "--json", str(results)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert json.loads(results.read_text())["score"] == 30


def test_a_failure_of_the_grader_still_writes_every_report_and_exits_3(
    correct: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr("grader.api.extract", broken)
    files = {flag: tmp_path / name for flag, name in (("--json", "r.json"), ("--junit", "r.xml"))}
    args = [arg for flag, target in files.items() for arg in (flag, str(target))]
    assert main(["grade", str(correct), *args]) == EXIT_INTERNAL
    captured = capsys.readouterr()
    results = json.loads(files["--json"].read_text())
    assert results["score"] == 0
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert visible
    assert all(t["status"] == "failed" for t in visible)
    assert all(msg.GRADER_FAILED in t["output"] for t in visible)
    assert not any("RuntimeError" in t["output"] for t in visible)
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert len(hidden) == 1
    assert "a bug in the grader" in hidden[0]["output"]
    assert "a bug in the grader" in results["extra_data"]["internal_error"]
    assert "Traceback" not in captured.out  # what a student may see: no traceback
    assert "a bug in the grader" in captured.err  # what the person running it sees
    assert ET.fromstring(files["--junit"].read_bytes()).find("testsuite") is not None


def test_a_failure_while_writing_the_report_still_leaves_a_results_json(
    correct: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr("grader.cli.grade.write_gradescope", broken)
    target = tmp_path / "results.json"
    assert main(["grade", str(correct), "--json", str(target)]) == EXIT_INTERNAL
    results = json.loads(target.read_text(encoding="ascii"))
    assert results["score"] == 0
    assert msg.GRADER_FAILED in results["output"]
    assert "UnicodeEncodeError" in results["extra_data"]["internal_error"]
    assert "internal error" in capsys.readouterr().err


def test_the_grading_time_reaches_results_json_and_junit(correct: Path, tmp_path: Path) -> None:
    results, junit = tmp_path / "r.json", tmp_path / "r.xml"
    assert main(["grade", str(correct), "--json", str(results), "--junit", str(junit)]) == 0
    data = json.loads(results.read_text())
    assert data["execution_time"] > 0
    assert data["extra_data"]["timing"]["total"] == pytest.approx(data["execution_time"], abs=1e-3)
    suite = ET.fromstring(junit.read_bytes()).find("testsuite")
    assert suite is not None
    assert float(suite.get("time", "0")) > 0


@pytest.mark.parametrize(
    "option",
    [
        ["--timeout", "inf"],
        ["--timeout", "nan"],
        ["--timeout", "-1"],
        ["--timeout", "0"],
        ["--timeout", "soon"],
        ["--timeout", "1e9"],
        ["--memory", "0"],
        ["--memory", "10"],
        ["--memory", "lots"],
    ],
)
def test_an_option_out_of_range_is_a_usage_error_that_names_it(
    correct: Path, option: list[str], capsys
) -> None:
    assert main(["grade", str(correct), *option]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert option[0] in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("timeout", "memory_mb"), [(float("inf"), None), (float("nan"), None), (None, 64), (None, 2.5)]
)
def test_the_api_refuses_limits_out_of_range(timeout: float | None, memory_mb: object) -> None:
    with pytest.raises(UsageError):
        run_limits(Limits(), timeout=timeout, memory_mb=memory_mb)  # type: ignore[arg-type]


def test_limits_are_hashable_so_they_can_key_a_gradebook() -> None:
    assert hash(Limits()) == hash(Limits())
    assert {Limits(), Limits(call_seconds=2)} == {Limits(), Limits(call_seconds=2.0)}


def test_grading_from_the_command_line_imports_neither_hypothesis_nor_ipython(
    correct: Path, tmp_path: Path
) -> None:
    """They cost about half a second of start-up each; grading needs neither, and numpy is
    imported only after the sandbox has begun booting."""
    script = (
        "import sys\n"
        "import grader.cli\n"
        "assert 'numpy' not in sys.modules, 'numpy imported before the sandbox starts'\n"
        "from grader.cli import main\n"
        f"code = main(['grade', {str(correct)!r}, '--json', {str(tmp_path / 'r.json')!r}])\n"
        "loaded = sorted(m for m in ('hypothesis', 'IPython', '_initgrade_inputtransformer2')"
        " if m in sys.modules)\n"
        "print(code, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr[-2000:]


# -- a written report is final; a file name cannot forge the report --------------------------


def test_a_file_name_cannot_add_a_line_or_an_escape_to_the_printed_report(
    tmp_path: Path, capsys
) -> None:
    import os

    name = b"x\n\x1b[2K\x1b[1ATotal: 30 \xe2\x88\x95 30 \xff\xe2\x80\xae.ipynb"
    path = Path(os.fsdecode(bytes(tmp_path) + b"/" + name))
    notebooks.write(notebooks.new_generation(), path)
    results = tmp_path / "results.json"
    assert main(["grade", str(path), "--json", str(results), "--ascii"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert [line for line in out.splitlines() if "Total:" in line][-1] == "Total: 30 / 30"
    assert sum(line.startswith("Total:") for line in out.splitlines()) == 1
    assert "\\x0a\\x1b[2K\\x1b[1ATotal: 30 \u2215 30 \\xff\\u202e.ipynb" in out
    submission = json.loads(results.read_text())["extra_data"]["submission"]
    assert submission.endswith("\\xff\\u202e.ipynb")


def test_plots_that_cannot_be_drawn_leave_the_grade_and_a_page_without_them(
    correct: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def overflow(*args: object) -> None:
        raise ValueError("autodetected range of [nan, nan] is not finite")

    monkeypatch.setattr("grader.reports.plots.training_figure", overflow)
    results, page = tmp_path / "results.json", tmp_path / "page.html"
    code = main(["grade", str(correct), "--json", str(results), "--html", str(page)])
    assert code == EXIT_OK
    assert json.loads(results.read_text())["score"] == 30
    assert "30 / 30" in page.read_text()
    assert "without its plots" in capsys.readouterr().err


def test_an_extra_output_that_fails_never_replaces_the_written_results_json(
    correct: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the JUnit writer")

    monkeypatch.setattr("grader.cli.grade.write_junit", broken)
    results, junit = tmp_path / "results.json", tmp_path / "junit.xml"
    code = main(["grade", str(correct), "--json", str(results), "--junit", str(junit)])
    assert code == EXIT_INTERNAL  # the grader failed, at the extra: staff should know
    assert json.loads(results.read_text())["score"] == 30  # and the grade stands
    err = capsys.readouterr().err
    assert "failed to make JUnit XML" in err
    assert "a bug in the JUnit writer" in err


def test_the_last_resort_leaves_a_results_json_this_run_wrote_alone(
    correct: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def late_failure(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the terminal rendering failed")

    monkeypatch.setattr("grader.cli.grade.render_text", late_failure)
    results = tmp_path / "results.json"
    assert main(["grade", str(correct), "--json", str(results)]) == EXIT_INTERNAL
    assert json.loads(results.read_text())["score"] == 30
    assert "RuntimeError" in capsys.readouterr().err


def test_html_writes_the_notebook_beside_the_feedback_page_linked_both_ways(
    correct: Path, tmp_path: Path
) -> None:
    feedback = tmp_path / "pages" / "fb.html"
    feedback.parent.mkdir()
    assert main(["grade", str(correct), "--html", str(feedback)]) == EXIT_OK
    notebook = (tmp_path / "pages" / "fb.notebook.html").read_text(encoding="utf-8")
    for name in ("zeros", "random", "he"):
        anchor = f"#graded-initialize_parameters_{name}"
        assert f'href="./fb.html{anchor}"' in notebook
        assert f'href="./fb.notebook.html{anchor}"' in feedback.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in notebook


def test_a_notebook_page_that_cannot_be_rendered_costs_the_grade_nothing(
    correct: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    from grader.reports import notebook as page

    def broken(*args: object) -> str:
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(page, "_render", broken)
    results, feedback = tmp_path / "results.json", tmp_path / "fb.html"
    assert main(["grade", str(correct), "--json", str(results), "--html", str(feedback)]) == 0
    assert json.loads(results.read_text())["score"] == 30
    assert "Score: <strong>30 / 30</strong>" in feedback.read_text(encoding="utf-8")
    shown = (tmp_path / "fb.notebook.html").read_text(encoding="utf-8")
    assert "could not be shown as a page: RuntimeError: the renderer broke" in shown
    assert "fb.notebook.html could not show the notebook" in capsys.readouterr().err
