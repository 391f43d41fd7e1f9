"""The comparisons behind the exercise, runnable on bundled or real data.

``run_digits`` trains a deep ReLU net from weights of std 0.01, Xavier's and He's scales on
handwritten digits; ``run_images`` an L-layer tanh net from zeros, x10, He and Xavier on two
image classes; ``run_activations`` measures the spread of activations layer by layer. Each
returns a ``Comparison`` (curves and final figures, JSON-ready). The data: the bundled 8x8
digits (``load_digits``), MNIST's IDX files (``load_mnist``, ``fetch_mnist``) or a folder of
class subfolders of images (``load_image_folder``); ``load_data`` tells a folder's kind.
"""

from reference.experiments.comparison import Comparison, Run, table
from reference.experiments.datasets import DataError, Dataset, load_digits, select_classes
from reference.experiments.figures import plot_activations, plot_digits, plot_images
from reference.experiments.idx import read_idx
from reference.experiments.image_folder import load_image_folder
from reference.experiments.loaders import load_data
from reference.experiments.mnist import fetch_mnist, load_mnist
from reference.experiments.runs import run_activations, run_digits, run_images, two_classes
from reference.experiments.settings import (
    ACTIVATIONS,
    DIGITS,
    EXPERIMENT_SEED,
    IMAGES,
    ActivationSettings,
    DigitsSettings,
    ImagesSettings,
)

__all__ = [
    "ACTIVATIONS",
    "DIGITS",
    "EXPERIMENT_SEED",
    "IMAGES",
    "ActivationSettings",
    "Comparison",
    "DataError",
    "Dataset",
    "DigitsSettings",
    "ImagesSettings",
    "Run",
    "fetch_mnist",
    "load_data",
    "load_digits",
    "load_image_folder",
    "load_mnist",
    "plot_activations",
    "plot_digits",
    "plot_images",
    "read_idx",
    "run_activations",
    "run_digits",
    "run_images",
    "select_classes",
    "table",
    "two_classes",
]
