"""What a diagnosis says, as values: mistakes with a stable id and fields, never sentences.

A ``Mistake`` is one deviation of a student's code from the reference (``id`` names its kind,
``fields`` its particulars: a layer, a key, a seed, a formula, the student's line...). A
``Diagnosis`` is what the grader concluded about one function:

- ``mistakes``: the deviations of the simplest hypothesis that rebuilds the student's numbers on
  every input the grader called, all of them together (a wrong seed *and* a wrong scale);
- ``alternatives``: other hypotheses exactly as simple that rebuild the numbers too, each a
  tuple of mistakes; the report names them all rather than pick one;
- ``facts``: when no hypothesis rebuilds the numbers, what was observed (ids under ``fact.``):
  which key, entry or property differs and how, on the smallest input that shows it.

``inputs`` lists the ``layers_dims`` the diagnosis quotes (``Quoted``), each marked as one of
the notebook's own examples or an input the grader made up, so a page can tell a student which
ones not to look for in their notebook without reading a sentence.

Ids are dotted, lower case and stable across releases (``seed.missing``, ``scale.expression``,
``submission.unfilled``): the gradebook, the exports and the dashboard count and group by them.
Words are made from these values only where text is written (``grader.messages``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

# A field holds JSON data: a scalar, or a tuple of fields (a list in JSON).
FieldValue: TypeAlias = "str | int | float | bool | tuple[FieldValue, ...] | None"

_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
FACT_PREFIX = "fact."


def _freeze(value: Any) -> FieldValue:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"a mistake's field must be JSON data, not {type(value).__name__}")


def _thaw(value: FieldValue) -> Any:
    return [_thaw(item) for item in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Mistake:
    """One deviation from the reference (or, under ``fact.``, one observation)."""

    id: str
    fields: tuple[tuple[str, FieldValue], ...] = ()

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"mistake id {self.id!r} is not dotted lower case")
        pairs = tuple(sorted((str(k), _freeze(v)) for k, v in dict(self.fields).items()))
        object.__setattr__(self, "fields", pairs)

    @classmethod
    def of(cls, id: str, **fields: Any) -> Mistake:
        return cls(id, tuple(fields.items()))

    @property
    def is_fact(self) -> bool:
        return self.id.startswith(FACT_PREFIX)

    def get(self, name: str, default: Any = None) -> Any:
        return _thaw(dict(self.fields).get(name, default))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "fields": {k: _thaw(v) for k, v in self.fields}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mistake:
        return cls(str(data["id"]), tuple(dict(data.get("fields", {})).items()))


@dataclass(frozen=True)
class Quoted:
    """An input a result quotes: its ``layers_dims``, and whether it is one of the notebook's
    own examples (``example``) or one the grader made up to test the function."""

    dims: tuple[int, ...]
    example: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", tuple(int(n) for n in self.dims))

    def to_dict(self) -> dict[str, Any]:
        return {"dims": list(self.dims), "example": self.example}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quoted:
        return cls(tuple(data["dims"]), bool(data["example"]))


def quoted(
    mistakes: Iterable[Mistake], examples: Collection[tuple[int, ...]]
) -> tuple[Quoted, ...]:
    """The ``dims`` field of each of ``mistakes`` that has one, each input once, in order."""
    found = (m.get("dims") for m in mistakes)
    dims = dict.fromkeys(tuple(d) for d in found if isinstance(d, list))
    return tuple(Quoted(d, d in examples) for d in dims)


@dataclass(frozen=True)
class Diagnosis:
    """The grader's conclusion about one wrong function; see the module docstring."""

    mistakes: tuple[Mistake, ...] = ()
    alternatives: tuple[tuple[Mistake, ...], ...] = ()
    facts: tuple[Mistake, ...] = field(default=())
    inputs: tuple[Quoted, ...] = ()

    def __post_init__(self) -> None:
        if any(m.is_fact for m in self.mistakes) or any(not f.is_fact for f in self.facts):
            raise ValueError("facts go in facts, mistakes in mistakes")
        if self.alternatives and not self.mistakes:
            raise ValueError("alternatives without a first hypothesis")

    @property
    def named(self) -> bool:
        """Whether a hypothesis reproduced the student's numbers (a mistake is named)."""
        return bool(self.mistakes)

    @property
    def all_mistakes(self) -> tuple[Mistake, ...]:
        """Every mistake and fact, the alternatives' too, in order."""
        return (*self.mistakes, *(m for alt in self.alternatives for m in alt), *self.facts)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id this diagnosis names, mistakes first, each once, in order."""
        seen = [m.id for m in self.mistakes]
        seen += [m.id for alt in self.alternatives for m in alt]
        seen += [f.id for f in self.facts]
        return tuple(dict.fromkeys(seen))

    def to_dict(self) -> dict[str, Any]:
        return {
            "mistakes": [m.to_dict() for m in self.mistakes],
            "alternatives": [[m.to_dict() for m in alt] for alt in self.alternatives],
            "facts": [f.to_dict() for f in self.facts],
            "inputs": [q.to_dict() for q in self.inputs],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diagnosis:
        return cls(
            tuple(Mistake.from_dict(m) for m in data.get("mistakes", ())),
            tuple(tuple(Mistake.from_dict(m) for m in alt) for alt in data.get("alternatives", ())),
            tuple(Mistake.from_dict(f) for f in data.get("facts", ())),
            tuple(Quoted.from_dict(q) for q in data.get("inputs", ())),
        )
