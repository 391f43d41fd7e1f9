"""The answer key of the weight-initialization exercise, in plain numpy."""

from reference.activations import activation_statistics, layer_activations
from reference.data import load_dataset, make_circles
from reference.initializers import (
    INITIALIZERS,
    SEED,
    WEIGHT_SCALES,
    Params,
    he_scale,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
    seeded_draws,
    weight_std,
    xavier_scale,
)
from reference.network import (
    accuracy,
    backward_propagation,
    compute_cost,
    forward_propagation,
    predict,
    relu,
    sigmoid,
    update_parameters,
)
from reference.plots import plot_activation_histograms, plot_costs, plot_decision_boundary
from reference.training import model, train, train_many

__all__ = [
    "INITIALIZERS",
    "SEED",
    "WEIGHT_SCALES",
    "Params",
    "accuracy",
    "activation_statistics",
    "backward_propagation",
    "compute_cost",
    "forward_propagation",
    "he_scale",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_xavier",
    "initialize_parameters_zeros",
    "layer_activations",
    "load_dataset",
    "make_circles",
    "model",
    "plot_activation_histograms",
    "plot_costs",
    "plot_decision_boundary",
    "predict",
    "relu",
    "seeded_draws",
    "sigmoid",
    "train",
    "train_many",
    "update_parameters",
    "weight_std",
    "xavier_scale",
]
