"""How much faster is ``reference.train`` than the course's own training loop?

Both train the course's [2, 10, 5, 1] ReLU network from He initialization for 15,000 steps on
the circles data, in the same process, best of a few runs each. The baseline below is the
course's loop as students meet it: a forward pass that returns a cache tuple, a backward pass
that returns a dict of gradients, an update that loops over layers by key, and the cost computed
at every step. Both must reach the same train and test accuracy; the script exits non-zero when
they do not, or when ``train`` is less than ``MIN_SPEEDUP`` times faster.

    python benchmarks/bench_train.py [--repeats N] [--iterations N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

from reference import accuracy, initialize_parameters_he, load_dataset, train

MIN_SPEEDUP = 3.0
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


def best_times(
    runs: dict[str, Callable[[], object]], repeats: int
) -> dict[str, tuple[float, object]]:
    """The fastest wall-clock time of each run over ``repeats`` rounds, and its last result.

    The runs take turns within each round, so a burst of load from elsewhere on the machine
    slows both rather than one.
    """
    best: dict[str, tuple[float, object]] = {name: (float("inf"), None) for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - start
            best[name] = (min(best[name][0], elapsed), result)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=15000)
    args = parser.parse_args(argv)
    train_X, train_Y, test_X, test_Y = load_dataset()
    start = initialize_parameters_he([train_X.shape[0], 10, 5, 1])
    n = args.iterations

    best = best_times(
        {
            "course loop": lambda: course_train(train_X, train_Y, start, 0.01, n),
            "reference.train": lambda: train(train_X, train_Y, start, 0.01, n),
        },
        args.repeats,
    )
    t_course, (p_course, _) = best["course loop"]
    t_train, (p_train, _) = best["reference.train"]
    largest_gap = max(float(np.max(np.abs(p_course[key] - p_train[key]))) for key in p_course)
    ratio = t_course / t_train
    accuracies = {
        name: (accuracy(train_X, train_Y, params), accuracy(test_X, test_Y, params))
        for name, params in (("course loop", p_course), ("reference.train", p_train))
    }
    for name, (train_acc, test_acc) in accuracies.items():
        print(f"{name:16s} train acc {train_acc:.4f}  test acc {test_acc:.4f}")
    print(f"largest difference in the trained parameters: {largest_gap:.3g}")
    print(f"course loop      {t_course:.3f} s for {n} steps (best of {args.repeats})")
    print(f"reference.train  {t_train:.3f} s for {n} steps (best of {args.repeats})")
    print(f"speed-up         {ratio:.2f}x (required: {MIN_SPEEDUP:.1f}x)")
    if len(set(accuracies.values())) != 1:
        print("FAIL: the two loops reach different accuracies")
        return 1
    return 0 if ratio >= MIN_SPEEDUP else 1


if __name__ == "__main__":
    sys.exit(main())
