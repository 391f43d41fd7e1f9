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

import importlib.util
import logging
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

log = logging.getLogger("grader.sandbox._client")

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


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    uid: int | None  # for Popen(user=...) in the fallback
    scratch: Path


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
