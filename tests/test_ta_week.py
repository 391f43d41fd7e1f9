"""What a TA does in a week, through the CLI, and what went wrong before: a resubmission of old
content exported with its own grade, an nbgrader tree whose timestamp moved, a course folder
holding only submitted/ (or a zip of it), one helper file per student summed up in one line, a
one-student regrade, a Dask scheduler without workers, a template's imports and an unfilled
template that say nothing a student cannot act on, a scalar bias that keeps the weights' points,
outputs that co-TAs can read, and help for every option.

Gradings are the cost here: one course is graded once for the module and copied by the tests
that change it, the notebooks that only carry a layout are the quick-to-grade template, and one
``initgrade grade`` serves every test that reads its report."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass
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


_EMPTY = "\n        ### START CODE HERE ### (≈ 2 lines of code)\n\n        ### END CODE HERE ###\n"
UNFILLED = {  # the template's functions as released, their blocks still empty
    method: f"def {name}(layers_dims):\n    parameters = {{}}\n"
    f"    for l in range(1, len(layers_dims)):{_EMPTY}    return parameters\n"
    for method, name in mistakes.FUNCTION_NAMES.items()
}


def later(path: Path, seconds: float) -> None:
    os.utime(path, (time.time() + seconds, time.time() + seconds))


@dataclass(frozen=True)
class Course:
    """A course folder graded once for the whole module: amy handed in the template as released
    (a quick grading), bob's He changes its layers_dims (the right start, so no training of its
    own). Its batch ran under the umask 002 co-TAs share (see the umask test)."""

    folder: Path
    book: Path

    def copy(self, into: Path) -> tuple[Path, Path]:
        """The course and its gradebook, copied (times kept) for a test to change."""
        shutil.copytree(self.folder, into / "course")
        shutil.copy2(self.book, into / "g.sqlite")
        return into / "course", into / "g.sqlite"


def quietly(argv: list[str]) -> tuple[int, str]:
    """Run the CLI outside a test (a fixture's): its exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("course")
    notebook(root / "course" / "amy.ipynb", **UNFILLED)
    notebook(root / "course" / "bob.ipynb", "he_clears_input")
    old = os.umask(0o002)
    try:
        argv = ["batch", str(root / "course"), "--gradebook", str(root / "g.sqlite")]
        assert quietly([*argv, "--workers", "1"])[0] == 0
    finally:
        os.umask(old)
    return Course(root / "course", root / "g.sqlite")


def test_old_content_put_back_is_exported_with_its_own_grade_and_time(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, book = course.copy(tmp_path)
    bob = folder / "bob.ipynb"
    original = bob.read_bytes()
    assert float(exported(book, tmp_path / "0.csv")["bob"]["total"]) < 30.0
    notebook(bob)  # fixed
    later(bob, 60)
    batch(folder, book, capsys)
    assert exported(book, tmp_path / "a.csv")["bob"]["total"] == "30.0"
    bob.write_bytes(original)  # the original put back, with a newer time
    later(bob, 120)
    said = batch(folder, book, capsys)
    assert "0 graded, 2 already graded (kept)" in said
    row = exported(book, tmp_path / "b.csv")["bob"]
    assert float(row["total"]) < 30.0
    put_back = dt.datetime.fromtimestamp(bob.stat().st_mtime, dt.timezone.utc).isoformat()
    assert row["received"] == put_back


def nbgrader(root: Path, student: str, stamp: str) -> Path:
    folder = root / "submitted" / student / "init"
    notebook(folder / "Initialization.ipynb", **UNFILLED)  # the template: a quick grading
    (folder / "timestamp.txt").write_text(f"{stamp} UTC\n")
    (folder / "init_utils.py").write_text("# the course's helpers, copied by the student\n")
    return folder


def test_a_course_folder_of_only_submitted_is_graded_its_helpers_summed_up_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree, book = tmp_path / "tree", tmp_path / "g.sqlite"
    for student in ("amy", "bob", "cy"):
        nbgrader(tree, student, "2026-12-03 10:00:00.000000")
    said = batch(tree, book, capsys)
    assert "an nbgrader tree" in said
    assert "3 submission(s) from 3 student(s)" in said
    assert "3 graded, 0 already graded (kept)" in said
    assert "skipped 3 files named init_utils.py: not a notebook (.ipynb)" in said
    assert said.count("skipped") == 1
    moved = tree / "submitted" / "bob" / "init" / "timestamp.txt"
    moved.write_text("2026-12-04 09:30:00.000000 UTC\n")  # the notebook is the same
    said = batch(tree, book, capsys)
    assert "0 graded, 3 already graded (kept)" in said
    assert exported(book, tmp_path / "g.csv")["bob"]["received"] == "2026-12-04T09:30:00+00:00"
    archive = tmp_path / "tree.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(tree).as_posix())
    said = batch(archive, book, capsys)  # the same submissions: recognised, nothing regraded
    assert "3 submission(s) from 3 student(s)" in said
    assert "0 graded, 3 already graded (kept)" in said


def test_a_one_student_regrade_grades_that_student_only(
    tmp_path: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, book = course.copy(tmp_path)
    said = batch(folder, book, capsys, "--student", "bob")
    assert "regrading 1 submission(s) of bob only" in said
    assert "1 graded, 0 already graded (kept)" in said
    assert main(["batch", str(folder), "--gradebook", str(book), "--student", "bobb"]) == 2
    assert "holds no submission of 'bobb'. Did you mean bob?" in capsys.readouterr().err


def test_a_dask_scheduler_without_workers_says_so_and_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import LocalCluster

    import grader.batch._executors as executors

    monkeypatch.setattr(executors, "DASK_WORKER_WAIT", 0.5)
    course = tmp_path / "course"
    notebook(course / "amy.ipynb")
    with LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        start = time.monotonic()
        command = ["batch", str(course), "--gradebook", str(tmp_path / "g.sqlite")]
        assert main([*command, "--dask", cluster.scheduler_address]) == 2
        assert time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert "waiting up to 0.5 s for a Dask worker to join" in err
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
            RELEASE.set()  # given up: let the worker's thread go, so the cluster closes at once
            executor.close()
    assert time.monotonic() - start < 20
    assert results[0][1].failure is not None
    assert "took longer than the 1 s a grading may take (--task-timeout)" in results[0][1].failure


RELEASE = threading.Event()


def hang(task: object) -> str:
    RELEASE.wait(6)  # past the task's deadline, without the alarm a real grading sets
    return ""


@pytest.fixture(scope="module")
def zero_biases(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What ``initgrade grade`` prints for the course's old notebook (it imports sklearn) whose
    He gives a zero bias as the number 0 and whose random gives it flat (``np.zeros(n)``)."""
    he = notebooks.HE.replace("np.zeros((layers_dims[l], 1))", "0")
    random = notebooks.RANDOM.replace("np.zeros((layers_dims[l], 1))", "np.zeros(layers_dims[l])")
    assert he != notebooks.HE
    assert random != notebooks.RANDOM
    cells = notebooks.old_generation(he=he, random=random)
    path = notebooks.write(cells, tmp_path_factory.mktemp("bias") / "bias.ipynb")
    code, out = quietly(["grade", str(path)])
    assert code == 0
    return out


def test_the_templates_import_says_nothing(zero_biases: str) -> None:
    assert "sklearn" not in zero_biases


def test_an_unfilled_template_says_only_what_a_student_can_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = notebook(tmp_path / "template.ipynb", **UNFILLED)
    assert main(["grade", str(template)]) == 0
    out = capsys.readouterr().out
    said = " ".join(out.split())  # the report wraps its lines
    for name in mistakes.FUNCTION_NAMES.values():
        assert said.count(f"{name} is not filled in") == 1  # once, under the checks it cost
    assert "IndentationError" not in out
    assert len(out.splitlines()) < 60


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("initialize_parameters_he", "Your biases are single numbers (b = 0), not column vectors"),
        ("initialize_parameters_random", "Your biases have shape (layers_dims[l],)"),
    ],
)
def test_a_scalar_or_flat_zero_bias_keeps_the_weights_points(
    zero_biases: str, name: str, said: str
) -> None:
    assert f"{name}: 9.5 / 10" in zero_biases
    section = zero_biases.split(f"{name}: ", 1)[1].split("\ninitialize_parameters_", 1)[0]
    assert "did not return parameters" not in section
    assert said in " ".join(section.split())


def test_batch_outputs_follow_the_umask_so_co_tas_can_read_them(
    tmp_path: Path, course: Course
) -> None:
    old = os.umask(0o002)  # the course's gradebook was written by its batch under this umask
    try:
        exported(course.book, tmp_path / "g.csv")
        argv = ["report", "--gradebook", str(course.book), "--html", str(tmp_path / "c.html")]
        assert main(argv) == 0
    finally:
        os.umask(old)
    made = [course.book, tmp_path / "g.csv", tmp_path / "c.html"]
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
