"""``--execute``: run the whole notebook in a Jupyter kernel, for the record and the feedback page.

    executed, errors = execute_notebook(nb, workdir=out_dir, limits=Limits(), helper_dirs=[bundle])

Grading never needs this (it calls the graded functions through ``grader.sandbox``); this runs
every cell top to bottom with nbclient (``allow_errors=True``, a timeout per cell, a wall-clock
cap on the whole run) and returns the executed copy (``nb`` itself is not changed) and a list of
sentences: each cell that raised, a cell that timed out, a kernel that died or never started.
``workdir``, when given, receives the executed copy as ``executed.ipynb``.

The kernel is the grading Python's ``ipykernel``, confined like a sandbox worker
(``grader.sandbox._launch``, ``child/confine.py``): in a scratch folder holding the helper files,
with a scrubbed environment, the resource limits of ``limits`` (CPU time = ``total_seconds``)
and, where Linux namespaces exist, no network, the answer key hidden, its own IPC namespace and
a pid namespace that dies with it. The kernel then talks to this process over ZeroMQ ``ipc``
sockets in the scratch folder, since it has no network at all. Without namespaces it uses local
TCP and only the limits apply.

The scratch folder is the student's to write: this process never opens a path in it that the
kernel could have replaced. The kernel's log is a descriptor opened before the kernel started
(``O_EXCL | O_NOFOLLOW``) and read back through that same descriptor, a bounded tail; whatever
the kernel sends back (outputs, error values) is made safe text (``grader.untrusted``).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import copy
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.sandbox import _launch as launch
from grader.types import Limits
from grader.untrusted import safe_text

_KERNEL_NAME = "initgrade-sandbox"
_MAX_OUTPUT_CHARS = 8 * 1024 * 1024  # one string of an executed cell's outputs
_STARTUP_SECONDS = 60.0


def execute_notebook(
    nb: Any,
    *,
    workdir: Path | None = None,
    limits: Limits | None = None,
    helper_dirs: Sequence[Path] = (),
    cell_seconds: float = 120.0,
    total_seconds: float = 600.0,
) -> tuple[Any, list[str]]:
    """Run a copy of ``nb`` (a version-4 NotebookNode); see the module docstring."""
    import nbformat

    executed = copy.deepcopy(nb)
    limits = limits or Limits()
    plat = launch.platform()
    kernel_limits = launch.limit_config(limits, launch.nproc_allowance(plat, limits.max_processes))
    kernel_limits["cpu"] = max(1, int(total_seconds))
    argv, host = launch.command_plan(
        plat, kernel_limits, [Path(h) for h in helper_dirs], _KERNEL, _KERNEL_ENV
    )
    try:
        errors = _run(executed, _Ready(argv, host.path), plat, cell_seconds, total_seconds)
    finally:
        host.remove()
    _clean_outputs(executed)
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, Path(workdir) / "executed.ipynb")
    return executed, errors


_KERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{scratch}/connection.json"]
_KERNEL_ENV: dict[str, str | None] = {
    "MPLBACKEND": None,  # inline figures are what the feedback page wants
    "MALLOC_ARENA_MAX": "2",  # each kernel thread would reserve 64 MB of address space
}
_LOG_TAIL = 300


@dataclass(frozen=True)
class _Ready:
    argv: list[str]
    scratch: Path


def _run(
    nb: Any, ready: _Ready, plat: launch.Platform, cell_seconds: float, total: float
) -> list[str]:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    state: dict[str, Any] = {"cell": None, "process": None}
    client = _client(nb, ready, plat, cell_seconds, state)
    too_long = threading.Event()

    def stop_the_run() -> None:
        too_long.set()
        _kill(state["process"])

    watchdog = threading.Timer(total, stop_the_run)
    watchdog.start()
    log = _open_log(ready.scratch / "kernel.log")  # the kernel's stdout and stderr
    try:
        _drive(client, log)
    except CellTimeoutError:
        return [*_cell_errors(nb), _timeout(state["cell"] or 0, cell_seconds)]
    except DeadKernelError:
        if too_long.is_set():
            return [*_cell_errors(nb), msg.EXECUTE_TOO_LONG.format(seconds=total)]
        return [*_cell_errors(nb), msg.EXECUTE_KERNEL_DIED.format(cell=(state["cell"] or 0) + 1)]
    except Exception as error:  # no kernel (missing ipykernel, a bad spec), or one not driven
        atexit.unregister(client._cleanup_kernel)  # nbclient leaves it registered on failure
        if state["cell"] is None:
            return [_no_kernel(error, log)]
        return [*_cell_errors(nb), _not_driven(error, state["cell"])]
    finally:
        watchdog.cancel()
        _kill(state["process"])  # nbclient shuts its kernel down; this makes sure of it
        os.close(log)
    return _cell_errors(nb)


def _drive(client: Any, log: int) -> None:
    """Run the client in an event loop of its own, closed at the end with every task the client
    left behind (nbclient's loop of each thread outlives the run, and a run stopped by an error
    leaves its kernel poller running there)."""

    async def run() -> None:
        await client.async_execute(stdout=log, stderr=subprocess.STDOUT)

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop in this thread: the usual case
        asyncio.run(run())
        return
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # called from a running loop
        pool.submit(asyncio.run, run()).result()


def _open_log(path: Path) -> int:
    """A new file for the kernel's output; this process reads it only through this descriptor."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(path, flags, 0o600)


def _log_tail(fd: int) -> str:
    """The last bytes of the kernel's log, read through the descriptor it was written to, as
    safe lines."""
    size = os.fstat(fd).st_size
    start = max(0, size - _LOG_TAIL)
    tail = os.pread(fd, _LOG_TAIL, start).decode(errors="replace")
    return "\n".join(safe_text(line) for line in tail.splitlines()).strip()


def _client(
    nb: Any,
    ready: _Ready,
    plat: launch.Platform,
    cell_seconds: float,
    state: dict[str, Any],
) -> Any:
    """An nbclient that records the kernel's process and the cell it is running in ``state``."""
    from nbclient import NotebookClient

    def kernel_started(**_: Any) -> None:
        state["process"] = getattr(getattr(client.km, "provisioner", None), "process", None)

    def cell_started(cell_index: int, **_: Any) -> None:  # None until the first cell starts
        state["cell"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=_KERNEL_NAME,
        kernel_manager_class=_manager_class(ready, plat),
        timeout=cell_seconds,
        startup_timeout=_STARTUP_SECONDS,
        allow_errors=True,
        record_timing=False,
        on_notebook_start=kernel_started,
        on_cell_start=cell_started,
        resources={"metadata": {"path": str(ready.scratch)}},
    )
    return client


def _manager_class(ready: _Ready, plat: launch.Platform) -> type:
    """A kernel manager that finds only the sandbox's kernel spec and talks to it over ipc."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    specs = ready.scratch / ".kernels"
    (specs / _KERNEL_NAME).mkdir(parents=True)
    spec = {"argv": ready.argv, "display_name": "initgrade sandbox", "language": "python"}
    (specs / _KERNEL_NAME / "kernel.json").write_text(json.dumps(spec))
    transport = {"transport": "ipc", "ip": str(ready.scratch / "kernel")} if plat.namespaces else {}

    class SandboxKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(
                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]),
                connection_file=str(ready.scratch / "connection.json"),
                **transport,
                **kwargs,
            )
            self.write_connection_file()
            if os.geteuid() == 0:  # written 0600 by root; the kernel runs as the scratch's owner
                owner = ready.scratch.stat().st_uid
                os.chown(self.connection_file, owner, owner)

    return SandboxKernelManager


def _no_kernel(error: Exception, log: int) -> str:
    """Why no kernel ran, in words that are the same on every run: the error's type and the
    last error line of the kernel's log with its paths and long numbers (ports, pids) left out;
    the rest of the log names the run's connection file and ports."""
    said = _last_error_line(_log_tail(log))
    detail = type(error).__name__ + (msg.EXECUTE_KERNEL_SAID.format(line=said) if said else "")
    return msg.EXECUTE_NO_KERNEL.format(error=detail)


def _not_driven(error: Exception, cell_index: int) -> str:
    """The kernel ran, but the client could not go on (a message it could not read, a lost
    connection); only the error's type is quoted, since its text can be anything a cell sent."""
    return msg.EXECUTE_NOT_DRIVEN.format(cell=cell_index + 1, error=type(error).__name__)


_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*$")
_RUN_SPECIFIC = re.compile(r"\S*/\S*|\b\d{3,}\b")


def _last_error_line(tail: str) -> str:
    """The last line of ``tail`` that names an exception, with paths and long numbers replaced."""
    lines = [line.strip() for line in tail.splitlines()]
    found = [line for line in lines if _ERROR_LINE.match(line)]
    return _RUN_SPECIFIC.sub("...", found[-1])[:200] if found else ""


def _timeout(cell_index: int, seconds: float) -> str:
    return msg.EXECUTE_CELL_TIMEOUT.format(cell=cell_index + 1, seconds=seconds)


def _cell_errors(nb: Any) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                ename = safe_text(str(output.get("ename", ""))[:100])
                evalue = safe_text(str(output.get("evalue", ""))[:300])
                text = msg.EXECUTE_CELL_ERROR.format(cell=index + 1, ename=ename, evalue=evalue)
                found.append(text)
    return found


def _clean_outputs(nb: Any) -> None:
    """Make every string the kernel put in the outputs safe to write (no lone surrogates)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell["outputs"] = _cleaned(cell.get("outputs", []))


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):  # an output's text or an image's base64: bounded, not cut short
        return safe_text(value, lines=True, limit=_MAX_OUTPUT_CHARS)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return type(value)({safe_text(str(k)): _cleaned(v) for k, v in value.items()})
    return value


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    """SIGKILL the kernel's process group (its pid namespace goes with it)."""
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            process.kill()
        process.wait()
