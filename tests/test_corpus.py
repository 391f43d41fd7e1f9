"""The hostile and broken submission corpus: every case gets the outcome it states, and grading
survives it: no traceback, the documented exit code, only the affected function loses points,
wall time within the limit a case can hit (a function's time budget) plus 2 s over a normal
grading (on a busy machine, stretched by its slowness measured beside the grading:
``tests.slowness``), no process left behind, no file written but the requested reports,
nothing left on the host (files in its writable folders, System V IPC objects, messages on its
sockets), reports that print and parse (no control characters, one "Total:" line, valid JUnit
XML), and nothing secret in what the student sees (hidden values, hidden layers_dims). Every
code case is graded three times: once through the CLI with every check above, then twice more
through the API, at the same time (a busier machine), and the three must agree on every check's
verdict and points.

A case is a file of notebook cells in ``tests/fixtures/corpus`` (cells separated by ``# %%``). Its
cells are appended to ``_base.py``, a correct submission, so a case's definitions replace the
correct ones. Header lines say what must happen:

    # expect: he=0 random=lost      per function: 0, lost (below full), full (default) or any
    # reason: he: time | timeout    text one of which the function's messages must contain
    # drop: random                  leave the base's cell for that function out
    # timeout: 1                    the call limit for this case (a case that hangs waits it out)
    # slack: 0.5                    seconds over a normal grading plus the limit (default 2)
    # never-shown: seen_4_300_1     text that must appear nowhere in what the student sees
    # repeat-cell: 300000           the case's first cell, with {i} numbered, that many times over
    # copies: 100000                the case's first cell, as that many cells of its own
    # same-id: yes                  every cell of the case has the same cell id
    # file-name: a\xff\n.ipynb       the notebook's file name, as the bytes of a Python literal
    # html: yes                     the command line also writes the HTML feedback page
    # load: 3                       that many CPU-bound processes run while the case is graded
    # max-rss-growth: 400           MB the grader's memory may grow by while grading it
    # hard-coded: he                the case's last cell pastes answers into that function: it
    #                               must score no more than the case without its last cell
    # execute: yes                  every run also runs the notebook in a kernel (--execute), and
    #                               the three results.json must be the same, timing aside

``INITGRADE_HASH0`` in a case is replaced by ``hash("initgrade")`` with ``PYTHONHASHSEED=0``.

Broken *files* (not notebooks, unreadable, too large...) are built in ``broken_files`` below.
"""

from __future__ import annotations

import ast
import ctypes
import functools
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.api import grade_submission
from grader.checks import FUNCTION_BUDGET_CALLS, expected_params, function_schedule
from grader.checks.strategies import property_inputs
from grader.cli import main
from grader.reports import gradescope_json
from grader.sandbox import isolation_report
from grader.spec import SCALE_PROBE_DIMS, SPEC
from tests.slowness import slowness, wall_bound

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("corpus")]

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
SHORT = {
    "zeros": "initialize_parameters_zeros",
    "random": "initialize_parameters_random",
    "he": "initialize_parameters_he",
}
# Calls made first in a process of their own, each with one call's limit: the outcome call's and
# the extensions' repeats, and the fresh calls (made together in one more process).
FORKED_CALLS = len(function_schedule(SPEC.functions[0]).repeat) + 1
CALL_TIMEOUT = 2.0  # seconds for one call of a student function in these runs, unless a case says
SLACK = 2.0  # the bound: a case may take that limit plus this much over a normal grading
SECRET = "initgrade-corpus-secret-7f3a9c"
NETWORK_PORT = 45123  # the network case tries to reach this port on loopback
HOST_SOCKET = Path("/run/initgrade-corpus.sock")  # and the socket cases these
ABSTRACT_SOCKET = "\0initgrade-corpus"
IPC_KEY = 0x1A6C0DE  # System V IPC objects the IPC case makes with this key must not outlive it
MARKER = "initgrade-corpus"  # files whose name starts so must not stay in the host's folders
HOST_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run", "/run/lock", "/dev/mqueue")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u2028\u2029]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")  # zero-width, marks
MAX_REPORT_BYTES = 1 << 20  # README: a report is at most 1 MB, whatever the submission


@dataclass
class Case:
    name: str
    cells: list[str]
    expect: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    timeout: float = CALL_TIMEOUT
    slack: float = SLACK
    never_shown: list[str] = field(default_factory=list)
    repeat_cell: int = 0
    copies: int = 0
    same_id: bool = False
    file_name: bytes = b"student.ipynb"
    html: bool = False
    load: int = 0
    max_rss_growth_mb: float | None = None
    hard_coded: set[str] = field(default_factory=set)
    execute: bool = False

    @property
    def limit(self) -> float:
        """The largest limit the case can hit: the time all calls of one function may take, and
        the calls it makes again in processes of their own (its repeats and its fresh calls),
        each with one call's limit."""
        return (FUNCTION_BUDGET_CALLS + FORKED_CALLS) * self.timeout


def _cells(text: str) -> list[str]:
    chunks = re.split(r"^# %%[^\n]*\n", text, flags=re.M)
    return [chunk.strip("\n") for chunk in chunks[1:] if chunk.strip()]


def parse_case(path: Path) -> Case:
    text = path.read_text()
    case = Case(path.stem, _cells(text))
    for line in text.split("# %%", 1)[0].splitlines():
        if line.startswith("# expect:"):
            for item in line.removeprefix("# expect:").split():
                short, verdict = item.split("=")
                case.expect[SHORT[short]] = verdict
        elif line.startswith("# reason:"):
            short, words = line.removeprefix("# reason:").split(":", 1)
            case.reasons[SHORT[short.strip()]] = [w.strip() for w in words.split("|")]
        elif line.startswith("# drop:"):
            case.drop |= {SHORT[s] for s in line.removeprefix("# drop:").split()}
        elif line.startswith("# timeout:"):
            case.timeout = float(line.removeprefix("# timeout:"))
        elif line.startswith("# slack:"):
            case.slack = float(line.removeprefix("# slack:"))
        elif line.startswith("# never-shown:"):
            case.never_shown += line.removeprefix("# never-shown:").split()
        elif line.startswith("# repeat-cell:"):
            case.repeat_cell = int(line.removeprefix("# repeat-cell:"))
        elif line.startswith("# copies:"):
            case.copies = int(line.removeprefix("# copies:"))
        elif line.startswith("# same-id:"):
            case.same_id = line.removeprefix("# same-id:").strip() == "yes"
        elif line.startswith("# file-name:"):
            literal = line.removeprefix("# file-name:").strip()
            case.file_name = ast.literal_eval(f'b"{literal}"')
        elif line.startswith("# html:"):
            case.html = line.removeprefix("# html:").strip() == "yes"
        elif line.startswith("# load:"):
            case.load = int(line.removeprefix("# load:"))
        elif line.startswith("# max-rss-growth:"):
            case.max_rss_growth_mb = float(line.removeprefix("# max-rss-growth:"))
        elif line.startswith("# execute:"):
            case.execute = line.removeprefix("# execute:").strip() == "yes"
        elif line.startswith("# hard-coded:"):
            case.hard_coded |= {SHORT[s] for s in line.removeprefix("# hard-coded:").split()}
    if case.repeat_cell:
        template = case.cells[0]
        case.cells[0] = "\n".join(template.replace("{i}", str(i)) for i in range(case.repeat_cell))
    if case.copies:
        case.cells[:1] = case.cells[:1] * case.copies
    if any("INITGRADE_HASH0" in cell for cell in case.cells):
        case.cells = [cell.replace("INITGRADE_HASH0", str(_hash0())) for cell in case.cells]
    return case


@functools.lru_cache(maxsize=1)
def _hash0() -> int:
    """``hash("initgrade")`` in this Python with ``PYTHONHASHSEED=0``, as a worker computes it."""
    done = subprocess.run(
        [sys.executable, "-c", "print(hash('initgrade'))"],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


BASE_CELLS = _cells((CORPUS / "_base.py").read_text())
CASES = sorted(p for p in CORPUS.glob("*.py") if not p.name.startswith("_"))


def write_notebook(path: Path, cells: list[str], *, same_id_from: int | None = None) -> Path:
    """A version-4 notebook of these code cells; with ``same_id_from``, the cells from that one
    on share one cell id, which the format forbids, so it is written unchecked."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in nb.cells[same_id_from:] if same_id_from is not None else []:
        cell["id"] = "same-id"
    if same_id_from is not None or len(cells) > 1000:  # validating many cells takes minutes
        Path(path).write_text(json.dumps(nb, separators=(",", ":")), encoding="utf-8")
    else:
        nbformat.write(nb, str(path))
    return path


def base_cells(drop: set[str]) -> list[str]:
    return [c for c in BASE_CELLS if not any(f"def {name}(" in c for name in drop)]


def write_case(path: Path, case: Case) -> Path:
    """The case's notebook: the base's cells, then the case's."""
    base = base_cells(case.drop)
    return write_notebook(path, base + case.cells, same_id_from=len(base) if case.same_id else None)


# -- what must hold after every case --------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        table[int(entry.name)] = (int(stat[1]), stat[0], cmdline)
    return table


# Descendants of this test process alive before the latest grading began, such as the resource
# tracker a process pool of an earlier test leaves running until the test process ends.
_BEFORE_GRADING: set[int] = set()


def _descendants(table: dict[int, tuple[int, str, str]]) -> set[int]:
    """The processes of ``table`` this test process started, directly or not."""
    found = set()
    for pid in table:
        ancestor, seen = table[pid][0], 0
        while ancestor not in (0, 1, os.getpid()) and ancestor in table and seen < 64:
            ancestor, seen = table[ancestor][0], seen + 1
        if ancestor == os.getpid() and pid != os.getpid():
            found.add(pid)
    return found


def leftover_processes() -> list[str]:
    """Command lines of live processes a grading could have left behind: anything this test
    process started since the grading began but its zygote. Every worker, and everything a worker
    starts, descends from the zygote (its pid namespace's orphans go to its init, an orphaned init
    to the zygote)."""
    table, zygote = _process_table(), grader_zygote_pid()
    new = _descendants(table) - _BEFORE_GRADING - {zygote}
    return [f"{pid}: {table[pid][2][:120]}" for pid in sorted(new) if table[pid][1] != "Z"]


def grader_zygote_pid() -> int | None:
    """The pid of this process's zygote, the one process that outlives its gradings."""
    from grader.sandbox._zygote import _current

    found = _current.get(os.getpid())
    return found.pid if found is not None else None


def _hidden_inputs(entry) -> list[tuple[int, ...]]:
    """The hidden cases' layers_dims and the visible cases' extensions."""
    return [*(tuple(c.layer_dims) for c in entry.exact_cases if c.hidden), *entry.extensions]


def _value_strings(hidden: bool) -> set[str]:
    strings = set()
    for entry in SPEC.functions:
        inputs = _hidden_inputs(entry) if hidden else [c.layer_dims for c in entry.visible_cases]
        for dims in inputs:
            for array in expected_params(entry.method, tuple(dims)).values():
                strings |= {f"{v:.6f}" for v in np.ravel(array) if abs(v) > 1e-3}
    return strings


def hidden_value_strings() -> set[str]:
    """Six-decimal renderings of the hidden expected weights that no visible case shows too (a
    hidden case's first layer can be the same draws as a visible case's, and an extension's
    first layers are its example's)."""
    return _value_strings(hidden=True) - _value_strings(hidden=False)


def hidden_dims_strings() -> set[str]:
    """How a hidden case's or an extension's layers_dims would print, for those no visible call
    uses too."""
    shown = {tuple(case.layer_dims) for e in SPEC.functions for case in e.visible_cases}
    shown |= {tuple(d) for e in SPEC.functions for d in property_inputs(e.property_examples)}
    shown |= {tuple(e.outcome_dims) for e in SPEC.functions} | {SCALE_PROBE_DIMS}
    hidden = {dims for e in SPEC.functions for dims in _hidden_inputs(e)}
    return {text for dims in hidden - shown for text in (str(list(dims)), str(dims))}


HIDDEN_STRINGS = hidden_value_strings()
HIDDEN_DIMS = hidden_dims_strings()


@dataclass
class Run:
    code: int
    seconds: float
    stdout: str
    stderr: str
    results: dict
    workdir: Path
    notebook_dir: Path
    peak_rss_mb: float = 0.0


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def peak_rss(into: list[float]) -> Iterator[None]:
    """Sample this process's resident memory while the block runs; its peak growth in MB."""
    start, peak, done = _rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], _rss_mb() - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()
        into.append(max(peak[0], _rss_mb() - start))


def grade(
    notebook: Path,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    timeout: float = CALL_TIMEOUT,
    execute: bool = False,
    *,
    html: bool = False,
) -> Run:
    workdir.mkdir(exist_ok=True)
    _BEFORE_GRADING.clear()
    _BEFORE_GRADING.update(_descendants(_process_table()) - {grader_zygote_pid()})
    old = Path.cwd()
    os.chdir(workdir)
    growth: list[float] = []
    command = ["grade", str(notebook), "--json", "results.json", "--junit", "junit.xml"]
    command += ["--execute"] if execute else []
    command += ["--html", "page.html"] if html else []
    try:
        start = time.perf_counter()
        with peak_rss(growth):
            code = main([*command, "--timeout", str(timeout)])
        seconds = time.perf_counter() - start
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    results = json.loads((workdir / "results.json").read_text())
    run = Run(code, seconds, captured.out, captured.err, results, workdir, notebook.parent)
    run.peak_rss_mb = growth[0]
    return run


def without_timing(results: dict) -> dict:
    """results.json without its seconds, whose digits can spell a hidden value by chance."""
    extra = {k: v for k, v in results.get("extra_data", {}).items() if k != "timing"}
    kept = {k: v for k, v in results.items() if k != "execution_time"}
    return {**kept, "extra_data": extra}


def assert_survived(run: Run, *, budget: float, never_shown: list[str] = ()) -> None:
    assert run.code in (0, 1)
    assert "Traceback" not in run.stdout
    assert "Traceback" not in run.stderr
    assert run.seconds <= budget, f"took {run.seconds:.1f} s, budget {budget:.1f} s"
    assert leftover_processes() == []
    reports = sorted(p.name for p in run.workdir.iterdir())
    with_pages = ["junit.xml", "page.html", "page.notebook.html", "results.json"]
    assert reports in (["junit.xml", "results.json"], with_pages)
    written = sorted(p.name for p in run.notebook_dir.iterdir())
    assert len(written) == 1, f"files next to the notebook: {written}"
    ET.parse(run.workdir / "junit.xml")  # XML that parses: no control characters in it
    for report in ("results.json", "junit.xml"):  # a report's size is bounded (README)
        assert (run.workdir / report).stat().st_size <= MAX_REPORT_BYTES, report
    assert_printable(run.stdout)
    text = run.stdout + json.dumps(without_timing(run.results), ensure_ascii=False)
    assert SECRET not in text
    leaked = [s for s in HIDDEN_STRINGS | HIDDEN_DIMS | set(never_shown) if s in text]
    assert leaked == [], f"hidden values or layers_dims in the report: {leaked[:5]}"
    assert host_leftovers() == []


def assert_printable(stdout: str) -> None:
    """The text report cannot move the cursor, clear, recolour, or forge a line of its own."""
    assert CONTROL.findall(stdout) == [], "control characters in the report"
    assert BIDI.findall(stdout) == [], "bidirectional overrides or line separators in the report"
    assert INVISIBLE.findall(stdout) == [], "zero-width characters in the report"
    totals = [line for line in stdout.splitlines() if line.lstrip().startswith("Total:")]
    assert len(totals) == 1, totals


def host_leftovers() -> list[str]:
    """What a worker could have left on the host: marked files in its writable folders, keys in
    the grader's keyrings, and System V IPC objects with the corpus's key."""
    found = []
    for folder in map(Path, HOST_FOLDERS):
        try:
            found += [
                str(p) for p in folder.iterdir() if p.name.startswith(MARKER) and p != HOST_SOCKET
            ]
        except OSError:
            continue
    try:  # keys this process can see: its own keyrings' (workers inherit its session keyring)
        keys = Path("/proc/keys").read_text().splitlines()
    except OSError:
        keys = []
    found += [f"key {line.split()[-2]}" for line in keys if MARKER in line]
    for kind in ("shm", "sem", "msg"):
        try:
            rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        found += [f"System V {kind} {r.split()[0]}" for r in rows if int(r.split()[0]) == IPC_KEY]
    return found


def function_scores(results: dict) -> dict[str, tuple[float, float]]:
    functions = results["extra_data"]["functions"]
    return {name: (f["score"], f["max_score"]) for name, f in functions.items()}


def function_text(results: dict, name: str) -> str:
    outputs = [t["output"] for t in results["tests"] if name in t["tags"]]
    diagnosis = results["extra_data"]["functions"][name]["diagnosis"] or ""
    return " ".join([*outputs, diagnosis, results.get("output", "")]).lower()


def assert_verdict(verdict: str, score: float, max_score: float, name: str) -> None:
    if verdict == "0":
        assert score == 0, f"{name} should score 0, got {score}"
    elif verdict == "lost":
        assert score < max_score, f"{name} should lose points, got {score}/{max_score}"
    elif verdict == "full":
        assert score == max_score, f"{name} should keep full marks, got {score}/{max_score}"
    else:
        assert verdict == "any"


# -- fixtures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normal:
    """How long grading the correct base submission takes here (warm caches), and how much
    slower than a free processor the machine ran meanwhile."""

    seconds: float
    factor: float

    def budget(self, limit: float, slack: float, factor: float) -> float:
        """A case's wall-clock bound, on a machine now ``factor`` times slower than a free one:
        half as long again as a normal grading, the limits it can hit and ``slack``; as before
        on a quiet machine."""
        return self.seconds * 1.5 * max(1.0, factor / self.factor) + wall_bound(
            limit, slack, factor
        )


@pytest.fixture(scope="module")
def normal(tmp_path_factory: pytest.TempPathFactory) -> Normal:
    folder = tmp_path_factory.mktemp("base")
    notebook = write_notebook(folder / "base.ipynb", BASE_CELLS)
    for _ in range(2):  # the first run fills the outcome cache
        before = slowness()
        start = time.perf_counter()
        assert main(["grade", str(notebook), "--timeout", "2"]) == 0
        seconds = time.perf_counter() - start
    return Normal(seconds, (before + slowness()) / 2)


@pytest.fixture(scope="module", autouse=True)
def session_keyring() -> None:
    """Grade under a session keyring of this process's own, as a login or a service gives one
    (workers start from it): a fresh zygote then starts under it."""
    from grader.sandbox import _zygote

    libc = ctypes.CDLL(None, use_errno=True)
    keyctl = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
    if keyctl is not None:
        libc.syscall(keyctl, 1, b"grader-login-session")  # KEYCTL_JOIN_SESSION_KEYRING
    _zygote.shutdown()


@pytest.fixture
def guarded_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[socket.socket]]:
    """A secret in the grader's environment, and listeners a worker must not reach: on
    loopback, at a socket file in a host folder anyone may write to, and on an abstract name.
    Each must have nothing waiting to be accepted after a case."""
    monkeypatch.setenv("INITGRADE_CORPUS_SECRET", SECRET)
    listeners = []
    for family, address in [
        (socket.AF_INET, ("127.0.0.1", NETWORK_PORT)),
        (socket.AF_UNIX, str(HOST_SOCKET)),
        (socket.AF_UNIX, ABSTRACT_SOCKET),
    ]:
        listener = socket.socket(family)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        at_a_path = family == socket.AF_UNIX and address != ABSTRACT_SOCKET
        try:
            if at_a_path:
                Path(str(address)).unlink(missing_ok=True)
            listener.bind(address)
            if at_a_path:
                os.chmod(str(address), 0o777)  # anyone may connect, as to a careless service's
            listener.listen(8)
            listener.setblocking(False)
            listeners.append(listener)
        except OSError:
            listener.close()  # taken, or no right to bind there: the case cannot reach it then
    try:
        yield listeners
    finally:
        for listener in listeners:
            listener.close()
        HOST_SOCKET.unlink(missing_ok=True)


def reached(listeners: list[socket.socket]) -> list[str]:
    """The listeners a worker connected to (a connection waits to be accepted)."""
    found = []
    for listener in listeners:
        try:
            connection, _ = listener.accept()
        except OSError:  # BlockingIOError: nothing waiting
            continue
        connection.close()
        found.append(str(listener.getsockname()))
    return found


def namespaces_available() -> bool:
    return "namespaces:" in isolation_report()


@contextmanager
def cpu_load(processes: int) -> Iterator[None]:
    """``processes`` CPU-bound processes running meanwhile (a busy machine)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def verdicts(results: dict) -> list[tuple[str, str, float, str]]:
    """Every check of a results.json as (function, name, points, status): its grade."""
    return [(",".join(t["tags"]), t["name"], t["score"], t["status"]) for t in results["tests"]]


# -- the code cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_corpus_case_gets_its_outcome_and_grading_survives(
    path: Path,
    tmp_path: Path,
    normal: Normal,
    capsys: pytest.CaptureFixture[str],
    guarded_environment: list[socket.socket],
) -> None:
    case = parse_case(path)
    if case.name == "reach_network_socket" and not namespaces_available():
        case.expect[SHORT["he"]] = "0"  # without a network namespace loopback is reachable
    notebook_dir = tmp_path / "submission"
    notebook_dir.mkdir()
    notebook = write_case(Path(os.fsdecode(bytes(notebook_dir) + b"/" + case.file_name)), case)
    tmp_results = Path("/tmp/results.json")
    tmp_before = tmp_results.stat().st_mtime if tmp_results.exists() else None

    with cpu_load(case.load):
        factor = slowness()  # how slow the machine is while the case is graded (load included)
        run = grade(notebook, tmp_path / "cwd", capsys, case.timeout, case.execute, html=case.html)
        factor = max(factor, slowness())
        with ThreadPoolExecutor(2) as pool:  # two more gradings at once: a busier machine still
            again = list(pool.map(regrade, [notebook] * 2, [case.timeout] * 2, [case.execute] * 2))

    assert run.code == 0, run.stdout + run.stderr[-3000:]
    budget = normal.budget(case.limit, case.slack, factor)
    assert_survived(run, budget=budget, never_shown=case.never_shown)
    if case.html:  # a page is written, with or without its plots
        assert "30</strong>" in (run.workdir / "page.html").read_text(encoding="utf-8")
    assert reached(guarded_environment) == []
    assert (tmp_results.stat().st_mtime if tmp_results.exists() else None) == tmp_before
    for name, (score, max_score) in function_scores(run.results).items():
        assert_verdict(case.expect.get(name, "full"), score, max_score, name)
        if name in case.reasons:
            text = function_text(run.results, name)
            assert any(word.lower() in text for word in case.reasons[name]), (name, text[:600])
    if case.max_rss_growth_mb is not None:
        assert run.peak_rss_mb <= case.max_rss_growth_mb, f"grew by {run.peak_rss_mb:.0f} MB"
    for results in again:  # the same grade on every run, whatever the case did
        assert verdicts(results) == verdicts(run.results)
        if case.execute:  # and, with a kernel's run in it, the same report
            assert without_timing(results) == without_timing(run.results)
    assert leftover_processes() == []
    if case.hard_coded:
        assert_hard_coding_pays_nothing(case, run.results, tmp_path / "without_last_cell")


def assert_hard_coding_pays_nothing(case: Case, results: dict, folder: Path) -> None:
    """The functions the case's last cell pastes answers into score no more without it."""
    folder.mkdir()
    cells = base_cells(case.drop) + case.cells[:-1]
    alone = function_scores(regrade(write_notebook(folder / "alone.ipynb", cells), case.timeout))
    for name in case.hard_coded:
        assert function_scores(results)[name][0] <= alone[name][0], (name, alone[name])


def regrade(notebook: Path, timeout: float, execute: bool = False) -> dict:
    """Grade ``notebook`` again through the API: its results.json object."""
    graded = grade_submission(notebook, timeout=timeout, execute=execute)
    return json.loads(json.dumps(gradescope_json(graded.report)))


def test_corpus_has_at_least_ninety_cases() -> None:
    assert len(CASES) + len(BROKEN_FILES) >= 90


# -- broken files ----------------------------------------------------------------------------------


def _v3_notebook(path: Path) -> None:
    from nbformat import v3

    cells = [v3.new_code_cell(input=source) for source in BASE_CELLS]
    nb = v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)])
    path.write_text(v3.writes_json(nb))


def _huge_outputs(path: Path) -> None:
    write_notebook(path, BASE_CELLS)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 12_000_000)]
    nbformat.write(nb, str(path))


def _duplicate_graded(path: Path) -> None:
    wrong = BASE_CELLS[3].replace("np.sqrt(2. /", "np.sqrt(1. /")
    write_notebook(path, [*BASE_CELLS[:3], wrong, BASE_CELLS[3]])


def _fifty_megabytes(path: Path) -> None:
    write_notebook(path, BASE_CELLS)
    nb = nbformat.read(str(path), as_version=4)
    nb.metadata["padding"] = "z" * (50 * 1024 * 1024)
    nbformat.write(nb, str(path))


def _no_code_cells(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("I wrote my answers on paper.")]
    nbformat.write(nb, str(path))


def _unreadable(path: Path) -> None:
    write_notebook(path, BASE_CELLS)
    path.chmod(0)


# name -> (file name, how to make it, exit code, every function's verdict, words in the reason)
BROKEN_FILES = {
    "empty_file": ("student.ipynb", lambda p: p.write_bytes(b""), 1, "0", "empty"),
    "not_json": ("student.ipynb", lambda p: p.write_text("def f(): pass\n{"), 1, "0", "json"),
    "json_not_notebook": (
        "student.ipynb",
        lambda p: p.write_text('{"a": [1, 2]}'),
        1,
        "0",
        "notebook",
    ),
    "nbformat_3": ("student.ipynb", _v3_notebook, 0, "full", ""),
    "no_code_cells": ("student.ipynb", _no_code_cells, 1, "0", "code cell"),
    "python_file": ("student.py", lambda p: p.write_text("\n\n".join(BASE_CELLS)), 1, "0", ".py"),
    "invalid_utf8": (
        "student.ipynb",
        lambda p: p.write_bytes(b'{"cells": "\xff\xfe"}'),
        1,
        "0",
        "utf-8",
    ),
    "fifty_megabytes": ("student.ipynb", _fifty_megabytes, 1, "0", "mb"),
    "huge_saved_outputs": ("student.ipynb", _huge_outputs, 0, "full", ""),
    "duplicate_graded_cells": ("student.ipynb", _duplicate_graded, 0, "full", ""),
    "missing_path": ("student.ipynb", None, 1, "0", "does not exist"),
    "directory": ("student.ipynb", lambda p: p.mkdir(), 1, "0", "folder"),
    "unreadable_file": ("student.ipynb", _unreadable, 1, "0", "read"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_broken_file_gets_a_clear_report(
    name: str, tmp_path: Path, normal: Normal, capsys: pytest.CaptureFixture[str]
) -> None:
    filename, make, code, verdict, words = BROKEN_FILES[name]
    if name == "unreadable_file" and os.geteuid() == 0:
        pytest.skip("root reads any file: permissions cannot make it unreadable here")
    notebook_dir = tmp_path / "submission"
    notebook_dir.mkdir()
    path = notebook_dir / filename
    if make is not None:
        make(path)

    factor = slowness()
    run = grade(path, tmp_path / "cwd", capsys)
    factor = max(factor, slowness())

    assert run.code == code, run.stdout
    if name != "missing_path":
        assert_survived(run, budget=normal.budget(0.0, SLACK, factor))
    for fname, (score, max_score) in function_scores(run.results).items():
        assert_verdict(verdict, score, max_score, fname)
    if words:
        assert words.lower() in run.stdout.lower()
        assert path.name in run.stdout or str(path) in run.stdout


# -- without user namespaces --------------------------------------------------------------------


def test_without_namespaces_grading_is_refused_by_default_and_the_report_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from grader.sandbox import _platform

    plain = _platform.Platform(False, os.geteuid() == 0, False, (), (), (), None, "forced off")
    monkeypatch.setattr(_platform, "_current", [plain])
    case = parse_case(CORPUS / "reach_removes_the_import_guard.py")
    notebook_dir = tmp_path / "submission"
    notebook_dir.mkdir()
    notebook = write_notebook(notebook_dir / "student.ipynb", BASE_CELLS + case.cells)

    refused = grade(notebook, tmp_path / "refused", capsys)
    assert refused.code == 3  # the machine's problem, for course staff: no grade is given
    assert refused.results["score"] == 0
    assert "will not grade on this machine: forced off" in refused.stderr
    assert "--accept-weak-isolation" in refused.stderr
    assert "--accept-weak-isolation" not in refused.stdout  # staff's business, not the student's

    workdir = tmp_path / "accepted"
    workdir.mkdir()
    os.chdir(workdir)
    try:
        code = main(["grade", str(notebook), "--json", "results.json", "--accept-weak-isolation"])
    finally:
        os.chdir(tmp_path)
    capsys.readouterr()
    scores = function_scores(json.loads((workdir / "results.json").read_text()))
    assert code == 0
    # The risk the flag accepts: without a mount namespace the answer key can be imported.
    assert scores[SHORT["he"]] == (10.0, 10.0)
