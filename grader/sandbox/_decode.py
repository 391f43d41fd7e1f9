"""Turn the worker's replies into ``CallResult`` values and sentences, trusting none of it.

Every field of a reply is type-checked before use; anything unexpected makes the call CRASHED
("sent back something unreadable"). Arrays are ``.npy`` bytes whose header is read and checked
(float, 8 bytes, at most 8 dimensions, a size that matches the bytes) before ``np.load`` with
``allow_pickle=False`` reads them; the result is a native float64 ``np.ndarray``.
"""

from __future__ import annotations

import difflib
import io
import itertools
import math
import re
import signal
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

import numpy as np

from grader import messages as msg
from grader.sandbox._pipe import Reply
from grader.types import CallResult, CallStatus, Limits, Params, Raised, Refused

Origin = Callable[[int], "tuple[int, int] | None"]
T = TypeVar("T")
MAX_KEYS = 64
MAX_RESULT_BYTES = 64 * 1024 * 1024
_REPLY_FLOOR = 1 << 20  # a reply may always hold this many bytes of arrays
_MAX_NDIM = 8


class Garbled(ValueError):
    """A reply that does not follow the protocol."""


def reply_limit(layer_dims: Sequence[int]) -> int:
    """The most bytes of arrays a call's reply may hold: four times the parameters' own size
    (room for extra keys and wrong shapes), and never less than 1 MiB."""
    dims = [max(0, int(d)) for d in layer_dims]
    floats = sum(n * (prev + 1) for prev, n in itertools.pairwise(dims))
    return max(_REPLY_FLOOR, 4 * 8 * floats)


def where(line: int, origin: Origin | None) -> str:
    place = origin(line) if origin else None
    if place is None:
        return msg.SANDBOX_WHERE_PROGRAM.format(line=line)
    return msg.EXTRACT_WHERE.format(cell=place[0] + 1, line=place[1])


def load_warnings(reply: Reply, origin: Origin | None) -> list[str]:
    problems = _field(reply.header, "warnings", list)
    notes = []
    for problem in problems[:50]:
        if not isinstance(problem, dict):
            raise Garbled("a malformed load warning")
        place = where(_field(problem, "line", int), origin)
        if problem.get("kind") == "not_run":
            reason = msg.SANDBOX_NOT_RUN_REASONS.get(_field(problem, "reason", str))
            if reason is None:
                raise Garbled("a load warning with an unknown reason")
            notes.append(msg.SANDBOX_NOT_RUN_AT_LOAD.format(where=place, reason=reason))
            continue
        error = _field(problem, "error", str)
        if problem.get("kind") == "import":
            module = _field(problem, "module", str)
            notes.append(msg.SANDBOX_IMPORT_FAILED.format(where=place, module=module, error=error))
        else:
            notes.append(msg.SANDBOX_TOP_LEVEL_ERROR.format(where=place, error=error))
    return notes


def call_result(
    name: str, reply: Reply, limits: Limits, lines: Sequence[str], origin: Origin | None
) -> CallResult:
    """The CallResult for a reply to ``call`` (MISSING comes back without a message)."""
    header = reply.header
    status = _field(header, "status", str)
    if status == "ok":
        return _ok(name, reply)
    if status == "missing":
        return CallResult(CallStatus.MISSING)
    if status == "not_callable":
        kind = _field(header, "kind", str)
        return CallResult(
            CallStatus.MISSING, message=msg.CALL_NOT_CALLABLE.format(name=name, kind=kind)
        )
    if status == "invalid":
        text, refused = _invalid(name, header), _refused(header)
        return CallResult(CallStatus.INVALID, message=text, refused=refused, **_after(header))
    if status == "memory":
        detail = f": {_field(header, 'error', str)}"
        text = msg.CALL_MEMORY.format(name=name, mb=limits.memory_mb, detail=detail)
        return CallResult(CallStatus.MEMORY, message=text)
    if status == "exception":
        error = _field(header, "error", str)
        raised = _raised(error, _field(header, "frames", list), lines, origin)
        place = ""
        if raised.where:
            place = msg.CALL_EXCEPTION_PLACE.format(
                function=raised.function, where=raised.where, code=raised.code
            )
        text = msg.CALL_EXCEPTION.format(name=name, error=error, place=place)
        return CallResult(CallStatus.EXCEPTION, message=text, raised=raised)
    if status == "died":  # a call made in a fork, which ended without a whole reply
        return died(msg.CALL_RUNNING.format(name=name), _field(header, "code", int), limits)
    if status == "raised":
        kind, code = _field(header, "kind", str), header.get("code")
        detail = f"({code!r})" if isinstance(code, (int, str)) and type(code) is not bool else ""
        text = msg.CALL_CRASH_RAISED.format(name=name, kind=kind, detail=detail)
        return CallResult(CallStatus.CRASHED, message=text)
    raise Garbled(f"an unknown status {status[:40]!r}")


def suggestion(name: str, defined: set[str]) -> str:
    """'; did you mean ...?' for the defined name closest to ``name``, or ''."""
    close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.75)
    return msg.CALL_MISSING_SUGGESTION.format(candidate=close[0]) if close else ""


def died(doing: str, returncode: int | None, limits: Limits) -> CallResult:
    """The CallResult for a worker that ended while ``doing`` ('running f', 'loading ...')."""
    if returncode is None or returncode >= 0:
        return CallResult(
            CallStatus.CRASHED, message=msg.CALL_CRASH_EXIT.format(code=returncode, doing=doing)
        )
    number = -returncode
    if number == signal.SIGXCPU:
        text = msg.CALL_TIMEOUT_CPU.format(seconds=limits.cpu_seconds, doing=doing)
        return CallResult(CallStatus.TIMEOUT, message=text)
    try:
        label = signal.Signals(number).name
    except ValueError:
        label = str(number)
    return CallResult(
        CallStatus.CRASHED, message=msg.CALL_CRASH_SIGNAL.format(signal=label, doing=doing)
    )


def _ok(name: str, reply: Reply) -> CallResult:
    keys = _field(reply.header, "keys", list)
    if len(keys) != len(reply.blobs) or not all(type(k) is str for k in keys):
        raise Garbled("keys that do not match the arrays")
    if len(set(keys)) != len(keys):
        raise Garbled("the same key twice")
    params: Params = {key: read_npy(blob) for key, blob in zip(keys, reply.blobs, strict=True)}
    notes, dtypes = [], []
    for note in _field(reply.header, "notes", list)[: len(keys)]:
        if not isinstance(note, dict):
            raise Garbled("a malformed note")
        key, dtype = _field(note, "key", str)[:100], _field(note, "dtype", str)[:40]
        notes.append(msg.RETURN_INT_NOTE.format(key=key, dtype=dtype))
        dtypes.append((key, dtype))
    after = _after(reply.header)
    return CallResult(CallStatus.OK, params, "; ".join(notes), dtypes=tuple(dtypes), **after)


# The header numpy writes for a little-endian float64 array in .npy format 1.0. Matched strictly,
# it is read without ``np.load``'s header parser (a quarter of a millisecond per array, which adds
# up over the hundreds of arrays of one grading); anything else takes the general path below.
_NPY_1_0 = re.compile(
    rb"\x93NUMPY\x01\x00..\{'descr': '<f8', 'fortran_order': (False|True), "
    rb"'shape': \(((?:\d{1,9}, ?){0,8}\d{0,9})\), \} *\n",
    re.DOTALL,
)


def read_npy(blob: bytes) -> np.ndarray:
    """A float64 array from ``.npy`` bytes whose header was checked before loading; any bytes
    that are not such an array raise ``Garbled``, whatever numpy would have raised."""
    try:
        known = _plain_header(blob)
        if known is not None:
            end, shape, order = known
            if math.prod(shape) * 8 == len(blob) - end:
                flat = np.frombuffer(blob, dtype="<f8", offset=end)
                shaped: np.ndarray = flat.reshape(shape, order=order)
                return np.array(shaped, dtype=np.float64, order="C")
        return _read_npy_checked(blob)
    except Garbled:
        raise
    except Exception as error:  # numpy's own complaint about bytes a student wrote
        raise Garbled(f"an unreadable array ({type(error).__name__})") from None


_PLAIN_HEADERS: dict[bytes, tuple[int, tuple[int, ...], Literal["C", "F"]] | None] = {}


def _plain_header(blob: bytes) -> tuple[int, tuple[int, ...], Literal["C", "F"]] | None:
    """Where the data of a ``_NPY_1_0`` array starts, its shape and order; None for any other
    header. A grading's arrays share a few dozen headers, so each is parsed once."""
    head = blob[: 10 + int.from_bytes(blob[8:10], "little")]
    kept = len(head) <= _MAX_KEPT_HEADER
    if kept and head in _PLAIN_HEADERS:
        return _PLAIN_HEADERS[head]
    found: tuple[int, tuple[int, ...], Literal["C", "F"]] | None = None
    match = _NPY_1_0.match(head)
    if match is not None and len(head) == match.end():
        shape = tuple(int(size) for size in match.group(2).split(b",") if size.strip())
        if len(shape) <= _MAX_NDIM:
            found = (match.end(), shape, "F" if match.group(1) == b"True" else "C")
    if kept:
        if len(_PLAIN_HEADERS) >= _MAX_KEPT_HEADERS:
            _PLAIN_HEADERS.clear()
        _PLAIN_HEADERS[head] = found
    return found


_MAX_KEPT_HEADERS, _MAX_KEPT_HEADER = 4096, 256  # what numpy writes is 64 or 128 bytes


def _read_npy_checked(blob: bytes) -> np.ndarray:
    """Any other .npy bytes: the header is read and checked, then ``np.load`` without pickles."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise Garbled(f"an array in .npy format {version}")
    except ValueError as error:
        raise Garbled(f"an unreadable array ({error})") from None
    if dtype.kind != "f" or dtype.itemsize != 8 or len(shape) > _MAX_NDIM:
        raise Garbled(f"an array of dtype {dtype} and {len(shape)} dimensions")
    if not all(type(size) is int and 0 <= size < 2**40 for size in shape):
        raise Garbled("an array with an impossible shape")
    if math.prod(shape) * 8 != len(blob) - stream.tell():
        raise Garbled("an array whose size does not match its bytes")
    stream.seek(0)
    array = np.load(stream, allow_pickle=False)
    if type(array) is not np.ndarray:
        raise Garbled("something that is not an array")
    return np.array(array, dtype=np.float64, order="C")  # keeps a 0-d array 0-d


def _invalid(name: str, header: dict[str, Any]) -> str:
    problem = _field(header, "problem", str)
    fields = ("kind", "key", "dtype", "ndim", "method")
    text = {k: str(v)[:100] for k, v in header.items() if k in fields}
    templates = {
        "none": msg.RETURN_NONE,
        "type": msg.RETURN_TYPE,
        "dict_subclass": msg.RETURN_DICT_SUBCLASS,
        "key": msg.RETURN_KEY,
        "value_type": msg.RETURN_VALUE_TYPE,
        "dtype": msg.RETURN_DTYPE,
        "ndim": msg.RETURN_NDIM,
    }
    if problem == "too_many":
        count = _field(header, "count", int)
        return msg.RETURN_TOO_MANY.format(name=name, count=count, limit=MAX_KEYS)
    if problem == "too_large":
        return msg.RETURN_TOO_LARGE.format(name=name, limit=f"{MAX_RESULT_BYTES >> 20} MB")
    if problem == "value_type" and text.get("kind") == "NoneType":
        problem, templates["value_none"] = "value_none", msg.RETURN_VALUE_NONE
    if problem not in templates:
        raise Garbled(f"an unknown problem {problem[:40]!r}")
    try:
        return templates[problem].format(name=name, **text)
    except KeyError as missing:
        raise Garbled(f"a problem without its {missing}") from None


def _refused(header: dict[str, Any]) -> Refused:
    """The refusal as data (``_invalid`` has already checked its fields)."""
    problem = str(header["problem"])
    kind = str(header.get("kind", ""))[:60]
    if problem == "value_type" and kind == "NoneType":
        problem = "value_none"
    return Refused(problem, str(header.get("key", ""))[:100], kind)


def _raised(error: str, frames: list[Any], lines: Sequence[str], origin: Origin | None) -> Raised:
    """The exception as data: ``error`` is "Type: text" as the worker described it, and the last
    frame in the student's code says where."""
    kind, _, text = error.partition(": ")
    if not frames or not isinstance(frames[-1], dict):
        return Raised(kind, text)
    last = frames[-1]
    line, function = _field(last, "line", int), _field(last, "function", str)
    code = lines[line - 1].strip()[:120] if 1 <= line <= len(lines) else ""
    return Raised(kind, text, where(line, origin), code, function[:60])


def _after(header: dict[str, Any]) -> dict[str, Any]:
    after = header.get("args_after")
    listed = isinstance(after, list) and all(type(d) is int for d in after)
    if not (after is None or listed or type(after) is str):  # str: as shown, not plain ints
        raise Garbled("a malformed layers_dims")
    seconds = header.get("seconds", 0.0)
    if type(seconds) not in (int, float) or not math.isfinite(seconds) or seconds < 0:
        raise Garbled("a malformed time")
    return {"args_after": after, "seconds": float(seconds)}


def _field(mapping: dict[str, Any], key: str, kind: type[T]) -> T:
    value = mapping.get(key)
    if type(value) is not kind:
        raise Garbled(f"a reply without a proper {key!r}")
    return value
