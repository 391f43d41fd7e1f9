"""Hypothesis strategies shared by the test modules: the grader's own, defined once."""

from grader.checks.strategies import SMALL_EXAMPLES, layer_dims

__all__ = ["SMALL_EXAMPLES", "layer_dims"]
