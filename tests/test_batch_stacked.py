"""A batch that trains first (``BatchOptions.train_first``): each submission's outcome starts are
collected as data, the distinct ones trained stacked, and every grade equals the grade alone."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.api import grade_bytes
from grader.batch import BatchOptions, GradeTask, Outcome, run_batch
from grader.batch._outcomes import decode_start, encode_start, read_starts
from grader.batch._stacked import train_first
from grader.checks import OutcomeCache, params_digest
from grader.spec import OUTCOME_DIMS, expected_shapes
from tests import mistakes, notebooks
from tests.test_batch_corpus import verdicts_of_report


def a_start(scale: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        key: rng.standard_normal(shape) * scale
        for key, shape in expected_shapes(OUTCOME_DIMS).items()
    }


def test_a_start_crosses_as_data_bit_for_bit() -> None:
    start = a_start(1.0)
    start["W1"][0, 0], start["W1"][0, 1], start["W1"][1, 0] = np.nan, -0.0, np.inf
    back = decode_start(json.loads(json.dumps(encode_start(start))))
    assert back is not None
    assert params_digest(back) == params_digest(start)
    assert all(back[k].dtype == np.float64 and back[k].shape == start[k].shape for k in start)


@pytest.mark.parametrize(
    "entry",
    [
        {"shape": [2, 2], "data": base64.b64encode(b"\0" * 24).decode()},  # too few bytes
        {"shape": [1], "data": "not base64!"},
        {"shape": "2", "data": ""},
        {"shape": [True], "data": ""},
        {"shape": [1 << 20, 1 << 20], "data": ""},
        {"shape": [1], "data": base64.b64encode(b"\0" * 8).decode(), "dtype": "object"},
        "W1",
    ],
)
def test_anything_but_an_encoded_start_is_refused(entry: Any) -> None:
    assert decode_start({"W1": entry}) is None
    assert read_starts(json.dumps({"starts": [{"W1": entry}]})) == []


class InProcess:
    """An executor that answers the phases at once: each submission's start is ``a_start`` of
    the scale in its bytes; training gives the same made-up outcome for every start."""

    def __init__(self) -> None:
        self.trained: list[int] = []

    def run(self, tasks: Iterator[GradeTask]) -> Iterator[tuple[GradeTask, Outcome]]:
        for task in tasks:
            if task.phase == "starts":
                start = encode_start(a_start(float(task.data)))
                yield task, Outcome(text=json.dumps({"starts": [start, None]}))
            else:
                assert task.phase == "train"
                starts = [decode_start(item) for item in json.loads(task.data)]
                self.trained.append(len(starts))
                outcome = {"version": "x", "train_accuracy": 1.0, "test_accuracy": 1.0,
                           "costs": [], "params": {}}  # fmt: skip
                entries = {params_digest(s): outcome for s in starts if s is not None}
                yield task, Outcome(text=json.dumps(entries))


def test_each_distinct_start_is_trained_once_in_stacks_spread_over_the_workers() -> None:
    tasks = [GradeTask(key, f"s{key}", str(scale).encode()) for key, scale in
             enumerate([1.0, 2.0, 1.0, 3.0, 2.0, 4.0])]  # fmt: skip
    executor = InProcess()
    shipped = train_first(iter(tasks), executor, 2, io.StringIO(), len(tasks))
    assert sorted(executor.trained) == [2, 2]  # four distinct starts, two stacks for two workers
    assert shipped.digests[0] == shipped.digests[2] != shipped.digests[1]
    assert shipped.entries == {}  # an outcome of another training setup is not kept


@pytest.mark.slow
def test_a_course_of_mistakes_graded_after_stacked_training_gets_the_grades_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INITGRADE_CACHE_DIR", str(tmp_path / "cache"))
    course = tmp_path / "course"
    course.mkdir()
    names = ("he_xavier", "he_times_10", "random_times_1", "he_no_seed", "random_seed_0")
    chosen = [m for m in mistakes.MISTAKES if m.name in names]
    assert len(chosen) == len(names)
    for index, mistake in enumerate([*chosen, chosen[0]]):  # one start twice
        name = mistakes.FUNCTION_NAMES[mistake.method]
        cell = mistake.source.replace(f"def {mistake.fn.__name__}(", f"def {name}(", 1)
        notebooks.write(
            notebooks.new_generation(**{mistake.method: cell}), course / f"s{index}.ipynb"
        )
    notebooks.write(notebooks.old_generation(), course / "correct.ipynb")
    book = tmp_path / "grades.sqlite"
    options = BatchOptions(workers=2, timeout=2, train_first=True)
    from tests.batch_helpers import grade_without_training

    run_batch(
        course, book, options, out=io.StringIO(), err=io.StringIO(), grade=grade_without_training
    )
    db = sqlite3.connect(book)
    rows = db.execute(
        "SELECT s.source, g.status, g.report FROM grades g"
        " JOIN submissions s ON s.id = g.submission"
    ).fetchall()
    db.close()
    assert len(rows) == len(chosen) + 2
    assert all(status == "graded" for _, status, _ in rows)  # no grading had to train
    assert len(list((tmp_path / "cache").glob("*.json"))) >= len(chosen)
    for source, _, report in rows:
        data = (course / source).read_bytes()
        alone = grade_bytes(data, source, timeout=2, cache=OutcomeCache(None)).report
        assert verdicts_of_report(json.loads(report)) == verdicts_of_report(alone.to_dict()), source
