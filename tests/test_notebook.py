"""Loading a submission: every kind of file a student can hand in gives a notebook or a reason."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from grader.notebook import LoadedNotebook, LoadFailure, load_notebook, load_notebook_bytes


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def refused(path: Path, **kwargs: int) -> str:
    result = load_notebook(path, **kwargs)
    assert isinstance(result, LoadFailure), result
    assert not result.ok
    assert str(path) in result.reason
    return result.reason


def loaded(path: Path) -> LoadedNotebook:
    result = load_notebook(path)
    assert isinstance(result, LoadedNotebook), result
    assert result.ok
    return result


def test_a_notebook_loads_with_its_cells_and_the_hash_of_its_bytes(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "import numpy as np", "def f(x):\n    return x")
    notebook = loaded(path)
    assert notebook.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [cell.source for cell in notebook.code_cells] == [
        "import numpy as np",
        "def f(x):\n    return x",
    ]
    assert [cell.index for cell in notebook.cells] == [0, 1]
    assert notebook.warnings == ()


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "does not exist" in refused(tmp_path / "nowhere.ipynb")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hw.ipynb").mkdir()
    assert "is a folder, not a notebook" in refused(tmp_path / "hw.ipynb")


def test_a_pipe_is_refused_without_reading_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "hw.ipynb")
    assert "not a regular file" in refused(tmp_path / "hw.ipynb")


def test_an_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)  # root reads through chmod 000, so simulate it
    assert "cannot be read (Permission denied)" in refused(path)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "hw.ipynb").write_bytes(content)
    assert "is empty" in refused(tmp_path / "hw.ipynb")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.ipynb"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    start = time.monotonic()
    reason = refused(path)
    assert time.monotonic() - start < 0.5
    assert "50.0 MB, over the 20 MB limit" in reason


def test_the_size_cap_can_be_lowered(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1" * 100)
    assert "over the 0 MB limit" in refused(path, max_bytes=100)


def test_a_python_script_is_refused_as_one(tmp_path: Path) -> None:
    (tmp_path / "hw.py").write_text("import numpy as np\n")
    assert "is a Python script (.py), not a notebook" in refused(tmp_path / "hw.py")


def test_python_source_saved_as_ipynb_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "hw.ipynb").write_text("import numpy as np\n\ndef f():\n    pass\n")
    reason = refused(tmp_path / "hw.ipynb")
    assert "not valid JSON (line 1, column 1" in reason
    assert "looks like Python source" in reason


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    (tmp_path / "hw.ipynb").write_bytes(b'{"cells": ["\xff\xfe"]}')
    assert "is not UTF-8 text (the byte at offset 12" in refused(tmp_path / "hw.ipynb")


def test_a_truncated_notebook_is_not_json(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")
    path.write_bytes(path.read_bytes()[:60])
    reason = refused(path)
    assert "not valid JSON" in reason
    assert "looks like Python" not in reason


def test_absurdly_nested_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "hw.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in refused(tmp_path / "hw.ipynb")


@pytest.mark.parametrize(
    ("content", "kind"), [([1, 2, 3], "list"), ({"name": "x"}, "dict"), ("cells", "str")]
)
def test_json_that_is_not_a_notebook_is_refused(tmp_path: Path, content: object, kind: str) -> None:
    (tmp_path / "hw.ipynb").write_text(json.dumps(content))
    assert f"JSON but not a Jupyter notebook (its top level is a {kind}" in refused(
        tmp_path / "hw.ipynb"
    )


@pytest.mark.parametrize("version", [2, 5, "4", None])
def test_unknown_format_versions_are_refused(tmp_path: Path, version: object) -> None:
    (tmp_path / "hw.ipynb").write_text(json.dumps({"cells": [], "nbformat": version}))
    assert f"declares notebook format version {version!r}" in refused(tmp_path / "hw.ipynb")


def test_a_version_3_notebook_is_upgraded(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "input": "def f(x):\n    return x", "language": "python",
            "outputs": [{"output_type": "pyout", "text": "1"}], "metadata": {},
            "collapsed": False, "prompt_number": 1}  # fmt: skip
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "old"},
          "worksheets": [{"cells": [cell], "metadata": {}}]}  # fmt: skip
    (tmp_path / "old.ipynb").write_text(json.dumps(v3))
    notebook = loaded(tmp_path / "old.ipynb")
    assert notebook.nb.nbformat == 4
    assert [cell.source for cell in notebook.code_cells] == ["def f(x):\n    return x"]
    assert any("upgraded to version 4" in warning for warning in notebook.warnings)


def test_outputs_are_dropped_so_odd_ones_do_not_matter(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")
    content = json.loads(path.read_text())
    content["cells"][0]["outputs"] = [{"output_type": "bogus", "data": 12}] * 1000
    content["cells"][0]["execution_count"] = "seven"
    path.write_text(json.dumps(content))
    notebook = loaded(path)
    assert notebook.warnings == ()
    assert notebook.nb.cells[0].outputs == []


def test_an_invalid_but_readable_notebook_is_graded_with_a_warning(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")
    content = json.loads(path.read_text())
    content["cells"][0]["unexpected"] = True
    del content["metadata"]
    path.write_text(json.dumps(content))
    notebook = loaded(path)
    assert any("does not fully follow the notebook format" in w for w in notebook.warnings)
    assert notebook.code_cells[0].source == "x = 1"


def test_duplicate_cell_ids_are_repaired_quietly(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1", "y = 2")
    content = json.loads(path.read_text())
    content["cells"][1]["id"] = content["cells"][0]["id"]
    path.write_text(json.dumps(content))
    notebook = loaded(path)
    assert len({cell.id for cell in notebook.nb.cells}) == 2
    assert any("repeats an earlier cell's" in warning for warning in notebook.warnings)


def test_thousands_of_repeated_cell_ids_give_a_few_warnings_the_same_on_every_load(
    tmp_path: Path,
) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", *["x = 1"] * 3000)
    content = json.loads(path.read_text())
    for cell in content["cells"]:
        cell["id"] = "cell-2"  # also the name the second cell's new id would take first
    path.write_text(json.dumps(content))
    first, second = loaded(path), loaded(path)
    assert first.warnings == second.warnings
    assert len(first.warnings) <= 25
    assert "2,979 more warnings" in first.warnings[-1]
    assert len({cell.id for cell in first.nb.cells}) == 3000


def test_sources_saved_as_lists_of_lines_are_joined(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")
    content = json.loads(path.read_text())
    content["cells"][0]["source"] = ["def f(x):\n", "    return x\n"]
    path.write_text("\ufeff" + json.dumps(content), encoding="utf-8")  # a byte-order mark too
    assert loaded(path).code_cells[0].source == "def f(x):\n    return x\n"


def test_cells_that_cannot_be_read_are_refused(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "hw.ipynb", "x = 1")
    content = json.loads(path.read_text())
    content["cells"][0]["source"] = 42
    path.write_text(json.dumps(content))
    assert "cells cannot be read" in refused(path)


def test_a_notebook_without_code_cells_is_refused(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Answers")])
    nbformat.write(notebook, tmp_path / "hw.ipynb")
    assert "has no code cells" in refused(tmp_path / "hw.ipynb")


# -- bytes without a file (a batch task on another machine) -----------------------------------


def _broken_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "blank": b"  \n ",
        "not_utf8": b'{"cells": "\xff\xfe"}',
        "not_json": b"def f(): pass\n{",
        "not_a_notebook": b'{"a": [1, 2]}',
        "bad_version": b'{"cells": [], "nbformat": 9}',
        "no_code": json.dumps(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("on paper")])
        ).encode(),
        "ok": nbformat.writes(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        ).encode(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.ipynb"
        paths[name].write_bytes(data)
    (tmp_path / "script.py").write_text("x = 1\n")
    paths["script"] = tmp_path / "script.py"
    return paths


def test_bytes_load_exactly_as_the_file_with_the_same_bytes_does(tmp_path: Path) -> None:
    for name, path in _broken_files(tmp_path).items():
        from_file = load_notebook(path)
        from_bytes = load_notebook_bytes(path.read_bytes(), str(path))
        assert type(from_bytes) is type(from_file), name
        assert from_bytes.path == from_file.path
        assert from_bytes.sha256 == from_file.sha256, name
        if isinstance(from_file, LoadFailure):
            assert isinstance(from_bytes, LoadFailure)
            assert from_bytes.reason == from_file.reason, name
        else:
            assert isinstance(from_bytes, LoadedNotebook)
            assert from_bytes.cells == from_file.cells
            assert from_bytes.warnings == from_file.warnings


def test_bytes_over_the_size_cap_are_refused_with_the_name_and_the_limit() -> None:
    data = b" " * (2 * 1024 * 1024 + 1)
    result = load_notebook_bytes(data, "big.ipynb", max_bytes=2 * 1024 * 1024)
    assert isinstance(result, LoadFailure)
    assert result.reason.startswith("big.ipynb is 2.0 MB, over the 2 MB limit")
