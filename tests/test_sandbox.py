"""The sandbox worker: exact results, student mistakes as data, and hostile code contained.

Programs live in tests/fixtures/sandbox/. Limits are small so the module stays fast; every case
checks that its wall time stays within its limit plus two seconds. Cases that wait out a time
limit are marked slow (and still run in CI).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import SandboxRefused, Worker, isolation_report
from grader.sandbox import _launch as launch
from grader.sandbox import _platform as sandbox_platform
from grader.types import Call, CallResult, CallStatus, Limits, Raised, Schedule
from tests.published import HE_2_4_1
from tests.slowness import slowness, wall_bound

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
    """The block takes at most ``seconds`` of limits and ``SLACK`` more, on a quiet machine; on a
    busy one, as much longer as the machine is measured slower before and after it."""
    before = slowness()
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    factor = max(before, slowness())
    bound = wall_bound(seconds, SLACK, factor)
    assert elapsed <= bound, (
        f"took {elapsed:.1f} s, limit {seconds} s + {SLACK} s, {factor:.1f}x slower: {bound:.1f} s"
    )


def call_once(fixture: str, function: str, limits: Limits = LIMITS, **replace: str) -> CallResult:
    with within(limits.call_seconds), Worker(program(fixture, **replace), limits=limits) as worker:
        return worker.call(function, [2, 4, 1])


def pid_namespace(pid: int | None) -> str:
    return os.readlink(f"/proc/{pid}/ns/pid")


def processes_in(namespace: str) -> list[int]:
    """The live processes (zombies are dead) in a pid namespace, as seen from here."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if os.readlink(entry / "ns" / "pid") == namespace and state != "Z":
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


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
    assert returns.process is not None
    pid = returns.process.worker_pid
    for _ in range(3):
        assert returns.call("initialize_parameters_he", [3, 2, 1]).ok
    assert returns.process is not None
    assert returns.process.worker_pid == pid is not None


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
        assert worker.call("ok_call", [1]).status is CallStatus.MISSING
        assert worker.process is not None
        namespace = pid_namespace(worker.process.init_pid)
        result = worker.call("fork_bomb", [1])
        assert processes_in(namespace) == []
        assert worker.call("ok_call", [1]).status is CallStatus.MISSING
    assert result.status is CallStatus.TIMEOUT


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


def test_every_folder_at_the_top_but_the_systems_is_covered(tmp_path: Path) -> None:
    from grader.sandbox._platform import covered_dirs

    top = Path("/") / f"initgrade-course-{uuid.uuid4().hex[:8]}"
    try:
        top.mkdir()
    except OSError:
        pytest.skip("cannot make a folder at /")
    try:
        covered = covered_dirs(tmp_path)
    finally:
        top.rmdir()
    assert top in covered
    assert not {Path("/usr"), Path("/etc"), Path("/dev"), Path("/proc")} & set(covered)


@needs_namespaces
def test_the_network_is_unreachable() -> None:
    result = call_once("escapes.py", "connects")
    assert result.status is CallStatus.EXCEPTION
    assert "Network is unreachable" in result.message


@pytest.mark.parametrize("function", ["background_process", "spawns", "background_thread"])
def test_a_call_that_leaves_work_running_fails_and_the_work_is_stopped(function: str) -> None:
    token = f"initgrade-test-{uuid.uuid4().hex}"
    source = program("escapes.py", **{"initgrade-token-placeholder": token})
    with within(1.0), Worker(source, limits=LIMITS) as worker:
        result = worker.call(function, [1])
        assert processes_mentioning(token) == []  # stopped before the call returned
        assert worker.call("ok_call", [1]).status is CallStatus.MISSING  # a fresh worker
    assert result.status is CallStatus.CRASHED
    assert f"{function} returned while a process or thread it started was still running" in (
        result.message
    )


@pytest.mark.parametrize("function", ["waits_for_its_child", "joins_its_thread"])
def test_work_a_call_finishes_before_returning_is_fine(function: str) -> None:
    result = call_once("escapes.py", function)
    assert result.ok, result.message


@needs_namespaces
def test_a_worker_dies_with_the_grader_that_started_it(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from grader.sandbox import Worker\n"
        "worker = Worker(open(sys.argv[1]).read()).__enter__()\n"
        "worker.defined()\n"
        "print(os.readlink(f'/proc/{worker.process.init_pid}/ns/pid'), flush=True)\n"
        "worker.call('sleeps', [1])\n"
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", script, str(FIXTURES / "hangs.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert grader.stdout is not None
    namespace = grader.stdout.readline().strip()
    running = processes_in(namespace)
    grader.kill()
    _, said = grader.communicate()
    assert len(running) == 2, f"namespace {namespace!r}; the grader said {said[-2000:]}"
    deadline = time.monotonic() + 2
    while processes_in(namespace) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert processes_in(namespace) == []


def test_without_namespaces_grading_is_refused_with_how_to_run_safely(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = launch.Platform(False, os.geteuid() == 0, False, (), (), (), None, "switched off")
    monkeypatch.setattr(sandbox_platform, "_current", [plain])
    with pytest.raises(SandboxRefused, match="switched off") as refused:
        Worker(program("escapes.py"), limits=LIMITS).__enter__()
    assert "--accept-weak-isolation" in str(refused.value)
    assert "user namespaces" in str(refused.value)
    assert "unavailable (switched off)" in isolation_report()
    assert "refused unless the risk is accepted" in isolation_report()


def test_without_namespaces_a_fresh_uid_that_cannot_enter_the_answer_key_may_grade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = launch.Platform(False, True, True, (), (), (), None, "switched off", key_closed=True)
    monkeypatch.setattr(sandbox_platform, "_current", [closed])
    assert launch.refusal(closed) == ""
    assert "answer key's folders are closed to a fresh uid" in isolation_report()


def test_without_namespaces_and_the_risk_accepted_limits_and_the_import_blocker_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = launch.Platform(False, os.geteuid() == 0, False, (), (), (), None, "switched off")
    monkeypatch.setattr(sandbox_platform, "_current", [plain])
    token = f"initgrade-test-{uuid.uuid4().hex}"
    source = program("escapes.py", **{"initgrade-token-placeholder": token})
    try:
        with Worker(source, limits=LIMITS, accept_weak_isolation=True) as worker:
            assert worker.call("imports_reference", [1]).status is CallStatus.EXCEPTION
            assert worker.call("grows_memory", [1]).status is CallStatus.MEMORY
            assert worker.call("ok_call", [1]).status is CallStatus.MISSING
            scratch = worker.scratch
            assert worker.call("spawns", [1]).status is CallStatus.CRASHED
    finally:
        # Without a pid namespace or a fresh uid, the process group is all that is killed; a
        # child in a session of its own outlives it (README: the threat model). Not ours to keep.
        for pid in processes_mentioning(token):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    assert scratch is not None
    assert not scratch.exists()
    with Worker(program("exits.py"), limits=LIMITS, accept_weak_isolation=True) as worker:
        result = worker.call("exits_with_os_exit", [1])
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


PATCHES_THE_WORKER = """import gc
import numpy as np
class _Patch:
    for found in gc.get_objects():
        if type(found).__name__ == "_Worker":
            found.seed = lambda seed: None
def _patcher(function):
    for found in gc.get_objects():
        if type(found).__name__ == "_Worker":
            found.seed = lambda seed: None
    return function
@_patcher
def decorated(d):
    return {}
def defaulted(d, _=gc.collect()):
    return {}
class Plain(dict):
    size = 3.0
    def keys(self):
        return []
def draws(d):
    return {"W1": np.random.randn(1, 1) + Plain.size}
"""


def test_loading_runs_no_class_body_decorator_or_default_that_calls_code() -> None:
    with Worker(PATCHES_THE_WORKER, limits=LIMITS) as worker:
        warnings = worker.load_warnings
        defined = worker.defined()
        one, two = (worker.call("draws", [1], preseed=seed) for seed in (1, 2))
    assert "draws" in defined
    assert not {"decorated", "defaulted"} & defined
    assert len([w for w in warnings if "not run while loading" in w]) == 3
    assert one.value is not None
    assert two.value is not None
    np.random.seed(1)
    assert one.value["W1"] == np.random.randn(1, 1) + 3.0  # the worker's preseed, untouched
    assert two.value["W1"] != one.value["W1"]


LIBRARY_DECORATORS = """import functools
import numpy as np
class Claims:
    __module__ = "functools"
    def __init__(self, function):
        pass
@functools.lru_cache(maxsize=None)
def cached(n):
    return n + 1
@functools.cache
def also_cached(n):
    return n + 2
@Claims
def claimed(d):
    return {}
def draws(d):
    return {"W1": np.full((1, 1), float(cached(1) + also_cached(1)))}
"""


def test_a_librarys_own_decorator_is_applied_while_loading_and_a_look_alike_is_not() -> None:
    """A correct function memoised with functools keeps its points; an object that only claims
    to come from functools is a student's, and is not called while loading."""
    with Worker(LIBRARY_DECORATORS, limits=LIMITS) as worker:
        warnings = worker.load_warnings
        defined = worker.defined()
        result = worker.call("draws", [1])
    assert {"cached", "also_cached", "draws"} <= defined
    assert "claimed" not in defined
    assert len([w for w in warnings if "not run while loading" in w]) == 1
    assert result.value is not None
    assert result.value["W1"][0, 0] == 5.0


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


def test_helpers_come_with_bytecode_the_import_takes_without_compiling(tmp_path: Path) -> None:
    (tmp_path / "good_helper.py").write_text("VALUE = 41 + 1\n")
    (tmp_path / "bad_helper.py").write_text("def broken(:\n")
    files = launch.helper_files([tmp_path])
    tag = sys.implementation.cache_tag
    assert f"__pycache__/good_helper.{tag}.pyc" in files
    assert not any("bad_helper" in name and name.endswith(".pyc") for name in files)
    folder = tmp_path / "scratch"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    script = (
        "import importlib.machinery as m, sys\n"
        "def refuse(*args, **kwargs): raise RuntimeError('compiled from source')\n"
        "m.SourceFileLoader.source_to_code = refuse\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        "import good_helper\n"
        "print(good_helper.VALUE)\n"
    )
    ran = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True)
    assert ran.stdout.strip() == "42", ran.stderr
    (folder / "good_helper.py").write_text("VALUE = 7\n")  # the bytecode no longer matches
    again = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True)
    assert "compiled from source" in again.stderr


def test_a_helper_that_does_not_compile_is_reported_as_before(tmp_path: Path) -> None:
    (tmp_path / "init_utils.py").write_text("def broken(:\n")
    with Worker("import init_utils\n", helper_dirs=[tmp_path], limits=LIMITS) as worker:
        warnings = worker.load_warnings
    assert any("init_utils" in w and "SyntaxError" in w for w in warnings), warnings


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
    source = "import os\ng = os._exit(5)\ndef f(d):\n    return {}\n"
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


# -- a reply header is read as its cleaned JSON ----------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        {"status": "ok", "keys": ["W1", "b1"], "id": 3, "blobs": [1, 2]},
        {"error": "\x1b[2K\ud800", "id": 3, "blobs": []},  # escapes in the JSON text
        {"error": "caf\u00e9 \u202e", "id": 3, "blobs": []},
        {"text": "[[[[ brackets in a string are not nesting ]]]]", "id": 3, "blobs": []},
    ],
)
def test_a_reply_header_reads_as_its_cleaned_json(header: dict) -> None:
    import json

    from grader.sandbox._pipe import _header
    from grader.untrusted import clean

    body = json.dumps(header).encode()
    assert _header(body) == clean(json.loads(body))


@pytest.mark.parametrize("depth", [15, 16, 17, 40])
def test_a_reply_header_nested_too_deeply_is_garbage(depth: int) -> None:
    from grader.sandbox._pipe import Failure, _header

    body = b'{"id": 1, "blobs": [], "x": ' + b"[" * depth + b"]" * depth + b"}"
    refused = isinstance(_header(body), Failure)
    assert refused == (depth + 1 > 16), depth


def test_a_process_handed_to_init_while_the_lists_are_read_is_still_found(monkeypatch) -> None:
    # A double fork: the worker's child is listed, then ends, and its child, handed to init
    # meanwhile, was not yet in init's list when that was read.
    from grader.sandbox import _process

    worker, child, grandchild = 100, 101, 102
    readings = {"children": [f"{child}", f"{child}"], "orphans": ["", f"{worker} {grandchild}"]}
    running = {grandchild}
    process = _process.WorkerProcess(None, None, None, True, "/tmp", 99, worker)  # type: ignore[arg-type]

    def read(name: str) -> str:  # each list as it reads the next time; the last one stays
        if name == "stat":
            return "1 (python) S " + "0 " * 16 + "1"  # one thread
        return readings[name].pop(0) if len(readings[name]) > 1 else readings[name][0]

    monkeypatch.setattr(process, "_read", read)
    monkeypatch.setattr(_process, "_alive", lambda proc: int(proc.rsplit("/", 1)[1]) in running)
    assert process._stray_now() == 1


# -- replies name their request and are bounded from their header ----------------------------


def frame(header: dict, *blobs: bytes) -> bytes:
    import json
    import struct

    body = json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode()
    return struct.pack(">I", len(body)) + body + b"".join(blobs)


@contextmanager
def pipe_pair() -> Iterator[tuple[int, object]]:
    """A grader-side Pipe and the write end of its reply pipe, for feeding it frames."""
    from grader.sandbox._pipe import OutputTail, Pipe

    requests, replies, output = os.pipe(), os.pipe(), os.pipe()
    pipe = Pipe(requests[1], replies[0], output[0], tail=OutputTail(1024), max_reply=1 << 24,
                exited=lambda: False)  # fmt: skip
    try:
        yield replies[1], pipe
    finally:
        pipe.close()
        for fd in (*requests, *replies, *output):
            with contextlib.suppress(OSError):
                os.close(fd)


def soon() -> object:
    from grader.sandbox._clock import WallDeadline

    return WallDeadline(time.monotonic() + 2)


def test_a_reply_for_another_request_is_a_failure_not_an_answer() -> None:
    from grader.sandbox._pipe import Failure, Reply

    with pipe_pair() as (write, pipe):
        os.write(write, frame({"id": 6, "status": "ok"}) + frame({"id": 7, "status": "ok"}))
        stale = pipe.receive(soon(), 7)
        assert isinstance(stale, Failure)
        assert stale.detail == "a reply to another request"
    with pipe_pair() as (write, pipe):
        os.write(write, frame({"id": 7, "status": "ok"}))
        assert isinstance(pipe.receive(soon(), 7), Reply)
    with pipe_pair() as (write, pipe):
        os.write(write, frame({"status": "ok"}))  # no id at all
        assert isinstance(pipe.receive(soon(), 7), Failure)


def test_a_reply_over_its_limit_is_refused_from_its_header_and_its_bytes_dropped() -> None:
    from grader.sandbox._pipe import Reply

    big = b"\0" * (1 << 20)
    with pipe_pair() as (write, pipe):
        writer = threading.Thread(
            target=lambda: os.write(write, frame({"id": 1}, big, big) + frame({"id": 2}))
        )
        writer.start()
        refused = pipe.receive(soon(), 1, limit=1 << 20)
        after = pipe.receive(soon(), 2)
        writer.join()
    assert isinstance(refused, Reply)
    assert (refused.refused, refused.blobs) == (2 << 20, [])
    assert isinstance(after, Reply)
    assert after.header["id"] == 2


def test_reply_strings_arrive_safe() -> None:
    from grader.sandbox._pipe import Reply

    with pipe_pair() as (write, pipe):
        os.write(write, frame({"id": 1, "error": "\x1b[31m\ud800"}))
        reply = pipe.receive(soon(), 1)
    assert isinstance(reply, Reply)
    assert reply.header["error"] == "\\x1b[31m\\ud800"


def npy_bytes(shape: str, data: bytes) -> bytes:
    import struct

    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - len(header) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


@pytest.mark.parametrize(
    ("shape", "data"),
    [
        ("(-2, -1)", b"\0" * 16),
        ("(4611686018427387904, 4611686018427387904, 0)", b""),
        ("(999999999, 999999999, 999999999, 0)", b""),
        ("('a', 2)", b"\0" * 16),
        ("(True, 2)", b"\0" * 16),
    ],
)
def test_npy_bytes_numpy_cannot_read_are_garbled_whatever_numpy_raises(shape: str, data) -> None:
    from grader.sandbox._decode import Garbled, read_npy

    with pytest.raises(Garbled):
        read_npy(npy_bytes(shape, data))


def test_a_reply_may_hold_four_times_what_its_parameters_take_and_at_least_a_mebibyte() -> None:
    from grader.sandbox._decode import reply_limit

    assert reply_limit([2, 4, 1]) == 1 << 20
    assert reply_limit([4, 300, 1]) == 1 << 20
    assert reply_limit([1000, 1000]) == 4 * 8 * 1000 * 1001


def test_an_oversized_reply_is_an_invalid_call_and_the_worker_goes_on() -> None:
    source = "import numpy as np\ndef big(d):\n    return {'W1': np.zeros(1 << 18)}\n"
    source += "def small(d):\n    return {'W1': np.zeros((1, 1))}\n"
    with Worker(source, limits=LIMITS) as worker:
        refused = worker.call("big", [1, 1])
        fine = worker.call("small", [1, 1])
    assert refused.status is CallStatus.INVALID
    assert "big returned 2.0 MB of arrays for layers_dims=[1, 1], more than the 1 MB" in (
        refused.message
    )
    assert fine.ok


# -- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "used"),
    [
        ((103.0, 1.0, 7.5, 1.0), 0.5),  # 3 s of wall clock, 2.5 s of it the worker waiting
        ((103.0, 1.0, 6.0, 2.5), 0.5),  # or the grader waiting to read what had come
        ((103.0, 2.0, 7.5, 2.0), 1.5),  # never less than the time the worker ran
        ((103.0, 0.5, 5.5, 1.0), 2.5),  # sleeping counts
    ],
)
def test_time_waiting_for_a_processor_is_not_counted(end: tuple, used: float) -> None:
    from grader.sandbox._clock import BusyClock, Reading

    readings = iter([Reading(100.0, 0.5, 5.0, 1.0), Reading(*end)])
    clock = BusyClock(lambda: next(readings), allowed=1.0, hard=10**9)
    assert clock.used() == pytest.approx(used)


def test_a_function_budget_stops_its_calls_at_exactly_two_call_limits() -> None:
    from grader.sandbox import Sandbox

    limits = Limits(call_seconds=0.4, memory_mb=512)
    source = "import time\ndef slow(d):\n    time.sleep(0.15)\n    raise ValueError('no')\n"
    start = time.monotonic()
    with Sandbox(limits=limits, graded=["slow"]) as sandbox:
        sandbox.load(source)
        call = sandbox.caller("slow")
        results = [call([1], None) for _ in range(8)]
    elapsed = time.monotonic() - start
    stopped = [r for r in results if r.status is CallStatus.TIMEOUT]
    assert [r.status for r in results[:5]] == [CallStatus.EXCEPTION] * 5  # 0.75 s of 0.8 s
    assert stopped
    assert "took its 0.8 s of grading time" in stopped[0].message
    assert elapsed < 0.8 + 0.5 + SLACK


# -- one set of workers per function --------------------------------------------------------------


SHARED = """import numpy as np
def spoils(d):
    np.random.seed = lambda *a: None
    np.marker = "spoiled"
    print("spoils ran")
    return {"W1": np.ones((1, 1))}
def checks(d):
    return {"W1": np.full((1, 1), float(getattr(np, "marker", "") == "spoiled"))}
def prints(d):
    print("hidden output", d)
    return {"W1": np.ones((1, 1))}
"""


def test_each_function_gets_its_own_workers_and_nothing_of_one_reaches_another() -> None:
    from grader.sandbox import Sandbox

    once = (Call([1], None),)
    with Sandbox(limits=LIMITS, graded=["spoils", "checks"]) as sandbox:
        sandbox.load(SHARED)
        assert {"spoils", "checks"} <= sandbox.defined()
        ran = sandbox.run({"spoils": Schedule(once), "checks": Schedule(once, once, once)})
        assert ran["spoils"].visible[0].ok
        assert ran["checks"].visible[0].value == {"W1": np.zeros((1, 1))}
        assert ran["checks"].hidden[0].ok
        assert ran["checks"].repeat[0].value == {"W1": np.zeros((1, 1))}  # in spoils' worker
        assert "spoils ran" in sandbox.output_tail


LEAVES_A_CHILD = """import subprocess, sys
import numpy as np
def host(d):
    return {"W1": np.zeros((1, 1))}
def leaves(d):
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    subprocess.Popen(sleeper, start_new_session=True, stdout=subprocess.DEVNULL)
    return {"W1": np.ones((1, 1))}
"""


def test_repeats_that_leave_work_running_cost_their_host_worker_nothing() -> None:
    """The last function's repeats run in forks of the first function's worker: each that
    leaves a process behind fails, and the worker that had to start again for it still makes
    every call of its own (more repeats than a worker may restart)."""
    from grader.sandbox import Sandbox
    from grader.sandbox._client import MAX_RESTARTS

    once = (Call([1], None),)
    repeats = tuple(Call([n + 1], None) for n in range(MAX_RESTARTS + 1))
    with Sandbox(limits=LIMITS, graded=["host", "leaves"]) as sandbox:
        sandbox.load(LEAVES_A_CHILD)
        ran = sandbox.run({"host": Schedule(once), "leaves": Schedule(once, repeat=repeats)})
    assert all(r.status is CallStatus.CRASHED for r in ran["leaves"].repeat)
    assert ran["host"].visible[0].ok, ran["host"].visible[0].message
    assert ran["leaves"].visible[0].status is CallStatus.CRASHED  # left running in its own too


def test_what_a_hidden_call_prints_is_not_kept() -> None:
    from grader.sandbox import Sandbox

    with Sandbox(limits=LIMITS, graded=["prints"]) as sandbox:
        sandbox.load(SHARED)
        schedule = Schedule((Call([2, 1], None),), hidden=(Call([7, 3], None),))
        ran = sandbox.run({"prints": schedule})["prints"]
        assert ran.visible[0].ok
        assert ran.hidden[0].ok
        tail = sandbox.output_tail
    assert "hidden output [2, 1]" in tail
    assert "[7, 3]" not in tail
    assert "left out" not in tail  # not even how much it printed


def test_what_the_extensions_and_a_repeat_in_another_worker_print_is_not_kept() -> None:
    from grader.sandbox import Sandbox

    shown, extension, repeated = Call([2, 1], None), Call([5, 4], None), Call([6, 2], None)
    with Sandbox(limits=LIMITS, graded=["prints", "spoils"]) as sandbox:
        sandbox.load(SHARED)
        schedule = Schedule((shown, extension), repeat=(repeated,), unseen=1)
        ran = sandbox.run({"prints": schedule, "spoils": Schedule((shown,))})
        assert [r.ok for r in (*ran["prints"].visible, *ran["prints"].repeat)] == [True] * 3
        tail = sandbox.output_tail
    assert "hidden output [2, 1]" in tail
    assert "spoils ran" in tail  # the worker the repeat was made in keeps its own output
    assert "[5, 4]" not in tail
    assert "[6, 2]" not in tail


HOLDERS = """import os
import time
import numpy as np
def hold(d):
    count, megabytes = d
    holds, children = [], []
    for _ in range(count):
        ready_read, ready_write = os.pipe()
        hold_read, hold_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                for fd in [*holds, hold_write, ready_read]:
                    os.close(fd)
                block = np.ones(megabytes << 17)
                os.write(ready_write, b"!" if block[-1] == 1 else b"?")
                os.read(hold_read, 1)
            finally:
                os._exit(0)
        os.close(ready_write)
        holds.append(hold_write)
        children.append((pid, ready_read))
    wrote = [os.read(ready, 1) == b"!" for _, ready in children]
    time.sleep(0.3)  # all held at once, for a while
    for hold in holds:
        os.close(hold)
    # held: wrote its block, then lived until let go (one killed after writing held nothing)
    held = sum(w and os.waitpid(pid, 0)[1] == 0 for w, (pid, _) in zip(wrote, children))
    return {"W1": np.full((1, 1), float(held))}
"""


def groups_that_do_not_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups made, joined and counted as usual, whose memory limit is never written (as where
    the limit does not cover swap, or the controller only counts): no earlier probe is kept."""
    from grader.sandbox import _budget

    write = _budget._write
    limits = ("memory.max", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes")
    monkeypatch.setattr(_budget, "_write", lambda p, t: p.name in limits or write(p, t))
    monkeypatch.setattr(_budget, "_PROBES", {})


def test_a_group_that_cannot_be_joined_does_not_count_as_holding_a_limit(tmp_path: Path) -> None:
    from grader.sandbox._enforcement import Probe, joined

    cleaned: list[str] = []
    for join in ([], [str(tmp_path / "absent" / "cgroup.procs")]):
        probe = Probe(lambda join=join: (join, lambda: cleaned.append("removed")))
        assert probe.holds(wait=True) is False
    assert cleaned == ["removed", "removed"]  # the probe's groups are removed once it is known
    assert not joined(os.getpid(), tmp_path / "initgrade-no-such-group")


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind", ["control groups", "/proc", "groups that do not hold", "groups no worker joins"]
)
def test_memory_is_one_budget_for_every_process_of_a_submission(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three processes of 150 MB each stay below the 400 MB one process may map (numpy's own
    mappings included), but not below the 400 MB all of them may hold together: whether the
    machine's groups hold the limit, hold nothing, or are not where the workers are."""
    from dataclasses import replace

    from grader.sandbox._budget import SubmissionBudget, WorkerGroup

    limits = replace(LIMITS, memory_mb=400, call_seconds=30, wall_seconds=90)
    if kind == "groups that do not hold":
        groups_that_do_not_hold(monkeypatch)
    budget = SubmissionBudget(limits) if kind == "/proc" else SubmissionBudget.make(limits)
    held = budget.held(wait=True)
    if kind == "groups that do not hold":
        assert not held  # the probe was not killed: the fallback's reading holds the budget
        assert SubmissionBudget.make(limits).kind == "proc"  # and alone, from now on
    elif kind != "/proc" and not held:
        pytest.skip("this machine lets the grader make no control groups that hold")
    if kind == "groups no worker joins":  # groups that hold, but that the workers never enter
        monkeypatch.setattr(budget, "worker", lambda: WorkerGroup([], None))
    with Worker(HOLDERS, limits=limits, tree=budget) as worker:
        alone = worker.call("hold", [1, 150])
        together = worker.call("hold", [3, 150])
    budget.close()
    assert budget.watch == (kind == "groups no worker joins")
    assert alone.value is not None
    assert alone.value["W1"][0, 0] == 1
    held = together.value["W1"][0, 0] if together.value is not None else 0
    assert held < 3, "three processes held 600 MB together"
    assert together.status in (CallStatus.OK, CallStatus.MEMORY)


SLOW_THEN_FAST = """import time
def slow(d):
    time.sleep(0.9)
    return {}
def fast(d):
    return {}
"""


def test_a_functions_time_starts_at_its_first_call_not_when_its_worker_was_started() -> None:
    """A worker booted ahead of need while a slow function used nearly all of a worker's life
    still has its whole life for its own calls."""
    from grader.sandbox import Sandbox

    limits = Limits(wall_seconds=3, call_seconds=1.5, cpu_seconds=10, memory_mb=512)
    with Sandbox(limits=limits, graded=["slow", "fast"]) as sandbox:
        sandbox.load(SLOW_THEN_FAST)
        assert sandbox.defined() >= {"slow", "fast"}
        slow = [sandbox.caller("slow")([1], None) for _ in range(3)]  # 2.7 s of its 3 s budget
        fast = sandbox.caller("fast")([1], None)
    assert all(result.ok for result in slow)
    assert fast.ok, fast.message


def test_a_workers_time_starts_at_its_own_first_call_not_at_another_functions_repeat() -> None:
    limits = Limits(wall_seconds=3, call_seconds=1.5, cpu_seconds=10, memory_mb=512)
    with Worker(SLOW_THEN_FAST, limits=limits) as worker:
        repeats = [worker.calls("slow", [Call([1], None)], fork=True)[0] for _ in range(2)]
        own = worker.calls("slow", [Call([2], None), Call([3], None)])  # 1.8 s more than its 3 s
    assert all(result.ok for result in repeats)
    assert all(result.ok for result in own), own


def test_graded_names_are_reported_however_many_other_names_the_program_binds() -> None:
    source = "def zz_graded(d):\n    return {}\nclass _Many:\n"
    source += "    globals().update({f'a{i:05d}': (lambda: 0) for i in range(3000)})\n"
    with Worker(source, limits=LIMITS, wanted=["zz_graded"]) as worker:
        names = worker.defined()
    assert "zz_graded" in names
    assert len(names) <= 1001


def test_the_zygote_forks_every_worker_and_shares_no_process_with_them() -> None:
    from grader.sandbox._zygote import zygote

    with Worker("x = 1\n", limits=LIMITS) as first, Worker("x = 1\n", limits=LIMITS) as second:
        first.defined(), second.defined()
        assert first.process is not None
        assert second.process is not None
        spawner = zygote(launch.scrubbed_env(None)).pid
        for process in (first.process, second.process):
            assert Path(f"/proc/{process.spawned.pid}/stat").read_text().split()[3] == str(spawner)
        namespaces = {pid_namespace(p.init_pid) for p in (first.process, second.process)}
    assert len(namespaces) == 2  # a pid namespace each, neither the grader's
    assert pid_namespace(os.getpid()) not in namespaces


def memory_holds(pid: int, needle: bytes) -> list[str]:
    """The mappings of process ``pid`` whose bytes contain ``needle``, read whole from outside."""
    found = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            start, end = (int(part, 16) for part in span.split("-"))
            if not perms.startswith("r"):
                continue
            tail = b""
            for offset in range(start, end, 1 << 22):
                try:
                    mem.seek(offset)
                    chunk = mem.read(min(1 << 22, end - offset))
                except OSError:  # [vvar] and device mappings cannot be read
                    break
                if needle in tail + chunk:
                    found.append(line.strip())
                    break
                tail = chunk[-len(needle) :]
    return found


def test_a_worker_forked_after_another_submission_holds_none_of_its_bytes() -> None:
    """The zygote never holds a submission: a later worker's whole memory, and the zygote's,
    have none of an earlier program's bytes."""
    from grader.sandbox._zygote import zygote

    marker = f"initgrade-earlier-{uuid.uuid4().hex}"
    earlier = program("returns.py") + f"\nSECRET = {marker!r} * 3\n"
    with Worker(earlier, limits=LIMITS) as worker:
        assert worker.call("initialize_parameters_he", [2, 4, 1]).ok
    with Worker(program("returns.py"), limits=LIMITS) as later:
        assert later.call("initialize_parameters_he", [2, 4, 1]).ok
        assert later.process is not None
        pids = [later.process.worker_pid, zygote(launch.scrubbed_env(None)).pid]
        try:
            found = [
                m for pid in pids if pid is not None for m in memory_holds(pid, marker.encode())
            ]
        except PermissionError:
            pytest.skip("this process may not read another process's memory")
    assert found == []


# -- what a worker can reach ---------------------------------------------------------------------


KEYRINGS = """
import ctypes, os
import numpy as np
def keyrings(d):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    add_key, keyctl = {"x86_64": (248, 250), "aarch64": (217, 219)}[os.uname().machine]
    made = libc.syscall(add_key, b"user", b"initgrade-test", b"x", 1, ctypes.c_int(-3))
    errors = [ctypes.get_errno()]
    session = libc.syscall(keyctl, 0, ctypes.c_int(-3), 0)  # KEYCTL_GET_KEYRING_ID
    errors.append(ctypes.get_errno())
    return {"W1": np.array([[made, session, *errors]], dtype=float)}
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="syscall numbers")
def test_every_keyring_call_of_a_worker_is_refused() -> None:
    import errno

    with Worker(KEYRINGS, limits=LIMITS) as worker:
        result = worker.call("keyrings", [1])
    assert result.value is not None
    made, session, *errors = result.value["W1"][0]
    assert (made, session) == (-1, -1)
    assert errors == [errno.EPERM, errno.EPERM]


@needs_namespaces
def test_a_worker_writes_only_in_its_own_private_tmpfs_within_a_quota() -> None:
    source = """import os
def probe(d):
    found = {}
    for folder in ("/dev/shm", "/run", "/run/lock", "/var/tmp", "/home", "/work"):
        try:
            open(os.path.join(folder, "initgrade-test-probe"), "w").close()
            found[folder] = "written"
        except OSError as error:
            found[folder] = type(error).__name__
    try:
        with open("fill", "wb") as handle:
            for _ in range(100):
                handle.write(b"\\0" * (1 << 20))
    except OSError as error:
        found["quota"] = error.strerror
    return found
"""
    limits = Limits(memory_mb=512, max_file_mb=128)
    source = source.replace("return found", "raise ValueError(repr(found))")
    with Worker(source, limits=limits) as worker:
        message = worker.call("probe", [1]).message
    assert "written" not in message
    assert "No space left on device" in message


def test_a_deep_folder_tree_on_the_host_is_removed_without_recursion(tmp_path: Path) -> None:
    root = tmp_path / "scratch"
    folder = root
    folder.mkdir()
    os.chdir(folder)  # build it relative to itself: the full path is longer than PATH_MAX
    try:
        for _ in range(3000):
            os.mkdir("d")
            os.chdir("d")
        Path("file").write_text("x")
    finally:
        os.chdir(tmp_path)
    (root / "readonly").mkdir()
    (root / "readonly" / "inside").write_text("x")
    (root / "readonly").chmod(0o500)
    (root / "link").symlink_to(tmp_path)
    launch.remove_tree(root)
    assert not root.exists()
    assert tmp_path.exists()


def test_namespaces_that_fail_at_run_time_demote_and_then_refuse_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = launch.Platform(True, os.geteuid() == 0, False, (), (Path("/nonexistent-initgrade"),),
                             (), Path("/tmp"))  # fmt: skip
    monkeypatch.setattr(sandbox_platform, "_current", [broken])
    monkeypatch.setattr(sandbox_platform, "_closed_to_others", lambda folder: False)
    with Worker("x = 1\n", limits=LIMITS) as worker, pytest.raises(SandboxRefused) as refused:
        worker.defined()
    assert "initgrade sandbox: [Errno 2] mount /nonexistent-initgrade: No such file" in str(
        refused.value
    )
    assert "Traceback" not in str(refused.value)
    assert not launch.platform().namespaces  # the rest of this process knows it now


def test_a_worker_started_before_the_demotion_starts_again_without_namespaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = launch.Platform(True, os.geteuid() == 0, False, (), (Path("/nonexistent-initgrade"),),
                             (), Path("/tmp"))  # fmt: skip
    monkeypatch.setattr(sandbox_platform, "_current", [broken])
    weak = {"limits": LIMITS, "accept_weak_isolation": True}
    program = "def f():\n    return 1\n"
    with Worker(program, **weak) as first, Worker(program, **weak) as second:  # both booting
        assert first.defined() == {"f"}  # loaded, once the platform was demoted
        assert not launch.platform().namespaces
        assert second.defined() == {"f"}  # no error: it was confined by the older platform
        assert second.process is not None
        assert not second.process.namespaces
