"""Where initgrade keeps its own files on this machine."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "INITGRADE_CACHE_DIR"


def cache_root() -> Path:
    """``$INITGRADE_CACHE_DIR``, or ``~/.cache/initgrade``: where initgrade keeps its caches."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "initgrade")
