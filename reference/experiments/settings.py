"""The settings of the comparison experiments, in one place.

These are the experiments' own numbers, not the graded exercise's (that one lives in the
assignment model). ``DIGITS`` is the deep ReLU comparison on handwritten digits, ``IMAGES`` the
L-layer tanh comparison on two image classes, ``ACTIVATIONS`` the per-layer activation figure.
Every run takes a ``seed`` for its ``np.random.Generator``; ``EXPERIMENT_SEED`` is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPERIMENT_SEED = 1


@dataclass(frozen=True)
class DigitsSettings:
    """Four hidden ReLU layers of 100 units and a softmax over the classes, mini-batch SGD."""

    hidden_units: tuple[int, ...] = (100, 100, 100, 100)
    initializations: tuple[str, ...] = ("std=0.01", "xavier", "he")
    learning_rate: float = 0.01
    batch_size: int = 128
    iterations: int = 2000
    smoothing: int = 20  # the trailing window of the smoothed loss, in iterations
    learned: float = 0.9  # a run has started learning once its smoothed loss is below 0.9 ln k


@dataclass(frozen=True)
class ImagesSettings:
    """Two tanh hidden layers of 5 units and a sigmoid output, full-batch gradient descent."""

    hidden_units: tuple[int, ...] = (5, 5)
    initializations: tuple[str, ...] = ("zeros", "random", "he", "xavier")
    learning_rate: float = 0.0075  # the rate of the course's L-layer model; the task gives none
    iterations: int = 1000
    cost_every: int = 100
    digit_classes: tuple[str, str] = ("3", "8")  # the two classes of the bundled default
    image_size: tuple[int, int] = (64, 64)  # width, height of a folder's images after resizing
    saturated: float = 0.99  # a tanh unit with |a| above this has a slope below 0.02


@dataclass(frozen=True)
class ActivationSettings:
    """N(0, 1) inputs through a stack of bias-free layers, under each scale and activation."""

    cases: tuple[tuple[str, str], ...] = (
        ("std=0.01", "relu"),
        ("he", "relu"),
        ("std=1", "tanh"),
        ("xavier", "tanh"),
    )
    n_layers: int = 5
    width: int = 100
    n_samples: int = 1000


DIGITS = DigitsSettings()
IMAGES = ImagesSettings()
ACTIVATIONS = ActivationSettings()
