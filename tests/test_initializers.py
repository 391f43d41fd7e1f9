"""The four initializers: the published seed-3 values and their properties on any layer sizes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given

import reference
from grader.stats import FALSE_FAILURE_RATE, scale_consistent
from reference import (
    INITIALIZERS,
    initialize_parameters_he,
    initialize_parameters_random,
)
from tests.published import HE_2_4_1, HE_3_1_2, PRINTED_PRECISION, RANDOM_3_2_1
from tests.strategies import layer_dims

# Per layer, the weight standard deviation each method promises for a given fan-in.
EXPECTED_STD: dict[str, Callable[[int], float]] = {
    "random": lambda fan_in: 10.0,
    "he": lambda fan_in: float(np.sqrt(2.0 / fan_in)),
    "xavier": lambda fan_in: float(np.sqrt(1.0 / fan_in)),
}
# The scale test rejects a correct layer with probability FALSE_FAILURE_RATE (1e-9); a run
# checks at most a few thousand layers, so it fails a correct initializer with odds below 1e-5.

methods = pytest.mark.parametrize("method", sorted(INITIALIZERS))


def assert_params_close(got: dict[str, np.ndarray], expected: dict[str, list]) -> None:
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=0, atol=PRINTED_PRECISION, err_msg=key)


def test_random_weights_match_published_values_for_3_2_1() -> None:
    assert_params_close(initialize_parameters_random([3, 2, 1]), RANDOM_3_2_1)


def test_he_weights_match_published_values_for_2_4_1() -> None:
    assert_params_close(initialize_parameters_he([2, 4, 1]), HE_2_4_1)


def test_he_weights_match_published_values_for_3_1_2() -> None:
    assert_params_close(initialize_parameters_he([3, 1, 2]), HE_3_1_2)


@methods
@given(dims=layer_dims())
def test_parameters_have_one_weight_and_bias_per_layer(method: str, dims: Sequence[int]) -> None:
    params = INITIALIZERS[method](dims)
    expected = {f"{kind}{layer}" for layer in range(1, len(dims)) for kind in "Wb"}
    assert set(params) == expected


@methods
@given(dims=layer_dims())
def test_shapes_follow_layer_dims_and_dtype_is_float64(method: str, dims: Sequence[int]) -> None:
    params = INITIALIZERS[method](dims)
    for layer in range(1, len(dims)):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        assert W.shape == (dims[layer], dims[layer - 1]), f"W{layer}"
        assert b.shape == (dims[layer], 1), f"b{layer}"
        assert W.dtype == np.float64, f"W{layer}"
        assert b.dtype == np.float64, f"b{layer}"


@methods
@given(dims=layer_dims())
def test_biases_are_zero(method: str, dims: Sequence[int]) -> None:
    params = INITIALIZERS[method](dims)
    for layer in range(1, len(dims)):
        np.testing.assert_array_equal(params[f"b{layer}"], 0.0, err_msg=f"b{layer}")


@methods
@given(dims=layer_dims())
def test_layer_dims_are_not_mutated(method: str, dims: Sequence[int]) -> None:
    before = list(dims)
    INITIALIZERS[method](dims)
    assert list(dims) == before


@methods
@given(dims=layer_dims())
def test_a_second_call_gives_the_same_parameters(method: str, dims: Sequence[int]) -> None:
    first, second = INITIALIZERS[method](dims), INITIALIZERS[method](dims)
    for key, value in first.items():
        np.testing.assert_array_equal(second[key], value, err_msg=key)


@given(dims=layer_dims())
def test_zeros_gives_all_zero_weights(dims: Sequence[int]) -> None:
    params = INITIALIZERS["zeros"](dims)
    for layer in range(1, len(dims)):
        np.testing.assert_array_equal(params[f"W{layer}"], 0.0, err_msg=f"W{layer}")


@pytest.mark.parametrize("method", sorted(EXPECTED_STD))
@given(dims=layer_dims())
def test_each_layer_has_the_scale_of_its_method(method: str, dims: Sequence[int]) -> None:
    params = INITIALIZERS[method](dims)
    for layer in range(1, len(dims)):
        W, fan_in = params[f"W{layer}"], dims[layer - 1]
        std = EXPECTED_STD[method](fan_in)
        assert scale_consistent(W, std), (
            f"W{layer}: rms {np.sqrt(np.mean(W**2)):.4g}, expected {std:.4g} "
            f"(a correct layer fails this with probability {FALSE_FAILURE_RATE:g})"
        )


def test_weight_std_is_each_methods_scale_at_a_fan_in() -> None:
    assert reference.weight_std("zeros", 5) == 0.0
    assert reference.weight_std("random", 5) == 10.0
    assert reference.weight_std("he", 8) == pytest.approx(0.5)
    assert reference.weight_std("xavier", 4) == pytest.approx(0.5)
    assert reference.weight_std("he", 8, 3) == reference.weight_std("he", 8)  # fan-out unused
    with pytest.raises(ValueError, match="unknown method"):
        reference.weight_std("lecun", 4)
