"""Benchmark: what the diagnosis of a wrong function costs, against grading that function.

Every wrong initializer of tests/mistakes.py is graded in this process (the calls a grading
makes, through ``local_caller``, with a stand-in trainer); the evidence the grader hands to the
diagnosis is kept, and the diagnosis is then timed alone on it, several times (the least
processor time counts, so other load on the machine does not). The baseline, measured in the
same run, is the grading of the same function without its diagnosis.

Targets: the median diagnosis at most 30 ms and at most half its function's grading; the
slowest at most 300 ms (a diagnosis is bounded by construction, whatever a function returns);
and no search at all for a correct function: the correct initializers of
tests/realistic_mistakes.py are graded the same way and none may reach the diagnosis.

    python benchmarks/bench_diagnosis.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import grader.checks._loop as grading  # noqa: E402
from grader.diagnosis import Evidence, diagnose  # noqa: E402
from grader.sandbox import local_caller  # noqa: E402
from grader.spec import SPEC  # noqa: E402
from tests.mistakes import FUNCTION_NAMES, MISTAKES, Mistake, stand_in_trainer  # noqa: E402
from tests.realistic_mistakes import CORRECT  # noqa: E402

TARGET_MEDIAN_MS = 30.0
TARGET_RATIO = 0.5
TARGET_MAX_MS = 300.0


def _graded(mistake, record: list[Evidence]) -> float:
    """Grade one mistake; keep the evidence its diagnosis gets; the seconds of grading alone."""
    entry = SPEC.function(FUNCTION_NAMES[mistake.method])
    caller = local_caller(mistake.fn, entry.name)
    grading.diagnose = lambda ev: record.append(ev)  # type: ignore[assignment,return-value]
    try:
        start = time.process_time()
        grading.grade_function(entry, caller, trainer=stand_in_trainer(mistake.method))
        return time.process_time() - start
    finally:
        grading.diagnose = diagnose


def _timed(ev: Evidence, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        diagnose(ev)
        best = min(best, time.process_time() - start)
    return best


def _correct_diagnosed() -> int:
    """How many correct functions a grading hands to the diagnosis (it must be none)."""
    reached = 0
    for name, method, fn in CORRECT:
        record: list[Evidence] = []
        _graded(Mistake(name, method, fn, ()), record)
        reached += bool(record)
    return reached


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for mistake in MISTAKES:
        record: list[Evidence] = []
        graded = _graded(mistake, record)
        if record:
            rows.append((mistake.name, _timed(record[0], args.repeat), graded))
    diagnosis = [d for _, d, _ in rows]
    ratios = [d / g for _, d, g in rows]
    median_ms = 1000 * statistics.median(diagnosis)
    slowest = max(rows, key=lambda row: row[1])
    print(f"{len(rows)} wrong functions diagnosed (least of {args.repeat} runs each)")
    print(f"diagnosis: median {median_ms:.1f} ms, 90th percentile "
          f"{1000 * statistics.quantiles(diagnosis, n=10)[-1]:.1f} ms, slowest "
          f"{1000 * slowest[1]:.1f} ms ({slowest[0]})")  # fmt: skip
    print(f"diagnosis / grading of the same function: median {statistics.median(ratios):.2f}")
    reached = _correct_diagnosed()
    print(f"correct functions that reached the diagnosis: {reached} of {len(CORRECT)}")
    met = (
        reached == 0
        and median_ms <= TARGET_MEDIAN_MS
        and statistics.median(ratios) <= TARGET_RATIO
        and 1000 * slowest[1] <= TARGET_MAX_MS
    )
    print(f"targets (median <= {TARGET_MEDIAN_MS:g} ms and <= {TARGET_RATIO:g} of grading, "
          f"slowest <= {TARGET_MAX_MS:g} ms, no correct function diagnosed): "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
