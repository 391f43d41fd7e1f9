"""The worker's import guard: refuse the grader's packages, defer slow plotting packages.

Copied into the sandbox's scratch folder next to the worker script and imported by it before any
student code runs; standard library only. Deferral applies to the pure-Python modules a
notebook imports itself (``import matplotlib.pyplot as plt`` costs nothing until ``plt`` is
used); imports made while a deferred module's own code runs are ordinary, so packages that
register things on import still do.
"""

import importlib
import importlib.abc
import importlib.machinery
import types
from collections.abc import Sequence
from typing import ClassVar


class _DeferredModule(types.ModuleType):
    """A pure-Python module whose code runs when an attribute it lacks is first asked for."""

    def __getattr__(self, attr: str) -> object:
        real = ImportGuard.pending.get(id(self))
        if real is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        path = self.__dict__.get("__path__")
        if path and importlib.machinery.PathFinder.find_spec(f"{self.__name__}.{attr}", path):
            return importlib.import_module(f"{self.__name__}.{attr}")
        del ImportGuard.pending[id(self)]
        self.__class__ = types.ModuleType  # type: ignore[assignment]  # from now on, a module
        if self.__spec__ is not None:
            self.__spec__.loader = real
        self.__loader__ = real
        ImportGuard.busy += 1
        try:
            real.exec_module(self)
        finally:
            ImportGuard.busy -= 1
        return getattr(self, attr)


class _DeferredLoader(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _DeferredModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        ImportGuard.pending[id(module)] = self.real


class ImportGuard(importlib.abc.MetaPathFinder):
    """Refuses the grader's packages; defers slow pure-Python packages until first use."""

    pending: ClassVar[dict[int, importlib.abc.Loader]] = {}  # id(module) -> the real loader
    busy = 0  # > 0 while a deferred module's own code runs

    def __init__(self, blocked: Sequence[str], lazy: Sequence[str]) -> None:
        self.blocked, self.lazy = frozenset(blocked), frozenset(lazy)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top in self.blocked:
            message = f"No module named {fullname!r} (grading code is not available to submissions)"
            raise ModuleNotFoundError(message, name=fullname)
        if top not in self.lazy or ImportGuard.busy:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return None
        spec.loader = _DeferredLoader(spec.loader)
        return spec
