"""Step 3 of grading: run a submission's code in isolated workers and call its functions.

``Sandbox`` is a submission's program with fresh workers of its own for each graded function;
``Worker`` is one sandboxed process (reused for its calls, restarted when it dies), forked by a
zygote that imported Python and numpy once; ``execute_notebook`` runs a whole notebook in a
sandboxed Jupyter kernel (``--execute``); ``isolation_report`` says which defenses this machine
allows. ``local_caller`` and ``local_program`` call plain functions in this process under the
same contract, for tests. ``child/`` holds what runs in the zygote and inside the worker.
``warm_up`` starts this process's zygote early, before numpy is imported here, so that it
boots while the grader imports and reads the notebook. Names are imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.sandbox._client import MAX_RESTARTS, SandboxRefused, Worker
    from grader.sandbox._isolation import isolation_report
    from grader.sandbox._kernel import execute_notebook
    from grader.sandbox._local import (
        CallLog,
        LocalProgram,
        caller_program,
        local_caller,
        local_program,
        not_run,
        run_with_caller,
    )
    from grader.sandbox._process import warm_up
    from grader.sandbox._program import Sandbox

_EXPORTS = {
    "MAX_RESTARTS": "_client",
    "SandboxRefused": "_client",
    "Worker": "_client",
    "isolation_report": "_isolation",
    "execute_notebook": "_kernel",
    "CallLog": "_local",
    "LocalProgram": "_local",
    "not_run": "_local",
    "run_with_caller": "_local",
    "caller_program": "_local",
    "local_caller": "_local",
    "local_program": "_local",
    "warm_up": "_process",
    "Sandbox": "_program",
}
__all__ = [
    "MAX_RESTARTS",
    "CallLog",
    "LocalProgram",
    "Sandbox",
    "SandboxRefused",
    "Worker",
    "caller_program",
    "execute_notebook",
    "isolation_report",
    "local_caller",
    "local_program",
    "not_run",
    "run_with_caller",
    "warm_up",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"grader.sandbox.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'grader.sandbox' has no attribute {name!r}")
