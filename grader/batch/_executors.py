"""Where tasks run: local worker processes (``concurrent.futures``) or a Dask cluster.

Both map a grading function over tasks and yield ``(task, Outcome)`` pairs as they finish, with
a bounded number of tasks in flight, so the batch holds only that many notebooks in memory
whatever the size of the course.

A submission that kills its worker costs only itself. Locally, a worker's death breaks the whole
process pool and fails every task handed to it with it (running or queued); those tasks are then
run again one at a time in a fresh pool, and one that breaks the pool while running alone is
recorded as failed.
On Dask, the scheduler retries a task whose worker died on another worker and gives up with
``KilledWorker``, which is recorded the same way.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TextIO

from grader import messages as msg
from grader.batch._task import GradeTask, grade_task, start_worker
from grader.errors import UsageError

GradeFunction = Callable[[GradeTask], str]
DASK_WORKER_WAIT = 60.0  # seconds a batch waits for a first Dask worker to join
DASK_POLL = 10.0  # seconds without a finished task before the batch says it still waits
DASK_TICK = 0.05  # seconds between looks at the tasks in flight
DASK_MARGIN = 30.0  # seconds a Dask task may take past twice its deadline (a queued one waits)
# Tasks handed to the local pool per worker: a worker that finishes starts its next task at
# once, while the batch stores the result it sent.
QUEUED_PER_WORKER = 2


@dataclass(frozen=True)
class Outcome:
    """What came back: the task's JSON text, or why there is none."""

    text: str | None = None
    failure: str | None = None


def _failure(task: GradeTask, error: BaseException | None) -> Outcome:
    return Outcome(failure=msg.TASK_FAILED.format(error=f"{type(error).__name__}: {error}"))


def _result(task: GradeTask, future: Future[str]) -> Outcome:
    error = future.exception()
    return Outcome(text=future.result()) if error is None else _failure(task, error)


def _died(task: GradeTask) -> Outcome:
    return Outcome(failure=msg.TASK_WORKER_DIED.format(seconds=task.deadline))


class _Queue:
    """The tasks still to hand out: suspects (each runs alone), then any task a broken pool
    refused, then the rest."""

    def __init__(self, pending: Iterator[GradeTask]) -> None:
        self.pending = pending
        self.suspects: deque[GradeTask] = deque()
        self.held: deque[GradeTask] = deque()
        self.alone: GradeTask | None = None  # the suspect running on its own

    def next(self) -> GradeTask | None:
        if self.held:
            return self.held.popleft()
        return next(self.pending, None)

    def put_back(self, task: GradeTask) -> None:
        self.held.appendleft(task)


class LocalExecutor:
    """``workers`` processes on this machine (started with ``spawn``: the batch has threads)."""

    def __init__(self, workers: int, grade: GradeFunction = grade_task) -> None:
        self.workers = workers
        self.grade = grade
        self._kept: ProcessPoolExecutor | None = None  # the pool a finished run leaves ready

    def close(self) -> None:
        """Stop the pool kept between runs."""
        if self._kept is not None:
            self._kept.shutdown(wait=True, cancel_futures=True)
            self._kept = None

    def _pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
        )

    def run(self, tasks: Iterable[GradeTask]) -> Iterator[tuple[GradeTask, Outcome]]:
        """Every task's outcome as it finishes; the pool stays up for the next run (``close``)."""
        queue = _Queue(iter(tasks))
        pool, self._kept = self._kept or self._pool(), None
        done_all = False
        inflight: dict[Future[str], GradeTask] = {}
        try:
            while True:
                if not self._fill(pool, queue, inflight) and not inflight:
                    pool.shutdown(wait=True)  # broken with nothing in flight: a fresh pool
                    pool = self._pool()
                    continue
                if not inflight:
                    done_all = True
                    return
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                finished = [(inflight.pop(future), future) for future in done]
                casualties = [
                    task for task, f in finished if isinstance(f.exception(), BrokenProcessPool)
                ]
                if not casualties:  # the workers get their next tasks before results are stored
                    self._fill(pool, queue, inflight)
                for task, future in finished:
                    if task not in casualties:
                        yield task, _result(task, future)
                if casualties:
                    queue.alone = None
                    yield from self._broken(pool, inflight, casualties, queue.suspects)
                    pool = self._pool()
        finally:
            if done_all:
                self._kept = pool
            else:
                pool.shutdown(wait=True, cancel_futures=True)

    def _fill(
        self, pool: ProcessPoolExecutor, queue: _Queue, inflight: dict[Future[str], GradeTask]
    ) -> bool:
        """Keep every worker busy; while there are suspects, run them alone, one by one. False
        when the pool turned out to be broken (the task is kept for the next pool)."""
        if queue.alone is not None and any(t is queue.alone for t in inflight.values()):
            return True
        queue.alone = None
        if queue.suspects:
            if inflight:
                return True  # let what runs finish, then the suspect runs alone
            queue.alone = queue.suspects.popleft()
            return self._submit(pool, queue, inflight, queue.alone)
        while len(inflight) < QUEUED_PER_WORKER * self.workers:
            task = queue.next()
            if task is None:
                return True
            if not self._submit(pool, queue, inflight, task):
                return False
        return True

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        queue: _Queue,
        inflight: dict[Future[str], GradeTask],
        task: GradeTask,
    ) -> bool:
        try:
            inflight[pool.submit(self.grade, task)] = task
        except BrokenProcessPool:  # a worker died since the last look
            if task is queue.alone:
                queue.suspects.appendleft(task)
                queue.alone = None
            else:
                queue.put_back(task)
            return False
        return True

    def _broken(
        self,
        pool: ProcessPoolExecutor,
        inflight: dict[Future[str], GradeTask],
        casualties: list[GradeTask],
        suspects: deque[GradeTask],
    ) -> Iterator[tuple[GradeTask, Outcome]]:
        """A worker died: what finished stands, the rest is suspect; alone, it is guilty."""
        for future in list(inflight):
            task = inflight.pop(future)
            error = future.exception()
            if error is None:
                yield task, Outcome(text=future.result())
            else:
                casualties.append(task)
        pool.shutdown(wait=True)
        if len(casualties) == 1:
            yield casualties[0], _died(casualties[0])
        else:
            suspects.extend(casualties)


class DaskExecutor:
    """Tasks submitted to an existing Dask scheduler; imported only when asked for.

    It waits a while for a first worker, saying so, and gives up with a clear message when
    none joins. A task still unfinished ``deadline`` after its last chance to start (its own
    ``deadline``, once more for a task queued behind it, and a margin) is given up and recorded
    as failed: a worker that hangs, or a cluster that lost its workers, never stops the batch.
    """

    def __init__(
        self,
        address: str,
        grade: GradeFunction = grade_task,
        *,
        err: TextIO | None = None,
        task_seconds: float = 600.0,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as error:
            raise UsageError(msg.BATCH_NO_DASK.format(error=error)) from None
        try:
            self.client: Any = Client(address, timeout=30, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise UsageError(
                msg.BATCH_DASK_UNREACHABLE.format(address=address, error=error)
            ) from None
        self.grade, self.err, self.task_seconds = grade, err, task_seconds
        self._wait_for_workers(address)

    def _say(self, text: str) -> None:
        if self.err is not None:
            print(text, file=self.err, flush=True)

    def _wait_for_workers(self, address: str) -> None:
        if self.client.nthreads():
            return
        self._say(msg.BATCH_DASK_WAITING.format(address=address, seconds=DASK_WORKER_WAIT))
        try:
            self.client.wait_for_workers(1, timeout=DASK_WORKER_WAIT)
        except (TimeoutError, OSError):
            self.client.close()
            raise UsageError(
                msg.BATCH_DASK_NO_WORKERS.format(address=address, seconds=DASK_WORKER_WAIT)
            ) from None

    def run(self, tasks: Iterable[GradeTask]) -> Iterator[tuple[GradeTask, Outcome]]:
        slots = max(2, 2 * sum(self.client.nthreads().values()))
        pending = iter(tasks)
        inflight: dict[Any, tuple[GradeTask, float]] = {}
        quiet_since = time.monotonic()
        while self._submit(pending, inflight, slots) or inflight:
            done = [future for future in inflight if future.done()]
            for future in done:
                task, _ = inflight.pop(future)
                yield task, self._outcome(task, future)
                future.release()
            yield from self._overdue(inflight)
            if done:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= DASK_POLL:
                quiet_since = time.monotonic()
                workers = len(self.client.nthreads())
                self._say(
                    msg.BATCH_DASK_STILL_WAITING.format(running=len(inflight), workers=workers)
                )
            else:
                time.sleep(DASK_TICK)

    def _overdue(
        self, inflight: dict[Any, tuple[GradeTask, float]]
    ) -> Iterator[tuple[GradeTask, Outcome]]:
        """Give up the tasks past their deadline (their futures are cancelled)."""
        now = time.monotonic()
        for future, (task, deadline) in list(inflight.items()):
            if now >= deadline:
                del inflight[future]
                future.cancel()
                yield task, Outcome(failure=msg.TASK_TIMED_OUT.format(seconds=task.deadline))

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def _outcome(task: GradeTask, future: Any) -> Outcome:
        try:
            if future.status == "finished":
                return Outcome(text=future.result())
            error = future.exception()
        except Exception as problem:  # cancelled, or lost with the scheduler
            error = problem
        if type(error).__name__ == "KilledWorker":
            return _died(task)
        return _failure(task, error)

    def _submit(
        self, pending: Iterator[GradeTask], inflight: dict[Any, tuple[GradeTask, float]], slots: int
    ) -> bool:
        """Top up the tasks in flight; False when there is nothing left to submit."""
        while len(inflight) < slots:
            task = next(pending, None)
            if task is None:
                return False
            key = f"initgrade-{task.key}-{uuid.uuid4().hex}"
            future = self.client.submit(self.grade, task, pure=False, key=key)
            inflight[future] = (task, time.monotonic() + 2 * task.deadline + DASK_MARGIN)
        return True


def make_executor(
    *,
    workers: int,
    dask: str | None,
    grade: GradeFunction = grade_task,
    err: TextIO | None = None,
    task_seconds: float = 600.0,
) -> LocalExecutor | DaskExecutor:
    if dask:
        return DaskExecutor(dask, grade, err=err, task_seconds=task_seconds)
    return LocalExecutor(workers, grade)
