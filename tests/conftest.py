"""Shared test configuration: Hypothesis profiles and common fixtures.

Profiles: ``dev`` (default on a workstation), ``ci`` (CI=true or HYPOTHESIS_PROFILE=ci),
``debug`` (verbose). Select with ``HYPOTHESIS_PROFILE``.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Verbosity, settings

settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("debug", parent=settings.get_profile("dev"), verbosity=Verbosity.verbose)

settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def rng():
    """A seeded NumPy generator, so that example-based tests are reproducible."""
    return np.random.default_rng(12345)
