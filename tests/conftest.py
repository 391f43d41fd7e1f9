"""Shared test configuration: hypothesis profiles and a headless matplotlib."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import matplotlib
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
