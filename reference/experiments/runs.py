"""The three comparisons behind the exercise, each a function of its data, seed and settings.

- ``run_digits``: a deep ReLU net with a softmax output, trained by mini-batch SGD from weights
  of a fixed small std, Xavier's and He's scales; the smoothed training loss of each.
- ``run_images``: an L-layer tanh net with a sigmoid output on two classes, trained full-batch
  from zeros, x10, He and Xavier; the cost every ``cost_every`` steps and the accuracies.
- ``run_activations``: the spread of each layer's activations in a deep bias-free stack.

Each initialization's run starts from a generator seeded with the same ``seed``: the runs draw
the same standard-normal numbers for their weights (scaled differently) and, for SGD, the
same batches, so the scale is the only difference between them.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict

import numpy as np

from reference.activations import activation_statistics
from reference.experiments.comparison import Comparison, Run, Value
from reference.experiments.datasets import DataError, Dataset, load_digits, select_classes
from reference.experiments.nets import (
    accuracy,
    fixed_std,
    forward,
    init_label,
    initialize,
    targets,
)
from reference.experiments.settings import (
    ACTIVATIONS,
    DIGITS,
    EXPERIMENT_SEED,
    IMAGES,
    ActivationSettings,
    DigitsSettings,
    ImagesSettings,
)
from reference.experiments.sgd import Net, Progress, smooth, train_full_batch, train_minibatch
from reference.initializers import Params

DIGITS_NET = Net(hidden="relu", output="softmax")
IMAGES_NET = Net(hidden="tanh", output="sigmoid")


def hidden_activations(X: np.ndarray, params: Params, net: Net) -> list[np.ndarray]:
    """Each hidden layer's activations on ``X``, first to last."""
    _, caches = forward(X, params, net.hidden, net.output)
    return [cache.A for cache in caches[:-1]]


def require_trainable(data: Dataset) -> None:
    """Refuse a set whose examples have no features (a net needs a first layer's fan-in), or
    whose training examples do not show at least two classes."""
    if data.n_features == 0:
        raise DataError(f"{data.name}: its examples have no features (0 values each)")
    present = np.unique(data.labels_train)
    if present.size < 2:
        shown = ", ".join(data.classes[i] for i in present) or "none"
        raise DataError(
            f"{data.name}: training needs examples of two classes at least; it has {shown}"
        )


def held_out_accuracy(data: Dataset, params: Params, net: Net) -> float | None:
    """The accuracy on the held-out examples; None when there are none."""
    if data.labels_test.size == 0:
        return None
    return accuracy(data.X_test, data.labels_test, params, net.hidden, net.output)


def first_below(curve: np.ndarray, level: float) -> int | None:
    """The first step at which ``curve`` is below ``level``; None when it never is."""
    below = np.flatnonzero(curve < level)
    return int(below[0]) if below.size else None


def _digits_run(
    data: Dataset, init: str, seed: int, settings: DigitsSettings, progress: Progress | None
) -> Run:
    k = len(data.classes)
    rng = np.random.default_rng(seed)
    params = initialize([data.n_features, *settings.hidden_units, k], init, rng)
    spread = [float(np.std(a)) for a in hidden_activations(data.X_train, params, DIGITS_NET)]
    Y = targets(data.labels_train, DIGITS_NET.output, k)
    params, losses = train_minibatch(
        data.X_train,
        Y,
        params,
        DIGITS_NET,
        learning_rate=settings.learning_rate,
        iterations=settings.iterations,
        batch_size=settings.batch_size,
        rng=rng,
        progress=progress,
    )
    smoothed = smooth(losses, settings.smoothing)
    figures: dict[str, Value] = {
        "loss_at_start": losses[0],
        "final_smoothed_loss": float(smoothed[-1]),
        "learning_from": first_below(smoothed, settings.learned * math.log(k)),
        "train_accuracy": accuracy(data.X_train, data.labels_train, params, "relu", "softmax"),
        "test_accuracy": held_out_accuracy(data, params, DIGITS_NET),
        "activation_std_at_start": spread,
    }
    curves = {"loss": losses, "smoothed_loss": smoothed.tolist()}
    return Run(init, init_label(init), curves, figures)


def run_digits(
    data: Dataset | None = None,
    seed: int = EXPERIMENT_SEED,
    settings: DigitsSettings = DIGITS,
    progress: Progress | None = None,
) -> Comparison:
    """The deep ReLU comparison on ``data`` (default: the bundled 8x8 digits, all 10 classes)."""
    start = time.perf_counter()
    data = load_digits() if data is None else data
    require_trainable(data)
    runs = tuple(
        _digits_run(data, init, seed, settings, progress) for init in settings.initializations
    )
    x = list(range(settings.iterations))
    return Comparison(
        "digits",
        data.describe(),
        data.classes,
        seed,
        asdict(settings),
        x,
        runs,
        time.perf_counter() - start,
    )


def two_classes(data: Dataset | None, settings: ImagesSettings = IMAGES) -> Dataset:
    """The two-class set of the image comparison: ``data`` when it has two classes, its
    ``digit_classes`` (balanced) when it is a digit set, the bundled digits' when None."""
    if data is None:
        return select_classes(load_digits(), settings.digit_classes, balanced=True)
    if len(data.classes) == 2:
        return data
    if set(settings.digit_classes) <= set(data.classes):
        return select_classes(data, settings.digit_classes, balanced=True)
    raise DataError(
        f"{data.name}: the two-class comparison needs two classes; it has {len(data.classes)}"
        f" ({', '.join(data.classes)})"
    )


def saturated_share(X: np.ndarray, params: Params, threshold: float) -> float:
    """The share of all hidden activations of the tanh net on ``X`` with ``|a| > threshold``."""
    values = np.concatenate([a.ravel() for a in hidden_activations(X, params, IMAGES_NET)])
    return float(np.mean(np.abs(values) > threshold))


def _images_run(
    data: Dataset, init: str, seed: int, settings: ImagesSettings, progress: Progress | None
) -> Run:
    rng = np.random.default_rng(seed)
    params = initialize([data.n_features, *settings.hidden_units, 1], init, rng)
    saturated_at_start = saturated_share(data.X_train, params, settings.saturated)
    Y = targets(data.labels_train, IMAGES_NET.output, 2)
    params, costs = train_full_batch(
        data.X_train,
        Y,
        params,
        IMAGES_NET,
        learning_rate=settings.learning_rate,
        iterations=settings.iterations,
        cost_every=settings.cost_every,
        progress=progress,
    )
    figures: dict[str, Value] = {
        "cost_at_start": costs[0],
        "final_cost": costs[-1],
        "train_accuracy": accuracy(data.X_train, data.labels_train, params, "tanh", "sigmoid"),
        "test_accuracy": held_out_accuracy(data, params, IMAGES_NET),
        "saturated_at_start": saturated_at_start,
        "saturated_at_end": saturated_share(data.X_train, params, settings.saturated),
    }
    return Run(init, init_label(init), {"cost": costs}, figures)


def run_images(
    data: Dataset | None = None,
    seed: int = EXPERIMENT_SEED,
    settings: ImagesSettings = IMAGES,
    progress: Progress | None = None,
) -> Comparison:
    """The L-layer tanh comparison on two classes (default: two bundled digit classes)."""
    start = time.perf_counter()
    data = two_classes(data, settings)
    require_trainable(data)
    runs = tuple(
        _images_run(data, init, seed, settings, progress) for init in settings.initializations
    )
    x = [*range(0, settings.iterations, settings.cost_every), settings.iterations]
    return Comparison(
        "images",
        data.describe(),
        data.classes,
        seed,
        asdict(settings),
        x,
        runs,
        time.perf_counter() - start,
    )


def _activation_run(
    init: str, activation: str, seed: int, settings: ActivationSettings
) -> tuple[Run, list[np.ndarray]]:
    std = fixed_std(init)
    acts = activation_statistics(
        init if std is None else std,
        activation,
        settings.n_layers,
        settings.width,
        settings.n_samples,
        rng=np.random.default_rng(seed),
    )
    spread = [float(np.std(a)) for a in acts]
    figures: dict[str, Value] = {"std_first_layer": spread[0], "std_last_layer": spread[-1]}
    curves = {"mean": [float(np.mean(a)) for a in acts], "std": spread}
    return Run(init, f"{init_label(init)}, {activation}", curves, figures), acts


def run_activations(
    seed: int = EXPERIMENT_SEED, settings: ActivationSettings = ACTIVATIONS
) -> tuple[Comparison, list[list[np.ndarray]]]:
    """The activation figure's numbers, and each case's activations for the histograms."""
    start = time.perf_counter()
    cases = [_activation_run(init, act, seed, settings) for init, act in settings.cases]
    x = list(range(1, settings.n_layers + 1))
    runs = tuple(run for run, _ in cases)
    seconds = time.perf_counter() - start
    comparison = Comparison(
        "activations", "N(0, 1) inputs", (), seed, asdict(settings), x, runs, seconds
    )
    return comparison, [acts for _, acts in cases]
