"""``train_first``: the steps of ``grader.batch._outcomes`` run over a batch's executor.

The parent sends one "starts" task per submission, keeps each distinct start once, looks each up
in its own outcome cache, and sends the rest as "train" tasks of at most ``STACK_SIZE`` starts,
cut so that every worker gets a share. What comes back is kept as plain JSON data (``Shipped``),
and every grading task then carries the outcomes of its own starts.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from grader import messages as msg
from grader.batch._executors import Outcome
from grader.batch._outcomes import encode_start, read_starts
from grader.batch._progress import Progress
from grader.batch._task import GradeTask
from grader.checks import STACK_SIZE, OutcomeCache, default_cache, params_digest
from grader.checks import Outcome as Trained
from grader.types import Params


class Executor(Protocol):
    def run(self, tasks: Any) -> Iterator[tuple[GradeTask, Outcome]]: ...


@dataclass
class Shipped:
    """The outcomes trained for a batch, and which of them each submission's grading needs."""

    digests: dict[int, list[str]] = field(default_factory=dict)  # by the task's key
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # outcome JSON by digest
    trained: int = 0  # starts sent to be trained (the distinct ones the cache lacked)
    seconds: float = 0.0  # spent training them

    @property
    def starts(self) -> int:
        return sum(len(digests) for digests in self.digests.values())

    @property
    def distinct(self) -> int:
        return len({digest for digests in self.digests.values() for digest in digests})

    def announce(self, out: TextIO) -> None:
        """One line for the staff: how many starts, how many distinct, how many trained."""
        text = msg.BATCH_TRAINED.format(
            starts=self.starts, distinct=self.distinct, trained=self.trained, seconds=self.seconds
        )
        print(text, file=out)

    def for_task(self, key: int) -> str:
        """The outcomes for the grading of task ``key``, as ``GradeTask.outcomes`` carries them."""
        wanted = {d: self.entries[d] for d in self.digests.get(key, ()) if d in self.entries}
        return json.dumps(wanted) if wanted else ""


def train_first(
    tasks: Iterator[GradeTask], executor: Executor, workers: int, err: TextIO, total: int
) -> Shipped:
    """Collect the starts of ``tasks`` (grading tasks, sent here as "starts" tasks), train the
    distinct ones the cache lacks, stacked over ``workers``, and return what gradings need."""
    shipped = Shipped()
    unique: dict[str, Params] = {}
    progress = Progress(total, err, phase="starts")
    try:
        for task, outcome in executor.run(_as_phase(tasks, "starts")):
            digests = shipped.digests.setdefault(task.key, [])
            for start in read_starts(outcome.text):
                digest = params_digest(start)
                unique.setdefault(digest, start)
                digests.append(digest)
            progress.update(failed=outcome.text is None)
    finally:
        progress.close()
    cache = default_cache()
    missing = [digest for digest in unique if not _known(cache, digest, shipped)]
    shipped.trained, began = len(missing), time.monotonic()
    for _, outcome in executor.run(_training_tasks(missing, unique, workers)):
        _keep(shipped, outcome.text)
    shipped.seconds = time.monotonic() - began
    return shipped


def _as_phase(tasks: Iterator[GradeTask], phase: str) -> Iterator[GradeTask]:
    from dataclasses import replace

    for task in tasks:
        yield replace(task, phase=phase, feedback=False)


def _known(cache: OutcomeCache, digest: str, shipped: Shipped) -> bool:
    """Whether the parent's cache holds the outcome (then it is shipped from there)."""
    outcome = cache.get(digest)
    if outcome is not None:
        shipped.entries[digest] = outcome.to_json()
    return outcome is not None


def _training_tasks(
    missing: list[str], unique: dict[str, Params], workers: int
) -> Iterator[GradeTask]:
    """The missing starts in stacks of at most ``STACK_SIZE``, at least one per worker."""
    if not missing:
        return
    size = min(STACK_SIZE, math.ceil(len(missing) / max(1, workers)))
    for number, first in enumerate(range(0, len(missing), size)):
        chunk = [encode_start(unique[digest]) for digest in missing[first : first + size]]
        yield GradeTask(-1 - number, "outcomes", json.dumps(chunk).encode(), phase="train")


def _keep(shipped: Shipped, text: str | None) -> None:
    """Keep the outcomes a training task sent, those that read back as outcomes."""
    if text is None:
        return  # the training failed: those gradings train alone
    try:
        entries = json.loads(text)
    except ValueError:
        return
    if not isinstance(entries, dict):
        return
    for digest, entry in entries.items():
        try:
            Trained.from_json(entry)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        shipped.entries[str(digest)] = entry
