"""Benchmark: ``initgrade grade`` on a correct notebook, against running it in a Jupyter kernel.

The notebook is ``examples/correct.ipynb``, written in the course's own style (magics, the
helper modules imported beside it, three training runs). The baseline is the core of what an
in-kernel autograder such as nbgrader or otter does: start a kernel and execute the whole
notebook with nbclient. initgrade starts no kernel and trains nothing it has trained before; it
loads, extracts, forks a sandboxed worker per graded function and calls the three functions a
few hundred times. Both are measured here, in the same run, as whole commands, alternating.

Target: the median wall time of a warm ``initgrade grade`` (outcome cache filled, as for every
correct notebook after the first) is at most 0.05x the median nbclient run. The kernel run
without its training cells and the cold time (an empty outcome cache: three 15,000-step
trainings) are printed for the record.

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
TARGET_RATIO = 0.05


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def initgrade(env: dict[str, str], cwd: Path, checkout: Path | None = None) -> float:
    """``initgrade grade`` of the notebook; with ``checkout``, that checkout's grader."""
    if checkout is not None:
        env = {**env, "PYTHONPATH": str(checkout)}
    return wall([sys.executable, "-m", "grader.cli", "grade", str(NOTEBOOK)], env, cwd)


def in_kernel(env: dict[str, str], cwd: Path, *, training: bool = True) -> float:
    """Execute the notebook in a fresh kernel with nbclient, whole or without training cells."""
    keep = "True" if training else '"model(" not in c.source or "def model" in c.source'
    script = f"""
import nbformat
from nbclient import NotebookClient
nb = nbformat.read({str(NOTEBOOK)!r}, as_version=4)
nb.cells = [c for c in nb.cells if {keep}]
NotebookClient(nb, kernel_name="python3", timeout=600).execute()
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
        warm, kernel, bare, other = [], [], [], []
        for _ in range(runs):  # alternate, so load on the machine hits all alike
            warm.append(initgrade(env, cwd))
            kernel.append(in_kernel(env, cwd))
            warm.append(initgrade(env, cwd))
            bare.append(in_kernel(env, cwd, training=False))
            if baseline is not None:
                other.append(initgrade(env, cwd, baseline))
    median_warm, median_kernel = statistics.median(warm), statistics.median(kernel)
    ratio = median_warm / median_kernel
    print(f"initgrade grade, cold outcome cache: {cold:.2f} s")
    print(f"initgrade grade, warm (median of {len(warm)}): {median_warm:.3f} s"
          f"  (min {min(warm):.3f})")  # fmt: skip
    print(f"nbclient, whole notebook (median of {runs}): {median_kernel:.2f} s"
          f"  (min {min(kernel):.2f})")  # fmt: skip
    print(f"nbclient, without training cells (median of {runs}): {statistics.median(bare):.2f} s")
    met = ratio <= TARGET_RATIO
    print(f"ratio initgrade / nbclient: {ratio:.3f}x  (target <= {TARGET_RATIO}x:"
          f" {'met' if met else 'MISSED'})")  # fmt: skip
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
