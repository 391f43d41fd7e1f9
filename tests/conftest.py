"""Shared test configuration: hypothesis profiles and a headless matplotlib."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Grading caches training outcomes (and hypothesis's notes) under $INITGRADE_CACHE_DIR. Each test
# session gets a fresh folder, so tests neither depend on a developer's cache nor write to it;
# set the variable yourself to keep a cache between runs.
if "INITGRADE_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="initgrade-test-cache-")
    os.environ["INITGRADE_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)

# `dev` explores a little for quick local runs; `ci` explores more and is derandomized so a
# green run on one machine is green on every machine. Select with HYPOTHESIS_PROFILE.
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _every_results_json_follows_gradescopes_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``results.json`` the grader writes in a test is validated against the JSON Schema
    of Gradescope's format (tests/gradescope_schema.py); writing an invalid one fails the test."""
    from grader.cli import _last_resort
    from grader.reports import gradescope
    from tests.gradescope_schema import validate_results

    dumps, emergency = gradescope.dumps, _last_resort.emergency_results

    def checked_dumps(results: dict) -> str:
        validate_results(results)
        return dumps(results)

    def checked_emergency(submission: str, internal: str) -> dict:
        results = emergency(submission, internal)
        validate_results(results)
        return results

    monkeypatch.setattr(gradescope, "dumps", checked_dumps)
    monkeypatch.setattr(_last_resort, "emergency_results", checked_emergency)
