"""What this machine allows the sandbox: namespaces or not, root or not, which folders to cover.

Decided once per grader process (``platform()``); the first process that fails to start through
the namespaces demotes it (``demote``) and everything after falls back to limits alone.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
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


# Where people and tools keep files. A worker sees none of them; only what it needs to run is
# bound back.
_PRIVATE_ROOTS = ("/home", "/root", "/work", "/srv", "/opt", "/mnt", "/media", "/var/tmp")


def _outermost(paths: list[Path]) -> tuple[Path, ...]:
    unique = dict.fromkeys(p for p in paths if p != Path("/"))
    return tuple(sorted(p for p in unique if not any(o != p and o in p.parents for o in unique)))


def covered_dirs(tmp_root: Path) -> tuple[Path, ...]:
    """The folders to cover: the usual private roots, the temporary folder, the checkout."""
    roots = [Path(root) for root in _PRIVATE_ROOTS] + [tmp_root]
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
    return Platform(False, plat.as_root, plat.as_root and reachable, (), (), (), None, reason)


def _missing_tools(plat: Platform) -> str:
    if sys.platform != "linux" or not shutil.which("unshare"):
        return "not Linux, or util-linux unshare is missing"
    if not shutil.which("setpriv"):
        return "util-linux setpriv is missing"
    return ""
