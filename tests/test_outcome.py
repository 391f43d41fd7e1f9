"""The outcome check: bands, the parameter hash, the cache, and training only when needed."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from grader.checks import (
    Outcome,
    OutcomeCache,
    check_outcome,
    default_cache,
    expected_params,
    reference_trainer,
    seeded_start,
    train_outcome,
    train_outcomes,
)
from grader.checks._training import params_digest
from grader.locations import CACHE_ENV
from grader.spec import METHODS, OUTCOME_DIMS, SPEC, Band
from grader.types import CallResult, CallStatus, Params

ENTRIES = {entry.method: entry for entry in SPEC.functions}


class CountingTrainer:
    """Stands in for training: returns fixed accuracies and counts how often it ran."""

    def __init__(self, train: float = 0.99, test: float = 0.96) -> None:
        self.calls, self.train, self.test = 0, train, test

    def __call__(self, params: Params) -> Outcome:
        self.calls += 1
        return Outcome(self.train, self.test, (0.7, 0.1), {k: v.copy() for k, v in params.items()})


def start(method: str) -> Params:
    return {k: v.copy() for k, v in expected_params(method, OUTCOME_DIMS).items()}


def ok(params: Params) -> CallResult:
    return CallResult(CallStatus.OK, params)


def test_band_contains_its_edges_only() -> None:
    band = Band((0.5, 0.9), (0.4, 0.8), (0.7, 0.6))
    assert band.contains(0.5, 0.8)
    assert not band.contains(0.91, 0.6)
    assert not band.contains(0.7, 0.39)


def test_published_outcomes_lie_inside_their_bands() -> None:
    for band in (entry.band for entry in METHODS.values()):
        assert band.contains(*band.published)


def test_digest_is_stable_and_sees_one_ulp() -> None:
    params = start("he")
    assert params_digest(params) == params_digest(start("he"))
    nudged = start("he")
    nudged["W2"][0, 0] = np.nextafter(nudged["W2"][0, 0], 1.0)
    assert params_digest(nudged) != params_digest(params)


def test_digest_sees_names_and_shapes_not_only_bytes() -> None:
    params = {"W1": np.arange(6.0).reshape(2, 3)}
    assert params_digest(params) != params_digest({"W1": np.arange(6.0).reshape(3, 2)})
    assert params_digest(params) != params_digest({"W2": np.arange(6.0).reshape(2, 3)})


def test_a_cache_hit_trains_nothing(tmp_path) -> None:
    trainer = CountingTrainer()
    cache = OutcomeCache(tmp_path)
    first, _ = check_outcome(ENTRIES["he"], ok(start("he")), trainer=trainer, cache=cache)
    second, _ = check_outcome(ENTRIES["he"], ok(start("he")), trainer=trainer, cache=cache)
    assert trainer.calls == 1
    assert first == second
    again = OutcomeCache(tmp_path)  # a new process: the file on disk answers
    check_outcome(ENTRIES["he"], ok(start("he")), trainer=trainer, cache=again)
    assert trainer.calls == 1


def test_the_disk_cache_round_trips_and_leaves_no_temporary_files(tmp_path) -> None:
    outcome = CountingTrainer()(start("random"))
    OutcomeCache(tmp_path).put("abc", outcome)
    loaded = OutcomeCache(tmp_path).get("abc")
    assert loaded is not None
    assert (loaded.train_accuracy, loaded.test_accuracy, loaded.costs) == (0.99, 0.96, (0.7, 0.1))
    np.testing.assert_array_equal(loaded.params["W1"], outcome.params["W1"], err_msg="W1")
    assert [p.name for p in tmp_path.iterdir()] == ["abc.json"]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": "old"}', ""])
def test_a_corrupt_or_stale_cache_file_is_ignored(tmp_path, content: str) -> None:
    params = start("he")
    (tmp_path / f"{params_digest(params)}.json").write_text(content)
    trainer = CountingTrainer()
    outcome = train_outcome(params, trainer=trainer, cache=OutcomeCache(tmp_path))
    assert trainer.calls == 1
    assert outcome.train_accuracy == 0.99
    json.loads((tmp_path / f"{params_digest(params)}.json").read_text())  # rewritten


def test_an_unwritable_cache_costs_speed_not_the_grade(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    outcome = train_outcome(start("he"), trainer=CountingTrainer(), cache=OutcomeCache(blocker))
    assert outcome.test_accuracy == 0.96


def test_the_default_cache_lives_where_the_environment_says(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert default_cache().directory == tmp_path / "cache"
    assert default_cache() is default_cache()


def test_a_stand_in_trainer_never_writes_the_shared_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    train_outcome(start("he"), trainer=CountingTrainer())
    assert list(tmp_path.iterdir()) == []


def test_wrong_shapes_fail_without_training() -> None:
    params = start("he")
    params["W1"] = params["W1"].T.copy()
    trainer = CountingTrainer()
    result, _ = check_outcome(ENTRIES["he"], ok(params), trainer=trainer, cache=OutcomeCache(None))
    assert trainer.calls == 0
    assert not result.passed
    assert "Not trained" in result.message
    assert "W1 has shape (2, 10); expected (10, 2)" in result.message


def test_a_failed_call_fails_without_training() -> None:
    trainer = CountingTrainer()
    failed = CallResult(CallStatus.EXCEPTION, message="KeyError: 'W1'")
    result, _ = check_outcome(ENTRIES["he"], failed, trainer=trainer, cache=OutcomeCache(None))
    assert trainer.calls == 0
    assert "KeyError: 'W1'" in result.message


def test_an_outcome_outside_the_band_fails_with_a_hint() -> None:
    trainer = CountingTrainer(0.99, 0.96)
    result, _ = check_outcome(ENTRIES["zeros"], ok(start("zeros")), trainer=trainer)
    assert not result.passed
    assert "train accuracy 0.9900 and test accuracy 0.9600" in result.message
    assert "stay at chance" in result.message


def test_seeded_start_at_seed_3_is_the_reference() -> None:
    params = seeded_start(lambda fan_in, fan_out: np.sqrt(2 / fan_in), 3)
    for key, value in expected_params("he", OUTCOME_DIMS).items():
        np.testing.assert_allclose(params[key], value, rtol=1e-15, err_msg=key)


# -- real training: the published figures and the calibrated verdicts --------------------------

PUBLISHED = {"zeros": (0.5, 0.5), "random": (0.83, 0.86), "he": (0.9933, 0.96)}  # the exercise


@pytest.mark.slow
@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_the_reference_start_reaches_the_published_accuracy(method: str) -> None:
    cache = default_cache()  # the session's: a correct notebook graded earlier trained this start
    result, _ = check_outcome(ENTRIES[method], ok(start(method)), cache=cache)
    assert result.passed, result.message
    outcome = train_outcome(start(method), cache=cache)
    assert outcome.train_accuracy == pytest.approx(PUBLISHED[method][0], abs=5e-5)
    assert outcome.test_accuracy == pytest.approx(PUBLISHED[method][1], abs=5e-5)
    assert len(outcome.costs) == 15


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "scale", "passes"),
    [
        ("random", lambda fan_in, fan_out: 1.0, False),  # forgot * 10: 0.997 / 0.96
        ("he", lambda fan_in, fan_out: np.sqrt(2 / fan_out), False),  # fan-out: 0.553 / 0.55
        ("he", lambda fan_in, fan_out: np.sqrt(1 / fan_in), True),  # Xavier: 0.99 / 0.93
        ("zeros", lambda fan_in, fan_out: 10.0, False),  # random weights as "zeros"
    ],
    ids=["random-x1", "he-fan-out", "he-xavier", "zeros-random"],
)
def test_calibrated_bands_judge_seed_3_mistakes(method, scale, passes, tmp_path) -> None:
    params = seeded_start(scale, 3)
    result, _ = check_outcome(ENTRIES[method], ok(params), cache=OutcomeCache(tmp_path))
    assert result.passed is passes, result.message


@pytest.mark.slow
def test_a_bit_exact_solution_trains_once() -> None:
    cache = default_cache()
    check_outcome(ENTRIES["he"], ok(start("he")), cache=cache)
    began = time.perf_counter()
    check_outcome(ENTRIES["he"], ok(start("he")), cache=OutcomeCache(cache.directory))
    assert time.perf_counter() - began < 0.5


# -- many starts at once: what a batch calls ----------------------------------------------------


class CountingManyTrainer:
    """Stands in for stacked training: notes the size of every stack it is given."""

    def __init__(self) -> None:
        self.stacks: list[int] = []

    def __call__(self, starts) -> list[Outcome]:
        self.stacks.append(len(starts))
        return [CountingTrainer()(params) for params in starts]


def test_train_outcomes_trains_each_distinct_miss_once_in_stacks(tmp_path) -> None:
    cache = OutcomeCache(tmp_path)
    known = CountingTrainer(0.5, 0.5)(start("zeros"))
    cache.put(params_digest(start("zeros")), known)
    wrong_shape = {**start("he"), "W1": np.zeros((2, 10))}
    mistake = seeded_start(lambda fan_in, fan_out: 1.0, 3)
    starts = [start("he"), start("random"), start("he"), start("zeros"), None, wrong_shape, mistake]
    trainer = CountingManyTrainer()
    outcomes = train_outcomes(starts, trainer=trainer, cache=cache, stack_size=2)
    assert trainer.stacks == [2, 1]  # he, random, then the mistake; each once
    assert outcomes[0] is outcomes[2]
    assert outcomes[3] is known
    assert outcomes[4] is None  # nothing to train
    assert outcomes[5] is None  # not the outcome network
    assert all(isinstance(outcomes[i], Outcome) for i in (0, 1, 6))
    assert len(list(tmp_path.glob("*.json"))) == 4


def test_a_grading_after_train_outcomes_trains_nothing(tmp_path) -> None:
    cache = OutcomeCache(tmp_path)
    train_outcomes([start("he")], trainer=CountingManyTrainer(), cache=cache)
    trainer = CountingTrainer()
    result, _ = check_outcome(ENTRIES["he"], ok(start("he")), trainer=trainer, cache=cache)
    assert trainer.calls == 0
    assert result.passed


def test_train_outcomes_refuses_an_empty_stack(tmp_path) -> None:
    with pytest.raises(ValueError, match="stack_size"):
        train_outcomes([start("he")], cache=OutcomeCache(tmp_path), stack_size=0)


@pytest.mark.slow
def test_stacked_outcomes_are_the_outcomes_trained_alone(tmp_path) -> None:
    # Every verdict then stays what grading one notebook gives, whatever it was trained beside.
    starts = [
        start("he"),
        start("random"),
        seeded_start(lambda fan_in, fan_out: 1.0, 3),  # forgot * 10
        seeded_start(lambda fan_in, fan_out: np.sqrt(2 / fan_out), 3),  # fan-out
        seeded_start(lambda fan_in, fan_out: 10.0, 17),
    ]
    stacked = train_outcomes(starts, cache=OutcomeCache(tmp_path))
    for params, got in zip(starts, stacked, strict=True):
        alone = reference_trainer(params)
        assert got is not None
        assert (got.train_accuracy, got.test_accuracy, got.costs) == (
            alone.train_accuracy,
            alone.test_accuracy,
            alone.costs,
        )
        for key, value in alone.params.items():
            assert got.params[key].tobytes() == value.tobytes(), key
