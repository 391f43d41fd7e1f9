"""Scale expressions: recovered from exact per-layer values, written as a student's code."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.strategies import property_inputs
from grader.diagnosis._fit import fit_expression
from grader.diagnosis._grammar import layer_table

ROWS = [(tuple(d), layer) for d in property_inputs(30) for layer in range(1, len(d))]
TABLE = layer_table(ROWS)
FAN_IN, FAN_OUT, L = TABLE["fan_in"], TABLE["fan_out"], TABLE["L"]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (np.sqrt(2 / FAN_IN), "sqrt(2 / layers_dims[l - 1])"),
        (np.sqrt(1 / FAN_IN), "sqrt(1 / layers_dims[l - 1])"),
        (np.sqrt(2 / FAN_OUT), "sqrt(2 / layers_dims[l])"),
        (np.sqrt(2 / (FAN_IN + FAN_OUT)), "sqrt(2 / (layers_dims[l - 1] + layers_dims[l]))"),
        (np.sqrt(2 / (FAN_IN * FAN_OUT)), "sqrt(2 / (layers_dims[l - 1] * layers_dims[l]))"),
        (np.sqrt(2) / FAN_IN, "sqrt(2) / layers_dims[l - 1]"),
        (2 / np.sqrt(FAN_IN), "2 / sqrt(layers_dims[l - 1])"),
        (np.sqrt(2 // FAN_IN), "sqrt(2 // layers_dims[l - 1])"),
        (10 * np.sqrt(2 / FAN_IN), "10 * sqrt(2 / layers_dims[l - 1])"),
        (np.sqrt(2 / FAN_IN) * (TABLE["l"] + 1), "sqrt(2 / layers_dims[l - 1]) * (l + 1)"),
        (np.sqrt(2 / (L + 1)), "sqrt(2 / len(layers_dims))"),
        ((2 / FAN_IN) ** 0.25, "(2 / layers_dims[l - 1]) ** 0.25"),
        (np.full(len(ROWS), 0.01), "0.01"),
    ],
)
def test_a_scale_is_recovered_and_written_as_the_students_code(values, code) -> None:
    found = fit_expression(TABLE, values)
    assert found, code
    assert found[0].code() == code
    np.testing.assert_allclose(found[0].values(TABLE), values, rtol=1e-12)


def test_a_sum_of_two_products_is_recovered_when_no_product_fits() -> None:
    values = np.sqrt(2 / FAN_IN) + 0.01
    found = fit_expression(TABLE, values)
    assert found
    np.testing.assert_allclose(found[0].values(TABLE), values, rtol=1e-12)
    assert found[0].text() == "sqrt(2 / fan_in) + 0.01"


def test_values_no_expression_of_the_grammar_gives_find_none() -> None:
    values = np.random.default_rng(0).uniform(0.1, 1.0, len(ROWS))
    assert fit_expression(TABLE, values) == []


def test_layers_whose_value_is_unknown_are_left_out_of_the_fit() -> None:
    values = np.sqrt(2 / FAN_IN)
    values[::3] = np.nan
    found = fit_expression(TABLE, values)
    assert found[0].text() == "sqrt(2 / fan_in)"


def test_a_negative_scale_keeps_its_sign() -> None:
    found = fit_expression(TABLE, -np.sqrt(2 / FAN_IN))
    assert found[0].code() == "-sqrt(2 / layers_dims[l - 1])"
