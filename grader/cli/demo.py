"""``initgrade demo``: the reference table, then the grading of two bundled example submissions."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_SUBMISSIONS = (
    ("correct.ipynb", "a correct submission"),
    ("mistakes.ipynb", "a submission with three typical mistakes"),
)


@dataclass(frozen=True)
class ReferenceRun:
    """One row of the table: how training from one initialization went."""

    initialization: str
    first_cost: float
    final_cost: float
    train_accuracy: float
    test_accuracy: float


def reference_runs() -> list[ReferenceRun]:
    """Train the exercise's ReLU model from each initialization of the model's catalogue (its
    outcome network, seed, steps and learning rate), through the grader's outcome cache: grading
    a correct start later trains nothing again."""
    from grader.checks import train_outcome
    from grader.spec import EXERCISE, METHODS
    from reference import INITIALIZERS, compute_cost, forward_propagation, load_dataset

    train_X, train_Y, _, _ = load_dataset()
    layers_dims = list(EXERCISE.outcome_dims)
    runs = []
    for entry in METHODS.values():
        outcome = train_outcome(INITIALIZERS[entry.method](layers_dims, EXERCISE.seed))
        _, caches = forward_propagation(train_X, outcome.params)
        runs.append(
            ReferenceRun(
                initialization=entry.method,
                first_cost=outcome.costs[0],
                final_cost=compute_cost(caches[-1].Z, train_Y),
                train_accuracy=outcome.train_accuracy,
                test_accuracy=outcome.test_accuracy,
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


def grade_examples(out: TextIO) -> int:
    """Grade each bundled example and print its report; 1 if an example is missing."""
    from grader.api import grade_notebook
    from grader.reports import render_text

    for filename, what in EXAMPLE_SUBMISSIONS:
        path = EXAMPLES / filename
        print(f"\n=== initgrade grade examples/{filename}  ({what})\n", file=out)
        if not path.is_file():
            print(f"{path} is missing: the examples ship with a source checkout.", file=out)
            return 1
        print(render_text(grade_notebook(path)), end="", file=out)
    return 0


def run_demo(out: TextIO) -> int:
    """Print the reference table, then grade the example submissions; returns the exit code."""
    from grader.spec import EXERCISE

    steps, rate = EXERCISE.steps, EXERCISE.learning_rate
    print(
        f"Training the reference model ({steps:,} steps, learning rate {rate:g}) on the circles:",
        file=out,
    )
    print_reference_table(out)
    return grade_examples(out)


def add_parser(commands: Any, name: str) -> None:
    commands.add_parser(
        name, help="print the reference table and grade two bundled example submissions"
    )


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    return run_demo(out)
