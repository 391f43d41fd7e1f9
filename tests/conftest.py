"""Shared test configuration: hypothesis profiles and a headless matplotlib."""

from __future__ import annotations

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

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
