"""Benchmark: a batch's cost as the course grows, and the memory of one sandboxed worker.

A course of N submissions (correct notebooks of both course generations and every catalogued
mistake, in turn; each file unique by a comment) is graded by ``initgrade batch`` on all cores
with the outcome cache warm (filled first by a ``--train-first`` batch over one of each kind,
not timed), for each N of ``--sizes``. Each batch is a whole command, into a new gradebook; the
peak resident memory of its own process is its VmHWM, polled from /proc. The worker figure is
the peak RSS (VmHWM, which counts the pages shared with the zygote) of every sandboxed worker
forked while this process grades one correct notebook itself, polled every few milliseconds
from /proc while each worker lives (a worker lives for all the calls of one function).

Targets: the time per submission at the largest N at most 1.25x that at the middle one (the
smallest is mostly the pool's start), the batch process's peak RSS at the largest N at most
25 MB above the smallest's, and every worker's peak RSS at most 100 MB.

    python benchmarks/bench_scale.py [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import _student_cell, peak_rss_mb  # noqa: E402
from benchmarks.bench_batch import run_batch as run_command  # noqa: E402
from tests import mistakes, notebooks  # noqa: E402

TARGET_TIME_GROWTH = 1.25
TARGET_RSS_GROWTH_MB = 25.0
TARGET_WORKER_MB = 100.0


def write_course(folder: Path, count: int) -> None:
    """``count`` submissions, the kinds in turn: a correct notebook, then each mistake."""
    folder.mkdir(parents=True)
    kinds: list[tuple[str, dict[str, str]]] = [("correct", {})]
    kinds += [(m.name, {m.method: _student_cell(m)}) for m in mistakes.MISTAKES]
    for index in range(count):
        kind, cells = kinds[index % len(kinds)]
        generation = notebooks.new_generation if index % 2 else notebooks.old_generation
        nb = generation(**cells)
        nb.cells[0].source += f"\n<!-- student {index} -->"
        notebooks.write(nb, folder / f"s{index:05d}-{kind}.ipynb")


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``, from /proc's lists of children."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found += children
            todo += children
    return found


def worker_peaks(data: bytes) -> tuple[dict[int, float], float]:
    """Peak RSS by worker pid while this process grades ``data``, and the zygote's own."""
    from grader.api import grade_bytes

    peaks: dict[int, float] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for pid in descendants(os.getpid()):
                peaks[pid] = max(peaks.get(pid, 0.0), peak_rss_mb(pid) or 0.0)
            time.sleep(0.003)

    grade_bytes(data, "warm-up.ipynb")  # the zygote and the imports, before measuring
    zygotes = set(descendants(os.getpid()))
    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    graded = grade_bytes(data, "correct.ipynb")
    done.set()
    watcher.join()
    assert graded.report.score == graded.report.max_score, "the correct notebook lost points"
    zygote = max((peaks.pop(pid, 0.0) for pid in zygotes), default=0.0)
    return peaks, zygote


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="course sizes, comma-separated")
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    cores = len(os.sched_getaffinity(0))
    print(f"load average before: {os.getloadavg()[0]:.2f} on {cores} cores")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "INITGRADE_CACHE_DIR": str(root / "cache")}
        os.environ["INITGRADE_CACHE_DIR"] = env["INITGRADE_CACHE_DIR"]
        write_course(root / "kinds", len(mistakes.MISTAKES) + 1)
        run_command(root / "kinds", root / "kinds.sqlite", cores, env, "--train-first")
        figures = []
        for size in sizes:
            write_course(root / f"course-{size}", size)
            seconds, rss = run_command(root / f"course-{size}", root / f"{size}.sqlite", cores, env)
            figures.append((size, seconds / size, rss))
            print(f"batch of {size:5d}: {seconds:6.1f} s, {1000 * seconds / size:6.1f} ms per "
                  f"submission, batch process peak RSS {rss:5.1f} MB")  # fmt: skip
        correct = notebooks.new_generation()
        notebooks.write(correct, root / "correct.ipynb")
        peaks, zygote = worker_peaks((root / "correct.ipynb").read_bytes())
    worst = max(peaks.values(), default=0.0)
    print(f"sandboxed workers seen grading one correct notebook: {len(peaks)}; peak RSS "
          f"worst {worst:.1f} MB, median {sorted(peaks.values())[len(peaks) // 2]:.1f} MB; "
          f"the zygote {zygote:.1f} MB")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    middle = figures[len(figures) // 2] if len(figures) > 2 else figures[0]
    growth = figures[-1][1] / middle[1]
    rss_growth = figures[-1][2] - figures[0][2]
    checks = {
        f"time per submission at {figures[-1][0]} / at {middle[0]} <= {TARGET_TIME_GROWTH}x "
        f"(got {growth:.2f}x)": growth <= TARGET_TIME_GROWTH,
        f"batch peak RSS growth {figures[0][0]} -> {figures[-1][0]} <= "
        f"{TARGET_RSS_GROWTH_MB:g} MB (got {rss_growth:+.1f} MB)": rss_growth
        <= TARGET_RSS_GROWTH_MB,
        f"worker peak RSS <= {TARGET_WORKER_MB:g} MB (got {worst:.1f} MB)": 0
        < worst
        <= TARGET_WORKER_MB,
    }
    for name, met in checks.items():
        print(f"target: {name}: {'met' if met else 'MISSED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
