"""Call a student function and turn what it did into a reply: the one validator of returned values.

Runs inside the worker (copied next to it as ``_initgrade_returns.py``), and in the grader's own
process for ``grader.sandbox.local_caller``, so both accept and refuse the same values with the
same words. Standard library only; numpy is handed in. A reply is plain data: a status, names,
numbers and ``.npy`` bytes, never an object of the student's.
"""

import builtins
import collections
import struct
import time
from collections.abc import Callable
from typing import Any, TypeVar

# A submission can rebind names in the builtins module (``builtins.isinstance = ...``) while it
# loads. Names are looked up in this module's globals before the builtins, so the code here keeps
# the originals of everything it uses, bound before any student code exists.
_TRUSTED_BUILTINS = (
    "BaseException", "Exception", "MemoryError", "SystemExit", "abs", "all", "dict", "getattr",
    "int", "isinstance", "issubclass", "len", "list", "repr", "str", "tuple", "type",
)  # fmt: skip
globals().update({name: getattr(builtins, name) for name in _TRUSTED_BUILTINS})

# The mappings whose own methods show exactly what they store. A returned value is read as data
# (its stored items, through ``dict.items``) when its type is one of these, or a class derived
# from them whose own classes define nothing but the names below: ``class Params(dict): pass``,
# a docstring, annotations. A class that defines anything else (``__getitem__``, ``keys``, a
# property...) or has a metaclass of its own is refused: what it shows the student's own checks
# may differ from what it stores, and a grade must not depend on which of the two is read.
DATA_DICTS = (dict, collections.OrderedDict, collections.defaultdict)
INERT_NAMES = frozenset(
    {
        "__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__slots__",
        "__annotations__", "__orig_bases__", "__parameters__", "__firstlineno__",
        "__static_attributes__", "__annotate__", "__annotate_func__",
        "__annotations_cache__",
    }
)  # fmt: skip

_NPY_MAGIC = b"\x93NUMPY\x01\x00"
SUBMISSION = "<submission>"  # the file name the worker compiles student code under
Reply = tuple[dict[str, Any], list[bytes]]
T = TypeVar("T")


class Converter:
    """Turns what a student function returned into float64 ``.npy`` bytes, or says what is wrong.

    The one validator of returned values: the worker uses it on every call, and the grader's
    in-process caller (``grader.sandbox.local_caller``) uses it too, so both accept and refuse
    the same values with the same words. Made before any student code runs, which may replace
    the numpy functions it keeps."""

    def __init__(self, numpy: Any, max_keys: int, max_bytes: int) -> None:
        self.ndarray, self.little_f8 = numpy.ndarray, numpy.dtype("<f8")
        # A plain zero (``b = 0``) is data too: a 0-d array, whose shape the checks judge. Any
        # other number stays refused: it is a call that gave one number for an array.
        real = {kind for kind in numpy.sctypeDict.values() if numpy.dtype(kind).kind in "fiub"}
        self.number, self.numbers = numpy.array, frozenset({int, float, bool, *real})
        self.pack_length = struct.Struct("<H").pack
        self.max_keys, self.max_bytes = max_keys, max_bytes

    def npy(self, item: Any) -> bytes:
        """``item`` as little-endian float64 in ``.npy`` format 1.0, with the header written
        here rather than by ``numpy.lib.format.write_array`` (which builds it from a dict, a
        tenth of the worker's time over a grading's thousand arrays). The same layout numpy
        writes: magic, header length, the header dict padded with spaces to a 64-byte boundary
        and a newline, then the data in the order the header names."""
        array = item.astype(self.little_f8)
        fortran = array.flags.f_contiguous and not array.flags.c_contiguous
        order = "True" if fortran else "False"
        shape = repr(tuple(array.shape))
        header = "{'descr': '<f8', 'fortran_order': " + order + ", 'shape': " + shape + ", }"
        pad = -(len(_NPY_MAGIC) + 2 + len(header) + 1) % 64
        text = (header + " " * pad + "\n").encode("latin-1")
        data: bytes = array.tobytes(order="F" if fortran else "C")
        length: bytes = self.pack_length(len(text))
        return _NPY_MAGIC + length + text + data

    def convert(self, value: object) -> Reply:
        """The reply for a returned ``value``: ``status`` ok with the arrays, or invalid."""
        refused = _not_data(value)
        if refused is not None or not isinstance(value, dict):
            return {"status": "invalid", **(refused or {}), "kind": type_name(value)}, []
        count = dict.__len__(value)  # what it stores, whatever its class says
        if count > self.max_keys:
            return {"status": "invalid", "problem": "too_many", "count": count}, []
        keys, notes, blobs, total = [], [], [], 0
        item: Any
        for key, item in list(dict.items(value)):
            if type(item) in self.numbers and item == 0:
                item = self.as_array(item)
            bad = self.check_entry(key, item)
            if bad:
                return {"status": "invalid", **bad}, []
            total += item.size * 8
            if total > self.max_bytes:
                return {"status": "invalid", "problem": "too_large"}, []
            if item.dtype.name != "float64":
                notes.append({"key": key, "dtype": str(item.dtype)[:40]})
            keys.append(key)
            blobs.append(self.npy(item))
        return {"status": "ok", "keys": keys, "notes": notes}, blobs

    def as_array(self, number: Any) -> Any:
        """A zero of a numpy or built-in type (never a subclass) as a 0-d array, a Python ``0``
        as a float (a literal has no dtype the student chose)."""
        try:
            return self.number(float(number) if type(number) is int else number)
        except (OverflowError, ValueError, TypeError):
            return number

    def check_entry(self, key: object, item: Any) -> dict[str, Any] | None:
        if type(key) is not str or len(key) > 100:
            return {"problem": "key", "key": _short_repr(key), "kind": type_name(key)}
        if type(item) is not self.ndarray:
            return {"problem": "value_type", "key": key, "kind": type_name(item)}
        if item.dtype.kind not in "fiub":
            return {"problem": "dtype", "key": key, "dtype": str(item.dtype)[:40]}
        if item.ndim > 8:
            return {"problem": "ndim", "key": key, "ndim": item.ndim}
        return None


def _not_data(value: object) -> dict[str, Any] | None:
    """Why ``value`` cannot be read as a mapping of data (``DATA_DICTS``), or None when it can."""
    if value is None:
        return {"problem": "none"}
    cls = type(value)
    if not issubclass(cls, dict):
        return {"problem": "type"}
    if type(cls) is not type:
        return {"problem": "dict_subclass", "method": "its metaclass"}
    for klass in cls.__mro__:  # a metaclass of ``type`` itself: the standard MRO
        if klass in DATA_DICTS:
            return None
        for name in klass.__dict__:  # in the order the class defines them
            if type(name) is not str or name not in INERT_NAMES:
                return {"problem": "dict_subclass", "method": _short_repr(name).strip("'")}
    return {"problem": "dict_subclass", "method": "its bases"}  # unreachable: dict is a base


def run_call(
    function: Any, argument: object, converter: Converter
) -> tuple[dict[str, Any], list[bytes]]:
    """Call ``function(argument)`` and turn whatever happens into a reply and its blobs."""
    start = time.perf_counter()
    try:
        value = function(argument)
    except MemoryError as error:
        return {"status": "memory", "error": describe(error)}, []
    except Exception as error:
        return {"status": "exception", "error": describe(error), "frames": _frames(error)}, []
    except BaseException as error:  # SystemExit, KeyboardInterrupt...
        return {"status": "raised", "kind": type_name(error), "code": _exit_code(error)}, []
    seconds = time.perf_counter() - start
    try:
        reply, blobs = converter.convert(value)
    except MemoryError as error:
        reply, blobs = {"status": "memory", "error": describe(error)}, []
    reply.update(seconds=seconds, args_after=_args_after(argument))
    return reply, blobs


def _frames(error: BaseException) -> list[dict[str, Any]]:
    frames, trace = [], error.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename == SUBMISSION:
            frames.append({"function": code.co_name, "line": trace.tb_lineno})
        trace = trace.tb_next
    return frames[-3:]


def _args_after(argument: object) -> list[int] | str:
    """``layers_dims`` after the call: its ints, or how it looks once they are not plain ints
    (an element replaced by a float or a numpy integer was changed all the same)."""
    listed = isinstance(argument, (list, tuple)) and len(argument) <= 10_000
    if isinstance(argument, (list, tuple)) and listed:
        exact = [d for d in argument if type(d) is int and abs(d) < 2**53]
        if len(exact) == len(argument):
            return exact
    return _short_repr(argument)


def _exit_code(error: BaseException) -> object:
    code = getattr(error, "code", None) if isinstance(error, SystemExit) else None
    return code if code is None or type(code) in (int, str) else _short_repr(code)


def describe(error: BaseException) -> str:
    text: str = quietly(lambda: str(error), "<unprintable>")
    return f"{type_name(error)}: {text}"[:400] if text else type_name(error)


def type_name(value: object) -> str:
    name: object = quietly(lambda: type(value).__name__, "object")
    return name[:60] if type(name) is str else "object"


def _short_repr(value: object) -> str:
    text: object = quietly(lambda: repr(value), "<unprintable>")
    return text[:40] if type(text) is str else "<unprintable>"


def quietly(action: Callable[[], T], default: T) -> T:
    """``action()``, or ``default`` whatever it raises (student objects may raise anything)."""
    try:
        return action()
    except BaseException:  # student objects may raise anything, even SystemExit
        return default
