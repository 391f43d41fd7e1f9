"""Step 1 of grading: read a submitted file into a version-4 notebook, or say plainly why not.

``load_notebook(path)`` returns a ``LoadedNotebook`` or a ``LoadFailure``; it never raises for
anything a student can submit. ``load_notebook_bytes(data, name)`` does the same for bytes that
arrived without a file (a batch task on another machine): every check from the size cap on is
the same, and ``name`` stands for the path in every message.

The checks, in order: the path exists and is a regular file, it is not over the size cap (decided
from ``stat``, before reading a byte), it can be read, it is not empty, it is not a ``.py``
script, it decodes as UTF-8 (a byte-order mark is tolerated), it parses as JSON, the JSON looks
like a notebook, its ``nbformat`` is 3 or 4 (3 is upgraded to 4), and it has at least one code
cell.

Outputs and execution counts are dropped before anything else: grading never needs them, and a
huge or malformed saved output must not cost a student their grade. ``nbformat.validate`` then runs
on what is left, in a thread beside grading (``FormatCheck``); a notebook that fails it but still
has readable cells is graded, with a warning.
"""

from __future__ import annotations

import hashlib
import json
import stat
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import messages as msg

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SUPPORTED_MAJOR = (3, 4)


@dataclass(frozen=True)
class Cell:
    """One cell as grading sees it: its position among all cells, its type, source and metadata."""

    index: int
    cell_type: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)


class FormatCheck:
    """nbformat's reading and validation of the notebook, in a thread of its own.

    Grading needs only the cells, which are read from the JSON directly; importing nbformat and
    running its schema takes longer than the rest of loading and extracting together, so it runs
    beside them, while the sandbox boots, and its warnings join the report at the end."""

    def __init__(self, nb: Any, notes: tuple[str, ...] = ()) -> None:
        """A check already made (a version-3 notebook is converted before its cells are read)."""
        self._result: tuple[Any, tuple[str, ...]] = (nb, notes)
        self._thread: threading.Thread | None = None

    @classmethod
    def beside(cls, content: dict[str, Any], name: str) -> FormatCheck:
        """Start reading and validating ``content`` (the notebook called ``name``) in a thread."""
        check = cls(content)
        check._thread = threading.Thread(
            target=check._run, args=(content, name), name="initgrade-nbformat", daemon=True
        )
        check._thread.start()
        return check

    def result(self) -> tuple[Any, tuple[str, ...]]:
        """The ``NotebookNode`` and the validation warnings, once the thread is done."""
        if self._thread is not None:
            self._thread.join()
        return self._result

    def _run(self, content: dict[str, Any], name: str) -> None:
        try:
            import nbformat

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.from_dict(content)
            self._result = (nb, tuple(_validate(nbformat, nb, name)))
        except Exception as error:  # nbformat on input too odd for it; the cells stand
            problem = f"{type(error).__name__}: {error}"[:200]
            note = msg.LOAD_INVALID_BUT_USABLE.format(path=name, problem=problem)
            self._result = (content, (note,))


@dataclass(frozen=True)
class LoadedNotebook:
    path: Path
    sha256: str  # of the file's bytes, as submitted
    check: FormatCheck = field(repr=False, compare=False)
    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()  # what loading itself found, before nbformat's validation
    ok: bool = field(default=True, init=False)

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.cell_type == "code")

    @property
    def nb(self) -> Any:
        """The notebook as an ``nbformat.NotebookNode``, version 4, outputs removed."""
        return self.check.result()[0]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Everything loading has to say, nbformat's validation included (waits for it)."""
        return (*self.notes, *self.check.result()[1])


@dataclass(frozen=True)
class LoadFailure:
    path: Path
    reason: str  # a full sentence naming the file
    sha256: str | None = None  # set when the bytes could be read
    ok: bool = field(default=False, init=False)


def load_notebook(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> LoadedNotebook | LoadFailure:
    """Read ``path`` as a Jupyter notebook; see the module docstring for what is checked."""
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    if isinstance(data, LoadFailure):
        return data
    return _from_bytes(path, data)


def load_notebook_bytes(
    data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> LoadedNotebook | LoadFailure:
    """Read ``data`` as the notebook called ``name`` (a file name, shown in every message), with
    the checks ``load_notebook`` makes once it has the file's bytes."""
    path = Path(name)
    if len(data) > max_bytes:
        return too_big(name, len(data), max_bytes=max_bytes)
    if not data.strip():
        return LoadFailure(path, msg.LOAD_EMPTY.format(path=name))
    return _from_bytes(path, data)


def _from_bytes(path: Path, data: bytes) -> LoadedNotebook | LoadFailure:
    digest = hashlib.sha256(data).hexdigest()
    parsed = _parse(path, data)
    if isinstance(parsed, str):
        return LoadFailure(path, parsed, digest)
    return _to_loaded(path, digest, parsed)


def _read_bytes(path: Path, max_bytes: int) -> bytes | LoadFailure:
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return LoadFailure(path, msg.LOAD_NOT_FOUND.format(path=name))
    except OSError as error:
        return LoadFailure(path, msg.LOAD_UNREADABLE.format(path=name, error=error.strerror))
    if stat.S_ISDIR(info.st_mode):
        return LoadFailure(path, msg.LOAD_DIRECTORY.format(path=name))
    if not stat.S_ISREG(info.st_mode):
        return LoadFailure(path, msg.LOAD_NOT_REGULAR.format(path=name))
    if info.st_size > max_bytes:
        return too_big(name, info.st_size, max_bytes=max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return LoadFailure(path, msg.LOAD_UNREADABLE.format(path=name, error=error.strerror))
    if len(data) > max_bytes:  # the file grew after stat
        return too_big(name, len(data), max_bytes=max_bytes)
    if not data.strip():
        return LoadFailure(path, msg.LOAD_EMPTY.format(path=name))
    return data


def too_big(name: str, size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadFailure:
    """The refusal of a notebook of ``size`` bytes over the cap, decided without reading it."""
    return LoadFailure(Path(name), msg.LOAD_TOO_BIG.format(path=name, **_sizes(size, max_bytes)))


def _sizes(size: int, limit: int) -> dict[str, str]:
    mib = 1024 * 1024  # the limit is set in MiB (20 * 1024 * 1024): say "20 MB", not "21 MB"
    return {"size": f"{size / mib:.1f} MB", "limit": f"{limit / mib:.0f} MB"}


def _parse(path: Path, data: bytes) -> dict[str, Any] | str:
    """The notebook's JSON as a dict, or the reason it is not one."""
    name = str(path)
    if path.suffix.lower() == ".py":
        return msg.LOAD_PYTHON_FILE.format(path=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return msg.LOAD_NOT_UTF8.format(path=name, offset=error.start)
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        hint = msg.LOAD_LOOKS_LIKE_PYTHON if _looks_like_python(text) else ""
        return msg.LOAD_NOT_JSON.format(
            path=name, line=error.lineno, column=error.colno, error=error.msg, hint=hint
        )
    except RecursionError:
        return msg.LOAD_NOT_JSON.format(
            path=name, line="?", column="?", error="nested too deeply", hint=""
        )
    return _check_shape(name, content)


def _looks_like_python(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith(("import ", "from ", "def ", "# %%", "#!"))


def _check_shape(name: str, content: object) -> dict[str, Any] | str:
    if not isinstance(content, dict) or not ("cells" in content or "worksheets" in content):
        return msg.LOAD_NOT_NOTEBOOK.format(path=name, kind=type(content).__name__)
    major = content.get("nbformat")
    if type(major) is not int or major not in _SUPPORTED_MAJOR:
        return msg.LOAD_BAD_VERSION.format(path=name, version=major)
    sheets = [content] if major == 4 else _as_list(content.get("worksheets"))
    cell_lists = [sheet.get("cells") for sheet in sheets if isinstance(sheet, dict)]
    if not all(isinstance(cells, list) for cells in cell_lists):
        return msg.LOAD_NOT_NOTEBOOK.format(path=name, kind="dict")
    for cells in cell_lists:
        for cell in _as_list(cells):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell[("execution_count" if major == 4 else "prompt_number")] = None
    return content


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _to_loaded(path: Path, digest: str, content: dict[str, Any]) -> LoadedNotebook | LoadFailure:
    check = None
    if content["nbformat"] == 3:
        upgraded = _upgraded(path, digest, content)
        if isinstance(upgraded, LoadFailure):
            return upgraded
        content, check = upgraded
    cells = _cells(content)  # joins sources saved as lists of lines, as nbformat.reads does
    if cells is None:
        return LoadFailure(path, msg.LOAD_UNUSABLE_CELLS.format(path=path), digest)
    if not any(cell.cell_type == "code" for cell in cells):
        return LoadFailure(path, msg.LOAD_NO_CODE.format(path=path), digest)
    if check is None:  # only now: nbformat must see the joined sources, and a refusal needs none
        check = FormatCheck.beside(content, str(path))
    return LoadedNotebook(path, digest, check, cells)


def _upgraded(
    path: Path, digest: str, content: dict[str, Any]
) -> tuple[Any, FormatCheck] | LoadFailure:
    """A version-3 notebook, converted to version 4 by nbformat before its cells are read."""
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.convert(nbformat.from_dict(content), 4)
    except Exception as error:  # nbformat's converter on malformed version-3 input
        return LoadFailure(
            path, msg.LOAD_NOT_NOTEBOOK_DETAIL.format(path=path, error=error), digest
        )
    notes = (msg.LOAD_UPGRADED.format(path=str(path)), *_validate(nbformat, nb, str(path)))
    return nb, FormatCheck(nb, notes)


def _validate(nbformat: Any, nb: Any, name: str) -> list[str]:
    """Validation problems as warnings; nbformat also repairs duplicate cell ids in place."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            nbformat.validate(nb)
            problem = ""
        except nbformat.ValidationError as error:
            problem = str(error.message)[:200]
        except Exception as error:  # jsonschema on exotic input; still try to use the cells
            problem = f"{type(error).__name__}: {error}"[:200]
    notes = [msg.LOAD_REPAIRED.format(path=name, what=str(item.message)[:200]) for item in caught]
    if problem:
        notes.append(msg.LOAD_INVALID_BUT_USABLE.format(path=name, problem=problem))
    return notes


def _cells(nb: Any) -> tuple[Cell, ...] | None:
    """Cells as plain values, or None when they cannot be read as cells at all."""
    raw = nb.get("cells")
    if not isinstance(raw, list):
        return None
    cells = []
    for index, cell in enumerate(raw):
        if not isinstance(cell, dict):
            return None
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = cell["source"] = "".join(source)  # as nbformat.reads rejoins lines
        if not isinstance(source, str):
            return None
        metadata = cell.get("metadata")
        cell_type = cell.get("cell_type")
        cells.append(
            Cell(
                index,
                cell_type if isinstance(cell_type, str) else "unknown",
                source,
                dict(metadata) if isinstance(metadata, dict) else {},
            )
        )
    return tuple(cells)
