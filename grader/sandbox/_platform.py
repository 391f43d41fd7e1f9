"""What this machine allows the sandbox: namespaces or not, root or not, which folders to cover.

Decided once per grader process (``platform()``); the first process that fails to start through
the namespaces demotes it (``demote``) and everything after falls back to limits alone. Falling
back is refused (``refusal``) unless the answer key stays out of a worker's reach without the
namespaces: the grader is root, its workers run as a fresh uid, and none of the answer key's
folders lets other users in.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("grader.sandbox")


@dataclass(frozen=True)
class Platform:
    """What this machine allows; decided once per grader process."""

    namespaces: bool
    as_root: bool
    uid_drop: bool  # processes run as a fresh uid
    hidden: tuple[Path, ...]  # answer-key folders still visible, covered read-only
    covered: tuple[Path, ...]  # folders people and tools keep files in, covered with a tmpfs
    kept: tuple[Path, ...]  # runtime folders under ``covered``, bound back read-only
    tmp_root: Path | None  # the temporary-files folder (one of ``covered``), made private
    reason: str = ""  # why namespaces are not used
    key_closed: bool = False  # every answer-key folder is closed to other users


def answer_key_dirs() -> tuple[Path, ...]:
    """Folders a submission must not see: the grader's packages and the project around them."""
    found: list[Path] = []
    for package in ("reference", "grader"):
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            found.append(Path(location).resolve())
    for package_dir in list(found):
        root = package_dir.parent
        if (root / "pyproject.toml").is_file():
            found += [root / name for name in ("assignments", "tests", ".git")]
    return tuple(dict.fromkeys(p for p in found if p.is_dir()))


# Where people and tools keep files, and where services keep their sockets. A worker sees none
# of them; only what it needs to run is bound back.
_PRIVATE_ROOTS = ("/home", "/root", "/work", "/srv", "/opt", "/mnt", "/media", "/var/tmp", "/run")
_SKIPPED_ROOTS = frozenset({"/proc", "/sys"})  # not searched for writable folders
# What a worker needs at the top of the file system; every other folder there is covered,
# whatever it is called (a course keeps its files in /data, /courses, /autograder, /nfs...).
_SYSTEM_ROOTS = frozenset(
    {
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/usr",
        "/etc",
        "/dev",
        "/proc",
        "/sys",
    }
)


def other_roots() -> list[Path]:
    """Every folder at ``/`` but the system's, as the links there lead (a link into a system
    folder is left alone)."""
    try:
        entries = list(os.scandir("/"))
    except OSError:
        return []
    found = []
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.path in _SYSTEM_ROOTS or not entry.is_dir():
                continue
            real = Path(entry.path).resolve()
            if not any(real == Path(s) or Path(s) in real.parents for s in _SYSTEM_ROOTS):
                found.append(real)
    return found


def writable_dirs(depth: int = 2) -> list[Path]:
    """Folders anyone may write to, up to ``depth`` levels below ``/`` (``/dev/shm``, ...)."""
    found, level = [], [Path("/")]
    for _ in range(depth):
        below = []
        for folder in level:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.path in _SKIPPED_ROOTS or not entry.is_dir(follow_symlinks=False):
                    continue
                below.append(Path(entry.path))
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mode & stat.S_IWOTH:
                        found.append(Path(entry.path))
        level = below
    return found


def _outermost(paths: list[Path]) -> tuple[Path, ...]:
    unique = dict.fromkeys(p for p in paths if p != Path("/"))
    return tuple(sorted(p for p in unique if not any(o != p and o in p.parents for o in unique)))


def covered_dirs(tmp_root: Path) -> tuple[Path, ...]:
    """The folders to cover: the usual private roots, every other folder at the top but the
    system's, the temporary folder, the checkout."""
    roots = [Path(root) for root in _PRIVATE_ROOTS] + [tmp_root] + writable_dirs() + other_roots()
    roots += [d.parent for d in answer_key_dirs() if (d.parent / "pyproject.toml").is_file()]
    return _outermost([root.resolve() for root in roots if root.is_dir()])


def _under(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def runtime_dirs() -> tuple[Path, ...]:
    """Folders the worker's Python and numpy live in, outermost only."""
    spec = importlib.util.find_spec("numpy")
    dirs = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    if spec and spec.origin:
        dirs.add(Path(spec.origin).resolve().parent.parent)
    return tuple(sorted(d for d in dirs if not any(o != d and o in d.parents for o in dirs)))


def _closed_ancestor(folder: Path) -> Path | None:
    """The outermost folder on the way to ``folder`` that other users cannot enter."""
    for candidate in [*reversed(folder.parents), folder]:
        if candidate != Path("/") and not candidate.stat().st_mode & stat.S_IXOTH:
            return candidate
    return None


_current: list[Platform] = []  # the platform in use, once decided


def platform() -> Platform:
    """The sandbox this machine allows. Namespaces are assumed where the tools exist; the first
    process that fails to start through them calls ``demote`` and everything after falls back."""
    if not _current:
        as_root = os.geteuid() == 0
        tmp_root = Path(tempfile.gettempdir()).resolve()
        covered = covered_dirs(tmp_root)
        kept = tuple(d for d in runtime_dirs() if _under(d, covered))
        # Answer-key folders left visible (an installed package in a kept runtime) get their own
        # cover; those inside a covered folder are already gone.
        hidden = tuple(d for d in answer_key_dirs() if _under(d, kept) or not _under(d, covered))
        plat = Platform(True, as_root, as_root, hidden, covered, kept, tmp_root)
        missing = _missing_tools(plat)
        _current.append(_fallback(plat, missing) if missing else plat)
    return _current[0]


def demote(reason: str) -> Platform:
    """Stop using namespaces for the rest of this process; log why, once."""
    plat = platform()
    if plat.namespaces:
        _current[0] = _fallback(plat, reason)
    return _current[0]


def _fallback(plat: Platform, reason: str) -> Platform:
    log.warning("sandbox: Linux namespaces unavailable (%s); using limits only", reason)
    # A fresh uid is only possible when it can reach the Python runtime without the mounts.
    reachable = not any(_closed_ancestor(d) for d in runtime_dirs())
    closed = all(_closed_to_others(d) for d in answer_key_dirs())
    uid_drop = plat.as_root and reachable
    return Platform(False, plat.as_root, uid_drop, (), (), (), None, reason, closed)


def _closed_to_others(folder: Path) -> bool:
    """Whether a user other than the owner can neither list ``folder`` nor reach into it."""
    mode = folder.stat().st_mode
    return _closed_ancestor(folder) is not None or not mode & (stat.S_IROTH | stat.S_IXOTH)


def refusal(plat: Platform) -> str:
    """Why this platform cannot keep the answer key from a worker ('' when it can)."""
    if plat.namespaces:
        return ""
    if plat.uid_drop and plat.key_closed:
        return ""  # a fresh uid cannot enter the answer key's folders
    return plat.reason


def _missing_tools(plat: Platform) -> str:
    if sys.platform != "linux":
        return "not Linux"
    return ""
