"""The calls a diagnosis reads, in the order it reads them, and which of them it may quote.

Every call the grader made of one function is here, with the global state it was made after
(``preseed``). The notebook's own examples come first, then the large probe, then the other
calls in the order they were made; hidden cases inform a hypothesis like any other call but
are never quoted (``Call.quotable``). ``training`` picks the few calls a hypothesis is first
proposed from; it is then checked on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.diagnosis._evidence import Evidence
from grader.spec import BASE_PRESEED, SCALE_PROBE_DIMS
from grader.types import CallResult, CallStatus, Params

Dims = tuple[int, ...]
TRAINING_CALLS = 6  # calls a hypothesis is proposed from, at most


@dataclass(frozen=True, eq=False)
class Call:
    """One call (compared and hashed as itself: two calls are never the same call)."""

    dims: Dims
    preseed: int | None
    result: CallResult
    quotable: bool
    made_after: int | None = None  # the preseed the call was made after, when not ``preseed``

    @property
    def seeded(self) -> int | None:
        """The seed of the global state the call was made after: what a hypothesis replays."""
        return self.preseed if self.made_after is None else self.made_after

    @property
    def ok(self) -> bool:
        return self.result.ok and self.result.value is not None

    @property
    def params(self) -> Params:
        assert self.result.value is not None
        return self.result.value

    @property
    def raised(self) -> str | None:
        """The exception's type when the call raised one."""
        if self.result.status is CallStatus.EXCEPTION and self.result.raised is not None:
            return self.result.raised.kind
        return None


def calls(ev: Evidence) -> list[Call]:
    """Every call of ``ev``: visible cases, the probe, then the rest in the order made."""
    first = [*ev.visible, SCALE_PROBE_DIMS]
    keys = list(ev.calls)
    ranked = sorted(
        range(len(keys)),
        key=lambda i: (
            first.index(keys[i][0]) if keys[i][0] in first else len(first),
            keys[i][1] != BASE_PRESEED,
            i,
        ),
    )
    found = []
    for i in ranked:
        dims, preseed = keys[i]
        result = ev.calls[keys[i]]
        if result.status is CallStatus.MISSING:
            continue
        found.append(
            Call(tuple(dims), preseed, result, ev.quotable(tuple(dims)), _after(ev, preseed))
        )
    return found


def made(ev: Evidence) -> list[Call]:
    """Every call in the order the evidence lists them (the order each worker ran its calls;
    where the hidden cases ran, and in which worker, ``_state`` tries in turn)."""
    return [
        Call(tuple(dims), preseed, result, ev.quotable(tuple(dims)), _after(ev, preseed))
        for (dims, preseed), result in ev.calls.items()
        if result.status is not CallStatus.MISSING
    ]


def _after(ev: Evidence, preseed: int | None) -> int | None:
    return None if preseed is None or not ev.preseeds else ev.preseeds.get(preseed)


def _information(call: Call) -> int:
    """How much a call says about the draws: its layers of more than one number, up to 4."""
    dims = call.dims
    return min(4, sum(dims[i] * dims[i - 1] > 1 for i in range(1, len(dims))))


def training(found: list[Call]) -> list[Call]:
    """The calls a hypothesis is proposed from: the first two, then the most telling others."""
    ok = list({c.dims: c for c in reversed([c for c in found if c.ok])}.values())[::-1]
    head = ok[:2]
    rest = sorted(ok[2:], key=lambda c: (-_information(c), len(c.dims), sum(c.dims)))
    return [*head, *rest[: TRAINING_CALLS - len(head)]]
