"""--execute: the whole notebook runs in a sandboxed kernel and each problem becomes a sentence."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from grader.sandbox import _kernel as execute
from grader.sandbox import _launch as launch
from grader.sandbox import execute_notebook
from grader.types import Limits

pytestmark = pytest.mark.slow
LIMITS = Limits(memory_mb=2048)


def notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_every_cell_runs_and_errors_are_reported_by_cell(tmp_path: Path) -> None:
    helpers = tmp_path / "bundle"
    helpers.mkdir()
    (helpers / "init_utils.py").write_text("GREETING = 'hello from the helper'\n")
    original = notebook(
        "from init_utils import GREETING\nprint(GREETING)",
        "1 / 0",
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
    )
    executed, errors = execute_notebook(
        original, workdir=tmp_path / "out", limits=LIMITS, helper_dirs=[helpers], cell_seconds=30
    )
    assert errors == ["Cell 2 raised ZeroDivisionError: division by zero"]
    assert executed.cells[0].outputs[0].text == "hello from the helper\n"
    assert "image/png" in executed.cells[2].outputs[0].data
    assert all(cell.outputs == [] for cell in original.cells)
    assert nbformat.read(tmp_path / "out" / "executed.ipynb", as_version=4).cells[1].outputs


@pytest.mark.skipif(not launch.platform().namespaces, reason="Linux namespaces are not available")
def test_the_kernel_has_no_network_and_no_answer_key() -> None:
    _, errors = execute_notebook(
        notebook(
            "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)",
            "import reference",
        ),
        limits=LIMITS,
        cell_seconds=30,
    )
    assert errors == [
        "Cell 1 raised OSError: [Errno 101] Network is unreachable",
        "Cell 2 raised ModuleNotFoundError: No module named 'reference'",
    ]


def test_a_cell_that_hangs_is_stopped_and_reported() -> None:
    start = time.monotonic()
    executed, errors = execute_notebook(
        notebook("x = 1", "while True:\n    pass", "print('never')"), limits=LIMITS, cell_seconds=1
    )
    assert time.monotonic() - start < 30
    assert errors == ["Cell 2 did not finish within 1 s and was stopped."]
    assert executed.cells[2].outputs == []


def test_a_kernel_that_dies_is_reported() -> None:
    _, errors = execute_notebook(
        notebook("x = 1", "import os\nos._exit(1)", "print('never')"), limits=LIMITS
    )
    assert errors == ["The kernel died while running cell 2 (out of memory, or a crash)."]


def test_the_whole_run_has_a_wall_clock_cap() -> None:
    start = time.monotonic()
    _, errors = execute_notebook(
        notebook("import time\ntime.sleep(2)", "time.sleep(2)", "time.sleep(2)"),
        limits=LIMITS,
        total_seconds=4,
    )
    assert time.monotonic() - start < 15
    assert errors[-1] == "Running the notebook took longer than 4 s and was stopped."


def test_a_kernel_that_cannot_start_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execute, "_STARTUP_SECONDS", 5.0)
    monkeypatch.setattr(execute, "_KERNEL", ["/bin/false"])
    executed, errors = execute_notebook(notebook("x = 1"), limits=LIMITS)
    assert len(errors) == 1
    assert errors[0].startswith("The notebook could not be run: no Jupyter kernel could start (")
    assert executed.cells[0].outputs == []


def test_the_kernel_log_is_read_through_its_own_descriptor_never_by_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RuntimeError: initgrade-execute-secret")
    log_path = tmp_path / "kernel.log"
    log = execute._open_log(log_path)
    try:
        os.write(log, b"ModuleNotFoundError: the kernel's own last words")
        log_path.unlink()  # what a cell in the scratch folder could do ...
        log_path.symlink_to(secret)  # ... to show any file the grader can read
        said = execute._no_kernel(RuntimeError("no kernel"), log)
        log_path.unlink()
        os.mkfifo(log_path)  # or to hang a grader that opens it
        again = execute._no_kernel(RuntimeError("no kernel"), log)
    finally:
        os.close(log)
    assert "the kernel's own last words" in said
    assert "initgrade-execute-secret" not in said + again


def test_a_kernel_that_cannot_start_quotes_its_last_error_without_paths_or_ports(
    tmp_path: Path,
) -> None:
    log = execute._open_log(tmp_path / "kernel.log")
    try:
        os.write(log, b"To connect another client to this kernel, use:\n")
        os.write(log, b"    --existing /tmp/initgrade-x1y2/connection.json\n")
        os.write(log, b"zmq.error.ZMQError: Address in use (addr='tcp://127.0.0.1:54321')\n")
        said = execute._no_kernel(TimeoutError("Kernel didn't respond in 60 seconds"), log)
    finally:
        os.close(log)
    assert said == (
        "The notebook could not be run: no Jupyter kernel could start (TimeoutError; the "
        "kernel's log ends with: zmq.error.ZMQError: Address in use ...)."
    )


def test_a_kernel_sent_a_message_it_cannot_read_stops_the_run_with_the_same_words() -> None:
    cell = (
        "k = get_ipython().kernel\n"
        "k.iopub_socket.send_multipart([b'<IDS|MSG>', b'forged', b'{}', b'{}', b'{}', b'{}'])\n"
        "import time\ntime.sleep(1)"
    )
    _, errors = execute_notebook(
        notebook("1 / 0", cell, "print('never')"), limits=LIMITS, cell_seconds=30
    )
    assert errors == [
        "Cell 1 raised ZeroDivisionError: division by zero",
        "The run stopped in cell 2: the kernel was running, but the grader could not go on "
        "talking to it (ValueError; a cell can cause this by sending the kernel's client a "
        "message it cannot read). The cells after it were not run.",
    ]


def test_a_kernel_log_that_is_already_there_is_not_opened(tmp_path: Path) -> None:
    (tmp_path / "kernel.log").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(FileExistsError):
        execute._open_log(tmp_path / "kernel.log")


def test_what_the_kernel_sends_back_is_made_safe_to_write(tmp_path: Path) -> None:
    executed, errors = execute_notebook(
        notebook("print('\\x1b[2Jcleared')", "raise ValueError('\\x1b[31mred')"),
        workdir=tmp_path,
        limits=LIMITS,
        cell_seconds=30,
    )
    text = executed.cells[0].outputs[0].text
    assert text == "\\x1b[2Jcleared\n"
    assert errors == ["Cell 2 raised ValueError: \\x1b[31mred"]
    nbformat.read(tmp_path / "executed.ipynb", as_version=4)
