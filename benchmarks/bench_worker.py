"""Benchmark: a sandboxed worker forked by the zygote, against starting a fresh Python with numpy.

Every graded function gets workers of its own, so starting one must cost little. A worker from
the zygote is forked, confines itself (namespaces, mounts, uid, limits), forks its init and
itself, and loads a program; the baseline is only what a fresh worker would spend before any of
that: ``python -I -c "import numpy, numpy.random"``, unconfined. Both are timed in this run,
alternating, from the request to a worker ready to be called.

Target: the median zygote worker takes at most a quarter of the median fresh interpreter.

    python benchmarks/bench_worker.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from grader.sandbox import Worker
from grader.types import Limits

TARGET_RATIO = 0.25


def zygote_worker() -> float:
    start = time.perf_counter()
    with Worker("import numpy as np\n", limits=Limits()) as worker:
        assert worker.load_warnings == ()  # it has said hello and loaded the program
        seconds = time.perf_counter() - start
    return seconds


def fresh_interpreter() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-I", "-c", "import numpy, numpy.random"], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    zygote_worker()  # starts the zygote itself, once per grader process
    forked, fresh = [], []
    for _ in range(runs):
        forked.append(zygote_worker())
        fresh.append(fresh_interpreter())
    median_forked, median_fresh = statistics.median(forked), statistics.median(fresh)
    print(f"worker from the zygote (median of {runs}): {median_forked * 1000:.1f} ms")
    print(f"fresh python + numpy (median of {runs}): {median_fresh * 1000:.1f} ms")
    ratio = median_forked / median_fresh
    met = ratio <= TARGET_RATIO
    verdict = "met" if met else "MISSED"
    print(f"ratio zygote / fresh: {ratio:.2f}x; target <= {TARGET_RATIO}: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
