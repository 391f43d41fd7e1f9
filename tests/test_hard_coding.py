"""Hard-coded visible answers earn nothing: the notebook's printed answers returned for its own
examples, on top of any other behaviour, score exactly what that behaviour scores alone (no point
is decided on a printed input), a correct function keeps full marks with or without them, and an
answer that depends on when the function is called counts against it."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from grader import messages as msg
from grader.checks import expected_params, function_schedule, grade_function, grade_ran
from grader.results import CheckResult
from grader.sandbox import local_caller, run_with_caller
from grader.spec import SPEC, ExactCase, extensions_of
from reference import INITIALIZERS
from tests.mistakes import FUNCTION_NAMES, stand_in_trainer
from tests.published import HE_2_4_1, HE_3_1_2, RANDOM_3_2_1

Init = Callable[[list[int]], dict[str, np.ndarray]]

# What the notebook prints for its examples (eight decimals), as a student would paste it.
PRINTED = {
    "zeros": {
        (3, 2, 1): {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1)), "W2": np.zeros((1, 2))}
        | {"b2": np.zeros((1, 1))}
    },
    "random": {(3, 2, 1): {k: np.array(v) for k, v in RANDOM_3_2_1.items()}},
    "he": {
        (2, 4, 1): {k: np.array(v) for k, v in HE_2_4_1.items()},
        (3, 1, 2): {k: np.array(v) for k, v in HE_3_1_2.items()},
    },
}
# The drawn behaviours multiply by these (zeros: the small random weights a student may try).
SCALE = {"zeros": lambda n: 0.01, "random": lambda n: 10.0, "he": lambda n: np.sqrt(2 / n)}


def _drawn(method: str, draw: Callable[[int, int], np.ndarray]) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        parameters = {}
        for layer in range(1, len(layers_dims)):
            rows, columns = layers_dims[layer], layers_dims[layer - 1]
            parameters[f"W{layer}"] = draw(rows, columns) * SCALE[method](columns)
            parameters[f"b{layer}"] = np.zeros((rows, 1))
        return parameters

    return initializer


def _other_generator(method: str) -> Init:
    def draw(rows: int, columns: int) -> np.ndarray:
        return np.random.default_rng(rows * 1000 + columns).standard_normal((rows, columns))

    return _drawn(method, draw)


def _unseeded(method: str) -> Init:
    return _drawn(method, lambda rows, columns: np.random.randn(rows, columns))


def _seed_4(method: str) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        np.random.seed(4)
        return _unseeded(method)(layers_dims)

    return initializer


def _half_scale(method: str) -> Init:
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = correct(list(layers_dims))
        return {k: v * 0.5 if k.startswith("W") else v for k, v in params.items()}

    return initializer


def _raises(method: str) -> Init:
    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        raise NotImplementedError("only the examples")

    return initializer


def _transposed(method: str) -> Init:
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = correct(list(layers_dims))
        return {k: v.T.copy() if k.startswith("W") else v for k, v in params.items()}

    return initializer


def _right_on_the_model_network(method: str) -> Init:
    """The notebook's own model network [2, 10, 5, 1] answered right (a student can run the
    reference there), another generator everywhere else."""
    entry = SPEC.function(FUNCTION_NAMES[method])
    correct, other = INITIALIZERS[method], _other_generator(method)

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        if tuple(layers_dims) == entry.outcome_dims:
            return correct(list(layers_dims))
        return other(layers_dims)

    return initializer


def _where(method: str, wrong: Callable[[list[int]], bool]) -> Init:
    """Right, except on the inputs ``wrong`` picks: Xavier's scale there (zeros: transposed)."""
    correct = INITIALIZERS[method]
    other = _transposed(method) if method == "zeros" else _drawn(method, _xavier_draw)

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        if wrong(list(layers_dims)):
            np.random.seed(3)
            return other(layers_dims)
        return correct(list(layers_dims))

    return initializer


def _xavier_draw(rows: int, columns: int) -> np.ndarray:
    return np.random.randn(rows, columns) / np.sqrt(2)  # times the method's scale: He / sqrt(2)


def _three_sizes_one_output(layers_dims: list[int]) -> bool:
    return len(layers_dims) == 3 and layers_dims[-1] == 1


def _examples(method: str) -> set[tuple[int, ...]]:
    return set(PRINTED[method])


# Behaviours that are right somewhere, so that some hidden case or another input gets the
# reference's answer: pasted answers on top of them must still earn nothing.
PARTLY_RIGHT: dict[str, Callable[[str], Init]] = {
    "right on one-layer networks only": lambda m: _where(m, lambda d: len(d) != 2),
    "wrong on three-size networks": lambda m: _where(m, lambda d: len(d) == 3),
    "right when the input layer has 4 units or more": lambda m: _where(m, lambda d: d[0] < 4),
    "wrong on three sizes ending in one unit": lambda m: _where(
        m, lambda d: len(d) == 3 == 2 + d[-1]
    ),
    "wrong on the examples only": lambda m: _where(m, lambda d: tuple(d) in _examples(m)),
}


BEHAVIOURS: dict[str, Callable[[str], Init]] = {
    "another generator at the method's scale": _other_generator,
    "no seed": _unseeded,
    "seed 4": _seed_4,
    "half the scale": _half_scale,
    "an exception": _raises,
    "transposed weights": _transposed,
    "right on the model network only": _right_on_the_model_network,
    **PARTLY_RIGHT,
}


def hard_coded(method: str, behaviour: Init) -> Init:
    """The notebook's printed answers for its examples, ``behaviour`` for every other input."""

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        printed = PRINTED[method].get(tuple(layers_dims))
        if printed is not None:
            return {key: value.copy() for key, value in printed.items()}
        return behaviour(layers_dims)

    return initializer


def grade(method: str, initializer: Init, fresh: Callable[[], Init] | None = None):
    """Grade in this process; ``fresh`` makes another instance of the function for each call of
    the schedule's repeat, as each is made in a process where the function has not run."""
    entry = SPEC.function(FUNCTION_NAMES[method])
    trainer = stand_in_trainer(method)
    if fresh is None:
        return grade_function(entry, local_caller(initializer, entry.name), trainer=trainer).result
    schedule = function_schedule(entry)
    ran = run_with_caller(local_caller(initializer, entry.name), replace(schedule, repeat=()))
    repeat = tuple(
        local_caller(fresh(), entry.name)(call.dims, call.preseed) for call in schedule.repeat
    )
    return grade_ran(entry, schedule, replace(ran, repeat=repeat), trainer).result


def visible(result) -> list[CheckResult]:
    return [c for c in result.checks if c.name.startswith("matches the reference")]


CASES = [
    (method, name)
    for method in ("zeros", "random", "he")
    for name in BEHAVIOURS
    if not (method == "zeros" and name in ("no seed", "seed 4", "half the scale"))
    if method == "he" or name not in PARTLY_RIGHT  # He's two examples stand for the others
]


@pytest.mark.parametrize(("method", "behaviour"), CASES)
def test_hard_coded_examples_change_no_point_of_the_behaviour_alone(
    method: str, behaviour: str
) -> None:
    alone = grade(method, BEHAVIOURS[behaviour](method))
    with_table = grade(method, hard_coded(method, BEHAVIOURS[behaviour](method)))
    assert [(c.name, c.points) for c in with_table.checks] == [
        (c.name, c.points) for c in alone.checks
    ]


def _first_layer_wrong(method: str) -> Init:
    """Right from the second layer on; the first layer ones (zeros) or without its scale."""
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = correct(list(layers_dims))
        first = params["W1"]
        params["W1"] = np.ones_like(first) if method == "zeros" else first / SCALE[method](1)
        return params

    return initializer


def _printed_blocks(method: str, behaviour: Init) -> Init:
    """``behaviour`` with the printed arrays pasted where they fit, into every input that starts
    with an example's first two sizes (a table keyed on the start of layers_dims)."""

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params = behaviour(layers_dims)
        for dims, printed in PRINTED[method].items():
            if tuple(layers_dims[:2]) != dims[:2]:
                continue
            for key, value in printed.items():
                rows, columns = value.shape
                if key in params and params[key].shape[1:] == (columns,):
                    params[key][: min(rows, len(params[key]))] = value[: len(params[key])]
        return params

    return initializer


def _printed_draws(method: str, behaviour: Init) -> Init:
    """``behaviour`` with the first 12 weights of any input built from the 12 draws the
    notebook prints, at the method's scale (a table of printed draws)."""
    correct = INITIALIZERS[method]

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        params, right = behaviour(layers_dims), correct(list(layers_dims))
        left = 12
        for layer in range(1, len(layers_dims)):
            key = f"W{layer}"
            flat, take = params[key].reshape(-1), min(left, params[key].size)
            flat[:take] = right[key].reshape(-1)[:take]
            left -= take
        return params

    return initializer


@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_a_table_of_printed_blocks_or_draws_earns_nothing_over_the_code_alone(method: str) -> None:
    alone = grade(method, _first_layer_wrong(method))
    tables = [_printed_blocks(method, _first_layer_wrong(method))]
    if method != "zeros":
        tables.append(_printed_draws(method, _first_layer_wrong(method)))
    for table in tables:
        pasted = grade(method, hard_coded(method, table))
        assert [(c.name, c.points) for c in pasted.checks] == [
            (c.name, c.points) for c in alone.checks
        ]


@pytest.mark.parametrize("method", ["zeros", "random", "he"])
def test_a_correct_function_keeps_full_marks_with_or_without_the_printed_answers(
    method: str,
) -> None:
    assert grade(method, INITIALIZERS[method]).score == 10.0
    assert grade(method, hard_coded(method, INITIALIZERS[method])).score == 10.0


def _two_layers_only(layers_dims: list[int]) -> dict[str, np.ndarray]:
    """A student's loop that builds W1 and W2 whatever the length of layers_dims."""
    np.random.seed(3)
    parameters = {}
    for layer in (1, 2):
        rows, columns = layers_dims[layer], layers_dims[layer - 1]
        parameters[f"W{layer}"] = np.random.randn(rows, columns) * 10
        parameters[f"b{layer}"] = np.zeros((rows, 1))
    return parameters


def test_right_on_the_example_but_not_one_layer_further_loses_the_points_saying_where() -> None:
    checks = visible(grade("random", _two_layers_only))
    assert [(c.points, c.passed) for c in checks] == [(0.0, False)]
    message = checks[0].message
    assert "matches the notebook's" in message
    assert msg.EXTENSION_LONGER in message
    assert "'W3', 'b3' are missing" in message
    assert "hard-cod" not in message


def test_no_extension_size_or_value_is_shown() -> None:
    for method, behaviour in (("random", _two_layers_only), ("he", _seed_4("he"))):
        entry = SPEC.function(FUNCTION_NAMES[method])
        text = " ".join(c.message for c in grade(method, behaviour).checks)
        for extension in entry.extensions:
            assert str(list(extension)) not in text
            assert str(extension) not in text
            last = expected_params(method, extension)[f"W{len(extension) - 1}"]
            assert f"{last.ravel()[-1]:.6f}" not in text


def test_wrong_on_the_example_alone_keeps_the_points_and_says_what_differs_there() -> None:
    checks = visible(grade("he", _where("he", lambda d: tuple(d) in _examples("he"))))
    assert [c.points for c in checks] == [1.0, 1.0]
    assert all("Points given for the construction" in c.message for c in checks)
    assert "For layers_dims=[2, 4, 1]: W1" in checks[0].message


def test_the_extensions_continue_each_example_and_their_answers_start_with_it() -> None:
    for entry in SPEC.functions:
        for case in entry.visible_cases:
            assert case.extensions == extensions_of(case.layer_dims)
            example = expected_params(entry.method, case.layer_dims)
            for extension in case.extensions:
                longer = expected_params(entry.method, extension)
                for key, value in example.items():
                    rows, columns = value.shape
                    np.testing.assert_array_equal(longer[key][:rows, :columns], value, key)


def test_a_hidden_case_or_a_broken_continuation_is_refused_as_spec_data() -> None:
    with pytest.raises(ValueError, match="only a visible case"):
        ExactCase((3, 2), 0.5, hidden=True, extensions=((3, 2, 1),))
    with pytest.raises(ValueError, match="does not continue"):
        ExactCase((3, 2, 1), 2.0, extensions=((3, 3, 1),))
    with pytest.raises(ValueError, match="does not continue"):
        ExactCase((3, 2, 1), 2.0, extensions=((3, 2),))


def _counted(method: str, right: Callable[[int], bool], *, memo: bool, model: bool) -> Init:
    """Right on the calls ``right`` picks by their number in this instance's life, Xavier's
    scale on the others; ``memo``: an answer once given for some layers_dims is given again;
    ``model``: always right on the model network, whose call the grader repeats."""
    count = itertools.count(1)
    wrong = _where(method, lambda d: True)
    outcome_dims = SPEC.function(FUNCTION_NAMES[method]).outcome_dims
    kept: dict[tuple[int, ...], dict[str, np.ndarray]] = {}

    def initializer(layers_dims: list[int]) -> dict[str, np.ndarray]:
        key = tuple(layers_dims)
        if memo and key in kept:
            return {k: v.copy() for k, v in kept[key].items()}
        correct = right(next(count)) or (model and key == outcome_dims)
        answer = INITIALIZERS[method](list(layers_dims)) if correct else wrong(layers_dims)
        kept[key] = answer
        return answer

    return initializer


WHEN = {
    "its first two calls": lambda n: n <= 2,
    "its first five calls": lambda n: n <= 5,
    "its calls after the tenth": lambda n: n > 10,
}


@pytest.mark.parametrize("model", [False, True], ids=["", "and the model network"])
@pytest.mark.parametrize("memo", [False, True], ids=["plain", "remembering"])
@pytest.mark.parametrize("when", list(WHEN))
def test_answers_that_depend_on_when_the_function_is_called_fail_every_value_check(
    when: str, memo: bool, model: bool
) -> None:
    make = functools.partial(_counted, "he", WHEN[when], memo=memo, model=model)
    result = grade("he", make(), fresh=make)
    everywhere_wrong = grade("he", _where("he", lambda d: True))
    assert result.score <= everywhere_wrong.score
    exact = [c for c in result.checks if c.name.startswith(("matches", "hidden", "training"))]
    assert len(exact) == 7
    assert all(c.points == 0 for c in exact)
    said = "depending on when it was made" if model else "different"  # the model's call or not
    assert all(said in c.message for c in exact)


def test_a_function_that_keeps_a_cache_but_answers_the_same_keeps_full_marks() -> None:
    kept: dict[tuple[int, ...], dict[str, np.ndarray]] = {}

    def cached(layers_dims: list[int]) -> dict[str, np.ndarray]:
        key = tuple(layers_dims)
        if key not in kept:
            kept[key] = INITIALIZERS["he"](list(layers_dims))
        return {k: v.copy() for k, v in kept[key].items()}

    assert grade("he", cached, fresh=lambda: INITIALIZERS["he"]).score == 10.0


def test_the_extensions_are_the_last_visible_calls_and_print_unseen() -> None:
    for entry in SPEC.functions:
        schedule = function_schedule(entry)
        quiet = schedule.visible[len(schedule.visible) - schedule.unseen :]
        assert schedule.unseen == len(entry.extensions) > 0
        assert [tuple(call.dims) for call in quiet] == list(entry.extensions)
