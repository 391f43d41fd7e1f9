"""``initgrade demo`` prints the reference table, then grades the two bundled examples."""

from __future__ import annotations

import io

import pytest

from grader.cli.demo import run_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_output() -> str:
    """What ``initgrade demo`` prints (run once for the module); it must exit 0."""
    out = io.StringIO()
    assert run_demo(out) == 0
    return out.getvalue()


# Train / test accuracy as the course's notebook prints them, to the table's four decimals.
EXPECTED_ROWS = {
    "zeros": ("0.5000", "0.5000"),
    "random": ("0.8300", "0.8600"),
    "he": ("0.9933", "0.9600"),
    "xavier": ("0.9900", "0.9300"),
}


def test_demo_prints_one_row_per_initialization_with_the_published_accuracies(
    demo_output: str,
) -> None:
    lines = demo_output.splitlines()
    rows = {f[0]: f for f in map(str.split, lines) if f and f[0] in EXPECTED_ROWS}
    assert sorted(rows) == sorted(EXPECTED_ROWS)
    for name, (train_acc, test_acc) in EXPECTED_ROWS.items():
        assert rows[name][-2:] == [train_acc, test_acc], name
    assert rows["he"][1] == "0.883054"  # the published first cost, 0.8830537463419761
    assert rows["zeros"][1] == rows["zeros"][2] == "0.693147"  # log 2 throughout


def test_demo_grades_the_correct_example_fully_and_names_each_mistake_of_the_other(
    demo_output: str,
) -> None:
    correct, mistaken = demo_output.split("=== initgrade grade examples/")[1:]
    assert "Total: 30 / 30" in correct
    assert "Likely mistake" not in correct
    assert mistaken.count("Likely mistake") == 3
    assert "transposed" in mistaken
    assert "Xavier" in mistaken
