"""A submission's functions called in the grader's own process, under the sandbox's contract.

For tests and reference-side runs only: the code runs unisolated, so it must be trusted. What a
call returns goes through the worker's own validator (``child/returns.py``) and the same decoding
as a reply from the worker, so a local call and a sandboxed one accept and refuse the same values
with the same words. ``local_program`` makes a ``Program`` of plain functions for the checks.

``CallLog`` runs calls through one ``Caller``, stopping once a call ends its process (``DEAD``):
a later call is not made and says why (``not_run``); ``run_with_caller`` runs a schedule that
way, which is how a ``LocalProgram`` runs its functions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from grader import messages as msg
from grader.sandbox import _decode as decode
from grader.sandbox._pipe import Reply
from grader.sandbox.child.returns import Converter, run_call
from grader.types import DEAD, Call, Caller, CallResult, CallStatus, Limits, Ran, Schedule

Key = tuple[str, tuple[int, ...], "int | None"]

_CONVERTER = Converter(np, decode.MAX_KEYS, decode.MAX_RESULT_BYTES)


def local_caller(fn: Callable[..., object], name: str | None = None) -> Caller:
    """A caller that runs ``fn`` in this process, with the sandbox's contract: a copy of
    ``layers_dims`` (a list or a tuple, as given), the global generator seeded with ``preseed``
    first, exceptions and invalid values as data."""
    label = name or str(getattr(fn, "__name__", "the function"))
    limits = Limits()

    def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        dims = [int(d) for d in layer_dims]
        argument = tuple(dims) if isinstance(layer_dims, tuple) else dims
        if preseed is not None:
            np.random.seed(preseed)  # noqa: NPY002 - the global state is what preseed disturbs
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            header, blobs = run_call(fn, argument, _CONVERTER)
        result = decode.call_result(label, Reply(header, blobs), limits, (), None)
        if result.status is CallStatus.MISSING:  # not a status run_call gives; keep it honest
            raise RuntimeError(f"unexpected reply for {label}: {header}")
        return result

    return call


def not_run(dead: CallResult) -> CallResult:
    """What a call gets that was not made because ``dead`` ended its process."""
    reason = dead.message or dead.status.value
    return CallResult(dead.status, message=msg.CALL_NOT_RUN.format(reason=reason))


class CallLog:
    """A caller that remembers every result and stops calling once the worker is dead (out of
    time, of memory, or killed). ``partner``: another log of the same function (its hidden
    cases), which stops when this one does."""

    def __init__(self, caller: Caller, partner: CallLog | None = None) -> None:
        self._caller = caller
        self._memo: dict[Key, CallResult] = {}
        self.count = 0
        self._death: list[CallResult] = partner._death if partner is not None else []

    @property
    def dead(self) -> CallResult | None:
        return self._death[0] if self._death else None

    def __call__(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        key = Call(layer_dims, preseed).key
        if key not in self._memo:
            self._memo[key] = self.again(layer_dims, preseed)
        return self._memo[key]

    def again(self, layer_dims: Sequence[int], preseed: int | None) -> CallResult:
        """Call the function, whatever was remembered (unless the worker is dead)."""
        if self.dead is not None:
            return not_run(self.dead)
        self.count += 1
        result = self._caller(layer_dims, preseed)
        if result.status in DEAD:
            self._death.append(result)
        return result


def run_with_caller(caller: Caller, schedule: Schedule) -> Ran:
    """A schedule run through one caller, in order: no process of its own for anything, so the
    repeat is only another call (after a death, not made)."""
    log = CallLog(caller)
    visible = tuple(log(c.dims, c.preseed) for c in schedule.visible)
    hidden_log = CallLog(caller, partner=log)
    hidden = tuple(hidden_log(c.dims, c.preseed) for c in schedule.hidden)
    repeat = tuple(log.again(c.dims, c.preseed) for c in schedule.repeat)
    fresh = tuple(log.again(c.dims, c.preseed) for c in schedule.fresh)
    return Ran(visible, hidden, repeat, fresh)


class LocalProgram:
    """A ``Program`` of plain Python functions by name (``None``: not defined)."""

    call_seconds: float | None = None

    def __init__(
        self,
        functions: Mapping[str, Callable[..., object] | Caller | None],
        *,
        defined_names: Sequence[str] = (),
        missing_reasons: Mapping[str, str] | None = None,
        wrap: bool = True,
    ) -> None:
        self._functions = {name: fn for name, fn in functions.items() if fn is not None}
        self._defined = set(defined_names) | set(self._functions)
        self._missing = dict(missing_reasons or {})
        self._wrap = wrap
        self._callers: dict[str, Caller] = {}

    def defined(self) -> set[str]:
        return set(self._defined)

    def missing_reason(self, name: str) -> str | None:
        return self._missing.get(name)

    def caller(self, name: str) -> Caller:
        """The caller of ``name`` (every call of it is made in this process)."""
        if name not in self._callers:
            fn = self._functions[name]
            wrapped = local_caller(fn, name) if self._wrap else fn
            self._callers[name] = wrapped  # type: ignore[assignment]
        return self._callers[name]

    def run(self, schedules: Mapping[str, Schedule]) -> dict[str, Ran]:
        """Each schedule through its function's caller, in order (nothing runs apart here)."""
        return {name: run_with_caller(self.caller(name), s) for name, s in schedules.items()}


def local_program(
    functions: Mapping[str, Callable[..., object] | None],
    *,
    defined_names: Sequence[str] = (),
    missing_reasons: Mapping[str, str] | None = None,
) -> LocalProgram:
    """The functions as a ``Program``, each called through ``local_caller``."""
    return LocalProgram(functions, defined_names=defined_names, missing_reasons=missing_reasons)


def caller_program(
    callers: Mapping[str, Caller | None], *, defined_names: Sequence[str] = ()
) -> LocalProgram:
    """Ready-made callers (a test's stand-ins) as a ``Program``, called as they are."""
    return LocalProgram(callers, defined_names=defined_names, wrap=False)
