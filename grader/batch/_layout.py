"""Which submissions a folder or zip holds, and which files were left out and why.

Three layouts are recognised, in this order, below the root (or below the one folder a zip of a
folder has at its top):

- a Gradescope export: ``submission_metadata.yml`` beside one folder per submission; every
  notebook in a listed folder is a submission of each of its submitters (student id: ``:sid``,
  else ``:email``, else ``:name``); ``:created_at`` is when it was received;
- an nbgrader tree: ``submitted/<student>/<assignment>/*.ipynb`` (or the ``submitted`` folder
  itself, or a course folder or zip holding nothing but it), received at the time in
  ``timestamp.txt`` when there is one;
- a folder of notebooks: every ``*.ipynb`` at the top, the student id being the file's stem.

Every file that is not a submission is listed with its reason, never dropped silently. Every
name and id read here is already through the door (``grader.untrusted``): paths come escaped
from the tree, and a submitter's id from Gradescope's metadata passes ``safe_name`` (one too
long to keep whole keeps a digest of the whole, so two stay two). Student ids are NFC: one name
composed two ways is one student. A submitter listed more than once for one folder (a YAML alias
repeats a record) is one submission, and a
folder lists at most ``MAX_SUBMITTERS`` of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from grader import messages as msg
from grader.batch._sources import SYSTEM_NAMES, Entry, Tree, ZipTree
from grader.errors import UsageError
from grader.untrusted import MAX_NAME, safe_name, safe_text

METADATA = "submission_metadata.yml"
TIMESTAMP = "timestamp.txt"
MAX_METADATA_BYTES = 8 * 1024 * 1024  # four times what a course of 10,000 students needs
MAX_SUBMITTERS = 64  # a Gradescope group is a handful of students
_KIND_REASONS = {
    "symlink": msg.SKIP_SYMLINK,
    "special": msg.SKIP_SPECIAL,
    "unsafe": msg.SKIP_UNSAFE_PATH,
    "encrypted": msg.SKIP_ENCRYPTED,
    "duplicate": msg.SKIP_DUPLICATE,
    "long": msg.SKIP_LONG_NAME,
}


@dataclass(frozen=True)
class Found:
    """One submission: whose, of which assignment, where it is in the tree, when it came."""

    student: str
    assignment: str
    source: str  # the path inside the tree; also the name its report shows
    received: str  # ISO 8601, UTC where the layout says the zone
    size: int

    def __post_init__(self) -> None:
        # One student whatever the system composed the name with: a Mac writes "é" as e and a
        # combining accent (NFD), Linux and Windows as one character (NFC).
        object.__setattr__(self, "student", unicodedata.normalize("NFC", self.student))


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class Discovery:
    tree: Tree
    layout: str  # one line naming the layout
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def students(self) -> int:
        return len({(f.student, f.assignment) for f in self.found})


def discover(tree: Tree, *, default_assignment: str, assignment: str | None = None) -> Discovery:
    """The submissions in ``tree``; ``UsageError`` when it holds none in a known layout."""
    entries = tree.entries()
    base = "" if _named_submitted(tree) else _base(entries)
    inside = [_below(entry, base) for entry in entries if entry.path.startswith(base)]
    files = [entry for entry in inside if entry.kind != "dir"]
    names = {entry.path for entry in files}
    # the nbgrader root itself: a folder named submitted, or one alone in the course folder
    at_root = _named_submitted(tree) or PurePosixPath(base).name == "submitted"
    if METADATA in names:
        discovery = _gradescope(tree, base, files, default_assignment)
    elif any(e.parts[:1] == ("submitted",) for e in inside) or at_root:
        discovery = _nbgrader(tree, base, "" if at_root else "submitted/", files, assignment)
    elif any(_is_notebook(e) and len(e.parts) == 1 for e in files):
        discovery = _flat(tree, base, files, default_assignment)
    else:
        raise UsageError(msg.BATCH_NO_LAYOUT.format(path=tree.name))
    if isinstance(tree, ZipTree):
        discovery.layout = msg.LAYOUT_IN_ZIP.format(layout=discovery.layout)
    return discovery


def _base(entries: list[Entry]) -> str:
    """The one folder at the top of the tree when nothing else is there (a zip of a folder)."""
    tops = {e.parts[0] for e in entries if e.parts and e.parts[0] not in SYSTEM_NAMES}
    top_files = [e for e in entries if len(e.parts) == 1 and e.kind != "dir"]
    if len(tops) == 1 and not [e for e in top_files if e.name not in SYSTEM_NAMES]:
        (top,) = tops
        if any(e.path.startswith(f"{top}/") for e in entries):
            return f"{top}/"
    return ""


def _below(entry: Entry, base: str) -> Entry:
    return Entry(entry.path[len(base) :], entry.kind, entry.size, entry.mtime)


def _named_submitted(tree: Tree) -> bool:
    return PurePosixPath(tree.name).name == "submitted" and not isinstance(tree, ZipTree)


def _is_notebook(entry: Entry) -> bool:
    return entry.kind == "file" and entry.name.lower().endswith(".ipynb")


def _common_reason(entry: Entry) -> str | None:
    """Why a file is no submission whatever the layout, or None."""
    if entry.kind in _KIND_REASONS:
        return _KIND_REASONS[entry.kind]
    if ".ipynb_checkpoints" in entry.parts:
        return msg.SKIP_CHECKPOINT
    if any(part in SYSTEM_NAMES or part.startswith("._") for part in entry.parts):
        return msg.SKIP_SYSTEM_FILE
    return None


def _sort(discovery: Discovery) -> Discovery:
    discovery.found.sort(key=lambda f: (f.student, f.assignment, f.received, f.source))
    return discovery


def _received(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()


def _classify(
    files: Iterable[Entry],
    base: str,
    discovery: Discovery,
    submission: Callable[[Entry], Found | str | None],
) -> Discovery:
    """Each file is a submission, a skipped file with its reason, or (None) a file the layout
    read for its details."""
    for entry in files:
        outcome = _common_reason(entry) or submission(entry)
        if isinstance(outcome, Found):
            discovery.found.append(outcome)
        elif isinstance(outcome, str):
            discovery.skipped.append(Skipped(base + entry.path, outcome))
    return _sort(discovery)


# -- a folder of notebooks ----------------------------------------------------------------------


def _flat(tree: Tree, base: str, files: list[Entry], assignment: str) -> Discovery:
    def submission(entry: Entry) -> Found | str:
        if len(entry.parts) > 1:
            return msg.SKIP_OUT_OF_LAYOUT.format(layout=msg.LAYOUT_FLAT)
        if not _is_notebook(entry):
            return msg.SKIP_NOT_NOTEBOOK
        stem = PurePosixPath(entry.name).stem
        return Found(stem, assignment, base + entry.path, _received(entry.mtime), entry.size)

    return _classify(files, base, Discovery(tree, msg.LAYOUT_FLAT), submission)


# -- nbgrader -----------------------------------------------------------------------------------


def _nbgrader(
    tree: Tree, base: str, nested: str, files: list[Entry], chosen: str | None
) -> Discovery:
    depth = (1 if nested else 0) + 3  # [submitted/]<student>/<assignment>/<file>
    candidates = [e for e in files if e.path.startswith(nested) and len(e.parts) == depth]
    in_layout = {e.path for e in candidates}
    assignments = sorted({e.parts[-2] for e in candidates if _is_notebook(e)})
    chosen = _choose_assignment(tree, assignments, chosen)
    times = _timestamps(tree, base, candidates)

    def submission(entry: Entry) -> Found | str | None:
        if entry.path not in in_layout:
            return msg.SKIP_OUT_OF_LAYOUT.format(layout=msg.LAYOUT_NBGRADER)
        student, assignment = entry.parts[-3], entry.parts[-2]
        if entry.name == TIMESTAMP:
            return None
        if not _is_notebook(entry):
            return msg.SKIP_NOT_NOTEBOOK
        if assignment != chosen:
            return msg.SKIP_OTHER_ASSIGNMENT.format(assignment=assignment, chosen=chosen)
        received = times.get((student, assignment)) or _received(entry.mtime)
        return Found(student, assignment, base + entry.path, received, entry.size)

    return _classify(files, base, Discovery(tree, msg.LAYOUT_NBGRADER), submission)


def _choose_assignment(tree: Tree, assignments: list[str], chosen: str | None) -> str:
    if chosen is not None:
        if chosen not in assignments:
            raise UsageError(
                msg.BATCH_NO_SUCH_ASSIGNMENT.format(
                    path=tree.name, name=chosen, names=", ".join(assignments) or "none"
                )
            )
        return chosen
    if len(assignments) > 1:
        raise UsageError(
            msg.BATCH_SEVERAL_ASSIGNMENTS.format(path=tree.name, names=", ".join(assignments))
        )
    if not assignments:
        raise UsageError(msg.BATCH_NO_LAYOUT.format(path=tree.name))
    return assignments[0]


def _timestamps(tree: Tree, base: str, candidates: list[Entry]) -> dict[tuple[str, str], str]:
    """nbgrader's ``timestamp.txt`` per (student, assignment), as ISO 8601."""
    times = {}
    for entry in candidates:
        if entry.name != TIMESTAMP or entry.kind != "file":
            continue
        try:
            text = tree.read(base + entry.path, 256).decode("utf-8", "replace").strip()
        except OSError:
            continue
        parsed = _parse_time(text)
        if parsed:
            times[(entry.parts[-3], entry.parts[-2])] = parsed
    return times


def _parse_time(text: str) -> str | None:
    """nbgrader writes ``2024-01-05 13:31:29.624547 UTC``; ISO 8601 is accepted too."""
    cleaned = text.replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.isoformat()


# -- a Gradescope export ------------------------------------------------------------------------


def _gradescope(tree: Tree, base: str, files: list[Entry], assignment: str) -> Discovery:
    metadata = _metadata(tree, base + METADATA)
    discovery = Discovery(tree, msg.LAYOUT_GRADESCOPE)
    for entry in files:
        if entry.path == METADATA:
            continue
        reason = _common_reason(entry) or _gradescope_reason(entry, metadata)
        if reason:
            discovery.skipped.append(Skipped(base + entry.path, reason))
            continue
        students, received = metadata[entry.parts[0]]
        when = received or _received(entry.mtime)
        discovery.found += [
            Found(student, assignment, base + entry.path, when, entry.size) for student in students
        ]
    return _sort(discovery)


def _gradescope_reason(entry: Entry, metadata: dict[str, Any]) -> str | None:
    if len(entry.parts) == 1:
        return msg.SKIP_OUT_OF_LAYOUT.format(layout=msg.LAYOUT_GRADESCOPE)
    if entry.parts[0] not in metadata:
        return msg.SKIP_NOT_IN_METADATA
    return None if _is_notebook(entry) else msg.SKIP_NOT_NOTEBOOK


def _metadata(tree: Tree, path: str) -> dict[str, tuple[list[str], str | None]]:
    """Folder name -> (student ids, received) from Gradescope's metadata, read safely."""
    import yaml

    try:
        text = tree.read(path, MAX_METADATA_BYTES).decode("utf-8")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: 10x faster, as safe
        data = yaml.load(text, Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as error:
        problem = safe_text(str(error), limit=300)
        raise UsageError(msg.BATCH_BAD_METADATA.format(path=path, error=problem)) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise UsageError(msg.BATCH_BAD_METADATA.format(path=path, error=f"a {kind}, not a mapping"))
    listed = {}
    for key, record in data.items():
        if not isinstance(key, str) or not isinstance(record, dict):
            continue
        folder = safe_name(key)  # as the tree shows the folder's name
        submitters = _as_list(record.get(":submitters"))
        students = dict.fromkeys(_student(s, folder) for s in submitters[: MAX_SUBMITTERS * 4])
        chosen = list(students)[:MAX_SUBMITTERS] or [folder]
        listed[folder] = (chosen, _moment(record.get(":created_at")))
    return listed


def _student(submitter: Any, folder: str) -> str:
    """A submitter's id (``:sid``, else ``:email``, else ``:name``) through the door."""
    if isinstance(submitter, dict):
        for key in (":sid", ":email", ":name"):
            value = submitter.get(key)
            if value not in (None, "") and isinstance(value, str | int | float):
                return _long_id(unicodedata.normalize("NFC", str(value)))
    return folder


def _long_id(text: str) -> str:
    """A submitter's id through the door; one too long to keep whole is cut, and its digest
    added, so that two long ids sharing their start stay two students."""
    shown = safe_name(text)
    if len(text) <= MAX_NAME:
        return shown
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{shown} #{digest}"


def _moment(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.timezone.utc) if value.tzinfo else value).isoformat()
    if isinstance(value, str):
        return _parse_time(value[:64]) or safe_text(value, limit=64)
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
