"""Confine the calling process as a sandboxed process: namespaces, file view, uid, limits.

Standard library only. The zygote (``zygote.py``) calls ``enter`` in each child it forks for a
worker; ``python -I confine.py PLAN`` does the same for a command (the Jupyter kernel of
``--execute``) and then replaces itself with it. A PLAN is JSON built by the grader
(``grader.sandbox._launch``); nothing in it comes from a submission.

With namespaces, ``enter`` runs, in order:

1. a private mount namespace (inside a new user namespace mapped to root when the grader is not
   root), every mount private;
2. every folder where people and tools keep files, and every folder anyone may write to, covered
   with an empty tmpfs; the temporary-files folder gets a small private one, limited in bytes and
   in inodes, and the scratch folder is made in it; the Python runtime folders under a cover are
   bound back read-only from descriptors opened before the covers; the answer key still in sight
   is covered read-only; every other cover is made read-only;
3. the fresh uid (as root), with no groups, and SIGKILL when the parent dies;
4. new user, mount, network, pid, IPC and UTS namespaces, which also lock the mounts of step 2
   (the root of the new user namespace cannot unmount them);
5. a fork: the child is pid 1 of the new pid namespace (``init``): it mounts its own /proc,
   applies the resource limits and forks the process that does the work; it reaps every orphan
   and, when that process ends, reports its wait status on ``status_fd`` and exits, which kills
   everything left in the namespace. The parent only waits for it.

Before any of these, in every case: the control groups of the submission's budget, when the plan
names them (``grader.sandbox._budget``), so that every process the worker ever starts counts
against it; a fresh session keyring of its own, and a seccomp filter
that refuses every keyring call (``add_key``, ``request_key``, ``keyctl``), so no key outlives
the process or passes from one worker to another (the grader's own session keyring, which a
login or a service gives it, is out of reach). Without namespaces only step 3, the keyrings and
the limits apply.
"""

import ctypes
import errno
import json
import os
import resource
import signal
import struct
import sys
from typing import Any

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_INNER = _CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWPID | _CLONE_NEWIPC
_INNER |= _CLONE_NEWUTS
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER = 1, 4, 36
_SAFE = _MS_NOSUID | _MS_NODEV
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_KEYCTL_JOIN_SESSION_KEYRING = 1
# The keyring calls (add_key, request_key, keyctl) by the architecture the kernel reports for a
# call (AUDIT_ARCH_*): a 64-bit x86 process may also make 32-bit calls (int 0x80), and x32 ones.
_KEY_CALLS = {
    0xC000003E: (248, 249, 250),  # x86_64
    0x40000003: (286, 287, 288),  # i386
    0xC00000B7: (217, 218, 219),  # aarch64
}
_X86_64, _X32_BIT = 0xC000003E, 0x40000000
_DENY = -1
_KEYCTL_BY_MACHINE = {"x86_64": 250, "aarch64": 219, "i686": 288}

_libc = ctypes.CDLL(None, use_errno=True)


class ConfineError(OSError):
    """A step of the confinement failed (the machine does not allow it)."""


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise ConfineError(number, f"{what}: {os.strerror(number)}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str = "") -> None:
    def raw(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)

    result = _libc.mount(raw(source), raw(target), raw(kind), flags, raw(data or None))
    _check(result, f"mount {target}")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), "prctl")


def _map_root(uid: int, gid: int) -> None:
    """Map root of the user namespace just entered to ``uid``/``gid`` of the one outside."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def enter(plan: dict[str, Any], status_fd: int | None) -> None:
    """Confine this process per ``plan``; returns in the process that is to do the work."""
    parent = os.getppid()
    for procs in plan.get("cgroups", ()):  # the submission's budget, before anything else
        try:
            with open(procs, "w") as handle:
                handle.write("0")
        except OSError as error:
            raise ConfineError(error.errno, f"joining {procs}: {error.strerror}") from None
    if os.getpgid(0) != os.getpid():  # a group leader (a launcher's new session) cannot
        os.setsid()
    refuse_keyrings()
    if plan["namespaces"]:
        if plan["as_root"]:
            _unshare(_CLONE_NEWNS)
        else:
            uid, gid = os.geteuid(), os.getegid()
            _unshare(_CLONE_NEWUSER | _CLONE_NEWNS)
            _map_root(uid, gid)
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
        _cover(plan)
    _become(plan.get("uid"), parent)
    if not plan["namespaces"]:
        apply_limits(plan["limits"])
        prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphans come back here, where they can be seen
        if status_fd is not None:
            os.close(status_fd)  # the zygote reports how this process ends
        return
    uid, gid = os.geteuid(), os.getegid()
    _unshare(_INNER)
    _map_root(uid, gid)
    _fork_init(plan, status_fd)


def refuse_keyrings() -> None:
    """A fresh, empty session keyring, then no keyring call at all (they fail with EPERM).

    The filter is the defence; the fresh keyring covers a kernel that refuses filters (each step
    is kept when it fails: a machine where keyrings are already refused needs neither)."""
    keyctl = _KEYCTL_BY_MACHINE.get(os.uname().machine)
    if keyctl is not None:
        _libc.syscall(keyctl, _KEYCTL_JOIN_SESSION_KEYRING, None)
    program = _key_filter()
    filters = ctypes.create_string_buffer(program)

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Program(len(program) // 8, ctypes.cast(filters, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)


def _key_filter() -> bytes:
    """A classic BPF seccomp program: EPERM for the keyring calls (and any x32 call), else
    allow. ``_DENY`` as a jump stands for the last instruction."""
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EPERM
    code = [(load, 0, 0, 4)]  # the call's architecture
    for arch, calls in _KEY_CALLS.items():
        group = [(load, 0, 0, 0)]  # the call's number
        if arch == _X86_64:
            group.append((jge, _DENY, 0, _X32_BIT))
        group += [(jeq, _DENY, 0, number) for number in calls]
        group.append((ret, 0, 0, allow))
        code.append((jeq, 0, len(group), arch))
        code += group
    code += [(ret, 0, 0, allow), (ret, 0, 0, deny)]
    last = len(code) - 1
    return b"".join(
        struct.pack("=HBBI", op, last - at - 1 if jt == _DENY else jt, jf, k)
        for at, (op, jt, jf, k) in enumerate(code)
    )


def _cover(plan: dict[str, Any]) -> None:
    """Step 2 of the module docstring."""
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in plan["kept"]]
    bind = plan.get("bind_scratch")
    held = os.open(plan["scratch"], os.O_PATH | os.O_DIRECTORY) if bind else None
    tmp = plan["tmp"]
    for cover in plan["covered"]:
        if cover == tmp["path"]:
            data = f"mode=1777,size={tmp['bytes']},nr_inodes={tmp['inodes']}"
        else:
            data = "mode=755,size=64k,nr_inodes=256"
        _mount("initgrade", cover, "tmpfs", _SAFE, data)
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
        _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _SAFE)
        os.close(fd)
    _make_scratch(plan, held)
    for path in plan["hidden"]:
        _mount("initgrade", path, "tmpfs", _SAFE | _MS_RDONLY, "mode=555,size=4k,nr_inodes=16")
    for cover in plan["covered"]:
        if cover != tmp["path"]:
            _mount(None, cover, None, _MS_REMOUNT | _MS_RDONLY | _SAFE)


def _make_scratch(plan: dict[str, Any], held: int | None) -> None:
    """The scratch folder: made in the private tmpfs with the plan's files, or bound back."""
    scratch, uid = plan["scratch"], plan.get("uid")
    os.makedirs(scratch, mode=0o700, exist_ok=True)
    if held is not None:
        _mount(f"/proc/self/fd/{held}", scratch, None, _MS_BIND)
        os.close(held)
        return
    for name, data in plan.get("files", {}).items():
        path = os.path.join(scratch, name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data.encode("latin-1"))
    if uid is not None:
        for folder, dirs, files in os.walk(scratch):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.chown(name, uid, uid, follow_symlinks=False)


def _become(uid: int | None, parent: int) -> None:
    """Step 3: the fresh uid with no groups, then SIGKILL when the parent dies."""
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        prctl(_PR_SET_DUMPABLE, 1)  # so that this process may write its own uid_map
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # set after the uid change, which clears it
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(125)


def _fork_init(plan: dict[str, Any], status_fd: int | None) -> None:
    """Step 5: stay behind as the parent; the child becomes init and returns in the worker."""
    lifeline_read, lifeline_write = os.pipe()
    child = os.fork()
    if child:
        os.close(lifeline_read)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in range(4):  # hold none of the worker's pipes: their ends close when it ends
            os.dup2(null, fd)
        _wait_for(child)
        os._exit(0)
    os.close(lifeline_write)
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    os.set_blocking(lifeline_read, False)
    try:
        if os.read(lifeline_read, 1) == b"":
            os._exit(125)  # the parent is gone already
    except BlockingIOError:
        pass
    os.close(lifeline_read)
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    _mount("proc", "/proc", "proc", _SAFE | _MS_NOEXEC)
    apply_limits(plan["limits"])
    _become_init(status_fd)


def _wait_for(pid: int) -> None:
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except InterruptedError:
            continue
        except ChildProcessError:
            return


def apply_limits(limits: dict[str, int]) -> None:
    pairs = [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_CPU, limits["cpu"], limits["cpu"] + 1),
        (resource.RLIMIT_AS, limits["as_bytes"], limits["as_bytes"]),
        (resource.RLIMIT_FSIZE, limits["fsize_bytes"], limits["fsize_bytes"]),
        (resource.RLIMIT_NPROC, limits["nproc"], limits["nproc"]),
    ]
    for which, soft, hard in pairs:
        resource.setrlimit(which, (soft, hard))


def _become_init(status_fd: int | None) -> None:
    """Stay behind as the pid namespace's init: reap orphans, report how the worker ended.

    The init of a pid namespace ignores every signal it has no handler for, even SIGXCPU from the
    CPU limit; so the work happens in a child, and this process only waits for it, writes its
    wait status to ``status_fd`` and exits, which kills everything left in the namespace.
    """
    child = os.fork()
    if child == 0:
        if status_fd is not None:
            os.close(status_fd)
        return
    for fd in (0, 1, 2):
        os.close(fd)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(0)
        if pid == child:
            break
    if status_fd is not None:
        os.write(status_fd, (json.dumps(wait_report(status)) + "\n").encode())
    os._exit(0)


def wait_report(status: int) -> dict[str, int]:
    """A wait status as the grader reads it: ``{"signal": n}`` or ``{"code": n}``."""
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"code": os.waitstatus_to_exitcode(status)}


def main() -> None:
    """``python -I confine.py PLAN``: confine, then run ``PLAN["exec"]`` with ``PLAN["env"]``."""
    plan = json.loads(sys.argv[1])
    try:
        enter(plan, None)
    except OSError as error:
        os.write(2, f"initgrade sandbox: {error}\n".encode())
        os._exit(125)
    os.chdir(plan["scratch"])
    os.execve(plan["exec"][0], plan["exec"], plan["env"])


if __name__ == "__main__":
    main()
