"""The assignment's notebooks, executed: the source reproduces the published table, the stub stops
at the first exercise with the public test's message.

Each notebook runs once, in a scratch folder holding only the released helper modules, as a
student's would.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.published import ACCURACY, HE_COST_AT_STEP_0, ZEROS_COST

ASSIGNMENT = Path(__file__).resolve().parent.parent / "assignments" / "initialization"
HELPERS = ("init_utils.py", "public_tests.py")
KERNEL_TIMEOUT = 600  # seconds per cell: generous, a training cell takes a few seconds
# The published figures are rounded to 4 digits (0.9933 for 298/300).
ACCURACY_TOLERANCE = 5e-5

pytestmark = pytest.mark.slow


def execute(name: str, folder: Path) -> tuple[nbformat.NotebookNode, CellExecutionError | None]:
    """Run the notebook ``name`` in ``folder`` beside the helpers; the first error, if any."""
    for helper in HELPERS:
        shutil.copy(ASSIGNMENT / helper, folder / helper)
    notebook = nbformat.read(ASSIGNMENT / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=KERNEL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return notebook, error
    return notebook, None


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(out.text for out in cell.get("outputs", []) if out.output_type == "stream")


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def cell_with(notebook: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    (cell,) = [cell for cell in code_cells(notebook) if text in cell.source]
    return cell


def training_cell(notebook: nbformat.NotebookNode, method: str) -> nbformat.NotebookNode:
    return cell_with(notebook, f'model(train_X, train_Y, initialization="{method}")')


def printed_costs(cell: nbformat.NotebookNode) -> list[float]:
    lines = [line for line in printed(cell).splitlines() if line.startswith("Cost after")]
    return [float(line.rsplit(":", 1)[1]) for line in lines]


@pytest.fixture(scope="module")
def source_run(tmp_path_factory) -> nbformat.NotebookNode:
    notebook, error = execute("source.ipynb", tmp_path_factory.mktemp("source"))
    assert error is None, f"the source notebook failed:\n{error}"
    return notebook


@pytest.fixture(scope="module")
def stub_run(tmp_path_factory) -> tuple[nbformat.NotebookNode, CellExecutionError | None]:
    return execute("Initialization.ipynb", tmp_path_factory.mktemp("stub"))


def test_the_source_reproduces_the_published_accuracies(source_run):
    (line,) = [
        line
        for cell in code_cells(source_run)
        for line in printed(cell).splitlines()
        if line.startswith("INITGRADE_SUMMARY ")
    ]
    summary = json.loads(line.split(" ", 1)[1])
    for method, (train, test) in ACCURACY.items():
        assert summary[method]["train"] == pytest.approx(train, abs=ACCURACY_TOLERANCE), method
        assert summary[method]["test"] == pytest.approx(test, abs=ACCURACY_TOLERANCE), method
    assert summary["he_first_cost"] == pytest.approx(HE_COST_AT_STEP_0, rel=1e-14)


def test_the_closing_table_is_computed_from_the_runs(source_run):
    cell = cell_with(source_run, "display(Markdown(")
    (table,) = [out.data["text/markdown"] for out in cell.outputs if "data" in out]
    assert "| zeros | 0.5000 | 0.5000 |" in table
    assert "| large random | 0.8300 | 0.8600 |" in table
    assert "| He | 0.9933 | 0.9600 |" in table


def test_the_source_prints_the_expected_costs(source_run):
    zeros = printed_costs(training_cell(source_run, "zeros"))
    assert len(zeros) == 15
    assert zeros == pytest.approx([ZEROS_COST] * 15, rel=1e-14)
    he = printed_costs(training_cell(source_run, "he"))
    assert he[0] == pytest.approx(HE_COST_AT_STEP_0, rel=1e-14)
    assert he[-1] < 0.1
    random = printed_costs(training_cell(source_run, "random"))
    assert all(math.isfinite(cost) for cost in random)
    assert random[0] > 100


def test_the_source_passes_its_own_public_tests(source_run):
    for method in ("zeros", "random", "he"):
        cell = cell_with(source_run, f"initialize_parameters_{method}_test(")
        assert printed(cell) == f"All checks passed for initialize_parameters_{method}.\n"


def test_the_source_prints_the_accuracies_through_predict(source_run):
    out = printed(training_cell(source_run, "he"))
    assert "On the train set:\nAccuracy: 0.9933333333333333\n" in out
    assert "On the test set:\nAccuracy: 0.96\n" in out


def test_the_stub_stops_at_the_first_public_test_with_its_message(stub_run):
    notebook, error = stub_run
    assert error is not None, "the unfinished stub ran to the end"
    assert error.ename == "AssertionError"
    assert error.evalue == (
        "initialize_parameters_zeros: W1 is None: replace the `None` placeholder with your code."
    )
    cells = code_cells(notebook)
    failed = [
        i for i, cell in enumerate(cells) if any(o.output_type == "error" for o in cell.outputs)
    ]
    assert failed == [cells.index(cell_with(notebook, "initialize_parameters_zeros_test("))]
    assert printed(cells[failed[0]]).startswith("initialize_parameters_zeros: 4 check(s) failed.\n")
    assert all(cell.execution_count is not None for cell in cells[: failed[0]])
    assert all(cell.execution_count is None for cell in cells[failed[0] + 1 :])
