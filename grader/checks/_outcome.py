"""The outcome check: does the reference model, trained from the student's start, behave right?

The student's function is called once on ``[2, 10, 5, 1]``; its parameters arrive as validated
float arrays. The *reference* trainer (``reference.train``, 15,000 full-batch steps at learning rate
0.01 on the circles data) runs from them, and the train and test accuracies must fall in the band
of the method. No student code runs here.

Bands (train / test accuracy) and how they were calibrated
----------------------------------------------------------
A correct submission is the seed-3 construction, so its outcome is one fixed pair: the published
0.5 / 0.5 (zeros), 0.83 / 0.86 (random) and 0.9933 / 0.96 (He). The bands are for everything
else, so they were calibrated on starts that are right in kind but drawn with other seeds:
``calibrate(scale, seeds)`` below trains the reference model from ``RandomState(seed).randn``
draws times the method's scale. Seeds 0..99 (one run short for random and He), via the same
``reference.train``:

=========  ====  ==========================  ==========================  =======================
start      runs  train min / median / max    test min / median / max     in band (of the method)
=========  ====  ==========================  ==========================  =======================
random x10   97  0.500 / 0.763 / 1.000       0.490 / 0.730 / 0.950       78% in random's band
He           95  0.670 / 0.987 / 0.997       0.660 / 0.950 / 0.970       95% in He's band
x1           40  0.730 / 0.987 / 0.997       0.760 / 0.940 / 0.960       7.5% in random's band
Xavier       40  0.533 / 0.985 / 0.997       0.520 / 0.945 / 0.980       85% in He's band
He fan-out   30  0.553 / 0.983 / 0.993       0.550 / 0.950 / 0.970       87% in He's band
x0.01        10  0.387 / 0.488 / 0.523       0.370 / 0.495 / 0.520       70% in zeros' band
=========  ====  ==========================  ==========================  =======================

- zeros: train and test in [0.45, 0.55]. All-zero weights keep every unit of a layer identical,
  so the model predicts one class and scores exactly 0.5 on these balanced sets.
- random x10: train and test in [0.55, 0.93]. It keeps 78% of other x10 draws (their outcome
  ranges from chance to perfect: the x10 start is a lottery, which is the lesson) and rejects
  92.5% of x1 starts, 95% of He starts and every zeros or x0.01 start. Seed 3 with x1 (a
  forgotten ``* 10``) reaches 0.997 / 0.96 and fails.
- He: train >= 0.93 and test >= 0.88. It keeps 95% of other He draws; the other 5% stall at
  0.67-0.80. It cannot tell He from Xavier or x1 on this small network (seed 3 with Xavier gives
  0.99 / 0.93 and passes; the exact and scale checks catch that mistake), but it does reject
  fan-out scaling at seed 3 (0.553 / 0.55), x10 and zeros.

Only a student whose exact checks already failed with another seed can lose these points to the
spread of the draws; the correct solution's outcome is fixed and inside its band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from grader import messages as msg
from grader.checks._biases import as_columns
from grader.checks._exact import describe_visible, structure_difference
from grader.checks._training import (
    NUM_ITERATIONS,
    Outcome,
    OutcomeCache,
    Trainer,
    train_outcome,
)
from grader.results import CheckResult
from grader.spec import OUTCOME, WEIGHT_SCALE, FunctionSpec, expected_shapes
from grader.types import CallResult


def check_outcome(
    entry: FunctionSpec,
    result: CallResult,
    *,
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> tuple[CheckResult, Outcome | None]:
    """Train from the student's parameters for ``entry.outcome_dims``; check the accuracy band.

    Also returns what training gave (None when nothing could be trained), for the feedback page.
    """
    points, dims = entry.outcome_points, list(entry.outcome_dims)

    def verdict(passed: bool, message: str) -> CheckResult:
        inputs = () if passed else entry.quote(dims)
        score = points if passed else 0.0
        return CheckResult(OUTCOME, entry.name, score, points, passed, message, inputs=inputs)

    if not result.ok or result.value is None:
        reason = result.message or result.status.value
        return verdict(False, msg.CALL_FAILED.format(dims=dims, reason=reason)), None
    shapes = expected_shapes(dims)
    start = as_columns(result.value, shapes)  # b = 0 trains as the zero column it stands for
    diff = structure_difference(start, shapes)
    if diff is not None:
        problem = describe_visible(diff, dims, entry, list(result.value))
        return verdict(False, msg.OUTCOME_NOT_TRAINED.format(problem=problem)), None
    outcome = train_outcome(start, trainer=trainer, cache=cache)
    passed = entry.band.contains(outcome.train_accuracy, outcome.test_accuracy)
    return verdict(passed, _outcome_message(entry, outcome, passed)), outcome


def _outcome_message(entry: FunctionSpec, outcome: Outcome, passed: bool) -> str:
    band = entry.band
    return (msg.OUTCOME_PASSED if passed else msg.OUTCOME_FAILED).format(
        steps=NUM_ITERATIONS,
        train=outcome.train_accuracy,
        test=outcome.test_accuracy,
        method=entry.title,
        train_band=band.train,
        test_band=band.test,
        published=band.published,
        hint=entry.outcome_hint,
    )


def needs_scale(outcome: CheckResult, properties: Sequence[CheckResult]) -> CheckResult:
    """The outcome's points count only with the weight-scale check's: the outcome is trained on
    the notebook's own network, which a function can answer apart from every other input."""
    scale = next((check for check in properties if check.name == WEIGHT_SCALE), None)
    if not outcome.passed or scale is None or scale.passed:
        return outcome
    message = msg.OUTCOME_NEEDS_SCALE.format(outcome=outcome.message)
    return replace(outcome, points=0.0, passed=False, message=message)
