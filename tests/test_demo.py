"""``initgrade demo`` prints the reference table for the four initializations."""

from __future__ import annotations

import pytest

from grader.cli import main

# Train / test accuracy as the course's notebook prints them, to the table's four decimals.
EXPECTED_ROWS = {
    "zeros": ("0.5000", "0.5000"),
    "random": ("0.8300", "0.8600"),
    "he": ("0.9933", "0.9600"),
    "xavier": ("0.9900", "0.9300"),
}


@pytest.mark.slow
def test_demo_prints_one_row_per_initialization_with_the_published_accuracies(capsys) -> None:
    assert main(["demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {f[0]: f for f in map(str.split, lines) if f and f[0] in EXPECTED_ROWS}
    assert sorted(rows) == sorted(EXPECTED_ROWS)
    for name, (train_acc, test_acc) in EXPECTED_ROWS.items():
        assert rows[name][-2:] == [train_acc, test_acc], name
    assert rows["he"][1] == "0.883054"  # the published first cost, 0.8830537463419761
    assert rows["zeros"][1] == rows["zeros"][2] == "0.693147"  # log 2 throughout
