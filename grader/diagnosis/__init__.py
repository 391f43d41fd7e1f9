"""Name the likely mistake behind a wrong initializer, from its numbers, as a value.

Detectors run in order and the first that recognises something wins: a failed call of the
notebook's own example first (nothing else can be read then), the structure next (a slip there
also changes the numbers: the keys, the layers, the shapes, the biases), then the randomness
(the seed, where the numbers come from), then the scale, then the dtype and the argument; last, a
failed call on some other input and, failing everything, the first value that differs. Only the
visible cases, the probes (``FunctionSpec.probes``) and the generated inputs are quoted in a
diagnosis; hidden cases never are.
"""

from __future__ import annotations

from grader.diagnosis._evidence import Detector, Evidence
from grader.diagnosis._failures import failed_anywhere, failed_visible
from grader.diagnosis._layout import layout
from grader.diagnosis._randomness import added, misplaced_draws, no_seed, other_draws
from grader.diagnosis._scale import exact_scale, statistical_scale
from grader.diagnosis._shapes import shapes
from grader.diagnosis._structure import (
    biases,
    hard_coded,
    input_mutated,
    key_names,
    transposed,
    zeros_weights,
)
from grader.diagnosis._values import not_float64, unexplained
from grader.mistakes import Diagnosis

__all__ = ["DETECTORS", "Detector", "Evidence", "diagnose"]

DETECTORS: tuple[Detector, ...] = (
    failed_visible,
    hard_coded,
    key_names,
    layout,
    transposed,
    biases,
    shapes,
    zeros_weights,
    no_seed,
    added,
    misplaced_draws,
    other_draws,
    exact_scale,
    statistical_scale,
    not_float64,
    input_mutated,
    failed_anywhere,
    unexplained,
)


def diagnose(ev: Evidence) -> Diagnosis | None:
    """The first mistake a detector recognises, or None (``grader.sentences`` words it)."""
    for detector in DETECTORS:
        found = detector(ev)
        if found is not None:
            return found
    return None
