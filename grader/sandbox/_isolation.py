"""``isolation_report()``: every defense of the sandbox in force on this machine, and what is not.

For operators: one line per layer (limits, workers, namespaces, covered folders, the private
scratch tmpfs and its quota, the runtime bound back, the uid), then whether grading is allowed
here at all, then what the sandbox does not defend against.
"""

from __future__ import annotations

from grader import messages as msg
from grader.sandbox import _launch as launch
from grader.sandbox._budget import SubmissionBudget
from grader.sandbox._holder import probe
from grader.types import Limits


def _budget_line() -> str:
    limits = Limits()
    budget = SubmissionBudget.make(limits)
    held = budget.held(wait=True)
    budget.close()
    if not held:
        return msg.ISOLATION_BUDGET["proc"]
    return msg.ISOLATION_BUDGET["groups"].format(
        kind=budget.kind, mb=limits.memory_mb, processes=limits.max_processes
    )


def isolation_report() -> str:
    """The defenses in force, one per line (starts a trivial worker to check)."""
    probe()
    plat = launch.platform()
    lines = [msg.ISOLATION_ALWAYS, msg.ISOLATION_WORKERS, _budget_line()]
    if plat.namespaces:
        lines.append(msg.ISOLATION_NAMESPACES)
        covered = [p for p in plat.covered if p != plat.tmp_root]
        lines.append(msg.ISOLATION_COVERED.format(covered=", ".join(map(str, covered)) or "-"))
        mb, inodes = launch.TMP_BYTES >> 20, launch.TMP_INODES
        lines.append(msg.ISOLATION_TMP.format(tmp=plat.tmp_root, mb=mb, inodes=inodes))
        if plat.kept:
            lines.append(msg.ISOLATION_KEPT.format(kept=", ".join(str(p) for p in plat.kept)))
        if plat.hidden:
            lines.append(msg.ISOLATION_HIDDEN.format(hidden=", ".join(str(p) for p in plat.hidden)))
    else:
        lines.append(msg.ISOLATION_NO_NAMESPACES.format(reason=plat.reason))
        refused = launch.refusal(plat)
        lines.append(
            msg.ISOLATION_REFUSED.format(reason=refused) if refused else msg.ISOLATION_UID_ONLY
        )
    lines.append(msg.ISOLATION_UID if plat.uid_drop else msg.ISOLATION_SAME_UID)
    lines.append(msg.ISOLATION_MISSING)
    return "\n".join(lines)
