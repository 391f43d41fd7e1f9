"""Draw constructions and scale formulas: rebuilt draws match their oracles, factors are exact."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import expected_params
from grader.diagnosis._draws import factors, rand_draws, randn_draws, reseeded_draws, rng_draws
from grader.diagnosis._scale import (
    LayerScale,
    explain_factors,
    layer_scales,
)
from grader.mistakes import Mistake
from grader.sentences import mistake_text
from grader.spec import METHODS


def named(found: Mistake | None) -> str:
    """The mistake's id and its sentence, to look for both in one string."""
    return "" if found is None else f"{found.id}: {mistake_text(found)}"


def test_randn_draws_rebuild_the_exercise_construction() -> None:
    # the reference seeds the global generator; RandomState(3) must give the same numbers
    expected = expected_params("random", (3, 2, 1))
    draws = randn_draws((3, 2, 1), 3)
    np.testing.assert_allclose(draws[0] * 10, expected["W1"], rtol=1e-15, err_msg="W1")
    np.testing.assert_allclose(draws[1] * 10, expected["W2"], rtol=1e-15, err_msg="W2")


def test_other_constructions_differ_from_the_exercise() -> None:
    base = randn_draws((3, 2, 1), 3)
    for other in (reseeded_draws, rng_draws, rand_draws):
        assert factors(base, other((3, 2, 1), 3)) is None, other.__name__
    assert reseeded_draws((3, 2, 1), 3)[0].tolist() == base[0].tolist()


def test_factors_recover_per_layer_scales() -> None:
    draws = randn_draws((4, 3, 2), 7)
    assert factors([draws[0] * 2.5, draws[1] * -0.1], draws) == pytest.approx([2.5, -0.1])
    assert factors([draws[0], draws[1] + 1e-3], draws) is None
    # an all-zero layer is the draws times 0 (a scale that rounded to nothing, as 2 // 3 does)
    assert factors([np.zeros((3, 4)), draws[1]], draws) == [0.0, 1.0]
    assert factors([np.full((3, 4), np.nan), draws[1]], draws) is None


def test_integer_division_in_the_he_scale_is_named() -> None:
    dims = (60, 200, 1)
    layers = layer_scales(dims, [np.sqrt(2.0 // fan_in) for fan_in in dims[:-1]])
    assert named(explain_factors(METHODS["he"], layers)).startswith("scale.floor_div:")
    assert "integer division" in named(explain_factors(METHODS["he"], layers))


def test_explain_factors_names_mixed_layer_errors() -> None:
    layers = [LayerScale("W1", 4, 3, 10.0), LayerScale("W2", 3, 2, 20.0)]
    random = METHODS["random"]
    assert "scale.mixed: " in named(explain_factors(random, layers))
    assert "different factors" in named(explain_factors(random, layers))
    assert explain_factors(random, [LayerScale("W1", 4, 3, 10.0)]) is None


def test_rng_draws_are_those_of_default_rng() -> None:
    rng = np.random.default_rng(3)
    first = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(rng_draws((3, 2, 1), 3)[0], first, err_msg="W1")


def test_rand_draws_are_uniform_on_the_unit_interval() -> None:
    draws = np.concatenate([d.ravel() for d in rand_draws((50, 40, 1), 3)])
    assert draws.min() >= 0.0
    assert draws.max() < 1.0


@pytest.mark.parametrize(
    ("method", "factor", "mistake_id", "fragment"),
    [
        ("he", lambda fi, fo: np.sqrt(1 / fi), "scale.xavier", "Xavier"),
        ("he", lambda fi, fo: np.sqrt(2 / fo), "scale.fan_out", "fan-out"),
        ("he", lambda fi, fo: 2 / fi, "scale.no_sqrt", "square root"),
        ("random", lambda fi, fo: 1.0, "scale.unit", "not multiplied"),
        ("random", lambda fi, fo: 0.01, "scale.small", "x0.01"),
    ],
)
def test_explain_factors_names_each_formula(method, factor, mistake_id, fragment) -> None:
    dims = (60, 200, 1)
    layers = [
        LayerScale(f"W{i}", dims[i - 1], dims[i], factor(dims[i - 1], dims[i]))
        for i in range(1, len(dims))
    ]
    assert named(explain_factors(METHODS[method], layers)).startswith(f"{mistake_id}: ")
    assert fragment in named(explain_factors(METHODS[method], layers))
