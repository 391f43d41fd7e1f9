"""The assignment's grading spec: points, visibility, cases, tolerances and seeds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from grader.checks import compare_params, expected_params
from grader.checks.strategies import property_inputs
from grader.errors import SpecError
from grader.spec import (
    ASSIGNMENT_DIR,
    BASE_PRESEED,
    EXACT_ATOL,
    EXACT_RTOL,
    GRADED_FUNCTIONS,
    HELPER_MODULES,
    OTHER_PRESEED,
    SPEC,
    ExactCase,
)
from tests.published import HE_2_4_1, RANDOM_3_2_1


def test_graded_functions_and_helpers_are_the_exercise_names() -> None:
    assert GRADED_FUNCTIONS == (
        "initialize_parameters_zeros",
        "initialize_parameters_random",
        "initialize_parameters_he",
    )
    assert HELPER_MODULES == ("init_utils", "public_tests")


def test_assignment_directory_is_resolved_inside_the_repository() -> None:
    assert ASSIGNMENT_DIR.is_absolute()
    assert ASSIGNMENT_DIR.parts[-2:] == ("assignments", "initialization")
    assert (ASSIGNMENT_DIR.parent.parent / "grader" / "spec" / "__init__.py").is_file()


@pytest.mark.parametrize("entry", SPEC.functions, ids=lambda e: e.method)
def test_every_function_is_worth_ten_points_with_unique_check_names(entry) -> None:
    names = [slot.name for slot in entry.slots()]
    assert entry.max_score == 10.0
    assert len(names) == len(set(names))


def test_visible_cases_are_the_notebook_examples() -> None:
    visible = {e.method: [c.layer_dims for c in e.visible_cases] for e in SPEC.functions}
    assert visible == {
        "zeros": [(3, 2, 1)],
        "random": [(3, 2, 1)],
        "he": [(2, 4, 1), (3, 1, 2)],
    }


@pytest.mark.parametrize("entry", SPEC.functions, ids=lambda e: e.method)
def test_hidden_cases_never_show_their_dims(entry) -> None:
    hidden = [case for case in entry.exact_cases if case.hidden]
    assert len(hidden) == 4
    for case in hidden:
        assert str(list(case.layer_dims)) not in case.name
        assert case.visibility != "visible"


def test_a_hidden_case_that_the_printed_draws_answer_is_refused_when_the_spec_is_built() -> None:
    he = SPEC.function("initialize_parameters_he")
    # [2, 4, 1] prints He's first 12 draws; [3, 1, 4, 1] needs only 11 of them.
    table_answers = ExactCase((3, 1, 4, 1), 0.5, hidden=True, label="a layer of one unit")
    cases = (*he.visible_cases, table_answers)
    with pytest.raises(SpecError, match=r"needs 11 draws.*print the first 12"):
        replace(SPEC, functions=(replace(he, exact_cases=cases),))
    zeros = SPEC.function("initialize_parameters_zeros")  # no draws to give away
    replace(SPEC, functions=(replace(zeros, exact_cases=(*zeros.visible_cases, table_answers)),))


@pytest.mark.parametrize("entry", SPEC.functions, ids=lambda e: e.method)
def test_every_example_has_extensions_that_no_other_call_shows(entry) -> None:
    shown = {tuple(d) for d in property_inputs(entry.property_examples)}
    shown |= {tuple(p.layer_dims) for p in entry.probes} | {tuple(entry.outcome_dims)}
    shown |= {tuple(c.layer_dims) for c in entry.exact_cases}
    assert all(len(case.extensions) == 2 for case in entry.visible_cases)
    assert entry.extensions
    assert not shown & set(entry.extensions)


def test_published_random_values_pass_at_the_stated_tolerance() -> None:
    # The notebook's printed random x10 values for [3, 2, 1] (8 decimals).
    published = {key: np.array(value) for key, value in RANDOM_3_2_1.items()}
    assert compare_params(published, expected_params("random", (3, 2, 1))) is None


def test_published_he_values_pass_at_the_stated_tolerance() -> None:
    # The notebook's printed He values for [2, 4, 1] (8 decimals).
    published = {key: np.array(value) for key, value in HE_2_4_1.items()}
    assert compare_params(published, expected_params("he", (2, 4, 1))) is None


def test_tolerance_rejects_the_smallest_scale_mistake() -> None:
    expected = expected_params("he", (2, 4, 1))
    xavier = {key: value / np.sqrt(2) for key, value in expected.items()}
    assert compare_params(xavier, expected) is not None
    assert EXACT_RTOL <= 1e-7
    assert EXACT_ATOL <= 1e-8


def test_preseeds_are_neither_the_exercise_seed_nor_a_searched_seed() -> None:
    for seed in (BASE_PRESEED, OTHER_PRESEED):
        assert seed != 3
        assert seed > 100
        assert seed < 2**32


def test_the_spec_digest_is_stable_and_ignores_where_the_assignment_lies() -> None:
    from dataclasses import replace
    from pathlib import Path

    from grader.spec import spec_digest

    digest = spec_digest(SPEC)
    assert len(digest) == 64
    assert spec_digest(replace(SPEC, directory=Path("/elsewhere"))) == digest


def test_the_spec_digest_changes_with_points_cases_or_limits() -> None:
    from dataclasses import replace

    from grader.spec import ExactCase, spec_digest
    from grader.types import Limits

    digest = spec_digest(SPEC)
    first = SPEC.functions[0]
    fewer_points = replace(first, outcome_points=1.0)
    other_case = replace(first, exact_cases=(ExactCase((3, 2, 2), 2.0), *first.exact_cases[1:]))
    for changed in (fewer_points, other_case):
        assert spec_digest(replace(SPEC, functions=(changed, *SPEC.functions[1:]))) != digest
    assert spec_digest(SPEC, limits=Limits(call_seconds=2.0)) != digest
    assert spec_digest(SPEC, limits=SPEC.limits) == digest
