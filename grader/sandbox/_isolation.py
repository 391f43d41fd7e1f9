"""``isolation_report()``: which of the sandbox's defenses this machine allows, for operators."""

from __future__ import annotations

from grader import messages as msg
from grader.sandbox import _launch as launch


def isolation_report() -> str:
    """Which defenses this machine allows, one per line (starts a trivial process to check)."""
    launch.probe()
    plat = launch.platform()
    lines = [msg.ISOLATION_ALWAYS]
    if plat.namespaces:
        lines.append(msg.ISOLATION_NAMESPACES)
        covered = ", ".join(str(p) for p in plat.covered) or "nothing"
        lines.append(msg.ISOLATION_COVERED.format(covered=covered, tmp=plat.tmp_root))
        if plat.kept:
            lines.append(msg.ISOLATION_KEPT.format(kept=", ".join(str(p) for p in plat.kept)))
        if plat.hidden:
            lines.append(msg.ISOLATION_HIDDEN.format(hidden=", ".join(str(p) for p in plat.hidden)))
    else:
        lines.append(msg.ISOLATION_NO_NAMESPACES.format(reason=plat.reason))
    lines.append(msg.ISOLATION_UID if plat.uid_drop else msg.ISOLATION_SAME_UID)
    return "\n".join(lines)
