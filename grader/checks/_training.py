"""Training the reference model from a start, and the cache of what that gave.

``reference_trainer`` runs ``reference.train`` (15,000 full-batch steps at learning rate 0.01 on
the circles data) from validated float arrays and measures both accuracies; no student code runs
here. ``train_outcomes`` does the same for many starts at once (a batch's), training every start
the cache does not know in stacked runs of ``reference.train_many``, which give each start the
numbers it gets alone, bit for bit: a cached outcome never depends on what it was trained
beside. Outcomes are cached by the SHA-256 of the initial parameters' bytes (plus the training
setup), in memory and on disk under ``$INITGRADE_CACHE_DIR`` (default ``~/.cache/initgrade``), one
JSON file per digest written atomically. A bit-exact solution is trained once per machine; a
corrupt or unreadable cache file is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.locations import cache_root
from grader.spec import EXERCISE, OUTCOME_DIMS, expected_shapes
from grader.types import Params

# The training every outcome runs: the exercise's (an assignment may not change it: the bands and
# the cache are the course network's; see grader.spec.variant)
LEARNING_RATE = EXERCISE.learning_rate
NUM_ITERATIONS = EXERCISE.steps
CACHE_VERSION = f"outcome-v1 lr={LEARNING_RATE} steps={NUM_ITERATIONS}"


@dataclass(frozen=True)
class Outcome:
    """What training from one initialization gave: accuracies, the cost curve, the trained model."""

    train_accuracy: float
    test_accuracy: float
    costs: tuple[float, ...]
    params: Params

    def to_json(self) -> dict[str, Any]:
        return {
            "version": CACHE_VERSION,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "costs": list(self.costs),
            "params": {key: value.tolist() for key, value in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        if data.get("version") != CACHE_VERSION:
            raise ValueError("cache entry from another training setup")
        params = {key: np.asarray(value, dtype=np.float64) for key, value in data["params"].items()}
        return cls(
            float(data["train_accuracy"]),
            float(data["test_accuracy"]),
            tuple(float(c) for c in data["costs"]),
            params,
        )


Trainer = Callable[[Params], Outcome]
ManyTrainer = Callable[[Sequence[Params]], list[Outcome]]
# Starts per stacked run: past about a dozen the time per start stops falling, while memory
# (about 0.2 MB per start) keeps growing.
STACK_SIZE = 32


def _measured(trained: Params, costs: Sequence[float]) -> Outcome:
    """The outcome of a trained model: both accuracies on the circles data."""
    import reference

    train_x, train_y, test_x, test_y = reference.load_dataset()
    return Outcome(
        float(reference.accuracy(train_x, train_y, trained)),
        float(reference.accuracy(test_x, test_y, trained)),
        tuple(float(c) for c in costs),
        {key: np.asarray(value, dtype=np.float64) for key, value in trained.items()},
    )


def reference_trainer(params: Params) -> Outcome:
    """Train the reference model from ``params`` on the circles data and measure it."""
    import reference

    train_x, train_y, _, _ = reference.load_dataset()
    start = {key: value.copy() for key, value in params.items()}
    trained, costs = reference.train(
        train_x, train_y, start, learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS
    )
    return _measured(trained, costs)


def reference_many_trainer(starts: Sequence[Params]) -> list[Outcome]:
    """``reference_trainer`` of each start (all of one shape), in one stacked run."""
    import reference

    train_x, train_y, _, _ = reference.load_dataset()
    copies = [{key: value.copy() for key, value in params.items()} for params in starts]
    trained = reference.train_many(
        train_x, train_y, copies, learning_rate=LEARNING_RATE, num_iterations=NUM_ITERATIONS
    )
    return [_measured(params, costs) for params, costs in trained]


def params_digest(params: Params) -> str:
    """SHA-256 of the training setup and every array's name, shape and float64 bytes."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for key in sorted(params):
        value = np.ascontiguousarray(params[key], dtype="<f8")
        digest.update(f"|{key}{value.shape}|".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


class OutcomeCache:
    """Outcomes by parameter digest: a dict in front of a directory of JSON files."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: dict[str, Outcome] = {}

    def get(self, digest: str) -> Outcome | None:
        if digest in self._memory:
            return self._memory[digest]
        if self.directory is None:
            return None
        try:
            outcome = Outcome.from_json(json.loads((self.directory / f"{digest}.json").read_text()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent, unreadable, corrupt or stale: train again
        self._memory[digest] = outcome
        return outcome

    def put(self, digest: str, outcome: Outcome) -> None:
        self._memory[digest] = outcome
        if self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w") as handle:
                json.dump(outcome.to_json(), handle)
            os.replace(tmp, self.directory / f"{digest}.json")
        except OSError:
            pass  # a read-only or full disk costs speed, never a grade


_CACHES: dict[Path, OutcomeCache] = {}


def default_cache() -> OutcomeCache:
    """The process-wide cache for ``cache_root()``."""
    directory = cache_root()
    return _CACHES.setdefault(directory, OutcomeCache(directory))


def train_outcome(
    params: Params, *, trainer: Trainer | None = None, cache: OutcomeCache | None = None
) -> Outcome:
    """The outcome of training from ``params``, from the cache when these exact bytes were seen.

    Only the reference trainer uses the shared cache by default: outcomes of an injected trainer
    (a test's stand-in) go to ``cache`` when one is given, else to a throwaway one.
    """
    if cache is None:
        cache = default_cache() if trainer is None else OutcomeCache(None)
    digest = params_digest(params)
    outcome = cache.get(digest)
    if outcome is None:
        with np.errstate(all="ignore"):  # a wild start may overflow; accuracy still tells
            outcome = (trainer or reference_trainer)(params)
        cache.put(digest, outcome)
    return outcome


def _trainable(params: Params | None, dims: Sequence[int]) -> bool:
    """Whether ``params`` is a start of the network ``dims``: its keys, shapes and floats."""
    if not isinstance(params, dict):
        return False
    shapes = expected_shapes(dims)
    return set(params) == set(shapes) and all(
        isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == shapes[key]
        for key, value in params.items()
    )


def train_outcomes(
    starts: Sequence[Params | None],
    *,
    dims: Sequence[int] = OUTCOME_DIMS,
    trainer: ManyTrainer | None = None,
    cache: OutcomeCache | None = None,
    stack_size: int = STACK_SIZE,
) -> list[Outcome | None]:
    """The outcome of every start, as ``train_outcome`` gives it; the misses trained stacked.

    The entry point for a batch: pass the outcome starts of many submissions at once (each
    function's parameters for ``dims``, as validated arrays from the worker, e.g.
    ``outcome_starts(spec, program)`` or ``GradedFunction.start``). Returns one entry per
    start, in order: ``None`` for a start that is ``None`` or not a float64 start of ``dims``
    (``check_outcome`` fails those without training), else its ``Outcome``.

    Every start the cache does not hold is trained exactly once, however often it occurs,
    in stacked runs of up to ``stack_size``, and stored in ``cache`` (the shared cache by
    default, as for ``train_outcome``) before this returns. A grading that follows finds each
    outcome there and trains nothing, with the very numbers it would have trained alone.
    Single-threaded; the cache directory may be shared by processes that call this at the
    same time on different starts (each entry is one file written atomically), so a batch can
    spread its misses over its own workers.
    """
    if stack_size < 1:
        raise ValueError(f"stack_size must be at least 1, got {stack_size}")
    if cache is None:
        cache = default_cache() if trainer is None else OutcomeCache(None)
    digests = [params_digest(s) if s is not None and _trainable(s, dims) else None for s in starts]
    missing: dict[str, Params] = {}
    for digest, start in zip(digests, starts, strict=True):
        if digest is None or start is None or digest in missing:
            continue
        if cache.get(digest) is None:
            missing[digest] = start
    pending = list(missing.items())
    for first in range(0, len(pending), stack_size):
        chunk = pending[first : first + stack_size]
        with np.errstate(all="ignore"):  # a wild start may overflow; accuracy still tells
            outcomes = (trainer or reference_many_trainer)([start for _, start in chunk])
        for (digest, _), outcome in zip(chunk, outcomes, strict=True):
            cache.put(digest, outcome)
    return [None if digest is None else cache.get(digest) for digest in digests]


def seeded_start(
    scale: Callable[[int, int], float], seed: int, dims: Sequence[int] = OUTCOME_DIMS
) -> Params:
    """The exercise's draws for ``seed`` times ``scale(fan_in, fan_out)`` per layer, zero biases."""
    from reference import seeded_draws

    params: Params = {}
    for layer, draws in enumerate(seeded_draws(dims, seed), start=1):
        fan_in, fan_out = dims[layer - 1], dims[layer]
        params[f"W{layer}"] = draws * scale(fan_in, fan_out)
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def calibrate(
    scale: Callable[[int, int], float], seeds: Iterable[int], *, trainer: Trainer | None = None
) -> list[tuple[int, float, float]]:
    """(seed, train accuracy, test accuracy) for starts drawn with each seed; no cache.

    The table above: ``calibrate(lambda fan_in, fan_out: 10.0, range(100))`` for random x10,
    ``calibrate(lambda fan_in, fan_out: (2 / fan_in) ** 0.5, range(100))`` for He, and so on.
    """
    train = trainer or reference_trainer
    rows = []
    for seed in seeds:
        with np.errstate(all="ignore"):
            outcome = train(seeded_start(scale, seed))
        rows.append((seed, outcome.train_accuracy, outcome.test_accuracy))
    return rows
