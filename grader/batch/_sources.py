"""The files a batch may read, from a folder or a zip archive, as one list of entries.

Both give ``Entry`` values (a relative POSIX path, a kind, a size) and read a file's bytes up to
a bound. A folder is walked without following symbolic links; a link is an entry of kind
``"symlink"``, which the layouts skip with its reason. A zip is untrusted: it is never unpacked
to disk, a member whose name is absolute or climbs out with ``..`` is never read, a member that
is a symbolic link is never followed, and the sizes are bounded (the number of entries, what
the members declare in all, and what is actually inflated, member by member and in all), so a
zip bomb is refused instead of filling the memory.

Names are the students' to choose, so an entry's path is its name through the door
(``grader.untrusted.safe_name``): printable, escaped reversibly where a byte is not UTF-8 or a
character is a control, and the tree reads a file by that escaped path. A name longer than
``MAX_NAME`` characters is listed as ``"long"`` and never read. A zip member whose name is not
flagged as UTF-8 is read as the bytes it holds (UTF-8 where they are, escaped where not), not
as the DOS code page Python would show.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from grader import messages as msg
from grader.errors import UsageError
from grader.untrusted import MAX_NAME, real_name, safe_name

Kind = Literal["file", "dir", "symlink", "special", "unsafe", "encrypted", "duplicate", "long"]

MAX_ENTRIES = 200_000  # a course of 10,000 students with a dozen files each fits well
MAX_UNPACKED_BYTES = 32 * 1024**3  # what a zip's members may declare, in all
MAX_INFLATED_BYTES = 64 * 1024**3  # what a batch inflates from one zip, re-reads included
SYSTEM_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"})


@dataclass(frozen=True)
class Entry:
    """One file or folder of the submissions, by its path relative to their root."""

    path: str  # POSIX, relative, no "." or ".." parts, escaped (``grader.untrusted.safe_name``)
    kind: Kind
    size: int = 0
    mtime: float = 0.0  # seconds since the epoch, UTC

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.path).parts

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


class Tree:
    """The interface of a source of submissions: its entries, and bounded reads of its files."""

    name: str  # as the person running the batch wrote it

    def entries(self) -> list[Entry]:
        raise NotImplementedError

    def read(self, path: str, limit: int) -> bytes:
        """At most ``limit`` bytes of the file at ``path``; raises ``OSError`` when unreadable."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the tree holds open."""


class FolderTree(Tree):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = str(root)

    def entries(self) -> list[Entry]:
        found: list[Entry] = []
        for entry in _walk(self.root, ""):
            found.append(entry)
            if len(found) > MAX_ENTRIES:
                raise UsageError(
                    msg.BATCH_ZIP_TOO_MANY.format(
                        path=self.name, count=len(found), limit=MAX_ENTRIES
                    )
                )
        return found

    def read(self, path: str, limit: int) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(os.path.join(os.fsencode(self.root), real_name(path)), flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise OSError(f"{path} is not a regular file")
            return handle.read(limit)


def _walk(root: Path, prefix: str) -> Iterator[Entry]:
    """Entries below ``root`` in name order; links are reported, never entered."""
    try:
        items = sorted(os.scandir(root), key=lambda item: item.name)
    except OSError:
        return
    for item in items:
        path = f"{prefix}{safe_name(item.name, limit=MAX_NAME + 1)}"
        info = item.stat(follow_symlinks=False)
        if len(path) > MAX_NAME:
            yield Entry(path[:MAX_NAME], "long")
        elif stat.S_ISLNK(info.st_mode):
            yield Entry(path, "symlink")
        elif stat.S_ISDIR(info.st_mode):
            yield Entry(path, "dir", mtime=info.st_mtime)
            yield from _walk(Path(item.path), f"{path}/")
        elif stat.S_ISREG(info.st_mode):
            yield Entry(path, "file", info.st_size, info.st_mtime)
        else:
            yield Entry(path, "special")


class ZipTree(Tree):
    """A zip archive read in place; see the module docstring for what is refused."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise UsageError(msg.BATCH_BAD_ZIP.format(path=path, error=error)) from None
        self.inflated = 0
        self.members: dict[str, zipfile.ZipInfo] = {}

    def entries(self) -> list[Entry]:
        infos = self.archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UsageError(
                msg.BATCH_ZIP_TOO_MANY.format(path=self.name, count=len(infos), limit=MAX_ENTRIES)
            )
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNPACKED_BYTES:
            raise UsageError(
                msg.BATCH_ZIP_TOO_BIG.format(
                    path=self.name, size=_gigabytes(declared), limit=_gigabytes(MAX_UNPACKED_BYTES)
                )
            )
        return [self._entry(info) for info in infos]

    def _entry(self, info: zipfile.ZipInfo) -> Entry:
        name = _member_name(info).replace("\\", "/")
        mtime = _zip_time(info)
        path = safe_name("/".join(part for part in name.split("/") if part not in ("", ".")))
        if len(path) > MAX_NAME:
            return Entry(path, "long")
        if _unsafe(name):
            return Entry(safe_name(name), "unsafe")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            return Entry(path, "symlink")
        if info.is_dir():
            return Entry(path, "dir", mtime=mtime)
        if info.flag_bits & 0x1:
            return Entry(path, "encrypted")
        if path in self.members:
            return Entry(path, "duplicate")
        self.members[path] = info
        return Entry(path, "file", info.file_size, mtime)

    def read(self, path: str, limit: int) -> bytes:
        info = self.members[path]
        try:
            with self.archive.open(info) as handle:
                data = handle.read(limit)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as error:
            raise OSError(str(error)) from None
        self.inflated += len(data)
        if self.inflated > MAX_INFLATED_BYTES:
            raise UsageError(
                msg.BATCH_ZIP_TOO_BIG.format(
                    path=self.name,
                    size=_gigabytes(self.inflated),
                    limit=_gigabytes(MAX_INFLATED_BYTES),
                )
            )
        return data

    def close(self) -> None:
        self.archive.close()


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its bytes say: UTF-8 where it is, every other byte a lone surrogate
    (as a file name on disk arrives), for ``safe_name`` to escape."""
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged as UTF-8: zipfile read it as code page 437
        with contextlib.suppress(UnicodeEncodeError):  # unless read with another encoding
            name = name.encode("cp437").decode("utf-8", "surrogateescape")
    return name


def _unsafe(name: str) -> bool:
    """A member name that is absolute, has a drive, or climbs out of the archive."""
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in name.split("/"))


def _zip_time(info: zipfile.ZipInfo) -> float:
    import calendar

    try:
        return float(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (OverflowError, ValueError):
        return 0.0


def _gigabytes(size: int) -> str:
    return f"{size / 1024**3:.1f} GB"


def open_tree(path: Path) -> Tree:
    """The folder or zip at ``path``; ``UsageError`` when it is neither."""
    if path.is_dir():
        return FolderTree(path)
    if path.is_file():
        return ZipTree(path)
    raise UsageError(msg.BATCH_SOURCE_MISSING.format(path=path))
