"""Benchmark: ``initgrade grade`` on a correct notebook, against running it in a Jupyter kernel.

The baseline is what an in-kernel autograder does at the least: start a kernel and execute the
student's notebook with nbclient (training runs removed, so it measures the kernel, not numpy).
initgrade starts no kernel; it loads, extracts, starts one sandboxed worker and calls the three
functions a few hundred times. Both are measured here, in the same run, as whole commands.

Target: the median wall time of a warm ``initgrade grade`` (outcome cache filled, as for every
correct notebook after the first) is at most 1.5 s. The cold time (an empty outcome cache: three
15,000-step trainings) is printed for the record.

With ``--baseline CHECKOUT`` (another checkout of this project, such as the main branch's), the
same command is also timed with that checkout's grader, alternating with this one's, and a
second target applies: this checkout grades in the same time or less (median against median).

    python benchmarks/bench_grade.py [--runs N] [--baseline /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "correct.ipynb"
HELPERS = ROOT / "assignments" / "initialization"
TARGET_SECONDS = 1.5


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def initgrade(env: dict[str, str], cwd: Path, checkout: Path | None = None) -> float:
    """``initgrade grade`` of the notebook; with ``checkout``, that checkout's grader."""
    if checkout is not None:
        env = {**env, "PYTHONPATH": str(checkout)}
    return wall([sys.executable, "-m", "grader.cli", "grade", str(NOTEBOOK)], env, cwd)


def in_kernel(env: dict[str, str], cwd: Path) -> float:
    """Execute the notebook in a fresh kernel with nbclient (no training cells)."""
    script = f"""
import nbformat
from nbclient import NotebookClient
nb = nbformat.read({str(NOTEBOOK)!r}, as_version=4)
nb.cells = [c for c in nb.cells if "model(" not in c.source or "def model" in c.source]
NotebookClient(nb, kernel_name="python3", timeout=120).execute()
"""
    for helper in ("init_utils.py", "public_tests.py"):
        shutil.copy(HELPERS / helper, cwd / helper)
    return wall([sys.executable, "-c", script], env, cwd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to time against")
    args = parser.parse_args()
    runs, baseline = args.runs, args.baseline
    with tempfile.TemporaryDirectory() as tmp:
        cwd, cache = Path(tmp) / "work", Path(tmp) / "cache"
        cwd.mkdir()
        env = {**os.environ, "INITGRADE_CACHE_DIR": str(cache)}
        cold = initgrade(env, cwd)  # fills the outcome cache
        warm, kernel, other = [], [], []
        for _ in range(runs):  # alternate, so load on the machine hits all alike
            warm.append(initgrade(env, cwd))
            kernel.append(in_kernel(env, cwd))
            if baseline is not None:
                other.append(initgrade(env, cwd, baseline))
    median_warm, median_kernel = statistics.median(warm), statistics.median(kernel)
    print(f"initgrade grade, cold outcome cache: {cold:.2f} s")
    print(f"initgrade grade, warm (median of {runs}): {median_warm:.2f} s  (min {min(warm):.2f})")
    print(f"nbclient kernel run (median of {runs}): {median_kernel:.2f} s  (min {min(kernel):.2f})")
    print(f"ratio kernel / initgrade: {median_kernel / median_warm:.2f}x")
    met = median_warm <= TARGET_SECONDS
    print(f"target: warm median <= {TARGET_SECONDS} s: {'met' if met else 'MISSED'}")
    if baseline is not None:
        median_other = statistics.median(other)
        print(f"{baseline} grade, warm (median of {runs}): {median_other:.2f} s"
              f"  (min {min(other):.2f})")  # fmt: skip
        ratio = median_warm / median_other
        print(f"ratio this checkout / baseline: {ratio:.2f}x")
        faster = ratio <= 1.0
        print(f"target: this checkout <= baseline: {'met' if faster else 'MISSED'}")
        met = met and faster
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
