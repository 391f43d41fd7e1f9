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
huge or malformed saved output must not cost a student their grade. What is left is then checked
against the version-4 format on the parsed JSON (``FormatCheck``, without nbformat); a notebook
that departs from it but still has readable cells is graded, with a warning. nbformat is
imported only to upgrade a version-3 notebook and to hand a notebook to a kernel.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.untrusted import Notes, safe_path, safe_text

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
    """What the notebook format asks of the file, checked on the parsed JSON, and the notebook as
    an ``nbformat.NotebookNode``, made only when asked for (``--execute`` runs it in a kernel).

    Grading needs only the cells, which are read from the JSON directly. nbformat's schema
    validation, with the import of nbformat and jsonschema it needs, took longer than reading
    and extracting together, so the checks that matter to a student are made here: the keys the
    format requires and allows at the top level and in each cell, the types of the values
    grading reads, and cell ids, unique (a repeated id is replaced, as nbformat does)."""

    def __init__(self, content: dict[str, Any], notes: tuple[str, ...] = (), nb: Any = None):
        self._content = content
        self.notes = notes
        self._nb = nb

    @classmethod
    def of(cls, content: dict[str, Any], name: str) -> FormatCheck:
        """Check ``content`` (the version-4 notebook called ``name``), repairing cell ids."""
        notes = Notes()
        _repair_ids(content, notes, name)
        problem = _format_problem(content)
        if problem:
            notes.add(msg.LOAD_INVALID_BUT_USABLE, path=name, problem=problem)
        return cls(content, tuple(notes.lines()))

    @property
    def nb(self) -> Any:
        """The notebook as an ``nbformat.NotebookNode`` (nbformat is imported on first use)."""
        if self._nb is None:
            import nbformat

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._nb = nbformat.from_dict(self._content)
        return self._nb


_TOP_KEYS = frozenset({"cells", "metadata", "nbformat", "nbformat_minor"})
_CELL_KEYS = {
    "code": frozenset({"id", "cell_type", "metadata", "source", "outputs", "execution_count"}),
    "markdown": frozenset({"id", "cell_type", "metadata", "source", "attachments"}),
    "raw": frozenset({"id", "cell_type", "metadata", "source", "attachments"}),
}
_CELL_REQUIRED = {
    "code": ("cell_type", "metadata", "source", "outputs", "execution_count"),
    "markdown": ("cell_type", "metadata", "source"),
    "raw": ("cell_type", "metadata", "source"),
}
_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def _format_problem(content: dict[str, Any]) -> str:
    """The first way ``content`` departs from the version-4 format, or '' when it does not."""
    missing = sorted(_TOP_KEYS - content.keys())
    if missing:
        return f"the notebook has no {missing[0]!r}"
    extra = sorted(str(key) for key in content.keys() - _TOP_KEYS)
    if extra:
        return f"the notebook has a key {extra[0]!r} the format does not allow"
    if not isinstance(content["metadata"], dict):
        return "the notebook's 'metadata' is not an object"
    minor = content["nbformat_minor"]
    if type(minor) is not int or minor < 0:
        return f"'nbformat_minor' is {minor!r}, not a whole number"
    for number, cell in enumerate(content["cells"], start=1):
        problem = _cell_problem(cell, needs_id=minor >= 5)
        if problem:
            return f"cell {number} {problem}"
    return ""


def _cell_problem(cell: dict[str, Any], *, needs_id: bool) -> str:
    kind = cell.get("cell_type")
    if kind not in _CELL_KEYS:
        return f"has cell_type {kind!r}, not 'code', 'markdown' or 'raw'"
    required = (*_CELL_REQUIRED[kind], "id") if needs_id else _CELL_REQUIRED[kind]
    missing = [key for key in required if key not in cell]
    if missing:
        return f"has no {missing[0]!r}"
    extra = sorted(str(key) for key in cell.keys() - _CELL_KEYS[kind])
    if extra:
        return f"has a key {extra[0]!r} the format does not allow in a {kind} cell"
    if not isinstance(cell["metadata"], dict):
        return "has a 'metadata' that is not an object"
    if "id" in cell and not (isinstance(cell["id"], str) and _ID.fullmatch(cell["id"])):
        return f"has the id {cell['id']!r}: 1 to 64 letters, digits, '-' or '_' are allowed"
    return ""


def _repair_ids(content: dict[str, Any], notes: Notes, name: str) -> None:
    """Give every cell whose id repeats an earlier cell's a new one, ``cell-N`` after its position
    (the same on every run, so the report is too), and say so, a few times at most."""
    cells = content["cells"]
    taken = {cell.get("id") for cell in cells}
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        given = cell.get("id")
        if not isinstance(given, str):
            continue
        if given in seen:
            new, attempt = f"cell-{position}", 0
            while new in taken:
                attempt += 1
                new = f"cell-{position}-{attempt}"
            cell["id"] = new
            taken.add(new)
            notes.add(msg.LOAD_REPAIRED_ID, path=name, given=given[:64], new=new)
        seen.add(cell["id"])


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
        return self.check.nb

    @property
    def warnings(self) -> tuple[str, ...]:
        """Everything loading has to say, what the format check found included."""
        return (*self.notes, *self.check.notes)


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
    path, name = Path(name), safe_path(name)  # a name to show, maybe escaped
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
    name = safe_path(path)
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
    name = safe_path(path)
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
        return LoadFailure(path, msg.LOAD_UNUSABLE_CELLS.format(path=safe_path(path)), digest)
    if not any(cell.cell_type == "code" for cell in cells):
        return LoadFailure(path, msg.LOAD_NO_CODE.format(path=safe_path(path)), digest)
    if check is None:
        check = FormatCheck.of(content, safe_path(path))
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
        detail = msg.LOAD_NOT_NOTEBOOK_DETAIL.format(path=safe_path(path), error=error)
        return LoadFailure(path, safe_text(detail), digest)
    name = safe_path(path)
    notes = (msg.LOAD_UPGRADED.format(path=name), *_validate(nbformat, nb, name))
    return nb, FormatCheck(nb, notes, nb)


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
    notes = Notes()
    for item in caught:
        notes.add(msg.LOAD_REPAIRED, path=name, what=str(item.message)[:200])
    if problem:
        notes.add(msg.LOAD_INVALID_BUT_USABLE, path=name, problem=problem)
    return notes.lines()


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
