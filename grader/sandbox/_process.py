"""One worker process: started through ``grader._sandbox_launch``, ended with all it started.

``WorkerProcess.start`` builds the worker's configuration (limits, blocked and deferred imports,
reply caps), prepares the scratch folder and starts the process in its own session, handing it
the write end of a status pipe: the worker's init writes the worker's wait status there, so a
signal is reported as a signal even though ``unshare`` sits between this process and the worker.
``end`` kills the whole process group, waits until the pid namespace is empty, and removes the
scratch folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import _launch as launch
from grader.types import Limits

BLOCKED = ("reference", "grader", "initgrade")
# Pure-Python packages notebooks import for plots and display; loaded on first real use only.
DEFERRED = ("matplotlib", "mpl_toolkits", "seaborn", "IPython", "ipywidgets", "pandas", "sklearn",
            "scipy", "tqdm")  # fmt: skip
_GONE_SECONDS = 2.0


@dataclass
class WorkerProcess:
    popen: subprocess.Popen[bytes]
    scratch: Path
    status_fd: int
    inner_pid: int | None = None  # the worker's init (or the worker itself without namespaces)

    @classmethod
    def start(cls, limits: Limits, helpers: Sequence[Path], caps: dict[str, int]) -> WorkerProcess:
        plat = launch.platform()
        status_read, status_write = os.pipe()
        config = {
            "scratch": "{scratch}",
            "limits": limit_config(limits, launch.nproc_allowance(plat, limits.max_processes)),
            "blocked": BLOCKED,
            "lazy": DEFERRED,
            "status_fd": status_write,
            **caps,
        }
        worker = "{scratch}/" + launch.WORKER_NAME
        ready = launch.prepare(
            plat, list(helpers), [sys.executable, "-I", worker, json.dumps(config)]
        )
        try:
            popen = subprocess.Popen(
                ready.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ready.scratch,
                env=launch.scrubbed_env(ready.scratch),
                start_new_session=True,
                pass_fds=(status_write,),
                user=ready.uid,
                group=ready.uid,
                extra_groups=None if ready.uid is None else [],
            )
        except BaseException:
            os.close(status_read)
            launch.remove_scratch(ready.scratch)
            raise
        finally:
            os.close(status_write)
        return cls(popen, ready.scratch, status_read)

    def note_started(self) -> None:
        """Remember the worker's host pid once it runs (the first child of ``unshare``)."""
        try:
            children = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children").read_text()
        except OSError:
            children = ""
        self.inner_pid = int(children.split()[0]) if children.split() else self.popen.pid

    def end(self, grace: float) -> int | None:
        """Kill everything (after ``grace`` seconds to exit alone); the worker's exit status.

        The launcher is reaped only after the group is killed: until then its pid, which is
        also the group's id, cannot be handed to another process, so the kill cannot miss."""
        deadline = time.monotonic() + grace
        while not _has_exited(self.popen.pid) and time.monotonic() < deadline:
            time.sleep(0.005)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            self.popen.kill()
        returncode = self.popen.wait()
        if self.inner_pid:
            _wait_gone(self.inner_pid, time.monotonic() + _GONE_SECONDS)
        return _reported_status(self.status_fd, returncode)

    def release(self) -> None:
        """Close the pipes and remove the scratch folder (after ``end``)."""
        os.close(self.status_fd)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()
        launch.remove_scratch(self.scratch)


def _has_exited(pid: int) -> bool:
    """Whether a child has exited, without reaping it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def limit_config(limits: Limits, nproc: int) -> dict[str, int]:
    """The resource limits as the worker script applies them."""
    return {
        "cpu": limits.cpu_seconds,
        "as_bytes": limits.memory_mb << 20,
        "fsize_bytes": limits.max_file_mb << 20,
        "nproc": nproc,
    }


def _reported_status(fd: int, returncode: int | None) -> int | None:
    """The worker's exit status as its init reported it (negative for a signal), if it did."""
    os.set_blocking(fd, False)
    try:
        report = json.loads(os.read(fd, 256) or b"null")
    except (BlockingIOError, ValueError):
        return returncode
    for key, sign in (("signal", -1), ("code", 1)):
        value = report.get(key) if isinstance(report, dict) else None
        if type(value) is int:
            return sign * value
    return returncode


def _wait_gone(pid: int, deadline: float) -> None:
    """Wait until ``pid`` has exited (gone or a zombie): then its pid namespace is empty."""
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.005)
