"""Where initgrade keeps its own files on this machine."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "INITGRADE_CACHE_DIR"


def cache_root() -> Path:
    """``$INITGRADE_CACHE_DIR``, or ``~/.cache/initgrade``: where initgrade keeps its caches."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "initgrade")


def new_file_mode() -> int:
    """The mode ``open`` gives a new file in this process (0o666 less the umask), for files
    written through a temporary one (which ``mkstemp`` makes 0o600, unreadable to a co-TA)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
