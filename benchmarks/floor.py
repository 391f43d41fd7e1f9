"""The floors under the speed targets that are missed: what no grader built this way can go below.

Measured in this run, on this machine, each against the target it bounds:

1. **One grade** (target: 0.05x nbclient running the whole notebook). Two imports of numpy (the
   grader's and the zygote's) and the processor time of the workers a grading needs (one per
   graded function: each forked from the zygote, confined and given a program), spread over
   every core; then the batches of calls a correct grading sends (a function's visible calls,
   its hidden cases, its repeat), one after another, each at the fastest round trip to a worker,
   and every call at the fastest a batched call is answered (a one-line function returning one
   small array).
2. **A course** (target: 12 submissions/s on every core). The processor time, kernel included, of
   one zygote worker that loads a one-line program and answers nothing (fork, namespaces, mounts,
   limits, its init and its exit), times the workers of one grading: the rate the cores would
   reach were grading itself free.
3. **Stacked training** (target: 15x the course loop per start of 32). The BLAS products alone
   of one stacked step of 32 starts, as batched ``np.matmul`` calls over contiguous arrays (no
   elementwise work, no bias, no update), against one step of the course loop; and the
   float64 rate the target asks for, against this machine's large-matrix ``dgemm`` on one core.

    python benchmarks/floor.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as each grading process has
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_grade import in_kernel  # noqa: E402
from bench_train import course_train  # noqa: E402

from grader.sandbox import Worker  # noqa: E402
from grader.spec import SPEC  # noqa: E402
from grader.types import Call, Limits  # noqa: E402
from reference import initialize_parameters_he, load_dataset  # noqa: E402

WORKERS_PER_GRADING = len(SPEC.graded_functions)  # a worker each; the repeats are forks
# Forward, dW and dA products of every layer (no dA below the first), m = 300 examples.
FLOPS_PER_STEP = 2 * 300 * (3 * (10 * 2 + 5 * 10 + 1 * 5) - 10 * 2)


def wall(command: list[str]) -> tuple[float, float]:
    """Wall time and processor time (user and system) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def busy_seconds() -> float:
    """Processor time of the whole machine so far (user, nice, system, irq, softirq)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


def one_worker() -> float:
    start = time.perf_counter()
    with Worker("import numpy as np\n", limits=Limits()) as worker:
        assert worker.load_warnings == ()
        return time.perf_counter() - start


def grading_floor(runs: int) -> int:
    python = statistics.median(wall([sys.executable, "-c", "pass"])[0] for _ in range(runs))
    numpy_runs = [wall([sys.executable, "-c", "import numpy"]) for _ in range(runs)]
    numpy_wall = statistics.median(run[0] for run in numpy_runs)
    numpy_cpu = statistics.median(run[1] for run in numpy_runs)
    one_worker()  # the zygote
    worker_wall = statistics.median(one_worker() for _ in range(runs * 4))
    count = runs * 10
    elsewhere = _load_elsewhere()
    before, start = busy_seconds(), time.perf_counter()
    for _ in range(count):
        one_worker()
    time.sleep(0.5)  # the kernel's cleanup of the last namespaces
    spent = busy_seconds() - before - elsewhere * (time.perf_counter() - start)
    worker_cpu = spent / count
    if elsewhere > 0.1 or worker_cpu <= 0:  # other work's share moved while the workers ran
        print(f"the machine spent {elsewhere:.2f} processor seconds a second on other work: "
              "the workers' processor time below is not reliable here")  # fmt: skip
        worker_cpu = max(worker_cpu, 1e-3)
    calls, batches = calls_of_a_grading()
    round_trip, batched = fastest_round_trip(runs)
    with tempfile.TemporaryDirectory() as tmp:
        kernel = statistics.median(
            in_kernel({**os.environ}, Path(tmp)) for _ in range(max(2, runs // 2))
        )
    cores = os.cpu_count() or 1
    # The grader and the zygote each import numpy; the workers of one grading each cost
    # worker_cpu. On every core at once, that work alone takes this long; then its batches go
    # one after another, and each call in them takes at least the fastest batched call.
    floor = max(numpy_wall, (2 * numpy_cpu + WORKERS_PER_GRADING * worker_cpu) / cores)
    floor += batches * round_trip + calls * batched
    rate = cores / (WORKERS_PER_GRADING * worker_cpu)
    print(f"python start {python * 1000:.0f} ms; python + numpy {numpy_wall * 1000:.0f} ms wall, "
          f"{numpy_cpu * 1000:.0f} ms of processor time")  # fmt: skip
    print(f"one zygote worker: {worker_wall * 1000:.1f} ms wall, "
          f"{worker_cpu * 1000:.1f} ms of the machine's processor time")  # fmt: skip
    print(f"a correct grading makes {calls} calls in {batches} batches; the fastest round trip "
          f"to a worker takes {round_trip * 1e6:.0f} us, a call in a batch "
          f"{batched * 1e6:.0f} us")  # fmt: skip
    print(f"one grade: two imports of numpy and {WORKERS_PER_GRADING} workers on {cores} cores, "
          f"then {batches} round trips and {calls} batched calls, nothing else, = {floor:.3f} s; "
          f"nbclient {kernel:.2f} s; floor {floor / kernel:.3f}x, target 0.05x")  # fmt: skip
    print(f"a course: {WORKERS_PER_GRADING} workers a grading on {cores} cores, nothing else, "
          f"= at most {rate:.1f} submissions/s, against the target 12/s; 12/s leaves "
          f"{(cores / 12 - WORKERS_PER_GRADING * worker_cpu) * 1000:.0f} ms of processor time "
          f"a submission for everything else")  # fmt: skip
    return 0


def _load_elsewhere() -> float:
    """Processor seconds a second the machine spends on other work (0 on a quiet machine)."""
    before = busy_seconds()
    time.sleep(0.5)
    return max(0.0, (busy_seconds() - before) / 0.5)


def calls_of_a_grading() -> tuple[int, int]:
    """How many calls grading ``examples/correct.ipynb`` makes of its functions, and in how many
    batches (round trips)."""
    from grader.api import grade_submission
    from grader.sandbox._client import Worker as Counted

    made: list[int] = []
    real = Counted.calls

    def counted(self: Counted, name: str, calls: Any, **kwargs: Any) -> Any:
        made.append(len(calls))
        return real(self, name, calls, **kwargs)

    Counted.calls = counted  # type: ignore[method-assign]
    try:
        grade_submission(ROOT / "examples" / "correct.ipynb")
    finally:
        Counted.calls = real  # type: ignore[method-assign]
    return sum(made), len(made)


def fastest_round_trip(runs: int) -> tuple[float, float]:
    """The median time of one call of a function that returns one small array, in a worker, and
    of such a call within a batch of 100."""
    program = "import numpy as np\ndef f(dims):\n    return {'W1': np.zeros((1, 1))}\n"
    with Worker(program, limits=Limits()) as worker:
        worker.call("f", [1, 1])
        times, batched = [], []
        for _ in range(runs * 100):
            start = time.perf_counter()
            worker.call("f", [1, 1])
            times.append(time.perf_counter() - start)
        for _ in range(runs * 2):
            start = time.perf_counter()
            worker.calls("f", [Call([1, 1], None)] * 100)
            batched.append((time.perf_counter() - start) / 100)
    return statistics.median(times), statistics.median(batched)


def training_floor(runs: int) -> int:
    X, Y, _, _ = load_dataset()
    start = initialize_parameters_he(list(SPEC.exercise.outcome_dims))
    steps = 2000
    rate = SPEC.exercise.learning_rate
    course = (
        statistics.median(
            _timed(lambda: course_train(X, Y, start, rate, steps)) for _ in range(runs)
        )
        / steps
    )
    k, m = 32, X.shape[1]
    rng = np.random.default_rng(0)

    def arrays(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape)

    products = [
        (arrays(k, 10, 2), X, arrays(k, 10, m)),
        (arrays(k, 5, 10), arrays(k, 10, m), arrays(k, 5, m)),
        (arrays(k, 1, 5), arrays(k, 5, m), arrays(k, 1, m)),
        (arrays(k, 1, m), arrays(k, m, 5), arrays(k, 1, 5)),
        (arrays(k, 5, 1), arrays(k, 1, m), arrays(k, 5, m)),
        (arrays(k, 5, m), arrays(k, m, 10), arrays(k, 5, 10)),
        (arrays(k, 10, 5), arrays(k, 5, m), arrays(k, 10, m)),
        (arrays(k, 10, m), np.ascontiguousarray(X.T), arrays(k, 10, 2)),
    ]

    def step() -> None:
        for a, b, out in products:
            np.matmul(a, b, out=out)

    repeats = 500

    def stacked_steps() -> None:
        for _ in range(repeats):
            step()

    stacked = statistics.median(_timed(stacked_steps) for _ in range(runs)) / repeats
    n = 1000
    big_a, big_b = arrays(n, n), arrays(n, n)
    gemm = statistics.median(_timed(lambda: big_a @ big_b) for _ in range(runs))
    peak = 2 * n**3 / gemm / 1e9
    required = k * FLOPS_PER_STEP / (k * course / 15) / 1e9
    best = course / (stacked / k)
    print(f"course loop: {course * 1e6:.1f} us a step")
    print(f"32 stacked starts, their products alone: {stacked * 1e6:.1f} us a step, "
          f"{stacked / k * 1e6:.2f} us a start: at most {best:.1f}x per start, "
          f"were every other call free (target 15x)")  # fmt: skip
    print(f"15x asks {required:.1f} GFLOP/s of float64 from one core; its dgemm on 1000x1000 "
          f"matrices reaches {peak:.1f}")  # fmt: skip
    return 0


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    return grading_floor(runs) or training_floor(runs)


if __name__ == "__main__":
    sys.exit(main())
