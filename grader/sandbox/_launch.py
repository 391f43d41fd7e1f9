"""How a sandboxed process is started: the platform probe, the scratch folder and the command line.

On Linux with unprivileged user namespaces (util-linux ``unshare``), a process starts as:

    unshare [--user --map-root-user] --mount --propagation private -- /bin/sh -c SCRIPT

SCRIPT, in that private mount namespace, (1) covers every folder where people and tools keep
files (``/home``, ``/root``, ``/work``, ``/srv``, ``/opt``, ``/mnt``, ``/media``, ``/var/tmp``,
the temporary-files folder and the grader's own source checkout) with an empty tmpfs, the
temporary one small, writable and private to this process; (2) binds back, read-only and at the
same paths, the Python runtime folders that lay under them, and the scratch folder; (3) covers
whatever of the answer key is still visible (the installed ``reference`` and ``grader`` packages)
with empty read-only tmpfs; then (4) runs, through ``setpriv`` (as a fresh uid when the grader is
root, and with SIGKILL as its parent-death signal), ``unshare --user --map-root-user --net
--mount --pid --fork --kill-child --mount-proc`` and the command. A submission so sees the
operating system, the Python runtime and its scratch folder, and no copy of the answer key
anywhere else on the machine. The second user namespace locks the mounts of steps 1-3, so even
the namespace's root cannot unmount them; the network namespace has no interfaces; when the
command (pid 1 of its pid namespace) dies, every process it started dies with it.

Without namespaces the command runs directly, as the fresh uid when that can reach the runtime,
and the worker's import blocker is the only thing between a submission and the answer key; a
warning is logged once.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox._platform import Platform, answer_key_dirs, demote, platform

__all__ = [
    "WORKER_NAME",
    "Launch",
    "Platform",
    "answer_key_dirs",
    "demote",
    "platform",
    "prepare",
    "probe",
]

_CHILD = Path(__file__).with_name("child")
# What runs inside the worker (standard library and numpy only), and its name in the scratch folder.
WORKER_NAME = "_initgrade_worker.py"
_WORKER_FILES = (
    (_CHILD / "worker.py", WORKER_NAME),
    (_CHILD / "guard.py", "_initgrade_guard.py"),
    (_CHILD / "returns.py", "_initgrade_returns.py"),
)
_UID_BASE = 1_600_000_000  # far above real accounts; one fresh uid per sandboxed process
_UID_SPAN = 100_000_000
_TMP_SIZE = "64m"
_HELPER_SUFFIXES = frozenset({".py", ".json", ".csv", ".txt", ".npy", ".npz", ".h5"})
_HELPER_MAX_BYTES = 8 * 1024 * 1024
_PROBE_SECONDS = 15.0
_INNER = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--pid", "--fork",
          "--kill-child", "--mount-proc", "--"]  # fmt: skip


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    uid: int | None  # for Popen(user=...) in the fallback
    scratch: Path


def probe() -> str:
    """Start a trivial process through the namespaces now; '' when that works (else demote)."""
    plat = platform()
    if not plat.namespaces:
        return plat.reason
    ready = prepare(plat, [], [sys.executable, "-I", "-S", "-c", "pass"])
    try:
        done = subprocess.run(
            ready.argv,
            cwd=ready.scratch,
            env=scrubbed_env(ready.scratch),
            capture_output=True,
            timeout=_PROBE_SECONDS,
            check=False,
        )
        problem = "" if done.returncode == 0 else done.stderr.decode(errors="replace")[-300:]
    except (OSError, subprocess.TimeoutExpired) as error:
        problem = str(error)
    finally:
        remove_scratch(ready.scratch)
    if problem:
        demote(problem.strip())
    return problem.strip()


def prepare(plat: Platform, helpers: list[Path], command: list[str]) -> Launch:
    """A fresh scratch folder holding the worker and the helpers, and the command to start."""
    uid = _UID_BASE + secrets.randbelow(_UID_SPAN) if plat.uid_drop else None
    scratch = Path(tempfile.mkdtemp(prefix="initgrade-")).resolve()
    for source, name in _WORKER_FILES:
        shutil.copy2(source, scratch / name)
    for helper in helpers:
        _copy_helpers(Path(helper), scratch)
    _copy_font_cache(scratch / ".matplotlib")
    for index, _ in enumerate(plat.kept):
        (scratch / f".runtime{index}").mkdir()
    if uid is not None:
        for path in [scratch, *scratch.rglob("*")]:
            os.chown(path, uid, uid, follow_symlinks=False)
    command = [c.replace("{scratch}", str(scratch)) for c in command]
    # Die with the grader from the first instruction on (set again after the uid changes).
    orphaned = ["setpriv", "--pdeathsig=KILL", "--"] if shutil.which("setpriv") else []
    if not plat.namespaces:
        return Launch([*orphaned, *command], uid, scratch)
    script = _mount_script(plat, scratch, uid, command)
    outer = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script]
    if not plat.as_root:
        outer[1:1] = ["--user", "--map-root-user"]
    return Launch([*orphaned, *outer], None, scratch)


def _copy_font_cache(target: Path) -> None:
    """Give matplotlib this machine's font list, which it would otherwise rebuild (~0.3 s)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "matplotlib"
    source = Path(os.environ.get("MPLCONFIGDIR", default))
    target.mkdir()
    for found in source.glob("fontlist-*.json") if source.is_dir() else []:
        shutil.copy2(found, target / found.name)


def _copy_helpers(source: Path, scratch: Path) -> None:
    """Copy a helper file, or the helper files at the top of a folder (never notebooks)."""
    files = [source] if source.is_file() else sorted(source.iterdir()) if source.is_dir() else []
    for path in files:
        info = path.stat()
        wanted = path.suffix in _HELPER_SUFFIXES and info.st_size <= _HELPER_MAX_BYTES
        if stat.S_ISREG(info.st_mode) and wanted:
            shutil.copy2(path, scratch / path.name)


def _mount_script(plat: Platform, scratch: Path, uid: int | None, command: list[str]) -> str:
    """The shell script run in the private mount namespace (its working folder is ``scratch``).

    The runtime folders are first held by bind mounts inside the scratch folder; once every
    private root is covered, they are moved back to their own paths. The shell's working folder
    keeps the covered scratch folder reachable as ``.``, so those moves, and the bind of the
    scratch folder itself, name their sources relative to it and without canonicalizing.
    """
    q = shlex.quote
    lines = ["set -e", "ulimit -c 0"]  # no core file even when unshare passes a SIGSEGV on
    for index, runtime in enumerate(plat.kept):
        lines.append(f"mount --rbind {q(str(runtime))} {q(str(scratch / f'.runtime{index}'))}")
    if plat.covered:  # one mount(8) run for all of them: each exec costs a few milliseconds
        private = f"mode=1777,nosuid,nodev,size={_TMP_SIZE}"
        table = scratch / ".cover.fstab"  # read whole before the first mount hides it
        table.write_text("".join(
            f"initgrade {_fstab_path(cover)} tmpfs "
            f"{private if cover == plat.tmp_root else 'mode=755,nosuid,nodev,size=1m'} 0 0\n"
            for cover in plat.covered))  # fmt: skip
        lines.append(f"mount -a -T {q(str(table))}")
    for index, runtime in enumerate(plat.kept):
        back = q(str(runtime))
        lines += [f"mkdir -p {back}", f"mount --no-canonicalize --move ./.runtime{index} {back}",
                  f"mount -o remount,bind,ro {back}"]  # fmt: skip
    here = q(str(scratch))
    lines += [f"mkdir -p {here}", f"mount --no-canonicalize --bind . {here}"]
    if plat.hidden:  # one mount(8) run for all of them: each exec costs a few milliseconds
        table = scratch / ".hide.fstab"
        table.write_text("".join(f"initgrade {_fstab_path(f)} tmpfs ro,mode=555,size=4k 0 0\n"
                                 for f in plat.hidden))  # fmt: skip
        lines.append(f"mount -a -T {q(str(table))}")
    become = [] if uid is None else [f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    # SIGKILL when the grader dies, so a worker never waits for a grader that is gone.
    lines.append("exec " + shlex.join(["setpriv", "--pdeathsig=KILL", *become, "--", *_INNER,
                                       *command]))  # fmt: skip
    return "\n".join(lines)


def _fstab_path(path: Path) -> str:
    """A path as an fstab field: whitespace and backslashes octal-escaped."""
    return "".join(f"\\{ord(c):03o}" if c.isspace() or c == "\\" else c for c in str(path))


def scrubbed_env(scratch: Path) -> dict[str, str]:
    """The only environment a sandboxed process gets."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(scratch),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch / ".matplotlib"),
    }
    for name in ("OMP", "OPENBLAS", "MKL", "NUMEXPR", "VECLIB_MAXIMUM"):
        env[f"{name}_NUM_THREADS" if name != "VECLIB_MAXIMUM" else "VECLIB_MAXIMUM_THREADS"] = "1"
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # some CPUs need these to run at all
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def nproc_allowance(plat: Platform, wanted: int) -> int:
    """RLIMIT_NPROC counts every process of the real uid: add what that uid already runs."""
    if plat.uid_drop or plat.namespaces:
        return wanted
    uid, count = os.getuid(), 0
    for entry in Path("/proc").glob("[0-9]*/status"):
        try:
            text = entry.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return wanted + count


def remove_scratch(scratch: Path) -> None:
    """Delete a scratch folder, even one a submission made read-only inside."""
    shutil.rmtree(scratch, ignore_errors=True)
    if scratch.exists():
        for folder, _, _ in os.walk(scratch):
            os.chmod(folder, 0o700)
        shutil.rmtree(scratch, ignore_errors=True)
