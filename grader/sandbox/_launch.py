"""What a sandboxed process is started with: its confinement plan, environment and scratch folder.

Every sandboxed process confines itself with ``child/confine.py`` (see its docstring for the
steps): a worker in a child of the zygote (``worker_plan``), the Jupyter kernel of ``--execute``
as ``python -I confine.py PLAN`` (``command_plan``). A plan lists the folders to cover (where
people and tools keep files, every folder anyone may write to, the temporary folder and the
grader's own checkout), the Python runtime folders to bind back read-only, what of the answer key
is still in sight, the private temporary tmpfs's size and inode count, the fresh uid, and the
resource limits. A worker's scratch folder is made inside that private tmpfs and holds the
helper files, so nothing of it is on the host's disk; the kernel's is a host folder bound in,
since the grader talks to the kernel through sockets in it.

Without namespaces the plan keeps only the uid and the limits, the scratch folder is a host
folder, and ``refusal`` says whether that is allowed at all (``grader.sandbox._platform``).
"""

from __future__ import annotations

import contextlib
import importlib._bootstrap_external
import importlib.util
import json
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.sandbox._platform import Platform, answer_key_dirs, demote, platform, refusal
from grader.types import Limits

__all__ = [
    "CONFINE_SCRIPT",
    "HostScratch",
    "Platform",
    "answer_key_dirs",
    "command_plan",
    "demote",
    "platform",
    "refusal",
    "remove_tree",
    "scrubbed_env",
    "worker_plan",
]

CONFINE_SCRIPT = Path(__file__).with_name("child") / "confine.py"
_UID_BASE = 1_600_000_000  # far above real accounts; one fresh uid per sandboxed process
_UID_SPAN = 100_000_000
TMP_BYTES = 64 << 20  # the private temporary tmpfs, which holds the scratch folder
TMP_INODES = 4096
_HELPER_SUFFIXES = frozenset({".py", ".json", ".csv", ".txt", ".npy", ".npz", ".h5"})
_HELPER_MAX_BYTES = 8 * 1024 * 1024
_REMOVE_MAX_ENTRIES = 1_000_000  # a host scratch folder larger than this is left for the OS
BLOCKED = ("reference", "grader", "initgrade")
# Pure-Python packages notebooks import for plots and display; loaded on first real use only.
DEFERRED = ("matplotlib", "mpl_toolkits", "seaborn", "IPython", "ipywidgets", "pandas", "sklearn",
            "scipy", "tqdm")  # fmt: skip


@dataclass(frozen=True)
class HostScratch:
    """A scratch folder on the host's disk (the kernel's, or any worker's without namespaces)."""

    path: Path

    def remove(self) -> None:
        remove_tree(self.path)


def fresh_uid(plat: Platform) -> int | None:
    return _UID_BASE + secrets.randbelow(_UID_SPAN) if plat.uid_drop else None


def _base_plan(plat: Platform, uid: int | None, limits: dict[str, int]) -> dict[str, Any]:
    tmp = str(plat.tmp_root) if plat.tmp_root else tempfile.gettempdir()
    return {
        "namespaces": plat.namespaces,
        "as_root": plat.as_root,
        "uid": uid,
        "covered": [str(p) for p in plat.covered],
        "kept": [str(p) for p in plat.kept],
        "hidden": [str(p) for p in plat.hidden],
        "tmp": {"path": tmp, "bytes": TMP_BYTES, "inodes": TMP_INODES},
        "limits": limits,
    }


def worker_plan(
    plat: Platform,
    limits: Limits,
    helpers: list[Path],
    caps: dict[str, int],
    cgroups: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any], HostScratch | None]:
    """A worker's plan and configuration, and its host scratch folder when it has one;
    ``cgroups``: the ``cgroup.procs`` files it joins first (its submission's budget)."""
    uid = fresh_uid(plat)
    plan = _base_plan(plat, uid, limit_config(limits, nproc_allowance(plat, limits.max_processes)))
    plan["cgroups"] = list(cgroups)
    host = None
    if plat.namespaces:
        plan["scratch"] = f"{plan['tmp']['path']}/initgrade-{secrets.token_hex(6)}"
        plan["files"] = _read_files(helpers)[1]
    else:
        host = HostScratch(Path(tempfile.mkdtemp(prefix="initgrade-")).resolve())
        _write_files(host.path, _read_files(helpers)[0], uid)
        plan["scratch"] = str(host.path)
    scratch = plan["scratch"]
    config = {
        "scratch": scratch,
        "blocked": BLOCKED,
        "lazy": DEFERRED,
        "env": {"HOME": scratch, "MPLCONFIGDIR": f"{scratch}/.matplotlib"},
        **caps,
    }
    return plan, config, host


def command_plan(
    plat: Platform,
    limits: dict[str, int],
    helpers: list[Path],
    command: list[str],
    env: dict[str, str | None],
) -> tuple[list[str], HostScratch]:
    """The command line that confines itself and runs ``command`` (``{scratch}`` filled in) with
    the scrubbed environment changed by ``env`` (None removes), and its host scratch folder,
    bound in at the same path."""
    uid = fresh_uid(plat)
    host = HostScratch(Path(tempfile.mkdtemp(prefix="initgrade-")).resolve())
    _write_files(host.path, _read_files(helpers)[0], uid)
    plan = _base_plan(plat, uid, limits)
    plan["scratch"] = str(host.path)
    plan["bind_scratch"] = plat.namespaces
    plan["exec"] = [c.replace("{scratch}", str(host.path)) for c in command]
    changed = {**scrubbed_env(host.path), **env}
    plan["env"] = {name: value for name, value in changed.items() if value is not None}
    return [sys.executable, "-I", str(CONFINE_SCRIPT), json.dumps(plan)], host


def helper_files(helpers: list[Path]) -> dict[str, bytes]:
    """The files a worker's scratch folder starts with: the helpers and matplotlib's font list."""
    files: dict[str, bytes] = {}
    for helper in helpers:
        source = Path(helper)
        listed = sorted(source.iterdir()) if source.is_dir() else []  # top-level files only
        for path in [source] if source.is_file() else listed:
            info = path.stat()
            wanted = path.suffix in _HELPER_SUFFIXES and info.st_size <= _HELPER_MAX_BYTES
            if stat.S_ISREG(info.st_mode) and wanted:
                files[path.name] = path.read_bytes()
                if path.suffix == ".py":
                    files.update(_compiled(path.name, files[path.name]))
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "matplotlib"
    fonts = Path(os.environ.get("MPLCONFIGDIR", default))  # else matplotlib rebuilds it (~0.3 s)
    for found in sorted(fonts.glob("fontlist-*.json")) if fonts.is_dir() else []:
        files[f".matplotlib/{found.name}"] = found.read_bytes()
    return files


def _compiled(name: str, source: bytes) -> dict[str, bytes]:
    """A helper module's bytecode, where the worker's import looks for it first.

    Every worker imports the helpers afresh; compiling them there took about as long as the rest
    of its start. The helpers are the assignment's own files, never a submission's, and the
    bytecode is "checked" (PEP 552): the worker's import compares the hash it carries with the
    source beside it and compiles the source itself on any difference. Nothing when the source
    does not compile: the worker then reports the error as before."""
    try:
        code = compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return {}
    tag = sys.implementation.cache_tag
    data = importlib._bootstrap_external._code_to_hash_pyc(  # type: ignore[attr-defined]
        code, importlib.util.source_hash(source), checked=True
    )
    return {f"__pycache__/{Path(name).stem}.{tag}.pyc": bytes(data)} if tag else {}


_READ: dict[tuple[Path, ...], tuple[object, dict[str, bytes], dict[str, str]]] = {}


def _read_files(helpers: Sequence[Path]) -> tuple[dict[str, bytes], dict[str, str]]:
    """``helper_files``, and the same as a plan carries them (latin-1 text), read and compiled
    again only when a helper changed."""
    key = tuple(map(Path, helpers))
    signature = []
    for helper in key:  # a folder's files count, not only the folder
        found = sorted(helper.iterdir()) if helper.is_dir() else [helper]
        signature += [(str(path), _stat_signature(path)) for path in found]
    cached = _READ.get(key)
    if cached is None or cached[0] != signature:
        files = helper_files(list(key))
        encoded = {name: data.decode("latin-1") for name, data in files.items()}
        cached = _READ[key] = (signature, files, encoded)
    return cached[1], cached[2]


def _stat_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _write_files(scratch: Path, files: dict[str, bytes], uid: int | None) -> None:
    (scratch / ".matplotlib").mkdir()
    for name, data in files.items():
        (scratch / name).parent.mkdir(exist_ok=True)
        (scratch / name).write_bytes(data)
    if uid is not None:
        for path in [scratch, *scratch.rglob("*")]:
            os.chown(path, uid, uid, follow_symlinks=False)


def scrubbed_env(scratch: Path | None) -> dict[str, str]:
    """The only environment a sandboxed process gets (the zygote's has no scratch folder)."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",  # the same str hashes, set order and dict layout on every run
    }
    if scratch is not None:
        env |= {"HOME": str(scratch), "MPLCONFIGDIR": str(scratch / ".matplotlib")}
    for name in ("OMP", "OPENBLAS", "MKL", "NUMEXPR", "VECLIB_MAXIMUM"):
        env[f"{name}_NUM_THREADS" if name != "VECLIB_MAXIMUM" else "VECLIB_MAXIMUM_THREADS"] = "1"
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # some CPUs need these to run at all
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def limit_config(limits: Limits, nproc: int) -> dict[str, int]:
    """The resource limits as the confinement applies them."""
    return {
        "cpu": limits.cpu_seconds,
        "as_bytes": limits.memory_mb << 20,
        "fsize_bytes": limits.max_file_mb << 20,
        "nproc": nproc,
    }


def nproc_allowance(plat: Platform, wanted: int) -> int:
    """RLIMIT_NPROC counts every process of the real uid: add what that uid already runs."""
    if plat.uid_drop or plat.namespaces:  # a fresh uid, or a user namespace: its own count
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


def remove_tree(root: Path, max_entries: int = _REMOVE_MAX_ENTRIES) -> None:
    """Delete a folder a submission could write in: without following links, without recursion,
    at any depth (every step is relative to the folder it is in, so no path grows long and one
    descriptor is open at a time), making read-only folders writable, and giving up after
    ``max_entries`` steps."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    names: list[str] = []  # the folders entered below ``root``
    for _ in range(max_entries):
        _quietly(os.fchmod, fd, 0o700)
        below = _empty_but_one_folder(fd)
        if below is not None:
            try:
                inner = os.open(below, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                break
            os.close(fd)
            fd, names = inner, [*names, below]
            continue
        if not names:
            break
        parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = parent
        _quietly(os.rmdir, names.pop(), dir_fd=fd)
    os.close(fd)
    _quietly(os.rmdir, root)


def _empty_but_one_folder(fd: int) -> str | None:
    """Remove every file in the folder ``fd``; the name of a folder left in it, if any."""
    folder = None
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folder = entry.name
            else:
                _quietly(os.unlink, entry.name, dir_fd=fd)
    return folder


def _quietly(action: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(OSError):
        action(*args, **kwargs)
