"""A course's own term of the assignment: one TOML file that changes what it wants of the model.

Everything the file does not say is the course's assignment (``SPEC``). The keys::

    name = "initialization-2027"          # the assignment's name in gradebooks and exports
    seed = 7                              # np.random.seed(seed) in every graded initializer
    example_dims = [4, 3, 1]              # the notebook's example, every method's visible case
    methods = ["zeros", "random", "he", "xavier"]   # graded, in this order, from the catalogue
    directory = "released"                # its released files, relative to this file

    [limits]                              # any field of grader.types.Limits
    call_seconds = 5.0

    [bands.he]                            # a method's outcome band (initgrade calibrate
    train = [0.65, 1.0]                   # writes these for the file's seed)
    test = [0.62, 1.0]
    published = [0.67, 0.66]

``load_assignment(path)`` reads the file and builds the model, which is checked as every model
is (``grader.spec._method``) and against the reference; anything it cannot use is a
``SpecError`` naming the file and the key.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from grader.errors import SpecError
from grader.spec._method import Band, check_reference
from grader.spec._model import AssignmentSpec, ExactCase, FunctionSpec
from grader.spec.initialization import METHODS, SPEC
from grader.types import Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = ("name", "seed", "example_dims", "methods", "directory", "limits", "bands")
BAND_KEYS = ("train", "test", "published")


def load_assignment(path: Path | str) -> AssignmentSpec:
    """The model ``path`` describes (see the module docstring)."""
    path = Path(path)
    data = _read(path)
    try:
        spec = assignment_from(data, base=path.parent)
        for entry in spec.functions:
            check_reference(entry)
    except SpecError as error:
        raise SpecError(f"{path}: {error}") from None
    return spec


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path} does not exist; give the term's assignment file (TOML)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{path} cannot be read ({error})") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path} is not valid TOML ({error})") from None
    return data


def _unknown(found: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in found:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = (
                f"; did you mean {close[0]!r}?" if close else f"; the keys are {', '.join(known)}"
            )
            raise SpecError(f"{where}{key!r} is not a key of an assignment file{hint}")


def _dims(value: Any, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise SpecError(f"{key} must be a list of at least 2 layer sizes, not {value!r}")
    if not all(type(n) is int and n >= 1 for n in value):
        raise SpecError(f"{key} must hold positive whole numbers, not {value!r}")
    return tuple(value)


def assignment_from(data: Mapping[str, Any], *, base: Path) -> AssignmentSpec:
    """The model of an assignment file's parsed ``data``; ``base`` is the file's folder."""
    _unknown(data, KEYS, "")
    seed = data.get("seed", SPEC.exercise.seed)
    if type(seed) is not int:
        raise SpecError(f"seed must be a whole number, not {seed!r}")
    exercise = replace(SPEC.exercise, seed=seed)
    example = None
    if "example_dims" in data:
        example = _dims(data["example_dims"], "example_dims")
        exercise = replace(exercise, example_dims=example)
    bands = _bands(data.get("bands", {}))
    functions = tuple(
        _method(name, seed, example, bands.get(name)) for name in _method_names(data, bands)
    )
    return replace(
        SPEC,
        name=_text(data, "name", SPEC.name),
        directory=_directory(data, base),
        functions=functions,
        limits=_limits(data.get("limits", {})),
        exercise=exercise,
    )


def _directory(data: Mapping[str, Any], base: Path) -> Path:
    """Where the term's released files lie: the file's ``directory``, else the course's."""
    if "directory" not in data:
        return SPEC.directory
    return (base / _text(data, "directory", "")).resolve()


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise SpecError(f"{key} must be a non-empty string, not {value!r}")
    return value


def _method_names(data: Mapping[str, Any], bands: Mapping[str, Band]) -> list[str]:
    names = data.get("methods", [entry.method for entry in SPEC.functions])
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise SpecError(f"methods must be a non-empty list of method names, not {names!r}")
    for name in [*names, *bands]:
        if name not in METHODS:
            close = difflib.get_close_matches(name, list(METHODS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise SpecError(f"no method {name!r}: {hint}the methods are {', '.join(METHODS)}")
    for name in bands:
        if name not in names:
            raise SpecError(f"bands.{name} is for a method the file does not grade")
    return names


def _method(
    name: str, seed: int, example: tuple[int, ...] | None, band: Band | None
) -> FunctionSpec:
    entry = replace(METHODS[name], seed=seed)
    if example is not None:
        hidden = tuple(case for case in entry.exact_cases if case.hidden)
        visible = sum(case.points for case in entry.visible_cases)
        entry = replace(entry, exact_cases=(ExactCase(example, visible), *hidden))
    return entry if band is None else replace(entry, band=band)


def _pair(value: Any, key: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise SpecError(f"{key} must be a pair of accuracies [low, high], not {value!r}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise SpecError(f"{key} must hold two numbers, not {value!r}")
    return float(value[0]), float(value[1])


def _bands(data: Any) -> dict[str, Band]:
    if not isinstance(data, dict):
        raise SpecError("bands must be a table of one table per method ([bands.he] ...)")
    found = {}
    for method, band in data.items():
        if not isinstance(band, dict):
            raise SpecError(f"bands.{method} must be a table with {', '.join(BAND_KEYS)}")
        _unknown(band, BAND_KEYS, f"bands.{method}: ")
        missing = [key for key in BAND_KEYS if key not in band]
        if missing:
            raise SpecError(f"bands.{method} is missing {', '.join(missing)}")
        pairs = [_pair(band[key], f"bands.{method}.{key}") for key in BAND_KEYS]
        found[method] = Band(*pairs)
    return found


def _limits(data: Any) -> Limits:
    if not isinstance(data, dict):
        raise SpecError("limits must be a table ([limits] call_seconds = 5.0 ...)")
    names = tuple(f.name for f in fields(Limits))
    _unknown(data, names, "limits: ")
    limits = Limits()
    for key, value in data.items():
        wanted = type(getattr(limits, key))
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise SpecError(f"limits.{key} must be a number above 0, not {value!r}")
        if wanted is int and not isinstance(value, int):
            raise SpecError(f"limits.{key} must be a whole number, not {value!r}")
        limits = replace(limits, **{key: wanted(value)})
    return limits
