"""A submission's program with a worker of its own for every graded function (``Sandbox``).

    with Sandbox(helper_dirs=[bundle], limits=Limits(), graded=SPEC.graded_functions) as box:
        box.load(extraction.program, origin=extraction.origin,
                 missing_reasons=extraction.compile_errors)
        grade_functions(SPEC, box)   # box is a grader.types.Program: box.run(schedules)
        box.load_warnings, box.output_tail

The first worker loads the program and says what it defines; it then serves the first function
graded. Every other function gets a fresh worker of its own: nothing one function leaves behind
(a rebound ``np.random.seed``, a timer, a spinning child) reaches another function's calls, and a
crash is charged to the function that caused it. A function's schedule goes to its worker in two
batches: the visible calls, then, once every visible reply is in and its output read, the hidden
cases; the worker is asked nothing after them and nothing it prints then is kept, so nothing a
function sees in a hidden case reaches a visible message, and a crash there costs only hidden
points. Three functions, three workers.

Each function's ``repeat`` (its outcome call made again, to compare) is made in a fork of the
*previous* function's worker (the first function's: of the last one's), taken before that
worker's own first call: a process where this function never ran and that shares nothing with
its own worker, so no cache can make the two answers agree, yet which needs no worker of its own.
A spec of one function has its repeat made in one more worker. Its ``fresh`` calls are made the
same way, each in a fork of its own, but from the function's budget. Every call after the
schedule's ``unknown_preseed`` is made after ``unknown_preseed(program)`` instead, a number
derived from the program's text: a regrade of the same submission repeats it, and the
submission, which cannot hold its own hash, cannot know it.

All calls of one function share its time budget (``Limits.function_seconds``), and each repeat
has the limit of one call (``Limits.call_seconds``) of its own; a worker's wall-clock life starts
at its first call. The first
worker is asked of the zygote on ``__enter__`` and boots while the notebook is read; after it,
``SPARES`` workers are kept booting ahead of need, each loading the program while the grader
checks the function before its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from grader.sandbox import _decode as decode
from grader.sandbox._budget import SubmissionBudget
from grader.sandbox._client import Worker
from grader.sandbox._clock import Budget
from grader.sandbox._local import not_run
from grader.types import DEAD, Call, Caller, CallResult, Limits, Ran, Schedule

_Program = tuple[str, "decode.Origin | None", dict[str, str]]  # the text, its origin, what is lost
SPARES = 2  # workers booting ahead of need (more would slow the grader down while they boot)


class Sandbox:
    def __init__(
        self,
        *,
        helper_dirs: Sequence[Path] = (),
        limits: Limits | None = None,
        graded: Sequence[str] = (),
        accept_weak_isolation: bool = False,
    ) -> None:
        self.limits = limits or Limits()
        self._helpers = list(helper_dirs)
        self._graded = list(graded)
        self._accept_weak = accept_weak_isolation
        self._program: _Program | None = None
        self._first: Worker | None = None  # loaded first; lent to the first function called
        self._loaded: tuple[set[str], tuple[str, ...], dict[str, str]] | None = None
        self._workers: dict[str, Worker] = {}
        self._spares: list[Worker] = []
        self._retired: list[Worker] = []
        self._started = 0
        self._budgets: dict[str, Budget] = {}
        self._tails: list[str] = []
        self._tree = SubmissionBudget.make(self.limits)  # memory and processes, for all workers

    def __enter__(self) -> Sandbox:
        """Ask for the first worker (which refuses a machine that cannot grade safely): the
        zygote (when it is new) and then the worker boot while the caller reads the notebook."""
        self._first = self._worker_for(None)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker, and wait until nothing of any of them runs."""
        for worker in list(self._workers.values()):
            self._retire(worker, keep_output=True)
        for worker in self._spares:
            self._retire(worker, keep_output=False)
        if self._first is not None:  # it loaded the program but served no function
            self._retire(self._first, keep_output=True)
        self._workers.clear()
        self._spares.clear()
        self._first = None
        retired, self._retired = self._retired, []
        for worker in retired:
            worker.finish()
        self._tree.close()

    def load(
        self,
        program: str,
        *,
        origin: decode.Origin | None = None,
        missing_reasons: Mapping[str, str] | None = None,
    ) -> None:
        """The program every worker loads; the first worker, booting since ``__enter__``, gets it
        now, the others are asked for once it is ready."""
        self._program = (program, origin, dict(missing_reasons or {}))
        if self._first is None:
            self._first = self._new()
        else:
            self._first.load(program, origin=origin, missing_reasons=missing_reasons)

    # -- grader.types.Program -----------------------------------------------------------------

    @property
    def call_seconds(self) -> float:
        return self.limits.call_seconds

    def defined(self) -> set[str]:
        return set(self._load()[0])

    def missing_reason(self, name: str) -> str | None:
        return self._load()[2].get(name)

    @property
    def load_warnings(self) -> tuple[str, ...]:
        return self._load()[1]

    @property
    def output_tail(self) -> str:
        """What the program printed: while loading and in each function's visible calls (and
        repeats); nothing of its hidden cases."""
        live = [w.output_tail for w in self._workers.values()]
        first = [self._first.output_tail] if self._first is not None else []
        parts = [t for t in [*self._tails, *live, *first] if t]
        text = "".join(parts)
        limit = self.limits.max_output_kb * 1024
        return text if len(text) <= limit else text[-limit:]

    def caller(self, name: str) -> Caller:
        """A caller of ``name`` in its own worker, one call at a time."""

        def call(layer_dims: Sequence[int], preseed: int | None) -> CallResult:
            return self._worker(name).call(name, layer_dims, preseed)

        return call

    def run(self, schedules: Mapping[str, Schedule]) -> dict[str, Ran]:
        """Every function's schedule, in order, each in a worker of its own (module docstring)."""
        names = list(schedules)
        repeats: dict[str, tuple[list[CallResult], list[CallResult]]] = {}
        ran: dict[str, Ran] = {}
        for index, name in enumerate(names):
            worker = self._worker(name)
            guest = names[index - 1] if len(names) > 1 else None
            if guest is not None:  # forked before this worker runs anything of its own
                repeats[guest] = self._repeat(worker, guest, schedules[guest])
            schedule, budget = schedules[name], self._budget(name)
            shown = len(schedule.visible) - schedule.unseen
            seen = self._preseeded(schedule.visible[:shown], schedule)
            visible = worker.calls(name, seen, budget=budget)
            visible += self._quiet(worker, name, schedule.visible[shown:], visible, budget)
            hidden = self._quiet(worker, name, schedule.hidden, visible, budget)
            ran[name] = Ran(tuple(visible), tuple(hidden))
        alone = schedules[names[0]] if len(names) == 1 else None
        if alone is not None and (alone.repeat or alone.fresh):
            repeats[names[0]] = self._repeat(self._take(), names[0], alone)
        return {
            name: replace(
                ran[name],
                repeat=tuple(again),
                fresh=tuple(fresh),
                preseeds=self._preseeds(schedules[name]),
            )
            for name, (again, fresh) in ((n, repeats.get(n, ([], []))) for n in names)
        }

    def _preseeds(self, schedule: Schedule) -> tuple[tuple[int, int], ...]:
        mark = schedule.unknown_preseed
        if mark is None:
            return ()
        return ((mark, unknown_preseed(self._program[0] if self._program is not None else "")),)

    @staticmethod
    def _quiet(
        worker: Worker,
        name: str,
        calls: Sequence[Call],
        before: Sequence[CallResult],
        budget: Budget,
    ) -> list[CallResult]:
        """``calls`` (the extensions, the hidden cases) after the calls ``before``, printing
        unseen; none made once one of ``before`` ended the worker."""
        dead = next((r for r in before if r.status in DEAD), None)
        if dead is not None:
            return [not_run(dead) for _ in calls]
        return worker.calls(name, calls, budget=budget, last=True) if calls else []

    def _repeat(
        self, host: Worker, name: str, schedule: Schedule
    ) -> tuple[list[CallResult], list[CallResult]]:
        """``name``'s repeat calls in forks of ``host``, each with one call's limit of its own
        (the last function's is made before any of its calls, and must not spend them); then its
        ``fresh`` calls, in one more fork with one call's limit each, unless a repeat failed."""
        again: list[CallResult] = []
        fresh: list[CallResult] = []
        for call in schedule.repeat:
            again += self._forked(host, name, call, [*again], Budget(self.limits.call_seconds))
        calls = self._preseeded(schedule.fresh, schedule)
        failed = next((r for r in again if not r.ok), None)
        if failed is not None:  # a function that hangs or dies in a fork is not forked again
            return again, [not_run(failed) for _ in calls]
        if calls:
            own = Budget(self.limits.call_seconds * len(calls))  # as the repeats', its own
            fresh = host.calls(name, calls, budget=own, fork=True, unseen=True)
        return again, fresh

    @staticmethod
    def _forked(
        host: Worker, name: str, call: Call, before: Sequence[CallResult], budget: Budget
    ) -> list[CallResult]:
        """One call in a fork of ``host``, printing unseen; not made once one of ``before``
        failed (a function that hangs or dies there costs one call's limit, not one per fork)."""
        failed = next((r for r in before if not r.ok), None)
        if failed is not None:
            return [not_run(failed)]
        return host.calls(name, [call], budget=budget, fork=True, unseen=True)

    def _preseeded(self, calls: Sequence[Call], schedule: Schedule) -> list[Call]:
        """``calls``, those after the schedule's ``unknown_preseed`` after the program's own."""
        mark = schedule.unknown_preseed
        if mark is None:
            return list(calls)
        preseed = unknown_preseed(self._program[0] if self._program is not None else "")
        return [Call(c.dims, preseed) if c.preseed == mark else c for c in calls]

    def _budget(self, name: str) -> Budget:
        return self._budgets.setdefault(name, Budget(self.limits.function_seconds))

    # -- internals ----------------------------------------------------------------------------

    def _new(self) -> Worker:
        """A worker of the program."""
        if self._program is None:
            raise RuntimeError("give the sandbox its program first: sandbox.load(program)")
        return self._worker_for(self._program)

    def _worker_for(
        self, program: tuple[str, decode.Origin | None, dict[str, str]] | None
    ) -> Worker:
        """A worker of ``program`` (None: one that gets its program later, with ``load``)."""
        text, origin, missing = program if program is not None else (None, None, {})
        worker = Worker(
            text,
            helper_dirs=self._helpers,
            limits=self.limits,
            origin=origin,
            missing_reasons=missing,
            wanted=self._graded,
            accept_weak_isolation=self._accept_weak,
            tree=self._tree,
        )
        self._started += 1
        return worker.__enter__()

    def _load(self) -> tuple[set[str], tuple[str, ...], dict[str, str]]:
        """What the first worker found loading the program: names, warnings, missing reasons."""
        if self._loaded is None:
            if self._first is None:
                self._first = self._new()
            worker = self._first
            names = worker.defined()
            self._loaded = (names, worker.load_warnings, worker.missing_reasons())
            self._top_up()  # they boot while the first function is graded
        return self._loaded

    def _top_up(self) -> None:
        """Keep ``SPARES`` workers booting ahead of need, while more can be needed (one per
        function in all, one more for a single function's repeat): each boots while the grader
        runs the function before its own."""
        wanted = len(self._graded) + (1 if len(self._graded) == 1 else 0)
        while len(self._spares) < SPARES and self._started < wanted:
            self._spares.append(self._new())

    def _take(self) -> Worker:
        worker = self._spares.pop(0) if self._spares else self._new()
        self._top_up()
        return worker

    def _worker(self, name: str) -> Worker:
        """``name``'s worker; the first function's is the one that loaded the program. Another
        function's workers are stopped: that function is done, nothing of it survives."""
        found = self._workers.get(name)
        if found is not None:
            return found
        for other in list(self._workers):
            self._retire(self._workers.pop(other), keep_output=True)
        worker = self._first if self._first is not None else self._take()
        self._first = None
        worker.budget = self._budget(name)
        self._workers[name] = worker
        return worker

    def _retire(self, worker: Worker, *, keep_output: bool) -> None:
        if keep_output:
            self._tails.append(worker.output_tail)
        worker.close(wait=False)
        self._retired.append(worker)


def unknown_preseed(program: str) -> int:
    """The preseed a submission's calls after another global random state are made after: a
    function of its program's text (the same on every regrade), outside 0..100 (the seeds the
    diagnosis tries)."""
    digest = hashlib.sha256(program.encode("utf-8", "surrogatepass")).digest()
    return 101 + int.from_bytes(digest[:4], "big") % (2**31 - 101)
