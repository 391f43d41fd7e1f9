"""How much faster than the course's own training loop are ``reference.train`` and ``train_many``?

All train the course's [2, 10, 5, 1] ReLU network for 15,000 steps on the circles data, in the
same process, taking turns in each of several rounds; the figures are medians over the rounds.
The baseline below is the course's loop as students meet it: a forward pass that returns a cache
tuple, a backward pass that returns a dict of gradients, an update that loops over layers by key,
and the cost computed at every step.

1. ``reference.train`` from He initialization against the course loop from the same start: the
   trained parameters must be identical to the last bit, and faster by ``MIN_SPEEDUP``.
2. ``reference.train_many`` of ``STACK`` starts (He first, then other draws) in one stacked
   computation, time per start against the course loop: faster by ``MIN_STACKED_SPEEDUP``;
   the stack's first start must again be the course loop's parameters to the last bit.

Exits non-zero when a result differs or a target is missed. For the record it also prints the
time per start when ``--processes`` processes (default: the cores) each train their share of
the stack at once, as a batch grading on every core would.

    python benchmarks/bench_train.py [--repeats N] [--iterations N] [--stack K]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from reference import accuracy, initialize_parameters_he, load_dataset, train, train_many
from reference.training import LEARNING_RATE, MODEL_HIDDEN_UNITS, NUM_ITERATIONS

MIN_SPEEDUP = 3.0
MIN_STACKED_SPEEDUP = 15.0  # per start
STACK = 32
Params = dict[str, np.ndarray]


def course_forward(X: np.ndarray, parameters: Params) -> tuple[np.ndarray, tuple]:
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = np.dot(W1, X) + b1
    a1 = np.maximum(0, z1)
    z2 = np.dot(W2, a1) + b2
    a2 = np.maximum(0, z2)
    z3 = np.dot(W3, a2) + b3
    a3 = 1 / (1 + np.exp(-z3))
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def course_backward(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    m = X.shape[1]
    (_z1, a1, _W1, _b1, _z2, a2, W2, _b2, _z3, a3, W3, _b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)
    return {"dz3": dz3, "dW3": dW3, "db3": db3, "da2": da2, "dz2": dz2, "dW2": dW2,
            "db2": db2, "da1": da1, "dz1": dz1, "dW1": dW1, "db1": db1}  # fmt: skip


def course_update(parameters: Params, grads: dict[str, np.ndarray], learning_rate: float) -> Params:
    for k in range(len(parameters) // 2):
        parameters["W" + str(k + 1)] = parameters["W" + str(k + 1)] - learning_rate * grads["dW" + str(k + 1)]  # fmt: skip  # noqa: E501
        parameters["b" + str(k + 1)] = parameters["b" + str(k + 1)] - learning_rate * grads["db" + str(k + 1)]  # fmt: skip  # noqa: E501
    return parameters


def course_loss(a3: np.ndarray, Y: np.ndarray) -> float:
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def course_train(
    X: np.ndarray, Y: np.ndarray, parameters: Params, learning_rate: float, num_iterations: int
) -> tuple[Params, list[float]]:
    parameters, costs = dict(parameters), []
    for i in range(num_iterations):
        a3, cache = course_forward(X, parameters)
        cost = course_loss(a3, Y)
        grads = course_backward(X, Y, cache)
        parameters = course_update(parameters, grads, learning_rate)
        if i % 1000 == 0:
            costs.append(cost)
    return parameters, costs


def median_times(
    runs: dict[str, Callable[[], object]], repeats: int
) -> dict[str, tuple[float, object]]:
    """The median wall-clock time of each run over ``repeats`` rounds, and its last result.

    The runs take turns within each round, so a burst of load from elsewhere on the machine
    slows all of them rather than one.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, object] = {}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), results[name]) for name in runs}


def stack_of_starts(first: Params, size: int) -> list[Params]:
    """``first``, then He-scaled draws of other seeds: a batch's worth of different starts."""
    rng = np.random.default_rng(0)
    starts = [first]
    while len(starts) < size:
        starts.append({key: rng.standard_normal(v.shape) * np.std(v) for key, v in first.items()})
    return starts


def largest_gap(a: Params, b: Params) -> float:
    return max(float(np.max(np.abs(a[key] - b[key]))) for key in a)


def bit_equal(a: Params, b: Params) -> bool:
    return sorted(a) == sorted(b) and all(a[key].tobytes() == b[key].tobytes() for key in a)


def train_share(starts: list[Params], iterations: int) -> int:
    """One process's share of the stack (run in a pool; returns only a count)."""
    train_X, train_Y, _, _ = load_dataset()
    return len(train_many(train_X, train_Y, starts, LEARNING_RATE, iterations))


def parallel_run(pool: ProcessPoolExecutor, starts: list[Params], n: int, processes: int) -> int:
    shares = [starts[i::processes] for i in range(processes)]
    return sum(pool.map(train_share, shares, [n] * processes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=NUM_ITERATIONS)
    parser.add_argument("--stack", type=int, default=STACK)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    train_X, train_Y, test_X, test_Y = load_dataset()
    start = initialize_parameters_he([train_X.shape[0], *MODEL_HIDDEN_UNITS, 1])
    starts = stack_of_starts(start, args.stack)
    n, k = args.iterations, args.stack

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.processes, mp_context=spawn) as pool:
        parallel_run(pool, starts, 1, args.processes)  # start the processes before timing
        timed = median_times(
            {
                "course loop": lambda: course_train(train_X, train_Y, start, LEARNING_RATE, n)[0],
                "reference.train": lambda: train(train_X, train_Y, start, LEARNING_RATE, n)[0],
                "train_many": lambda: train_many(train_X, train_Y, starts, LEARNING_RATE, n)[0][0],
                "parallel": lambda: parallel_run(pool, starts, n, args.processes),
            },
            args.repeats,
        )
    t_parallel, _ = timed.pop("parallel")
    (t_course, p_course), (t_train, _), (t_many, _) = timed.values()
    ok = True
    for name, (_, params) in timed.items():
        train_acc, test_acc = accuracy(train_X, train_Y, params), accuracy(test_X, test_Y, params)
        gap = largest_gap(params, p_course)
        print(f"{name:16s} train acc {train_acc:.4f}  test acc {test_acc:.4f}  "
              f"largest difference from the course loop {gap:.3g}")  # fmt: skip
        if not bit_equal(params, p_course):
            print(f"FAIL: {name} does not reproduce the course loop's parameters bit for bit")
            ok = False
    ratio, stacked_ratio = t_course / t_train, t_course / (t_many / k)
    print(f"course loop      {t_course:.3f} s for {n} steps (median of {args.repeats})")
    print(f"reference.train  {t_train:.3f} s for {n} steps (median of {args.repeats})")
    print(f"train_many       {t_many:.3f} s for {k} starts x {n} steps, {t_many / k:.4f} s a start")
    print(f"speed-up, one start      {ratio:.2f}x (required: {MIN_SPEEDUP:.1f}x)")
    print(f"speed-up, per start of {k} {stacked_ratio:.2f}x (required: {MIN_STACKED_SPEEDUP:.1f}x)")
    per_start = t_parallel / k
    print(f"for the record: {args.processes} processes sharing the {k} starts, "
          f"{per_start:.4f} s a start, {t_course / per_start:.2f}x the course loop")  # fmt: skip
    ok = ok and ratio >= MIN_SPEEDUP
    if stacked_ratio < MIN_STACKED_SPEEDUP:
        print("MISSED: the stacked target")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
