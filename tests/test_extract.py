"""Extraction: the graded functions are found and the program keeps definitions, not work."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pytest

from grader.notebook import Cell, Extraction, Location, extract
from grader.notebook import _magics as _extract_magics
from grader.sandbox import Worker
from grader.types import Limits


def cells(*sources: str | tuple[str, dict[str, Any]]) -> list[Cell]:
    """Code cells from sources (or (source, metadata) pairs); a leading '#md' makes markdown."""
    made = []
    for index, item in enumerate(sources):
        source, metadata = item if isinstance(item, tuple) else (item, {})
        kind = "markdown" if source.startswith("#md") else "code"
        made.append(Cell(index, kind, source, metadata))
    return made


def top_level(program: str) -> list[str]:
    return [ast.unparse(statement) for statement in ast.parse(program).body]


HE = """# GRADED FUNCTION: initialize_parameters_he
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        weights = np.random.randn(layers_dims[l], layers_dims[l - 1])
        parameters['W' + str(l)] = weights * scale(l, layers_dims)
        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
    return parameters
"""


def test_definitions_are_kept_and_top_level_work_is_left_out() -> None:
    result = extract(
        cells(
            "import numpy as np\nimport matplotlib.pyplot as plt\nfrom init_utils import *",
            "LAYERS = [2, 10, 5, 1]\nSCALE = np.sqrt(2.0)\nsquare = lambda x: x * x",
            "train_X, train_Y, test_X, test_Y = load_dataset()\nplt.rcParams['dpi'] = 90",
            "parameters = model(train_X, train_Y, initialization='he')\nprint(parameters)",
            "for i in range(3):\n    print(i)\nwhile False:\n    pass\nnp.random.seed(1)",
            "if __name__ == '__main__':\n    main()\nwith open('x') as f:\n    pass",
            "class Net:\n    size = 3\n\n@staticmethod\ndef helper(x):\n    return x",
            "try:\n    import sklearn\nexcept ImportError:\n    pass",
            "try:\n    import h5py\nexcept ImportError:\n    print('no h5py')",
        )
    )
    assert top_level(result.program) == [
        "import numpy as np",
        "import matplotlib.pyplot as plt",
        "from init_utils import *",
        "LAYERS = [2, 10, 5, 1]",
        "SCALE = np.sqrt(2.0)",
        "square = lambda x: x * x",
        "class Net:\n    size = 3",
        "@staticmethod\ndef helper(x):\n    return x",
        "try:\n    import sklearn\nexcept ImportError:\n    pass",
    ]
    assert result.warnings == ()
    assert result.compile_errors == {}


def test_assignments_that_need_left_out_work_are_left_out_too() -> None:
    result = extract(
        cells(
            "import numpy as np\nfrom init_utils import *\nLAYERS = [2, 4, 1]",
            "parameters_he = model(train_X, train_Y)\nruns = {'He': parameters_he}",
            "WIDER = [2 * n for n in LAYERS]\nFIRST = LAYERS[0]\nX = some_helper_constant",
            "try:\n    import h5py\n    HAVE_H5 = True\nexcept ImportError:\n    HAVE_H5 = False",
            "MESSAGE = 'h5py' if HAVE_H5 else 'none'",
        )
    )
    assert top_level(result.program) == [
        "import numpy as np",
        "from init_utils import *",
        "LAYERS = [2, 4, 1]",
        "WIDER = [2 * n for n in LAYERS]",
        "FIRST = LAYERS[0]",
        "try:\n    import h5py\n    HAVE_H5 = True\nexcept ImportError:\n    HAVE_H5 = False",
        "MESSAGE = 'h5py' if HAVE_H5 else 'none'",
    ]


def test_constants_built_with_pure_builtins_are_kept_unless_a_builtin_is_rebound() -> None:
    result = extract(
        cells(
            "SEED = int(3)\nROUNDED = round(3.0)\nCONFIG = dict(seed=abs(-3))\nN = len([1, 2])",
            "def int(text):\n    return 5\nLATER = int(3)\nSORTED = sorted([2, 1])",
        )
    )
    assert top_level(result.program) == [
        "SEED = int(3)",
        "ROUNDED = round(3.0)",
        "CONFIG = dict(seed=abs(-3))",
        "N = len([1, 2])",
        "def int(text):\n    return 5",
    ]


def test_a_left_out_line_a_graded_function_reads_is_named_with_its_reason() -> None:
    graded = "def initialize_parameters_he(layers_dims):\n    np.random.seed(SEED)\n    return {}"
    result = extract(
        cells("SEED = choose_seed(3)\nOTHER = choose_seed(4)", graded),
        graded=["initialize_parameters_he"],
    )
    assert result.warnings == (
        "initialize_parameters_he reads SEED, but the line that assigns it, cell 1, line 1 "
        "(SEED = choose_seed(3)), is left out of grading: only imports, definitions and "
        "assignments built from constants (with numpy, math and builtins such as int or round) "
        "run when a notebook is graded. Assign SEED a constant, or compute it inside "
        "initialize_parameters_he.",
    )
    assert result.left_out["SEED"] == "cell 1, line 1 (SEED = choose_seed(3))"
    fixed = extract(
        cells("SEED = choose_seed(3)\nSEED = 3", graded), graded=["initialize_parameters_he"]
    )
    assert fixed.warnings == ()


def test_ipython_magics_and_shell_lines_are_removed() -> None:
    result = extract(
        cells(
            "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\nimport numpy as np",
            "!pip install numpy\nfiles = !ls\nnp?",
            "def f(x):\n    %time g()\n    return x",
            "%%time\ndef timed(x):\n    return x\ntimed(1)",
            "%%bash\necho hello",
            "%%writefile helper.py\ndef evil():\n    pass",
        )
    )
    assert top_level(result.program) == [
        "import numpy as np",
        "def f(x):\n    get_ipython().run_line_magic('time', 'g()')\n    return x",
        "def timed(x):\n    return x",
    ]
    assert result.functions["timed"] == Location(cell=3, line=2)
    assert [w for w in result.warnings if "not Python" in w] == [
        "Cell 5 is a cell magic that is not Python (such as %%bash); left out.",
        "Cell 6 is a cell magic that is not Python (such as %%bash); left out.",
    ]


def test_without_ipython_a_line_filter_removes_magics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_extract_magics, "_transformer", lambda: None)
    result = extract(
        cells(
            "%matplotlib inline\nimport numpy as np\n!pip install x\nfiles = !ls",
            "def f(x):\n    %time g()\n    return x",
        )
    )
    assert top_level(result.program) == ["import numpy as np", "def f(x):\n    pass\n    return x"]
    assert result.cell_errors == ()


def test_a_cell_that_does_not_compile_costs_only_its_own_functions() -> None:
    result = extract(
        cells(
            "import numpy as np",
            "def initialize_parameters_zeros(layers_dims):\n    return {}",
            "x = 1\ndef initialize_parameters_random(layers_dims:\n    pass\ndef helper(): pass",
            "def initialize_parameters_he(layers_dims):\n    return {}",
        )
    )
    assert set(result.functions) == {"initialize_parameters_zeros", "initialize_parameters_he"}
    (error,) = result.cell_errors
    assert (error.cell, error.line) == (2, 2)
    assert error.message == "SyntaxError: '(' was never closed"
    assert error.functions == ("initialize_parameters_random", "helper")
    assert result.compile_errors["initialize_parameters_random"] == (
        "initialize_parameters_random is in a cell that does not compile (cell 3, line 2: "
        "SyntaxError: '(' was never closed)"
    )
    assert "x = 1" not in result.program


def test_errors_found_only_when_compiling_also_break_the_cell() -> None:
    result = extract(cells("def f(x):\n    return x\nreturn f", "def g():\n    nonlocal y"))
    assert [e.message for e in result.cell_errors] == [
        "SyntaxError: 'return' outside function",
        "SyntaxError: no binding for nonlocal 'y' found",
    ]
    assert set(result.compile_errors) == {"f", "g"}
    assert result.program == ""


def test_a_broken_redefinition_falls_back_to_the_earlier_one() -> None:
    result = extract(cells("def f(x):\n    return 1", "def f(x):\n    return (2"))
    assert result.functions["f"].cell == 0
    assert "f" not in result.compile_errors
    assert any("earlier definition in cell 1 is graded instead" in w for w in result.warnings)


def test_the_later_of_two_definitions_wins_with_a_warning() -> None:
    result = extract(cells("def f(x):\n    return 1", "y = 2", "def f(x):\n    return 2"))
    assert result.functions["f"] == Location(cell=2, line=1)
    namespace: dict[str, Any] = {}
    exec(result.program, namespace)
    assert namespace["f"](0) == 2
    assert (
        "f is defined in cells 1, 3; the last definition (cell 3) is graded" in result.warnings[0]
    )


def test_a_function_is_found_wherever_it_is_defined_and_marks_do_not_change_that() -> None:
    result = extract(
        cells(
            HE,
            ("def initialize_parameters_zeros(layers_dims):\n    return {}", {"tags": ["graded"]}),
            ("def a(x):\n    return x", {"nbgrader": {"grade_id": "cell-1", "solution": True}}),
            ("def b(x):\n    return x", {"initgrade": {"function": "b"}}),
            "def d(x):\n    return x",
        )
    )
    assert result.functions == {
        "initialize_parameters_he": Location(0, 2),
        "initialize_parameters_zeros": Location(1, 1),
        "a": Location(2, 1),
        "b": Location(3, 1),
        "d": Location(4, 1),
    }
    assert result.warnings == ()


@pytest.mark.parametrize(
    "metadata", [{"initgrade": {"function": "c"}}, {"initgrade": {"function": ["a", "c"]}}]
)
def test_metadata_naming_a_function_the_cell_lacks_is_a_warning(metadata: dict) -> None:
    result = extract(cells(("def a(x):\n    return x", metadata)))
    assert result.warnings == (
        "Cell 1 is marked as graded for c, but it does not define a function named c.",
    )


def test_a_marker_for_a_function_the_cell_lacks_is_a_warning() -> None:
    result = extract(
        cells("# GRADED FUNCTION: initialize_parameters_he\ndef init_he(dims):\n    return {}")
    )
    assert result.warnings == (
        "Cell 1 is marked as graded for initialize_parameters_he, but it does not define a "
        "function named initialize_parameters_he.",
    )


def test_a_statement_sharing_a_line_with_work_is_kept_alone() -> None:
    result = extract(cells("import numpy as np; train(); LAYERS = [1, 2]"))
    assert top_level(result.program) == ["import numpy as np", "LAYERS = [1, 2]"]
    assert result.origin(1) == (0, 1)
    assert result.origin(2) == (0, 1)


def test_program_lines_map_back_to_their_cells() -> None:
    result = extract(
        cells("#md # Title", "import numpy as np\nprint(1)\n\ndef f(x):\n    return x")
    )
    lines = result.program.splitlines()
    assert lines[1] == "def f(x):"
    assert result.origin(2) == (1, 4)
    assert result.origin(3) == (1, 5)
    assert result.origin(0) is None
    assert result.origin(99) is None


def test_markdown_and_raw_cells_are_ignored() -> None:
    made = cells("#md def not_code(x): pass", "def f(x):\n    return x")
    made.append(Cell(2, "raw", "def raw(x): pass", {}))
    assert set(extract(made).functions) == {"f"}


def test_the_extracted_program_runs_in_the_sandbox() -> None:
    result: Extraction = extract(
        cells(
            "%matplotlib inline\nimport numpy as np\nimport initgrade_no_such_module",
            "def scale(l, layers_dims):\n    return np.sqrt(2 / layers_dims[l - 1])",
            HE,
            "parameters = initialize_parameters_he([2, 4, 1])\nprint(parameters)",
        )
    )
    with Worker(result.program, limits=Limits(call_seconds=2), origin=result.origin) as worker:
        answer = worker.call("initialize_parameters_he", [2, 4, 1])
        warnings = worker.load_warnings
    assert answer.value is not None
    np.random.seed(3)
    np.testing.assert_array_equal(answer.value["W1"], np.random.randn(4, 2), err_msg="W1")
    assert warnings == (
        "cell 1, line 3: could not import initgrade_no_such_module (ModuleNotFoundError: No "
        "module named 'initgrade_no_such_module'); graded without it.",
    )


# -- bounds: what extraction reads of a huge notebook, and what it never loses -------------------

GRADED = ("initialize_parameters_he",)


def test_a_cell_too_large_to_read_gives_up_only_its_other_definitions() -> None:
    import time

    filler = "\n".join(f"def filler_{i}(): pass" for i in range(200_000))
    big = f"import numpy as np\n{filler}\n{HE}\nx = 1\n"
    start = time.monotonic()
    result = extract(cells(big, "def scale(l, dims):\n    return 1.0"), graded=GRADED)
    assert time.monotonic() - start < 3
    assert set(result.functions) == {"initialize_parameters_he", "scale"}
    assert result.functions["initialize_parameters_he"].line == 200_003
    assert "import numpy as np" in result.program
    assert any("Cell 1 is 4.9 MB" in w and "only its definitions of initialize" in w
               for w in result.warnings)  # fmt: skip


def test_cells_past_the_notebook_budget_are_left_out_but_graded_ones_are_read() -> None:
    chunk = "\n".join(f"def f{i}(): pass" for i in range(5000))  # about 80 KB a cell
    result = extract(cells(*[chunk.replace("def f", f"def c{n}_") for n in range(12)], HE),
                     graded=GRADED)  # fmt: skip
    assert "initialize_parameters_he" in result.functions
    assert "c0_0" in result.functions
    assert "c11_0" not in result.functions
    assert any("were left out" in w and "always read" in w for w in result.warnings)


def test_definitions_past_the_statement_budget_are_left_out_except_graded_ones() -> None:
    from grader.notebook._bounds import MAX_STATEMENTS

    many = [f"def g{i}(): pass" for i in range(MAX_STATEMENTS + 10)]
    result = extract(cells("\n".join(many[:3000]), "\n".join(many[3000:]), HE), graded=GRADED)
    assert "initialize_parameters_he" in result.functions
    assert f"g{MAX_STATEMENTS - 1}" in result.functions
    assert f"g{MAX_STATEMENTS}" not in result.functions
    assert any(f"more than {MAX_STATEMENTS} top-level definitions" in w for w in result.warnings)


def test_top_level_line_magics_are_left_out_without_ipython_s_transforms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_transformer() -> None:
        raise AssertionError("IPython's transforms were loaded")

    monkeypatch.setattr(_extract_magics, "_transformer", no_transformer)
    result = extract(
        cells(
            "import numpy as np\n%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n"
            "def f(x):\n    return x",
            "!pip install --quiet numpy",
        )
    )
    assert top_level(result.program) == ["import numpy as np", "def f(x):\n    return x"]
    assert result.functions["f"] == Location(cell=0, line=5)
