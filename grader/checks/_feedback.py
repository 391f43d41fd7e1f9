"""What the feedback page draws for each function, computed once, while grading.

For a function whose start fits the outcome network, ``build_feedback`` gathers what training
from it gave, what training from the reference's start gives, and the per-layer activations of a
deep ReLU stack at the student's effective scale beside the reference's. The HTML report only
draws these; it trains nothing and reads no spec.

Much of it is the same for many students: the reference's outcome and activations for each
method, and the activations at a scale the weight-scale check found right (then the page shows
the reference's). Activations are kept per scale, so each is computed once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

import reference
from grader.checks._loop import GradedFunction, expected_params
from grader.checks._training import (
    Outcome,
    OutcomeCache,
    Trainer,
    params_digest,
    train_outcome,
)
from grader.spec import WEIGHT_SCALE, AssignmentSpec
from grader.stats import rms
from grader.types import Params

N_LAYERS = 5  # the activation experiment: this many layers of WIDTH ReLU units
WIDTH = 100


@dataclass(frozen=True)
class FunctionFeedback:
    """One function's figures: training from both starts, activations at both scales.

    ``same_start``: the student's start is the reference's, bit for bit. ``same_scale``: the
    weight-scale check passed, so the student's activations are the reference's (the page then
    draws one row, not two that differ only by sampling noise)."""

    method: str
    student: Outcome
    reference: Outcome
    student_activations: tuple[np.ndarray, ...]
    reference_activations: tuple[np.ndarray, ...]
    same_start: bool = False
    same_scale: bool = False


def effective_std(params: Params, method: str, fan_in: int = WIDTH) -> float:
    """The standard deviation the student's rule would give a layer of ``fan_in`` inputs and as
    many units (the activation experiment's layers are square).

    For a scaled method, the median ratio of each layer's spread to the method's gives the factor
    to apply at ``fan_in``; for zeros, the spread of the student's weights as they are.
    """
    weights = [value for key, value in sorted(params.items()) if key.startswith("W")]
    if method == "zeros" or not weights:
        return float(np.mean([rms(w) for w in weights])) if weights else 0.0
    ratios = [rms(w) / reference.weight_std(method, w.shape[1], w.shape[0]) for w in weights]
    return float(np.median(ratios)) * reference.weight_std(method, fan_in, fan_in)


@functools.lru_cache(maxsize=8)
def _activations(std: float) -> tuple[np.ndarray, ...]:
    layers = tuple(reference.activation_statistics(std, "relu", N_LAYERS, WIDTH))
    for layer in layers:
        layer.setflags(write=False)
    return layers


@functools.lru_cache(maxsize=8)
def _reference_start(method: str, dims: tuple[int, ...], seed: int) -> tuple[Params, str]:
    start = dict(expected_params(method, dims, seed))
    return start, params_digest(start)


def _scale_passed(function: GradedFunction) -> bool:
    return any(c.name == WEIGHT_SCALE and c.passed for c in function.result.checks)


def build_feedback(
    spec: AssignmentSpec,
    graded: Sequence[GradedFunction],
    *,
    trainer: Trainer | None = None,
    cache: OutcomeCache | None = None,
) -> Mapping[str, FunctionFeedback]:
    """The figures' data for every function that could be trained from its start."""
    feedback: dict[str, FunctionFeedback] = {}
    for entry, function in zip(spec.functions, graded, strict=True):
        if function.start is None or function.outcome is None:
            continue
        start, digest = _reference_start(entry.method, tuple(entry.outcome_dims), entry.seed)
        same_start = params_digest(function.start) == digest
        same_scale = same_start or _scale_passed(function)
        reference_std = reference.weight_std(entry.method, WIDTH, WIDTH)
        student_std = reference_std if same_scale else effective_std(function.start, entry.method)
        feedback[entry.name] = FunctionFeedback(
            method=entry.method,
            student=function.outcome,
            reference=train_outcome(start, trainer=trainer, cache=cache),
            student_activations=_activations(student_std),
            reference_activations=_activations(reference_std),
            same_start=same_start,
            same_scale=same_scale,
        )
    return feedback
