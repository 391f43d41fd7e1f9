"""Steps 1 and 2 of grading: read a submitted file as a notebook, then build the program to run.

``load_notebook(path)`` gives a ``LoadedNotebook`` or a ``LoadFailure`` (never raises for what a
student submits), and ``load_notebook_bytes(data, name)`` the same for bytes without a file;
``extract(notebook)`` finds the graded functions and keeps the notebook's definitions, leaving out
its top-level work.
"""

from grader.notebook._extract import CellError, Extraction, Location, extract
from grader.notebook._load import (
    DEFAULT_MAX_BYTES,
    Cell,
    LoadedNotebook,
    LoadFailure,
    load_notebook,
    load_notebook_bytes,
    too_big,
)
from grader.notebook._unfilled import unfilled

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Cell",
    "CellError",
    "Extraction",
    "LoadFailure",
    "LoadedNotebook",
    "Location",
    "extract",
    "load_notebook",
    "load_notebook_bytes",
    "too_big",
    "unfilled",
]
