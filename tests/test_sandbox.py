"""The sandbox worker: exact results, student mistakes as data, and hostile code contained.

Programs live in tests/fixtures/sandbox/. Limits are small so the module stays fast; every case
checks that its wall time stays within its limit plus two seconds. Cases that wait out a time
limit are marked slow (and still run in CI).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import Worker, isolation_report
from grader.sandbox import _launch as launch
from grader.sandbox import _platform as sandbox_platform
from grader.types import CallResult, CallStatus, Limits, Raised
from tests.published import HE_2_4_1

FIXTURES = Path(__file__).parent / "fixtures" / "sandbox"
LIMITS = Limits(
    wall_seconds=30,
    call_seconds=1.5,
    cpu_seconds=10,
    memory_mb=512,
    max_processes=32,
    max_file_mb=4,
    max_output_kb=64,
)
SLACK = 2.0
HE_W1, HE_W2 = HE_2_4_1["W1"], HE_2_4_1["W2"]

needs_namespaces = pytest.mark.skipif(
    not launch.platform().namespaces, reason="Linux namespaces are not available here"
)


def program(name: str, **replace: str) -> str:
    text = (FIXTURES / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


@contextmanager
def within(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    assert elapsed <= seconds + SLACK, f"took {elapsed:.1f} s, limit {seconds} s + {SLACK} s"


def call_once(fixture: str, function: str, limits: Limits = LIMITS, **replace: str) -> CallResult:
    with within(limits.call_seconds), Worker(program(fixture, **replace), limits=limits) as worker:
        return worker.call(function, [2, 4, 1])


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def returns() -> Iterator[Worker]:
    with Worker(program("returns.py"), limits=LIMITS) as worker:
        yield worker


# -- a correct program ------------------------------------------------------------------------


def test_he_returns_the_published_weights_exactly(returns: Worker) -> None:
    result = returns.call("initialize_parameters_he", [2, 4, 1])
    assert result.status is CallStatus.OK, result.message
    assert result.value is not None
    assert sorted(result.value) == ["W1", "W2", "b1", "b2"]
    np.testing.assert_allclose(result.value["W1"], HE_W1, rtol=0, atol=5e-9, err_msg="W1")
    np.testing.assert_allclose(result.value["W2"], HE_W2, rtol=0, atol=5e-9, err_msg="W2")
    np.random.seed(3)
    exact = np.random.randn(4, 2) * np.sqrt(2 / 2)
    assert np.array_equal(result.value["W1"], exact)
    assert result.args_after == [2, 4, 1]
    assert all(type(v) is np.ndarray and v.dtype == np.float64 for v in result.value.values())


def test_preseed_seeds_the_global_generator_before_the_call(returns: Worker) -> None:
    first = returns.call("unseeded", [2, 3], preseed=1)
    again = returns.call("unseeded", [2, 3], preseed=1)
    other = returns.call("unseeded", [2, 3], preseed=2)
    assert first.value is not None
    assert again.value is not None
    assert other.value is not None
    assert np.array_equal(first.value["W1"], again.value["W1"])
    assert not np.array_equal(first.value["W1"], other.value["W1"])


def test_a_mutated_argument_comes_back_in_args_after(returns: Worker) -> None:
    result = returns.call("mutates", [2, 4, 1])
    assert result.ok
    assert result.args_after == [2, 4, 1, 7]


def test_a_tuple_argument_stays_a_tuple(returns: Worker) -> None:
    as_tuple = returns.call("argument_type", (2, 4, 1))
    as_list = returns.call("argument_type", [2, 4, 1])
    assert as_tuple.value is not None
    assert as_list.value is not None
    assert as_tuple.value["W1"][0, 0] == 1.0
    assert as_list.value["W1"][0, 0] == 0.0


def test_one_worker_serves_every_call(returns: Worker) -> None:
    scratch = returns.scratch
    for _ in range(3):
        assert returns.call("initialize_parameters_he", [3, 2, 1]).ok
    assert returns.scratch == scratch is not None


# -- returned values that are not a plain dict of real arrays ----------------------------------


@pytest.mark.parametrize(
    ("function", "fragment"),
    [
        ("returns_none", "returned None; end the function with `return parameters`"),
        ("returns_list", "returned something of type list, not a dict"),
        ("returns_tuple", "returned something of type tuple, not"),
        ("returns_object", "returned something of type object, not"),
        ("returns_dict_subclass", "returned a Params, a subclass of dict that defines __getitem__"),
        ("returns_ordered_subclass_with_a_method", "returned a Hiding, a subclass of dict that"),
        ("returns_dict_with_a_mixin", "returned a Mixed, a subclass of dict that defines keys"),
        ("returns_dict_with_a_metaclass", "that defines its metaclass of its own"),
        ("returns_ndarray_subclass", "returned W1 as something of type Sub"),
        ("returns_matrix", "returned W1 as something of type matrix"),
        ("returns_masked", "W1 as something of type MaskedArray"),
        ("returns_look_alike", "W1 as something of type LookAlike"),
        ("returns_nested_list", "W1 as something of type list"),
        ("returns_placeholder", "returned W1 = None; replace the None placeholder between"),
        ("returns_scalar_array", "W1 as something of type float64"),
        ("returns_complex", "returned W1 with dtype complex128"),
        ("returns_object_array", "returned W1 with dtype object"),
        ("returns_strings", "returned W1 with dtype <U1"),
        ("returns_int_key", "the key 1 of type int"),
        ("returns_too_many", "100 entries; at most 64"),
    ],
)
def test_values_that_are_not_real_arrays_are_invalid(
    returns: Worker, function: str, fragment: str
) -> None:
    result = returns.call(function, [2, 4, 1])
    assert result.status is CallStatus.INVALID
    assert result.value is None
    assert fragment in result.message


@pytest.mark.parametrize(
    "function",
    [
        "returns_ordered_dict",
        "returns_defaultdict",
        "returns_plain_subclass",
        "returns_plain_ordered_subclass",
    ],
)
def test_mappings_that_only_store_their_items_are_read_as_data(
    returns: Worker, function: str
) -> None:
    result = returns.call(function, [2, 4, 1])
    assert result.ok, result.message
    assert result.value is not None
    assert type(result.value) is dict
    np.testing.assert_array_equal(result.value["W1"], np.zeros((2, 2)), err_msg=function)


def test_integer_and_bool_arrays_become_float64_with_a_note(returns: Worker) -> None:
    result = returns.call("returns_ints", [2, 4, 1])
    assert result.ok
    assert result.value is not None
    assert result.value["W1"].dtype == np.float64
    assert result.value["W1"].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert "W1 holds int64 values" in result.message
    assert "b1 holds bool values" in result.message
    assert result.dtypes == (("W1", "int64"), ("b1", "bool"))


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("returns_float32", np.ones((2, 2))),
        ("returns_non_finite", np.array([[np.nan, np.inf]])),
        ("returns_fortran", np.arange(6.0).reshape(2, 3)),
        ("returns_zero_d", np.array(2.0)),
    ],
)
def test_real_arrays_pass_through_whatever_their_layout(
    returns: Worker, function: str, expected: np.ndarray
) -> None:
    result = returns.call(function, [2, 4, 1])
    assert result.ok, result.message
    assert result.value is not None
    np.testing.assert_array_equal(result.value["W1"], expected, err_msg=function)
    assert result.value["W1"].flags.c_contiguous
    assert result.value["W1"].dtype == np.float64
    assert result.dtypes == ((("W1", "float32"),) if function == "returns_float32" else ())


def test_a_misspelled_function_is_missing_with_a_suggestion(returns: Worker) -> None:
    result = returns.call("initialize_parameters_hee", [2, 4, 1])
    assert result.status is CallStatus.MISSING
    assert "did you mean 'initialize_parameters_he'?" in result.message


def test_a_name_that_is_not_a_function_is_missing(returns: Worker) -> None:
    result = returns.call("not_a_function", [2, 4, 1])
    assert result.status is CallStatus.MISSING
    assert "not_a_function is defined in your notebook as a value of type int" in result.message


def test_defined_lists_the_programs_functions(returns: Worker) -> None:
    names = returns.defined()
    assert {"initialize_parameters_he", "unseeded", "returns_none"} <= names
    assert "not_a_function" not in names
    assert "np" not in names
    assert "Params" not in names


def test_a_function_lost_to_a_compile_error_says_why() -> None:
    reasons = {"initialize_parameters_zeros": "it is in a cell that does not compile"}
    with Worker("x = 1\n", limits=LIMITS, missing_reasons=reasons) as worker:
        result = worker.call("initialize_parameters_zeros", [2, 1])
    assert result.status is CallStatus.MISSING
    assert result.message.endswith("; it is in a cell that does not compile")


# -- functions that raise or end the process ---------------------------------------------------


@pytest.mark.parametrize(
    ("function", "status", "fragment"),
    [
        ("raises", CallStatus.EXCEPTION, "ZeroDivisionError: division by zero (in raises, "),
        ("recursion", CallStatus.EXCEPTION, "RecursionError"),
        ("exits_with_os_exit", CallStatus.CRASHED, "exited with status 3 while running exits"),
        ("calls_sys_exit", CallStatus.CRASHED, "raised SystemExit(3), which stops"),
        ("raises_keyboard_interrupt", CallStatus.CRASHED, "raised KeyboardInterrupt"),
        ("raises_base_exception", CallStatus.CRASHED, "raised Stop"),
        ("segfaults", CallStatus.CRASHED, "killed by signal SIGSEGV while running segfaults"),
    ],
)
def test_raising_or_dying_becomes_a_status_with_a_reason(
    function: str, status: CallStatus, fragment: str
) -> None:
    result = call_once("exits.py", function)
    assert result.status is status
    assert fragment in result.message


def test_an_exception_names_the_line_of_the_students_code() -> None:
    lines = program("exits.py").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "1 / denominator" in line)
    with Worker(program("exits.py"), limits=LIMITS, origin=lambda line: (4, line - 20)) as worker:
        result = worker.call("raises", [1])
    assert f"cell 5, line {number - 20}: `return 1 / denominator`" in result.message
    assert result.raised == Raised(
        "ZeroDivisionError",
        "division by zero",
        f"cell 5, line {number - 20}",
        "return 1 / denominator",
        "raises",
    )


def test_the_worker_restarts_after_dying() -> None:
    with within(LIMITS.call_seconds), Worker(program("exits.py"), limits=LIMITS) as worker:
        assert worker.call("exits_with_os_exit", [1]).status is CallStatus.CRASHED
        assert worker.call("raises", [1]).status is CallStatus.EXCEPTION


# -- functions that never return ---------------------------------------------------------------


@pytest.mark.slow  # waits out a time limit
@pytest.mark.parametrize("function", ["loops", "loops_ignoring_signals", "sleeps"])
def test_a_hanging_call_times_out_and_the_next_call_gets_a_new_worker(function: str) -> None:
    with within(LIMITS.call_seconds + 1), Worker(program("hangs.py"), limits=LIMITS) as worker:
        result = worker.call(function, [2, 4, 1])
        assert result.status is CallStatus.TIMEOUT
        assert f"{function} did not finish within 1.5 s" in result.message
        assert worker.call("fast", [2, 4, 1]).ok


def test_the_cpu_limit_ends_a_busy_call() -> None:
    limits = Limits(call_seconds=4, cpu_seconds=1, memory_mb=512)
    result = call_once("escapes.py", "burns_cpu", limits)
    assert result.status is CallStatus.TIMEOUT
    assert "used up its 1 s of CPU time while running burns_cpu" in result.message


@pytest.mark.slow  # waits out a time limit
def test_a_spent_time_budget_stops_every_later_call() -> None:
    limits = Limits(wall_seconds=2.5, call_seconds=1.5, memory_mb=512)
    with within(limits.wall_seconds), Worker(program("hangs.py"), limits=limits) as worker:
        assert worker.call("loops", [1]).status is CallStatus.TIMEOUT
        second = worker.call("loops", [1])
        third = worker.call("fast", [1])
    assert second.status is third.status is CallStatus.TIMEOUT
    assert "used up its 2.5 s of grading time" in third.message


# -- resources -------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ["grows_memory", "grows_list"])
def test_running_out_of_memory_is_memory(function: str) -> None:
    result = call_once("escapes.py", function)
    assert result.status is CallStatus.MEMORY
    assert "ran out of memory (the limit is 512 MB)" in result.message


def test_a_file_over_the_size_limit_fails_the_write() -> None:
    result = call_once("escapes.py", "writes_big_file")
    assert result.status is CallStatus.EXCEPTION
    assert "File too large" in result.message


@pytest.mark.slow  # waits out a time limit
def test_a_fork_bomb_is_contained_and_cleaned_up() -> None:
    with within(LIMITS.call_seconds + 1), Worker(program("escapes.py"), limits=LIMITS) as worker:
        scratch = str(worker.scratch)
        result = worker.call("fork_bomb", [1])
        assert worker.call("ok_call", [1]).status is CallStatus.MISSING
    assert result.status is CallStatus.TIMEOUT
    assert processes_mentioning(scratch) == []


def test_floods_of_output_keep_only_a_tail() -> None:
    with within(LIMITS.call_seconds), Worker(program("escapes.py"), limits=LIMITS) as worker:
        result = worker.call("floods_output", [1])
        tail = worker.output_tail
    assert result.ok
    assert len(tail) <= LIMITS.max_output_kb * 1024 + 100
    assert tail.startswith("[... ")
    assert tail.rstrip().endswith("the end")


# -- the protocol cannot be confused ------------------------------------------------------------


@pytest.mark.parametrize(
    "function", ["writes_garbage_to_stdout", "closes_stdio", "reseeds_globally"]
)
def test_writing_to_or_closing_stdio_does_not_touch_the_protocol(function: str) -> None:
    with Worker(program("escapes.py"), limits=LIMITS) as worker:
        result = worker.call(function, [1])
        tail = worker.output_tail
    assert result.ok, result.message
    assert result.value is not None
    assert result.value["W1"].tolist() == [[1.0]]
    if function == "writes_garbage_to_stdout":
        assert "not a protocol message" in tail


def test_reading_stdin_finds_it_empty() -> None:
    result = call_once("escapes.py", "reads_stdin")
    assert result.status is CallStatus.EXCEPTION
    assert "EOFError" in result.message


def test_garbage_on_the_protocol_pipe_is_a_crash() -> None:
    result = call_once("escapes.py", "writes_to_every_fd")
    assert result.status is CallStatus.CRASHED
    assert "sent back something unreadable while running writes_to_every_fd" in result.message


# -- isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ["imports_reference", "imports_grader"])
def test_the_grader_and_the_answer_key_cannot_be_imported(function: str) -> None:
    result = call_once("escapes.py", function)
    assert result.status is CallStatus.EXCEPTION
    assert "ModuleNotFoundError" in result.message


@needs_namespaces
def test_the_answer_key_files_are_hidden() -> None:
    key = Path(launch.answer_key_dirs()[0]) / "__init__.py"
    assert key.is_file()
    result = call_once("escapes.py", "reads_answer_key", ANSWER_KEY_PLACEHOLDER=str(key))
    assert result.status is CallStatus.EXCEPTION
    assert "FileNotFoundError" in result.message


@needs_namespaces
def test_the_network_is_unreachable() -> None:
    result = call_once("escapes.py", "connects")
    assert result.status is CallStatus.EXCEPTION
    assert "Network is unreachable" in result.message


@needs_namespaces
@pytest.mark.parametrize("function", ["background_process", "spawns", "background_thread"])
def test_nothing_a_submission_starts_outlives_its_worker(function: str) -> None:
    token = f"initgrade-test-{uuid.uuid4().hex}"
    with within(1.0), Worker(program("escapes.py", **{"initgrade-token-placeholder": token})) as w:
        scratch = str(w.scratch)
        assert w.call(function, [1]).ok
        expected = 0 if function == "background_thread" else 1
        survivors = processes_mentioning(token)
        deadline = time.monotonic() + 2  # the grandchild may still be on its way to exec
        while len(survivors) < expected and time.monotonic() < deadline:
            time.sleep(0.01)
            survivors = processes_mentioning(token)
        assert len(survivors) == expected
    assert processes_mentioning(scratch) == []
    for pid in survivors:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@needs_namespaces
def test_a_worker_dies_with_the_grader_that_started_it(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from grader.sandbox._client import Worker\n"
        "worker = Worker(open(sys.argv[1]).read()).__enter__()\n"
        "print(worker.scratch, flush=True)\n"
        "worker.call('sleeps', [1])\n"
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", script, str(FIXTURES / "hangs.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert grader.stdout is not None
    scratch = grader.stdout.readline().strip()
    deadline = time.monotonic() + 2  # the launcher may still be between two execs
    while not processes_mentioning(scratch) and time.monotonic() < deadline:
        time.sleep(0.01)
    running = processes_mentioning(scratch)
    grader.kill()
    _, said = grader.communicate()
    assert running, f"scratch {scratch!r}; the grader said {said[-2000:]}"
    deadline = time.monotonic() + 2
    while processes_mentioning(scratch) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert processes_mentioning(scratch) == []
    launch.remove_scratch(Path(scratch))


def test_without_namespaces_limits_and_the_import_blocker_still_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = launch.Platform(False, os.geteuid() == 0, False, (), (), (), None, "switched off")
    monkeypatch.setattr(sandbox_platform, "_current", [plain])
    with Worker(program("escapes.py"), limits=LIMITS) as worker:
        assert worker.call("imports_reference", [1]).status is CallStatus.EXCEPTION
        assert worker.call("grows_memory", [1]).status is CallStatus.MEMORY
        assert worker.call("ok_call", [1]).status is CallStatus.MISSING
    result = call_once("exits.py", "exits_with_os_exit")
    assert "exited with status 3" in result.message


def test_a_worker_that_is_not_entered_refuses_calls() -> None:
    with pytest.raises(RuntimeError, match="context manager"):
        Worker("x = 1\n").call("f", [1])


def test_a_preseed_numpy_cannot_take_is_a_grader_error(returns: Worker) -> None:
    with pytest.raises(ValueError, match="preseed"):
        returns.call("unseeded", [2, 3], preseed=-1)


def test_isolation_report_names_the_defenses() -> None:
    report = isolation_report()
    assert "RLIMIT_NPROC" in report
    expected = "namespaces: new user" if launch.platform().namespaces else "unavailable"
    assert expected in report


# -- loading the program ------------------------------------------------------------------------


def test_failed_imports_and_top_level_errors_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "init_utils.py").write_text("helper_value = 0.5\n")
    (tmp_path / "solution.ipynb").write_text("{}")
    with Worker(program("loading.py"), helper_dirs=[tmp_path], limits=LIMITS) as worker:
        warnings = worker.load_warnings
        result = worker.call("initialize_parameters_zeros", [2, 3])
        solution_copied = (
            worker.scratch is not None and (worker.scratch / "solution.ipynb").exists()
        )
    assert any("could not import initgrade_no_such_module" in w for w in warnings)
    assert any("could not import testCases" in w for w in warnings)
    assert any("ZeroDivisionError" in w and "skipped" in w for w in warnings)
    assert result.ok
    assert result.value is not None
    assert result.value["W1"].tolist() == [[0.5, 0.5]] * 3
    assert not solution_copied


PLOTTING = """import numpy as np
import matplotlib.pyplot as plt
from matplotlib import pyplot


def pyplot_has_run(layers_dims):
    return {"W1": np.full((1, 1), float("figure" in vars(plt)))}


def plots(layers_dims):
    figure, axes = plt.subplots()
    axes.plot(layers_dims)
    pyplot.close(figure)
    return {"W1": np.ones((1, 1))}
"""


@pytest.mark.slow  # matplotlib builds its font cache in the fresh scratch home
def test_plotting_imports_load_on_first_use_and_then_work() -> None:
    limits = Limits(call_seconds=10, memory_mb=1024)
    with Worker(PLOTTING, limits=limits) as worker:
        assert worker.load_warnings == ()
        before = worker.call("pyplot_has_run", [1])
        result = worker.call("plots", [1, 2, 3])
        after = worker.call("pyplot_has_run", [1])
    assert result.ok, result.message
    assert before.value is not None
    assert after.value is not None
    assert (before.value["W1"][0, 0], after.value["W1"][0, 0]) == (0.0, 1.0)


def test_a_statement_that_kills_the_worker_while_loading_is_left_out_and_the_rest_loads() -> None:
    with within(LIMITS.call_seconds + 2), Worker(program("load_exits.py"), limits=LIMITS) as w:
        result = w.call("f", [1])
        assert "Boom" not in w.defined()
        assert w.missing_reason("Boom") is not None
        warnings = w.load_warnings
    assert result.status is CallStatus.OK
    assert any("Boom" in text and "exited with status 4" in text for text in warnings), warnings


def test_a_function_whose_definition_killed_the_worker_is_missing_with_the_reason() -> None:
    source = "import os\ndef g(dims, _=os._exit(5)):\n    return {}\ndef f(d):\n    return {}\n"
    with within(LIMITS.call_seconds + 2), Worker(source, limits=LIMITS) as worker:
        missing, fine = worker.call("g", [1]), worker.call("f", [1])
    assert missing.status is CallStatus.MISSING
    assert "stopped the worker while loading" in missing.message
    assert "exited with status 5" in missing.message
    assert fine.status is CallStatus.OK


@pytest.mark.slow  # waits out a time limit
def test_a_statement_that_hangs_while_loading_is_left_out_after_the_time_limit() -> None:
    with within(LIMITS.call_seconds + 2), Worker(program("load_hangs.py"), limits=LIMITS) as w:
        result = w.call("f", [1])
        assert w.defined() == {"f"}
        warnings = w.load_warnings
    assert result.status is CallStatus.OK
    assert any("Forever" in text and "took longer than 1.5 s" in text for text in warnings)


@pytest.mark.parametrize("shape", [(), (3,), (3, 2), (0, 3), (2, 3, 4)])
@pytest.mark.parametrize("fortran", [False, True])
def test_npy_replies_decode_to_the_same_float_array_on_either_path(shape, fortran) -> None:
    from grader.sandbox._decode import _read_npy_checked, read_npy

    array = np.random.default_rng(0).standard_normal(shape)
    array = np.asfortranarray(array) if fortran else array
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    for read in (read_npy, _read_npy_checked):
        decoded = read(buffer.getvalue())
        assert decoded.shape == array.shape
        assert decoded.flags.writeable
        np.testing.assert_array_equal(decoded, array)


def test_npy_bytes_that_lie_about_their_size_are_garbled() -> None:
    from grader.sandbox._decode import Garbled, read_npy

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ones((3, 2)), allow_pickle=False)
    blob = buffer.getvalue()
    for bad in (blob[:-8], blob.replace(b"(3, 2)", b"(3, 3)"), blob + b"\0" * 8):
        with pytest.raises(Garbled):
            read_npy(bad)
