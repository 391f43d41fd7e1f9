"""The exactness check of the stacked engine, and the fallbacks when that check fails."""

from __future__ import annotations

import numpy as np
import pytest

from reference import INITIALIZERS, load_dataset, train, train_many
from reference import training as training_module
from reference.engine import Engine
from reference.exactness import is_exact, readable_train
from reference.initializers import Params

COURSE_DIMS = (2, 10, 5, 1)


def unchecked_is_exact(*args: object) -> bool:
    """``is_exact`` without its cache, so a patched engine is really probed."""
    return bool(is_exact.__wrapped__(*args))  # type: ignore[attr-defined]


def assert_bit_equal(got: Params, expected: Params) -> None:
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        assert got[key].tobytes() == value.tobytes(), f"{key} differs in some bit"


def exact_engine(dims: tuple[int, ...], stack: int, fortran: bool) -> bool | None:
    """Which engine passes its check here: with folded biases (True), plain (False), or None."""
    return next((fold for fold in (True, False) if is_exact(dims, stack, 300, fortran, True, fold)),
                None)  # fmt: skip


@pytest.mark.parametrize("stack", [1, 32])
@pytest.mark.parametrize("fortran", [False, True])
def test_the_course_network_trains_on_a_stacked_engine(stack, fortran) -> None:
    # train and train_many run a fast engine for the model the grader trains, not the readable
    # loop (load_dataset's X is Fortran-ordered, so both orders matter). Whether folding the
    # biases into the products passes depends on the BLAS kernels this CPU gets; the plain
    # engine makes the very products the course loop makes, so one of them passes everywhere.
    assert exact_engine(COURSE_DIMS, stack, fortran) is not None


def test_the_check_sees_a_product_summed_in_another_order(monkeypatch) -> None:
    def einsum_product(self: Engine, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> object:
        a, b, out = self._lone(a), self._lone(b), self._lone(out)
        return lambda: np.einsum("...ij,...jk->...ik", a, b, out=out)

    fold = exact_engine(COURSE_DIMS, 4, False)
    assert fold is not None
    assert unchecked_is_exact(COURSE_DIMS, 4, 300, False, True, fold)
    monkeypatch.setattr(Engine, "_product", einsum_product)
    assert not unchecked_is_exact(COURSE_DIMS, 4, 300, False, True, fold)


def test_the_check_sees_a_last_bit_change_in_one_gradient(monkeypatch) -> None:
    # A one-ulp change of one dW element is invisible in W - lr * dW for hundreds of steps;
    # the check compares the gradients themselves.
    honest = Engine._gradient_ops

    def nudged(self: Engine) -> list:  # type: ignore[type-arg]
        def nudge() -> None:
            block = self.Gb[0]
            block[0, 0, 0] = np.nextafter(block[0, 0, 0], np.inf)

        return [*honest(self), nudge]

    fold = exact_engine(COURSE_DIMS, 1, False)
    assert fold is not None
    assert unchecked_is_exact(COURSE_DIMS, 1, 300, False, True, fold)
    monkeypatch.setattr(Engine, "_gradient_ops", nudged)
    assert not unchecked_is_exact(COURSE_DIMS, 1, 300, False, True, fold)


@pytest.mark.parametrize("exact", [{True: False, False: True}, {True: False, False: False}])
def test_training_falls_back_and_gets_the_same_bits_when_the_check_fails(
    monkeypatch, exact: dict[bool, bool]
) -> None:
    # First the plain engine (no folded bias), then the readable loop.
    X, Y, _, _ = load_dataset()
    starts = [INITIALIZERS[name](list(COURSE_DIMS)) for name in ("he", "random", "zeros")]
    fast = train_many(X, Y, starts, 0.01, 400)
    monkeypatch.setattr(training_module, "is_exact", lambda *args: exact[args[-1]])
    for (params, costs), (expected, expected_costs) in zip(
        train_many(X, Y, starts, 0.01, 400), fast, strict=True
    ):
        assert_bit_equal(params, expected)
        assert costs == expected_costs


@pytest.mark.parametrize("dims", [COURSE_DIMS, (2, 7, 6, 4, 3, 1)])
def test_whichever_engine_the_check_picks_trains_the_readable_loops_bits(dims) -> None:
    # Folded biases round differently where a kernel does not sum in order, which depends on the
    # CPU: on AVX2 machines an 8-column gradient product of the deeper network, on AVX-512 ones
    # the course network's. The plain engine then takes over; either way, the bits are the same.
    X, Y, _, _ = load_dataset()
    assert is_exact(dims, 1, 300, True, True, False)
    starts = [INITIALIZERS[name](list(dims)) for name in ("he", "random")]
    for start, (params, costs) in zip(starts, train_many(X, Y, starts, 0.01, 300), strict=True):
        expected, expected_costs = readable_train(X, Y, start, 0.01, 300, True, 1000)
        assert_bit_equal(params, expected)
        assert costs == expected_costs


def test_readable_train_records_the_cost_before_each_counted_update() -> None:
    X, Y, _, _ = load_dataset()
    start = INITIALIZERS["he"](list(COURSE_DIMS))
    params, costs = readable_train(X, Y, start, 0.01, 2001, True, 1000)
    assert len(costs) == 3
    expected, expected_costs = train(X, Y, start, 0.01, 2001)
    assert costs == expected_costs
    assert_bit_equal(params, expected)


def test_the_check_leaves_the_global_random_state_alone() -> None:
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    unchecked_is_exact(COURSE_DIMS, 2, 50, False, True, True)
    assert np.array_equal(np.random.get_state()[1], before)
