"""``initgrade demo``: train the reference model from each initialization and print the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from reference import INITIALIZERS, accuracy, compute_cost, forward_propagation, load_dataset, train

LAYERS_HIDDEN = (10, 5)
ORDER = ("zeros", "random", "he", "xavier")


@dataclass(frozen=True)
class ReferenceRun:
    """One row of the table: how training from one initialization went."""

    initialization: str
    first_cost: float
    final_cost: float
    train_accuracy: float
    test_accuracy: float


def reference_runs() -> list[ReferenceRun]:
    """Train the course's [n_x, 10, 5, 1] ReLU model from each initialization, with defaults."""
    train_X, train_Y, test_X, test_Y = load_dataset()
    layers_dims = [train_X.shape[0], *LAYERS_HIDDEN, 1]
    runs = []
    for name in ORDER:
        params, costs = train(train_X, train_Y, INITIALIZERS[name](layers_dims))
        _, caches = forward_propagation(train_X, params)
        runs.append(
            ReferenceRun(
                initialization=name,
                first_cost=costs[0],
                final_cost=compute_cost(caches[-1].Z, train_Y),
                train_accuracy=accuracy(train_X, train_Y, params),
                test_accuracy=accuracy(test_X, test_Y, params),
            )
        )
    return runs


def print_reference_table(out: TextIO) -> None:
    """The outcome of each initialization: cost before and after training, and accuracies."""
    header = (
        f"{'init':<8} {'cost at step 0':>16} {'final cost':>12} {'train acc':>10} {'test acc':>9}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for run in reference_runs():
        print(
            f"{run.initialization:<8} {run.first_cost:>16.6f} {run.final_cost:>12.6f} "
            f"{run.train_accuracy:>10.4f} {run.test_accuracy:>9.4f}",
            file=out,
        )


def run_demo(out: TextIO) -> int:
    """Print the reference table; returns the exit code."""
    print(
        "Training the reference model (15,000 steps, learning rate 0.01) on the circles:", file=out
    )
    print_reference_table(out)
    return 0
