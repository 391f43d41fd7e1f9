"""Training a batch's outcomes first, stacked: the two steps before a course is graded warm.

An outcome check trains the reference model from the student's start, once per start not in the
cache. Graded one by one, a course of wrong functions trains one model at a time; a batch can do
better. Before grading (``BatchOptions.train_first``):

1. every submission's outcome starts are collected (``collect_starts``: the notebook loaded and
   extracted as grading does, each graded function called with ``outcome_dims`` after
   ``BASE_PRESEED``, twice, as its grading calls it; a function whose two answers differ gets no
   outcome, so none is trained for it). The calls of one submission share one sandboxed worker,
   with every limit of a grading's: a start that comes out otherwise there than in the
   function's own worker (one function disturbing another) is only a start the cache then
   lacks, which its grading trains alone. The arrays travel as JSON with their float64 bytes in
   base64 (``encode_start``) and are rebuilt with ``np.frombuffer`` (``decode_start``): nothing
   the worker sends is unpickled or evaluated;
2. the batch keeps each distinct start once (by ``params_digest``), and trains those the cache
   lacks in stacked runs (``train_starts``) spread over its executor;
3. each submission is then graded with the outcomes of its own starts shipped in its task
   (``prime_cache``), so a Dask worker on another machine needs no shared disk either.

Stacked training gives each start the numbers it gets alone, bit for bit, so every grade equals
the grade the submission gets alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from grader.spec import BASE_PRESEED, SPEC, AssignmentSpec
from grader.types import Params

MAX_START_VALUES = 1 << 16  # far above the outcome network's 86 values: anything more is garbage


def encode_start(params: Params) -> dict[str, Any]:
    """A start as JSON-ready data: each array's shape and little-endian float64 bytes."""
    return {
        key: {
            "shape": list(value.shape),
            "data": base64.b64encode(np.ascontiguousarray(value, dtype="<f8").tobytes()).decode(),
        }
        for key, value in params.items()
    }


def decode_start(data: object) -> Params | None:
    """The start ``encode_start`` wrote, as float64 arrays; None for anything else."""
    if not isinstance(data, dict):
        return None
    params: Params = {}
    for key, entry in data.items():
        array = _decode_array(entry)
        if not isinstance(key, str) or array is None:
            return None
        params[key] = array
    return params


def _decode_array(entry: object) -> np.ndarray | None:
    if not isinstance(entry, dict) or set(entry) != {"shape", "data"}:
        return None
    shape, text = entry["shape"], entry["data"]
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        return None
    if not isinstance(text, str) or math.prod(shape) > MAX_START_VALUES:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 8 * math.prod(shape):
        return None
    return np.frombuffer(raw, dtype="<f8").astype(np.float64).reshape(shape)


def collect_starts(
    data: bytes,
    name: str,
    *,
    timeout: float | None,
    memory_mb: int | None,
    accept_weak_isolation: bool,
    spec: AssignmentSpec = SPEC,
) -> str:
    """``{"starts": [...]}`` as JSON: each graded function's outcome start (encoded), or null
    when it has none (not defined, failed, not repeatable, or the file is not a notebook)."""
    from grader.api import run_limits
    from grader.notebook import LoadedNotebook, extract, load_notebook_bytes
    from grader.sandbox import Worker

    loaded = load_notebook_bytes(data, name)
    if not isinstance(loaded, LoadedNotebook):
        return json.dumps({"starts": []})
    extraction = extract(loaded, graded=spec.graded_functions)
    helpers = [spec.directory / f"{module}.py" for module in spec.helper_modules]
    starts: list[dict[str, Any] | None] = []
    with Worker(
        extraction.program,
        helper_dirs=[h for h in helpers if h.is_file()],
        limits=run_limits(spec.limits, timeout=timeout, memory_mb=memory_mb),
        origin=extraction.origin,
        missing_reasons=extraction.compile_errors,
        wanted=spec.graded_functions,
        keep_output=False,
        accept_weak_isolation=accept_weak_isolation,
    ) as worker:
        defined = worker.defined()
        for entry in spec.functions:
            known = entry.name in defined
            starts.append(_start(worker.caller(entry.name), entry.outcome_dims) if known else None)
    return json.dumps({"starts": starts})


def _start(caller: Any, dims: Sequence[int]) -> dict[str, Any] | None:
    """The start of the outcome call, when it succeeds twice with the same arrays."""
    first = caller(list(dims), BASE_PRESEED)
    if not first.ok or first.value is None:
        return None
    again = caller(list(dims), BASE_PRESEED)
    if not again.ok or again.value is None or sorted(again.value) != sorted(first.value):
        return None
    for key, value in first.value.items():
        other = again.value[key]
        if value.shape != other.shape or value.tobytes() != other.tobytes():
            return None
    return encode_start(first.value)


def read_starts(text: str | None) -> list[Params]:
    """The starts in a ``collect_starts`` answer (what cannot be read is left out)."""
    if text is None:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = data.get("starts") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [start for item in items if (start := decode_start(item)) is not None]


def train_starts(data: bytes) -> str:
    """Train the starts in ``data`` (a JSON list of encoded starts) stacked, into the cache;
    returns ``{digest: outcome}`` as JSON, for the gradings that need them."""
    from grader.checks import default_cache, params_digest, train_outcomes

    starts = [start for item in json.loads(data) if (start := decode_start(item)) is not None]
    outcomes = train_outcomes(starts, cache=default_cache())
    entries = {
        params_digest(start): outcome.to_json()
        for start, outcome in zip(starts, outcomes, strict=True)
        if outcome is not None
    }
    return json.dumps(entries)


def prime_cache(outcomes: str) -> None:
    """Put the outcomes a task carries (``{digest: outcome}`` JSON) into this process's cache."""
    from grader.checks import Outcome, default_cache

    if not outcomes:
        return
    cache = default_cache()
    entries: Mapping[str, Any] = json.loads(outcomes)
    for digest, entry in entries.items():
        if cache.get(digest) is None:
            cache.put(digest, Outcome.from_json(entry))
