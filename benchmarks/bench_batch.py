"""Benchmark: ``initgrade batch`` on a course of notebooks, against a loop of ``initgrade grade``.

The course (at least 200 submissions) holds correct notebooks in both course generations' styles,
every catalogued mistake (tests/mistakes.py) in both styles, broken files (not JSON, empty, no
code, a script) and hostile code from the corpus (tests/fixtures/corpus: a crash, an exit, lies,
reaching for the answer key, a hang). Each student's file differs by a comment, so no two
submissions have the same bytes. Everything below runs as whole commands, in this one run:

- ``initgrade batch --train-first`` with an empty outcome cache (cold: the outcome starts
  collected first, the distinct ones trained stacked over the pool, then every grading warm),
  and ``initgrade batch`` with the cache it filled (warm), on one worker and on all cores, each
  into a new gradebook (``--plain-cold``: also a cold batch without ``--train-first``); the
  cold course's starts are counted, and its rate estimated were every start distinct;
- the baseline: one ``initgrade grade`` process per notebook, two at a time (what course staff
  do without a batch), warm, over an evenly spread sample of the course;
- the peak resident memory of the batch's own process (polled from /proc), for the whole course
  and for a quarter of it: it must not grow with the number of submissions.

- feedback pages (``feedback_rates``): the warm batch on all cores without ``--feedback-dir``,
  with it but ``--no-notebook-pages``, and with it (the feedback pages and the rendered
  notebooks), the three taking turns for ``--feedback-rounds`` rounds (medians); the size of a
  correct student's page and of the largest, and the parent's peak RSS (the pages are drawn in
  the workers).

Targets, all cores: warm cache at least 12 submissions/s and at least 3x the baseline; cold
with ``--train-first`` at least 4 submissions/s; the parent's peak RSS on the whole course at
most 25 MB above its peak on a quarter of it; with ``--feedback-dir`` at least 0.67x the rate
without it, the rendered notebooks at most 10% slower than the feedback pages alone, and a
correct student's page at most 100 kB.

    python benchmarks/bench_batch.py [--copies N] [--baseline-sample N] [--plain-cold]
    python benchmarks/bench_batch.py --feedback-only   # only the feedback pages' part
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import mistakes, notebooks  # noqa: E402
from tests.test_corpus import CORPUS, base_cells, parse_case, write_notebook  # noqa: E402

TARGET_RATE = 12.0
TARGET_COLD_RATE = 4.0
TARGET_RATIO = 3.0
TARGET_RSS_GROWTH_MB = 25.0
TARGET_FEEDBACK_RATIO = 0.67
TARGET_NOTEBOOK_SLOWDOWN = 0.10
TARGET_CORRECT_PAGE_KB = 100.0
HOSTILE = (
    "death_segfault", "death_sys_exit", "lies_returns_none", "lies_dict_subclass",
    "lies_nan_values", "reach_import_reference", "reach_read_environment", "time_infinite_loop",
    "output_flood_stdout", "load_syntax_error_costs_one_function",
)  # fmt: skip
TIMEOUT = "2"  # seconds for one call, as the corpus tests use


def _student_cell(mistake: mistakes.Mistake) -> str:
    name = mistakes.FUNCTION_NAMES[mistake.method]
    return mistake.source.replace(f"def {mistake.fn.__name__}(", f"def {name}(", 1)


def write_course(folder: Path, copies: int) -> int:
    """``copies`` rounds of every kind of submission; returns how many were written."""
    folder.mkdir(parents=True)
    count = 0
    for copy in range(copies):
        kinds: list[tuple[str, object]] = [("correct", {})] * 6
        kinds += [(m.name, {m.method: _student_cell(m)}) for m in mistakes.MISTAKES]
        for index, (kind, cells) in enumerate(kinds):
            generation = (
                notebooks.new_generation if (index + copy) % 2 else notebooks.old_generation
            )
            nb = generation(**cells)  # type: ignore[arg-type]
            nb.cells[0].source += f"\n<!-- student {copy}-{index} -->"
            notebooks.write(nb, folder / f"s{copy:02d}-{index:02d}-{kind}.ipynb")
            count += 1
        for name in HOSTILE:
            case = parse_case(CORPUS / f"{name}.py")
            cells = [*base_cells(case.drop), *case.cells, f"# student {copy}"]
            write_notebook(folder / f"s{copy:02d}-{name}.ipynb", cells)
            count += 1
        broken = {
            "not-json": b"{ cut short while saving",
            "empty": b"",
            "no-code": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "script": b"import numpy as np\ndef initialize_parameters_he(d):\n    return {}\n",
        }
        for name, data in broken.items():
            (folder / f"s{copy:02d}-{name}.ipynb").write_bytes(data + f"\n#{copy}".encode())
            count += 1
    return count


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_batch(
    course: Path, book: Path, workers: int, env: dict[str, str], *options: str
) -> tuple[float, float]:
    """Seconds for the whole command, and the peak RSS of the batch process in MB."""
    command = [sys.executable, "-m", "grader.cli", "batch", str(course), "--gradebook",
               str(book), "--workers", str(workers), "--timeout", TIMEOUT, *options]  # fmt: skip
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.PIPE)
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, peak_rss_mb(process.pid) or 0.0)
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"batch failed: {process.stderr.read().decode()[-2000:]}")
        process.stderr.close()
        output.seek(0)
        LAST_OUTPUT[:] = output.read().decode().splitlines()
    return seconds, peak


LAST_OUTPUT: list[str] = []  # what the last batch printed


def trained_line() -> tuple[int, int, int, float]:
    """Starts, distinct starts, starts trained and seconds, from a --train-first batch's output."""
    for line in LAST_OUTPUT:
        found = re.search(r"(\d+) start\(s\).*?(\d+) distinct, (\d+) trained .*? ([\d.]+) s", line)
        if found:
            starts, distinct, trained, seconds = found.groups()
            return int(starts), int(distinct), int(trained), float(seconds)
    raise SystemExit("the --train-first batch printed no line about its training")


def run_baseline(notebooks_: list[Path], env: dict[str, str], cwd: Path) -> float:
    """One ``initgrade grade`` per notebook, two at a time; seconds for all of them."""

    def grade(path: Path) -> None:
        command = [sys.executable, "-m", "grader.cli", "grade", str(path), "--timeout", TIMEOUT]
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(grade, notebooks_))
    return time.perf_counter() - start


def feedback_rates(
    course: Path, root: Path, total: int, cores: int, env: dict[str, str], rounds: int
) -> dict[str, bool]:
    """The warm batch without feedback pages, with them alone, and with the rendered notebooks
    too, taking turns; prints the medians and returns the targets met."""
    import statistics

    kinds = {
        "no --feedback-dir": (),
        "--feedback-dir --no-notebook-pages": ("--no-notebook-pages",),
        "--feedback-dir": (),
    }
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    peaks: dict[str, float] = {}
    for round_ in range(rounds):
        for number, (kind, extra) in enumerate(kinds.items()):
            pages = root / f"feedback-{round_}-{number}"
            # Each batch draws its own figures (once, shared by its workers), as a new course's.
            shutil.rmtree(Path(env["INITGRADE_CACHE_DIR"]) / "figures", ignore_errors=True)
            options = (*extra, "--feedback-dir", str(pages)) if number else ()
            took, peak = run_batch(course, root / f"fb-{round_}-{number}.sqlite", cores, env,
                                   *options)  # fmt: skip
            seconds[kind].append(took)
            peaks[kind] = max(peaks.get(kind, 0.0), peak)
    rate = {kind: total / statistics.median(times) for kind, times in seconds.items()}
    for kind in kinds:
        print(f"batch, warm, {cores} workers, {kind + ':':36} {rate[kind]:5.2f} submissions/s "
              f"(median of {rounds}); parent peak RSS {peaks[kind]:.0f} MB")  # fmt: skip
    with_pages, alone = rate["--feedback-dir"], rate["--feedback-dir --no-notebook-pages"]
    ratio = with_pages / rate["no --feedback-dir"]
    slowdown = alone / with_pages - 1
    print(f"ratio with --feedback-dir / without: {ratio:.2f}x; the rendered notebooks make it "
          f"{100 * slowdown:+.1f}% slower than the feedback pages alone")  # fmt: skip
    sizes = {path.name: path.stat().st_size / 1024 for path in pages.glob("*.html")}
    correct = [kb for name, kb in sizes.items() if "-correct-" in name and ".notebook" not in name]
    print(f"feedback pages: a correct student's {max(correct):.0f} kB at most; the largest page "
          f"{max(sizes.values()):.0f} kB; {len(sizes)} pages")  # fmt: skip
    return {
        f"with --feedback-dir >= {TARGET_FEEDBACK_RATIO:g}x without": ratio
        >= TARGET_FEEDBACK_RATIO,
        f"rendered notebooks <= {100 * TARGET_NOTEBOOK_SLOWDOWN:g}% slower": slowdown
        <= TARGET_NOTEBOOK_SLOWDOWN,
        f"a correct student's page <= {TARGET_CORRECT_PAGE_KB:g} kB": max(correct)
        <= TARGET_CORRECT_PAGE_KB,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="rounds of each kind (63 each)")
    parser.add_argument("--baseline-sample", type=int, default=60)
    parser.add_argument(
        "--plain-cold", action="store_true", help="also time a cold batch without --train-first"
    )
    parser.add_argument("--feedback-rounds", type=int, default=2)
    parser.add_argument(
        "--feedback-only", action="store_true", help="only the feedback pages' part (warm)"
    )
    args = parser.parse_args()
    if args.feedback_only:
        return feedback_only(args)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course, quarter = root / "course", root / "quarter"
        total = write_course(course, max(args.copies, 1))
        quarter.mkdir()
        files = sorted(course.iterdir())
        for path in files[::4]:
            (quarter / path.name).write_bytes(path.read_bytes())
        env = {**os.environ, "INITGRADE_CACHE_DIR": str(root / "cache")}
        print(f"course: {total} submissions ({len(files[::4])} in the quarter); {cores} cores")

        if args.plain_cold:
            plain_env = {**env, "INITGRADE_CACHE_DIR": str(root / "plain-cache")}
            plain, _ = run_batch(course, root / "plain.sqlite", cores, plain_env)
            print(f"batch, cold cache without --train-first: {plain:6.1f} s  "
                  f"{total / plain:5.2f} submissions/s")  # fmt: skip
        cold, _ = run_batch(course, root / "cold.sqlite", cores, env, "--train-first")
        starts, distinct, trained, train_seconds = trained_line()
        warm_all, rss_all = run_batch(course, root / "warm-all.sqlite", cores, env)
        warm_one, _ = run_batch(course, root / "warm-one.sqlite", 1, env)
        _, rss_quarter = run_batch(quarter, root / "quarter.sqlite", cores, env)
        sample = files[:: max(1, len(files) // args.baseline_sample)]
        baseline = run_baseline(sample, env, root)
        pages = feedback_rates(course, root, total, cores, env, args.feedback_rounds)

    rate = {name: total / seconds for name, seconds in
            (("cold", cold), ("warm_all", warm_all), ("warm_one", warm_one))}  # fmt: skip
    base_rate = len(sample) / baseline
    ratio = rate["warm_all"] / base_rate
    growth = rss_all - rss_quarter
    for label, key, seconds in (
        (f"cold, --train-first, {cores} workers", "cold", cold),
        (f"warm cache, {cores} workers", "warm_all", warm_all),
        ("warm cache, 1 worker", "warm_one", warm_one),
    ):
        print(f"batch, {label + ':':24} {seconds:6.1f} s  {rate[key]:5.2f} submissions/s")
    print(f"baseline, initgrade grade x{len(sample)}, two at a time: {baseline:6.1f} s  "
          f"{base_rate:5.2f} submissions/s")  # fmt: skip
    print(f"ratio batch (warm, {cores} workers) / baseline: {ratio:.2f}x")
    # Were every start distinct, each would be trained: the training would take starts/trained
    # times as long (at the same rate per start), the rest of the batch the same.
    unique_seconds = cold - train_seconds + train_seconds * starts / max(trained, 1)
    print(f"cold course: {starts} outcome starts, {distinct} distinct, {trained} trained in "
          f"{train_seconds:.1f} s; with every start distinct (estimated from that rate): "
          f"{unique_seconds:.0f} s, {total / unique_seconds:.2f} submissions/s")  # fmt: skip
    print(
        f"batch process peak RSS: {rss_all:.0f} MB for {total}, {rss_quarter:.0f} MB for a quarter"
    )
    checks = {
        f"warm rate >= {TARGET_RATE:g}/s": rate["warm_all"] >= TARGET_RATE,
        f"cold rate (--train-first) >= {TARGET_COLD_RATE:g}/s": rate["cold"] >= TARGET_COLD_RATE,
        f"ratio >= {TARGET_RATIO:g}x": ratio >= TARGET_RATIO,
        f"peak RSS growth <= {TARGET_RSS_GROWTH_MB:g} MB": growth <= TARGET_RSS_GROWTH_MB,
        **pages,
    }
    for name, met in checks.items():
        print(f"target: {name}: {'met' if met else 'MISSED'}")
    return 0 if all(checks.values()) else 1


def feedback_only(args: argparse.Namespace) -> int:
    """The feedback pages' part alone: a warm cache first (one batch fills it), then the turns."""
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = root / "course"
        total = write_course(course, max(args.copies, 1))
        env = {**os.environ, "INITGRADE_CACHE_DIR": str(root / "cache")}
        print(f"course: {total} submissions; {cores} cores")
        run_batch(course, root / "fill.sqlite", cores, env, "--train-first")
        checks = feedback_rates(course, root, total, cores, env, args.feedback_rounds)
    for name, met in checks.items():
        print(f"target: {name}: {'met' if met else 'MISSED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
