"""A submission's functions called in the grader's own process, under the sandbox's contract.

For tests and reference-side runs only: the code runs unisolated, so it must be trusted. What a
call returns goes through the worker's own validator (``child/returns.py``) and the same decoding
as a reply from the worker, so a local call and a sandboxed one accept and refuse the same values
with the same words. ``local_program`` makes a ``Program`` of plain functions for the checks.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from grader.sandbox import _decode as decode
from grader.sandbox._pipe import Reply
from grader.sandbox.child.returns import Converter, run_call
from grader.types import Caller, CallResult, CallStatus, Limits

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

    def caller(self, name: str, *, hidden: bool = False) -> Caller:
        """The caller of ``name``; the hidden cases get the same one (nothing runs apart here)."""
        if name not in self._callers:
            fn = self._functions[name]
            wrapped = local_caller(fn, name) if self._wrap else fn
            self._callers[name] = wrapped  # type: ignore[assignment]
        return self._callers[name]


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
