"""The answer key of the weight-initialization exercise, in plain numpy."""

from reference.activations import activation_statistics, layer_activations
from reference.data import load_dataset, make_circles
from reference.initializers import (
    INITIALIZERS,
    Params,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
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
from reference.training import model, train

__all__ = [
    "INITIALIZERS",
    "Params",
    "accuracy",
    "activation_statistics",
    "backward_propagation",
    "compute_cost",
    "forward_propagation",
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
    "sigmoid",
    "train",
    "update_parameters",
]
