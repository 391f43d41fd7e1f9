"""Property checks on generated ``layers_dims``: what must hold for every input, not only examples.

Every run tries the same inputs (``grader.checks.strategies.property_inputs``): a few small
networks first, then inputs drawn from a fixed seed of the spec, so a regrade, on any install,
Python or library version, sees the same inputs. Every input costs two calls: one after seeding
the global generator with ``BASE_PRESEED``, one after ``OTHER_PRESEED``. Six properties are then
judged on the same observations, every call's result (a function that answers right only on the
first call fails all the same), and the four that every answer must have (keys and shapes,
float64, zero biases, its argument left alone) on the function's other visible calls too (the
cases, the outcome call). So a function costs at most
``2 * len(property_inputs(...))`` calls, inside ``property_call_budget``. There is no shrinking:
the report names the smallest failing input among those tried, so a mistake that shows on a
small network is reported on one.

A call that times out, runs out of memory or kills the worker ends the observation at once; every
property that had not already failed then fails with that reason, and the worker is not called
again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from grader import messages as msg
from grader.checks._biases import as_columns
from grader.checks._exact import Difference, describe_visible, structure_difference
from grader.checks.strategies import property_inputs
from grader.mistakes import Quoted
from grader.results import CheckResult
from grader.sentences import expects
from grader.spec import (
    BASE_PRESEED,
    FLOAT64,
    INPUT_UNCHANGED,
    KEYS_AND_SHAPES,
    OTHER_PRESEED,
    REPRODUCIBLE,
    WEIGHT_SCALE,
    ZERO_BIASES,
    FunctionSpec,
    expected_shapes,
)
from grader.stats import rms, scale_consistent, std_interval
from grader.types import DEAD, Caller, CallResult, Params

Dims = tuple[int, ...]


@dataclass(frozen=True)
class Observation:
    dims: Sequence[int]
    first: CallResult
    second: CallResult | None = None
    generated: bool = True  # a property input (else another call of the function's)

    @property
    def calls(self) -> tuple[CallResult, ...]:
        """Every call made on these layers_dims: each is judged."""
        return (self.first,) if self.second is None else (self.first, self.second)

    # Each property asks for these again on the same observation: computed once, then kept.
    @functools.cached_property
    def structure_ok(self) -> bool:
        """Whether the weights' properties can be judged: the layout is right, reading zero
        biases in a column's stead (``b = 0``) as that column (their shape is keys and
        shapes' to judge)."""
        value = self.first.value
        if value is None:
            return False
        return structure_difference(as_columns(value, self.shapes), self.shapes) is None

    @functools.cached_property
    def structure(self) -> Difference | None:
        """What is wrong with the first answer's layout (None: nothing, or no answer)."""
        value = self.first.value
        return None if value is None else structure_difference(value, self.shapes)

    @functools.cached_property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return expected_shapes(self.dims)

    def laid_out(self) -> list[Params]:
        """The answers whose layout is right, each once (an answer equal to the first is the
        same observation)."""
        found = [self.first.value] if self.structure_ok and self.first.value is not None else []
        second = self.second.value if self.second is not None and self.second.ok else None
        laid = second is not None and structure_difference(second, self.shapes) is None
        if laid and second is not None and (not found or not _same(found[0], second)):
            found.append(second)
        return found


def _same(one: Params, two: Params) -> bool:
    return all(np.array_equal(one[key], two[key]) for key in one)


@dataclass
class _Run:
    observations: list[Observation]
    stopped: CallResult | None = None
    stopped_at: Sequence[int] = ()
    calls: int = 0


def observe(
    entry: FunctionSpec, caller: Caller, others: Sequence[tuple[Sequence[int], CallResult]] = ()
) -> _Run:
    """Call the function on each property input, twice, until done, out of budget, or dead;
    ``others``, the function's other calls (its cases, its outcome), are observed too."""
    run = _Run([])

    def call(dims: Sequence[int], preseed: int) -> CallResult | None:
        if run.stopped is not None or run.calls >= entry.property_call_budget:
            return None
        run.calls += 1
        result = caller(dims, preseed)
        if result.status in DEAD:
            run.stopped, run.stopped_at = result, dims
            return None
        return result

    for dims in property_inputs(entry.property_examples):
        first = call(dims, BASE_PRESEED)
        if first is None:
            break
        run.observations.append(Observation(dims, first, call(dims, OTHER_PRESEED)))
    run.observations += [Observation(dims, result, generated=False) for dims, result in others]
    return run


# -- the properties: each returns None when it holds on an observation, else the problem -------


def _keys_and_shapes(entry: FunctionSpec, obs: Observation) -> str | None:
    for result in obs.calls:
        if not result.ok or result.value is None:
            reason = result.message or result.status.value
            return msg.CALL_FAILED.format(dims=list(obs.dims), reason=reason)
        diff = structure_difference(result.value, obs.shapes)
        if diff is not None:
            return describe_visible(diff, obs.dims, entry, list(result.value))
    return None


def _float64(entry: FunctionSpec, obs: Observation) -> str | None:
    dtypes = next((r.dtypes for r in obs.calls if r.ok and r.dtypes), None)
    if not dtypes:
        return None
    key, dtype = dtypes[0]
    others = len(dtypes) - 1
    return msg.NOT_FLOAT64.format(
        dims=list(obs.dims),
        key=key,
        dtype=dtype,
        more=msg.NOT_FLOAT64_MORE.format(count=others) if others else "",
        hint=msg.NOT_FLOAT64_HINT.get(dtype.rstrip("0123456789"), msg.NOT_FLOAT64_HINT["float"]),
    )


def _zero_biases(entry: FunctionSpec, obs: Observation) -> str | None:
    for result in obs.calls:
        value = (result.value if result.ok else None) or {}
        for key in obs.shapes:
            if key.startswith("b") and key in value and np.any(value[key] != 0):
                return f"For layers_dims={list(obs.dims)}: " + msg.BIASES_NOT_ZERO.format(key=key)
    return None


def _input_unchanged(entry: FunctionSpec, obs: Observation) -> str | None:
    for result in obs.calls:
        after = result.args_after if result.ok else None
        if after is None or (not isinstance(after, str) and list(after) == list(obs.dims)):
            continue
        shown = after if isinstance(after, str) else list(after)  # str: no longer plain ints
        return msg.INPUT_MUTATED.format(before=list(obs.dims), after=shown)
    return None


def _reproducible(entry: FunctionSpec, obs: Observation) -> str | None:
    first, second = obs.first.value or {}, (obs.second.value if obs.second else None) or {}
    for key in obs.shapes:
        if key not in second or not np.array_equal(first[key], second[key]):
            problem = msg.NOT_REPRODUCIBLE.format(key=key, seed=entry.seed)
            return f"For layers_dims={list(obs.dims)}: " + problem
    return None


def scale_problem(entry: FunctionSpec, key: str, weights: np.ndarray) -> str | None:
    """Why one layer's weights do not look drawn with the method's scale, or None."""
    if entry.zero:
        return None if not np.any(weights) else msg.ZEROS_NOT_ZERO.format(key=key, name=entry.name)
    fan_in = weights.shape[1]
    expected = entry.scale.value(fan_in, weights.shape[0])
    if scale_consistent(weights, expected):
        return None
    lo, hi = std_interval(weights.size, expected)
    return msg.SCALE_OFF.format(
        key=key,
        got=rms(weights),
        expects=expects(entry.scale_name, entry.scale.text, fan_in, weights.shape[0]),
        size=weights.size,
        lo=lo,
        hi=hi,
    )


def _weight_scale(entry: FunctionSpec, obs: Observation) -> str | None:
    for value in obs.laid_out():
        for key in obs.shapes:
            if key.startswith("W"):
                problem = scale_problem(entry, key, value[key])
                if problem is not None:
                    return f"For layers_dims={list(obs.dims)}: {problem}"
    return None


@dataclass(frozen=True)
class _Property:
    judge: Callable[[FunctionSpec, Observation], str | None]
    applies: Callable[[Observation], bool]


PROPERTIES: dict[str, _Property] = {
    KEYS_AND_SHAPES: _Property(_keys_and_shapes, lambda obs: True),
    FLOAT64: _Property(_float64, lambda obs: any(r.ok for r in obs.calls)),
    ZERO_BIASES: _Property(_zero_biases, lambda obs: any(r.ok for r in obs.calls)),
    INPUT_UNCHANGED: _Property(_input_unchanged, lambda obs: any(r.ok for r in obs.calls)),
    REPRODUCIBLE: _Property(_reproducible, lambda obs: obs.structure_ok and obs.second is not None),
    # The scale test's stated false-failure rate is for the generated inputs' layers.
    WEIGHT_SCALE: _Property(_weight_scale, lambda obs: obs.generated and bool(obs.laid_out())),
}


def _size(obs: Observation) -> tuple[int, int, list[int]]:
    return (len(obs.dims), sum(obs.dims), list(obs.dims))


def judge(
    entry: FunctionSpec, name: str, points: float, run: _Run, ignored: Collection[Dims] = ()
) -> CheckResult:
    """One property's verdict over every observation of the run but those on ``ignored``."""
    prop = PROPERTIES[name]
    applies = [obs for obs in run.observations if prop.applies(obs)]
    judged = [obs for obs in applies if tuple(obs.dims) not in ignored]
    failures = [(obs, p) for obs in judged if (p := prop.judge(entry, obs)) is not None]
    inputs: tuple[Quoted, ...] = ()
    if failures:
        smallest, problem = min(failures, key=lambda pair: _size(pair[0]))
        message = msg.PROPERTY_FAILED.format(
            problem=problem, failed=len(failures), count=len(judged)
        )
        inputs = entry.quote(smallest.dims)
    elif run.stopped is not None:
        reason = run.stopped.message or run.stopped.status.value
        message = msg.PROPERTY_STOPPED.format(dims=list(run.stopped_at), reason=reason)
        inputs = entry.quote(run.stopped_at)
    elif not judged:
        message = msg.PROPERTY_EXAMPLES_ONLY if applies else msg.PROPERTY_UNCHECKED
    else:
        message = msg.PROPERTY_PASSED.format(count=len(judged))
        return CheckResult(name, entry.name, points, points, True, message)
    return CheckResult(name, entry.name, 0.0, points, False, message, inputs=inputs)


def check_properties(
    entry: FunctionSpec,
    caller: Caller,
    ignored: Collection[Dims] = (),
    others: Sequence[tuple[Sequence[int], CallResult]] = (),
) -> tuple[CheckResult, ...]:
    """All property checks of one function, from one shared run of generated calls, and of
    ``others`` (the function's other visible calls): every call's result is judged. Inputs in
    ``ignored`` are called like the others but judge nothing (``grader.checks._hard_coding``)."""
    run = observe(entry, caller, others)
    return tuple(judge(entry, name, points, run, ignored) for name, points in entry.property_points)
