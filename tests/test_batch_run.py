"""A batch from folder to gradebook: each result committed once, skipped when graded, regraded
with --force, a worker that dies or hangs costing only its submission, a batch killed with
SIGKILL resuming to the same gradebook as a clean run, and two batches on one file."""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader.batch import BatchOptions, GradeTask, run_batch
from grader.cli import main
from grader.errors import GradebookError
from grader.results import Report
from tests import batch_helpers, mistakes, notebooks

MISTAKES = {m.name: m for m in mistakes.MISTAKES}


def write_course(folder: Path, count: int, *, extra: dict[str, bytes] | None = None) -> Path:
    """``count`` notebooks of both generations, some with a typical mistake, and a broken one."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = [None, "he_xavier", "random_times_1", "he_fan_out", None, "he_no_seed"]
    for index in range(count - 1):
        kind = kinds[index % len(kinds)]
        cells = {} if kind is None else {MISTAKES[kind].method: mistakes_cell(MISTAKES[kind])}
        generation = notebooks.new_generation if index % 2 else notebooks.old_generation
        notebooks.write(generation(**cells), folder / f"student{index:03d}.ipynb")
    (folder / "broken.ipynb").write_text("{ this is not json")
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return folder


def mistakes_cell(mistake: mistakes.Mistake) -> str:
    name = mistakes.FUNCTION_NAMES[mistake.method]
    return mistake.source.replace(f"def {mistake.fn.__name__}(", f"def {name}(", 1)


def grades(path: Path) -> list[tuple]:
    """Every grade with its submission, as comparable values (no times, no batch ids)."""
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT s.student, s.source, s.sha256, g.status, g.score, g.functions, g.error"
        " FROM grades g JOIN submissions s ON s.id = g.submission ORDER BY s.student, s.source"
    ).fetchall()
    db.close()
    return rows


def count(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        db.close()


def run_fake(source: Path, book: Path, *, grade=batch_helpers.fake_grade, **options):
    out = io.StringIO()
    summary = run_batch(
        source, book, BatchOptions(**options), out=out, err=io.StringIO(), grade=grade
    )
    return out.getvalue(), summary


def test_each_submission_is_committed_once_and_skipped_when_run_again(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", 6, extra={"notes.txt": b"hi"})
    book = tmp_path / "grades.sqlite"
    out, summary = run_fake(course, book, workers=2)
    assert out.splitlines()[0].endswith(
        "a folder of notebooks (student = file name); 6 submission(s) from 6 student(s)"
    )
    assert "  skipped notes.txt: not a notebook (.ipynb)" in out
    assert (summary.graded, summary.ungradable, summary.kept) == (5, 1, 0)
    first = grades(book)
    out, summary = run_fake(course, book, workers=2)
    assert (summary.graded, summary.kept) == (0, 6)
    assert grades(book) == first
    _, summary = run_fake(course, book, workers=2, force=True)
    assert summary.graded == 5
    assert count(book, "grades") == 6 == count(book, "submissions")


def test_a_changed_notebook_is_a_new_submission_and_exports_use_the_latest(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", 3)
    book = tmp_path / "grades.sqlite"
    run_fake(course, book, workers=1)
    target = course / "student000.ipynb"
    target.write_text(target.read_text().replace("np.random.seed(3)", "np.random.seed(3)  # v2"))
    os.utime(target, (time.time() + 60, time.time() + 60))
    _, summary = run_fake(course, book, workers=1)
    assert (summary.graded, summary.kept) == (1, 2)
    assert count(book, "submissions") == 4
    assert main(["export", "--gradebook", str(book), "--json", str(tmp_path / "g.json")]) == 0
    rows = json.loads((tmp_path / "g.json").read_text())
    assert [row["student"] for row in rows] == ["broken", "student000", "student001"]


def test_a_submission_that_kills_its_worker_costs_only_itself(tmp_path: Path) -> None:
    killers = {f"{name}.ipynb": batch_helpers.KILL for name in ("mallory", "oscar", "trudy")}
    course = write_course(tmp_path / "course", 12, extra=killers)
    book = tmp_path / "grades.sqlite"
    _, summary = run_fake(course, book, workers=2)
    assert (summary.graded, summary.failed, summary.ungradable) == (11, 3, 1)
    failed = [row for row in grades(book) if row[3] == "failed"]
    assert [row[0] for row in failed] == ["mallory", "oscar", "trudy"]
    assert "grading process stopped while grading this submission" in failed[0][6]
    assert count(book, "grades") == 15


@pytest.mark.slow
def test_a_submission_that_hangs_its_worker_costs_only_itself(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", 3, extra={"hangs.ipynb": batch_helpers.HANG})
    book = tmp_path / "grades.sqlite"
    start = time.monotonic()
    _, summary = run_fake(course, book, workers=1, task_seconds=10.0)
    assert time.monotonic() - start < 60
    assert (summary.graded, summary.failed) == (2, 1)
    assert [row[0] for row in grades(book) if row[3] == "failed"] == ["hangs"]


def test_a_grading_that_runs_past_its_deadline_ends_its_own_process(tmp_path: Path) -> None:
    data = nbformat.writes(notebooks.new_generation()).encode()
    task = GradeTask(0, "slow.ipynb", data, deadline=0.2)
    script = "import pickle, sys; from grader.batch import grade_task; grade_task(pickle.load(sys.stdin.buffer))"  # noqa: E501
    done = subprocess.run(
        [sys.executable, "-c", script], input=pickle.dumps(task), capture_output=True, timeout=120
    )
    assert done.returncode == -signal.SIGALRM, done.stderr[-500:]


def test_a_gradebook_that_is_not_ours_stops_the_batch_before_grading(
    tmp_path: Path, capsys
) -> None:
    course = write_course(tmp_path / "course", 2)
    book = tmp_path / "grades.sqlite"
    book.write_text("student,score\n")
    assert main(["batch", str(course), "--gradebook", str(book)]) == 2
    assert "is not an initgrade gradebook" in capsys.readouterr().err
    assert book.read_text() == "student,score\n"
    with pytest.raises(GradebookError):
        run_fake(course, book)


# -- whole commands, killed and run together --------------------------------------------------


def command(course: Path, book: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader.cli", "batch", str(course), "--gradebook", str(book),
            "--workers", "2", *extra]  # fmt: skip


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def graded_count(book: Path) -> int:
    try:
        return count(book, "grades")
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_batch_killed_and_run_again_ends_as_a_clean_run_with_nothing_left(tmp_path: Path) -> None:
    course = write_course(tmp_path / "course", 16)
    clean, resumed = tmp_path / "clean.sqlite", tmp_path / "resumed.sqlite"
    subprocess.run(command(course, clean), check=True, capture_output=True, timeout=600)

    process = subprocess.Popen(
        command(course, resumed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert wait_for(lambda: graded_count(resumed) >= 4, 300), "the batch graded nothing"
    family = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 4 <= graded_count(resumed) < 16, "killed too late to test a resume"
    assert wait_for(lambda: not alive(family), 20), f"left behind: {alive(family)}"

    subprocess.run(command(course, resumed), check=True, capture_output=True, timeout=600)
    assert grades(resumed) == grades(clean)
    assert count(resumed, "grades") == count(resumed, "submissions") == 16
    assert sqlite3.connect(resumed).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_a_second_batch_on_a_gradebook_in_use_is_refused_and_the_first_finishes(
    tmp_path: Path,
) -> None:
    course = write_course(tmp_path / "course", 8)
    book = tmp_path / "grades.sqlite"
    first = subprocess.Popen(command(course, book), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wait_for(lambda: graded_count(book) >= 1, 300)
    second = subprocess.run(command(course, book), capture_output=True, text=True, timeout=120)
    assert second.returncode == 2
    assert f"is in use by another batch (process {first.pid} on " in second.stderr
    first.communicate(timeout=600)
    assert first.returncode == 0
    assert count(book, "grades") == 8
    assert count(book, "batches") == 1


# -- real grading: Dask against local processes, and the corpus against `initgrade grade` -----


def real_batch(source: Path, book: Path, **options: object):
    return run_fake(source, book, grade=batch_helpers.grade_task, **options)


@pytest.mark.slow
def test_a_dask_cluster_fills_the_same_gradebook_as_local_processes(tmp_path: Path) -> None:
    from dataclasses import replace

    from distributed import LocalCluster

    from grader.spec import METHODS, SPEC, spec_digest

    course = write_course(tmp_path / "course", 7)
    local, dask = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    real_batch(course, local, workers=2)
    only_he = replace(SPEC, name="he-only", functions=(METHODS["he"],))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        _, summary = real_batch(course, dask, dask=cluster.scheduler_address)
        one = write_course(tmp_path / "one", 2)  # a batch given another model: its workers grade it
        options = BatchOptions(dask=cluster.scheduler_address)
        out, err = io.StringIO(), io.StringIO()
        run_batch(one, tmp_path / "he.sqlite", options, out=out, err=err, spec=only_he)
    assert summary.graded + summary.ungradable == 7
    assert grades(dask) == grades(local)
    graded = [row for row in grades(tmp_path / "he.sqlite") if row[3] == "graded"]
    assert [[f["name"] for f in json.loads(row[5])] for row in graded] == [[METHODS["he"].name]]
    assert graded[0][4] == 10
    db = sqlite3.connect(tmp_path / "he.sqlite")
    assert db.execute("SELECT DISTINCT spec_hash FROM grades").fetchall() == [
        (spec_digest(only_he),)
    ]
    db.close()


def test_export_and_report_refuse_clearly_without_a_gradebook(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "none.sqlite"
    assert main(["export", "--gradebook", str(missing), "--csv", str(tmp_path / "g.csv")]) == 2
    assert "does not exist; grade into it first" in capsys.readouterr().err
    assert main(["report", "--gradebook", str(missing), "--html", str(tmp_path / "c.html")]) == 2
    assert main(["export", "--gradebook", str(missing)]) == 2
    assert "give --csv PATH, --json PATH, or both" in capsys.readouterr().err
    assert not missing.exists()


def test_batch_options_out_of_range_are_usage_errors(tmp_path: Path, capsys) -> None:
    course = write_course(tmp_path / "course", 2)
    book = str(tmp_path / "g.sqlite")
    assert main(["batch", str(course), "--gradebook", book, "--workers", "0"]) == 2
    assert "--workers must be a whole number from 1" in capsys.readouterr().err
    assert main(["batch", str(course), "--gradebook", book, "--task-timeout", "1"]) == 2
    assert main(["batch", str(tmp_path / "nowhere"), "--gradebook", book]) == 2
    assert "does not exist; give a folder of notebooks" in capsys.readouterr().err
    assert not Path(book).exists()


def test_a_batch_task_without_namespaces_is_refused_unless_the_risk_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from grader.batch import grade_task
    from grader.sandbox import _launch as launch
    from grader.sandbox import _platform as sandbox_platform

    plain = launch.Platform(False, os.geteuid() == 0, False, (), (), (), None, "switched off")
    monkeypatch.setattr(sandbox_platform, "_current", [plain])
    data = nbformat.writes(notebooks.new_generation()).encode()
    refused = Report.from_dict(json.loads(grade_task(GradeTask(0, "a.ipynb", data)))["report"])
    assert refused.score == 0
    assert "user namespaces" in (refused.internal or "")
    accepted = GradeTask(0, "a.ipynb", data, accept_weak_isolation=True)
    graded = Report.from_dict(json.loads(grade_task(accepted))["report"])
    assert graded.score == graded.max_score > 0


def test_a_task_grades_the_model_it_carries_not_the_workers_default() -> None:
    from dataclasses import replace

    from grader.batch import grade_task
    from grader.spec import METHODS, SPEC, spec_digest

    only_he = replace(SPEC, functions=(METHODS["he"],))
    data = nbformat.writes(notebooks.new_generation()).encode()
    task = pickle.loads(pickle.dumps(GradeTask(0, "a.ipynb", data, spec=only_he)))  # as Dask does
    assert task.spec == only_he
    report = Report.from_dict(json.loads(grade_task(task))["report"])
    assert [f.name for f in report.functions] == ["initialize_parameters_he"]
    assert report.score == report.max_score == 10
    assert report.policy_digest == spec_digest(only_he)
    moved = replace(task, spec=replace(only_he, directory=Path("/not/on/this/worker")))
    assert moved.local_spec().directory == SPEC.directory  # the helpers of this machine


def test_a_changed_policy_regrades_exactly_the_grades_it_made(tmp_path: Path) -> None:
    from dataclasses import replace

    from grader.spec import SPEC, Band

    course = write_course(tmp_path / "course", 4)
    book = tmp_path / "grades.sqlite"
    run_fake(course, book, workers=1)
    he = replace(SPEC.functions[-1], band=Band((0.9, 1.0), (0.85, 1.0), (0.9933, 0.96)))
    changed = replace(SPEC, functions=(*SPEC.functions[:-1], he))
    out = io.StringIO()
    options = BatchOptions(workers=1)
    summary = run_batch(
        course, book, options, out=out, err=io.StringIO(), grade=batch_helpers.fake_grade,
        spec=changed,
    )  # fmt: skip
    assert (summary.graded, summary.ungradable, summary.kept) == (3, 1, 0)
    _, again = run_fake(course, book, workers=1)  # the first policy's grades still stand
    assert (again.graded, again.kept) == (0, 4)
    assert count(book, "grades") == 8


def test_the_log_lists_a_few_skipped_files_per_reason_and_the_gradebook_all(
    tmp_path: Path,
) -> None:
    extra = {f"notes{i:03d}\u202e.txt": b"hi" for i in range(300)}
    course = write_course(tmp_path / "course", 3, extra=extra)
    book = tmp_path / "grades.sqlite"
    out, _ = run_fake(course, book, workers=1)
    skipped = [line for line in out.splitlines() if line.startswith("  skipped notes")]
    assert len(skipped) == 20
    assert "notes000\\u202e.txt" in skipped[0]
    assert "  ... and 280 more warnings like: skipped notes000\\u202e.txt" in out
    db = sqlite3.connect(book)
    (listed,) = db.execute("SELECT skipped FROM batches").fetchone()
    db.close()
    assert len(json.loads(listed)) == 300


def test_a_feedback_folder_given_after_grading_gets_its_pages_by_grading_again(
    tmp_path: Path,
) -> None:
    course = write_course(tmp_path / "course", 2)
    book = tmp_path / "grades.sqlite"
    run_fake(course, book, workers=1)
    pages = tmp_path / "feedback"
    out, summary = run_fake(course, book, workers=1, feedback_dir=pages)
    said = "2 submission(s) already graded have no feedback page in "
    assert said in out
    assert (summary.graded + summary.ungradable, summary.kept) == (2, 0)
    assert sorted(p.name.split("-")[0] for p in pages.glob("*.html")) == ["broken", "student000"]
    out, summary = run_fake(course, book, workers=1, feedback_dir=pages)
    assert (said not in out, summary.kept) == (True, 2)


def test_two_students_who_sent_the_same_bytes_get_two_feedback_pages() -> None:
    from grader.batch import feedback_name

    sha = "ab" * 32
    names = {feedback_name(student, sha) for student in ("张伟", "王芳", "__", "alice")}
    assert len(names) == 4
    assert feedback_name("alice", sha).startswith("alice-")
    assert feedback_name("alice", sha) == feedback_name("alice", sha)
