"""The answer key of the weight-initialization exercise, in plain numpy."""

from reference.initializers import (
    INITIALIZERS,
    Params,
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
)

__all__ = [
    "INITIALIZERS",
    "Params",
    "initialize_parameters_he",
    "initialize_parameters_random",
    "initialize_parameters_xavier",
    "initialize_parameters_zeros",
]
