"""The source notebook made into a course's own term: its seed, its example, its methods.

The course's ``source.ipynb`` is written for the course's model. For another model
(``grader.spec.variant``) it is rewritten cell by cell before the stub is made:

- every ``np.random.seed(<course seed>)``, in code and in prose, becomes the model's seed;
- each method's example call uses the method's first visible case, and the "Expected output"
  after it is printed again from reference/ with the model's seed, as numpy prints it;
- a method the source carries as an optional exercise (Xavier) becomes graded: its cell is
  marked like the others and followed by an example, its expected output and its self-check;
- each training run's "Expected" note states what the reference model reaches from the
  method's correct start with the model's seed (its first cost and both accuracies);
- a method the source has no cell for gets a section written from its record (its title and
  scale) after the last graded one: the exercise, its example, expected output and self-check.

The release refuses a model that leaves out a method the source grades: the notebook's prose and
its closing table are written around those cells.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import nbformat
import numpy as np

from grader.errors import ReleaseError
from grader.spec import SPEC, AssignmentSpec, FunctionSpec

GRADED_MARK, OPTIONAL_MARK = "# GRADED FUNCTION: ", "# OPTIONAL EXERCISE: "
EXAMPLE = re.compile(r"^parameters = (\w+)\((\[[\d, ]*\])\)", re.M)
TRAINING = re.compile(r'model\(train_X, train_Y, initialization="(\w+)"\)')
Outcome = Callable[[FunctionSpec], tuple[float, float, float]]  # (first cost, train, test)
GRADED_NOTE = "**This term, `{name}` is graded** like the exercises above."
NEW_SECTION = (
    "## {title} initialization\n\n" + GRADED_NOTE + " Seed once with `np.random.seed({seed})` "
    "(already written), draw the weights of each layer $l$ in order with `np.random.randn` in the "
    "shape `(layers_dims[l], layers_dims[l - 1])`, multiply them by `{code}`, and keep the "
    "biases at zero."
)
NEW_SOLUTION = """{mark}{name}

def {name}(layers_dims):
    \"\"\"Like initialize_parameters_he, with the scale {text}.\"\"\"
    np.random.seed({seed})
    parameters = {{}}
    L = len(layers_dims) - 1

    for l in range(1, L + 1):
        ### START CODE HERE ### (≈ 2 lines of code)
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * {code}
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
        ### END CODE HERE ###
    return parameters"""


def variant_source(
    source: nbformat.NotebookNode, spec: AssignmentSpec, outcome: Outcome
) -> nbformat.NotebookNode:
    """``source`` rewritten for ``spec``; ``outcome`` trains a method's correct start."""
    if spec.exercise == SPEC.exercise and spec.functions == SPEC.functions:
        return source
    notebook = copy.deepcopy(source)
    _check_methods(notebook, spec)
    cells: list[nbformat.NotebookNode] = []
    methods = {entry.method: entry for entry in spec.functions}
    for cell in notebook.cells:
        cells += _rewritten(cell, cells, spec, methods, outcome)
    notebook.cells = _with_new_sections(cells, spec)
    _stable_ids(notebook.cells, {cell.get("id") for cell in source.cells})
    return notebook


def _stable_ids(cells: list[nbformat.NotebookNode], kept: set[str | None]) -> None:
    """Give each cell written here an id from its place (nbformat's are random), so that a
    term's release is the same bytes every time."""
    for index, cell in enumerate(cells):
        if cell.get("id") not in kept:
            cell["id"] = f"term-{index:02d}"


def _function_of(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    """(mark, function name) of a graded or optional exercise cell."""
    first = cell.source.split("\n", 1)[0] if cell.cell_type == "code" else ""
    for mark in (GRADED_MARK, OPTIONAL_MARK):
        if first.startswith(mark):
            return mark, first[len(mark) :].strip()
    return None


def _check_methods(notebook: nbformat.NotebookNode, spec: AssignmentSpec) -> None:
    found = {f[1]: f[0] for cell in notebook.cells if (f := _function_of(cell)) is not None}
    wanted = {entry.name for entry in spec.functions}
    graded = sorted(name for name, mark in found.items() if mark == GRADED_MARK)
    dropped = [name for name in graded if name not in wanted]
    if dropped:
        raise ReleaseError(
            f"the source notebook grades {', '.join(dropped)}, which the assignment leaves out; "
            "a term may add methods, not remove the course's"
        )


def _with_new_sections(
    cells: list[nbformat.NotebookNode], spec: AssignmentSpec
) -> list[nbformat.NotebookNode]:
    """``cells`` with a section for each method they have no cell for, before the heading that
    follows the course's last graded cell (or at the end)."""
    functions = [(i, f[1]) for i, cell in enumerate(cells) if (f := _function_of(cell))]
    new = [entry for entry in spec.functions if entry.name not in {f for _, f in functions}]
    if not new:
        return cells
    course = [i for i, name in functions if name in SPEC.graded_functions]
    after = course[-1] if course else len(cells) - 1
    heading = next(
        (i for i in range(after + 1, len(cells)) if cells[i].source.startswith("## ")), len(cells)
    )
    sections = [cell for entry in new for cell in _new_section(entry, spec.exercise.seed)]
    return [*cells[:heading], *sections, *cells[heading:]]


def _new_section(entry: FunctionSpec, seed: int) -> list[nbformat.NotebookNode]:
    words = {"name": entry.name, "seed": seed, "code": entry.scale.code}
    intro = NEW_SECTION.format(title=entry.title, **words)
    code = NEW_SOLUTION.format(mark=GRADED_MARK, text=entry.scale.text, **words)
    cell = _graded(nbformat.v4.new_code_cell(code), entry)
    return [nbformat.v4.new_markdown_cell(intro), cell, *_example_cells(entry, seed)]


def _rewritten(
    cell: nbformat.NotebookNode,
    before: list[nbformat.NotebookNode],
    spec: AssignmentSpec,
    methods: dict[str, FunctionSpec],
    outcome: Outcome,
) -> list[nbformat.NotebookNode]:
    course_seed = f"np.random.seed({SPEC.exercise.seed})"
    cell.source = cell.source.replace(course_seed, f"np.random.seed({spec.exercise.seed})")
    if cell.cell_type == "code":
        found = _function_of(cell)
        if found is not None and found[0] == OPTIONAL_MARK:
            entry = next((e for e in methods.values() if e.name == found[1]), None)
            if entry is not None:
                note = nbformat.v4.new_markdown_cell(GRADED_NOTE.format(name=entry.name))
                graded = _graded(cell, entry)
                return [note, graded, *_example_cells(entry, spec.exercise.seed)]
        example = EXAMPLE.search(cell.source)
        if example is not None:
            entry = next(e for e in methods.values() if e.name == example.group(1))
            dims = list(entry.visible_cases[0].layer_dims)
            cell.source = cell.source.replace(example.group(2), str(dims), 1)
        return [cell]
    previous = before[-1].source if before and before[-1].cell_type == "code" else ""
    if cell.source.startswith("**Expected output**") and EXAMPLE.search(previous):
        name = EXAMPLE.search(previous).group(1)  # type: ignore[union-attr]
        entry = next(e for e in methods.values() if e.name == name)
        cell.source = expected_output(entry, spec.exercise.seed)
    training = TRAINING.search(previous)
    if cell.source.startswith("**Expected**") and training and training.group(1) in methods:
        entry = methods[training.group(1)]
        if not entry.zero:
            cost, train, test = outcome(entry)
            cell.source = (
                f"**Expected**: the first cost is about {cost:.10g} (the last digits may differ), "
                f"and the accuracy is about {train:.4g} on the train set and {test:.4g} on the "
                "test set."
            )
    return [cell]


def _graded(cell: nbformat.NotebookNode, entry: FunctionSpec) -> nbformat.NotebookNode:
    cell.source = cell.source.replace(OPTIONAL_MARK, GRADED_MARK, 1)
    cell.metadata["tags"] = ["graded"]
    cell.metadata["initgrade"] = {"function": entry.name}
    return cell


def _example_cells(entry: FunctionSpec, seed: int) -> list[nbformat.NotebookNode]:
    dims = list(entry.visible_cases[0].layer_dims)
    lines = [f"parameters = {entry.name}({dims})"]
    lines += [f'print("{k} = " + str(parameters["{k}"]))' for k in _keys(len(dims))]
    return [
        nbformat.v4.new_code_cell("\n".join(lines)),
        nbformat.v4.new_markdown_cell(expected_output(entry, seed)),
        nbformat.v4.new_code_cell(f"{entry.name}_test({entry.name})"),
    ]


def _keys(n_dims: int) -> list[str]:
    return [f"{kind}{layer}" for layer in range(1, n_dims) for kind in "Wb"]


def expected_output(entry: FunctionSpec, seed: int) -> str:
    """The "Expected output" note of a method's example: what the reference prints."""
    import reference

    dims = list(entry.visible_cases[0].layer_dims)
    params = reference.INITIALIZERS[entry.method](dims, seed)
    with np.printoptions():  # numpy's defaults, as the student's notebook prints
        lines = [f"{key} = {params[key]!s}" for key in _keys(len(dims))]
    return "**Expected output**\n\n```\n" + "\n".join(lines) + "\n```"
