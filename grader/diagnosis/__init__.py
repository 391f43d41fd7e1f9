"""Name the likely mistake behind a wrong initializer, from its numbers, in one sentence.

Detectors run in order and the first that recognises something wins: structure first (a slip
there also changes the numbers), then the randomness, then the scale. Only the visible cases and
the probes (``FunctionSpec.probes``) are quoted in a diagnosis; hidden cases are never named.
"""

from __future__ import annotations

from grader.diagnosis._evidence import Detector, Evidence
from grader.diagnosis._randomness import no_seed, other_draws
from grader.diagnosis._scale import exact_scale, statistical_scale
from grader.diagnosis._structure import (
    biases,
    hard_coded,
    input_mutated,
    key_names,
    transposed,
    zeros_weights,
)

__all__ = ["DETECTORS", "Detector", "Evidence", "diagnose"]

DETECTORS: tuple[Detector, ...] = (
    hard_coded,
    key_names,
    transposed,
    biases,
    zeros_weights,
    no_seed,
    other_draws,
    exact_scale,
    statistical_scale,
    input_mutated,
)


def diagnose(ev: Evidence) -> str | None:
    """The first mistake a detector recognises, or None."""
    for detector in DETECTORS:
        found = detector(ev)
        if found is not None:
            return found
    return None
