"""What a TA does in a week, through the CLI, and what went wrong before: a resubmission of old
content exported with its own grade, an nbgrader tree whose timestamp moved, a course folder
holding only submitted/ (or a zip of it), one helper file per student summed up in one line, a
one-student regrade, a Dask scheduler without workers, a template's imports and an unfilled
template that say nothing a student cannot act on, a scalar bias that keeps the weights' points,
outputs that co-TAs can read, and help for every option."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from grader.cli import _build_parser, main
from tests import mistakes, notebooks

pytestmark = pytest.mark.slow
MISTAKES = {m.name: m for m in mistakes.MISTAKES}


def notebook(path: Path, mistake: str | None = None, **cells: str) -> Path:
    if mistake is not None:
        m = MISTAKES[mistake]
        name = mistakes.FUNCTION_NAMES[m.method]
        cells[m.method] = m.source.replace(f"def {m.fn.__name__}(", f"def {name}(", 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    return notebooks.write(notebooks.old_generation(**cells), path)


def batch(source: Path, book: Path, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert main(["batch", str(source), "--gradebook", str(book), "--workers", "1", *more]) == 0
    return capsys.readouterr().out


def exported(book: Path, out: Path) -> dict[str, dict[str, str]]:
    assert main(["export", "--gradebook", str(book), "--csv", str(out)]) == 0
    with out.open() as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def later(path: Path, seconds: float) -> None:
    os.utime(path, (time.time() + seconds, time.time() + seconds))


def test_old_content_put_back_is_exported_with_its_own_grade_and_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course, book = tmp_path / "course", tmp_path / "g.sqlite"
    bob = notebook(course / "bob.ipynb", "he_xavier")
    original = bob.read_bytes()
    batch(course, book, capsys)
    notebook(bob)  # fixed
    later(bob, 60)
    batch(course, book, capsys)
    assert exported(book, tmp_path / "a.csv")["bob"]["total"] == "30.0"
    bob.write_bytes(original)  # the original put back, with a newer time
    later(bob, 120)
    said = batch(course, book, capsys)
    assert "0 graded, 1 already graded (kept)" in said
    row = exported(book, tmp_path / "b.csv")["bob"]
    assert float(row["total"]) < 30.0
    put_back = dt.datetime.fromtimestamp(bob.stat().st_mtime, dt.timezone.utc).isoformat()
    assert row["received"] == put_back


def nbgrader(root: Path, student: str, stamp: str, *, helper: bool = True) -> Path:
    folder = root / "submitted" / student / "init"
    notebook(folder / "Initialization.ipynb")
    (folder / "timestamp.txt").write_text(f"{stamp} UTC\n")
    if helper:
        (folder / "init_utils.py").write_text("# the course's helpers, copied by the student\n")
    return folder


def test_a_course_folder_of_only_submitted_is_graded_its_helpers_summed_up_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course, book = tmp_path / "course", tmp_path / "g.sqlite"
    for student in ("amy", "bob", "cy"):
        nbgrader(course, student, "2026-12-03 10:00:00.000000")
    said = batch(course, book, capsys)
    assert "an nbgrader tree" in said
    assert "3 submission(s) from 3 student(s)" in said
    assert "skipped 3 files named init_utils.py: not a notebook (.ipynb)" in said
    assert said.count("skipped") == 1
    stamp = course / "submitted" / "bob" / "init" / "timestamp.txt"
    stamp.write_text("2026-12-04 09:30:00.000000 UTC\n")  # moved; the notebook is the same
    said = batch(course, book, capsys)
    assert "0 graded, 3 already graded (kept)" in said
    assert exported(book, tmp_path / "g.csv")["bob"]["received"] == "2026-12-04T09:30:00+00:00"
    archive = tmp_path / "course.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(course.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(course).as_posix())
    said = batch(archive, tmp_path / "z.sqlite", capsys)
    assert "3 submission(s) from 3 student(s)" in said


def test_a_one_student_regrade_grades_that_student_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course, book = tmp_path / "course", tmp_path / "g.sqlite"
    notebook(course / "amy.ipynb")
    notebook(course / "bob.ipynb", "random_times_1")
    batch(course, book, capsys)
    said = batch(course, book, capsys, "--student", "bob")
    assert "regrading 1 submission(s) of bob only" in said
    assert "1 graded, 0 already graded (kept)" in said
    assert main(["batch", str(course), "--gradebook", str(book), "--student", "bobb"]) == 2
    assert "holds no submission of 'bobb'. Did you mean bob?" in capsys.readouterr().err


def test_a_dask_scheduler_without_workers_says_so_and_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    import grader.batch._executors as executors

    monkeypatch.setattr(executors, "DASK_WORKER_WAIT", 2.0)
    course = tmp_path / "course"
    notebook(course / "amy.ipynb")
    with LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        start = time.monotonic()
        command = ["batch", str(course), "--gradebook", str(tmp_path / "g.sqlite")]
        assert main([*command, "--dask", cluster.scheduler_address]) == 2
        assert time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert "waiting up to 2 s for a Dask worker to join" in err
    assert "no Dask worker joined" in err


def test_a_dask_task_past_its_deadline_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    import grader.batch._executors as executors
    from grader.batch import GradeTask

    monkeypatch.setattr(executors, "DASK_MARGIN", 0.0)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        err = io.StringIO()
        executor = executors.DaskExecutor(cluster.scheduler_address, hang, err=err)
        try:
            start = time.monotonic()
            results = list(executor.run([GradeTask(0, "amy.ipynb", b"", deadline=1.0)]))
        finally:
            executor.close()
    assert time.monotonic() - start < 20
    assert results[0][1].failure is not None
    assert "took longer than the 1 s a grading may take (--task-timeout)" in results[0][1].failure


def hang(task: object) -> str:
    time.sleep(6)  # past the task's deadline, without the alarm a real grading sets
    return ""


def test_the_templates_import_and_an_unfilled_template_say_only_what_a_student_can_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    correct = notebook(tmp_path / "correct.ipynb")
    assert main(["grade", str(correct)]) == 0
    assert "sklearn" not in capsys.readouterr().out
    empty = (
        "\n        ### START CODE HERE ### (≈ 2 lines of code)\n\n        ### END CODE HERE ###\n"
    )
    unfilled = {
        method: f"def {name}(layers_dims):\n    parameters = {{}}\n"
        f"    for l in range(1, len(layers_dims)):{empty}    return parameters\n"
        for method, name in mistakes.FUNCTION_NAMES.items()
    }
    template = notebook(tmp_path / "template.ipynb", **unfilled)
    assert main(["grade", str(template)]) == 0
    out = capsys.readouterr().out
    for name in mistakes.FUNCTION_NAMES.values():
        assert out.count(f"Likely mistake: {name} is not filled in") == 1
    assert "IndentationError" not in out
    assert len(out.splitlines()) < 60


@pytest.mark.parametrize(("bias", "score"), [("0", "9.5"), ("np.zeros(layers_dims[l])", "9.5")])
def test_a_scalar_or_flat_zero_bias_keeps_the_weights_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bias: str, score: str
) -> None:
    he = notebooks.HE.replace("np.zeros((layers_dims[l], 1))", bias)
    assert he != notebooks.HE
    path = notebooks.write(notebooks.old_generation(he=he), tmp_path / "bias.ipynb")
    assert main(["grade", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"initialize_parameters_he: {score} / 10" in out
    assert "did not return parameters" not in out
    assert "b1 has shape (" in out


def test_batch_outputs_follow_the_umask_so_co_tas_can_read_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course, book = tmp_path / "course", tmp_path / "g.sqlite"
    notebook(course / "amy.ipynb")
    old = os.umask(0o002)
    try:
        batch(course, book, capsys)  # feedback pages are written as the export is
        exported(book, tmp_path / "g.csv")
        assert main(["report", "--gradebook", str(book), "--html", str(tmp_path / "c.html")]) == 0
    finally:
        os.umask(old)
    made = [book, tmp_path / "g.csv", tmp_path / "c.html"]
    assert {oct(path.stat().st_mode & 0o777) for path in made} == {oct(0o664)}


def test_every_option_of_every_command_says_what_it_does() -> None:
    parser = _build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [
        f"{name} {action.option_strings or action.dest}"
        for name, command in commands.items()
        for action in command._actions
        if action.dest != "help" and not action.help
    ]
    assert missing == []
