"""The activation experiment: how each weight scale spreads or squashes activations with depth."""

from __future__ import annotations

import numpy as np
import pytest

from reference import activation_statistics, layer_activations

SEED = 2024  # every statistic below is from this one seeded generator: the test is deterministic
N_LAYERS, WIDTH, N_SAMPLES = 5, 100, 1000


def stats(weight_scale: float | str, activation: str) -> list[np.ndarray]:
    return activation_statistics(weight_scale, activation, rng=np.random.default_rng(SEED))


def stds(activations: list[np.ndarray]) -> np.ndarray:
    return np.array([float(np.std(a)) for a in activations])


def saturated_fraction(a: np.ndarray) -> float:
    """The share of sigmoid outputs within 0.1 of 0 or 1, where its slope is below 0.09."""
    return float(np.mean((a < 0.1) | (a > 0.9)))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_there_is_one_array_of_activations_per_layer(activation: str) -> None:
    acts = stats("xavier", activation)
    assert [a.shape for a in acts] == [(WIDTH, N_SAMPLES)] * N_LAYERS


def test_the_same_generator_seed_gives_the_same_activations() -> None:
    for a, b in zip(stats("he", "relu"), stats("he", "relu"), strict=True):
        np.testing.assert_array_equal(a, b, err_msg="seeded run")
    for a, b in zip(
        activation_statistics(1, "tanh"), activation_statistics(1, "tanh"), strict=True
    ):
        np.testing.assert_array_equal(a, b, err_msg="default generator")


def test_unit_weights_pile_sigmoid_outputs_up_near_0_and_1() -> None:
    # Observed: 0.82, 0.75, 0.72, 0.70, 0.72 of all outputs are saturated.
    fractions = [saturated_fraction(a) for a in stats(1, "sigmoid")]
    assert min(fractions) > 0.6, fractions


def test_weights_of_001_collapse_sigmoid_outputs_onto_one_half() -> None:
    # Observed spread from layer 2 on: about 0.012, against about 0.43 with unit weights.
    small = stats(0.01, "sigmoid")
    for layer, a in enumerate(small[1:], start=2):
        assert abs(float(np.mean(a)) - 0.5) < 0.01, f"layer {layer}"
        assert float(np.std(a)) < 0.02, f"layer {layer}"
        assert saturated_fraction(a) == 0.0, f"layer {layer}"


def test_weights_of_001_shrink_relu_activations_by_orders_of_magnitude() -> None:
    # Each layer multiplies the spread by about 0.01 * sqrt(100 / 2) ~ 0.07.
    spread = stds(stats(0.01, "relu"))
    np.testing.assert_array_less(spread[1:] / spread[:-1], 0.1, err_msg="layer-to-layer ratio")
    assert spread[-1] / spread[0] < 1e-4


def test_he_weights_keep_the_relu_spread_steady_through_all_layers() -> None:
    # Observed: 0.83, 0.76, 0.72, 0.70, 0.70.
    spread = stds(stats("he", "relu"))
    assert 0.5 < spread[-1] / spread[0] < 2.0
    np.testing.assert_array_less(spread.max() / spread.min(), 1.5, err_msg="spread across layers")


def test_he_beats_a_fixed_small_scale_for_relu_by_a_wide_margin() -> None:
    he, small = stds(stats("he", "relu")), stds(stats(0.01, "relu"))
    assert he[-1] > 1e4 * small[-1]


def test_layer_activations_uses_the_weights_it_is_given() -> None:
    X = np.array([[1.0, -2.0]])
    weights = [np.array([[2.0]]), np.array([[-1.0]])]
    first, second = layer_activations(X, weights, "relu")
    np.testing.assert_array_equal(first, [[2.0, 0.0]], err_msg="layer 1")
    np.testing.assert_array_equal(second, [[0.0, 0.0]], err_msg="layer 2")


def test_an_unknown_scale_or_activation_is_refused() -> None:
    with pytest.raises(ValueError, match="weight_scale"):
        activation_statistics("lecun", "relu")
    with pytest.raises(ValueError, match="activation"):
        activation_statistics(1, "softplus")
