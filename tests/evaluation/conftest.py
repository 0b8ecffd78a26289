"""Cohorts shared by the evaluation tests (simulated once per session, nothing written).

Usage::

    def test_something(presenting_5000):
        tables = presenting_5000            # ShardResult: patients, measurements, nights
"""

from __future__ import annotations

import pytest

from sim.config import compose_config
from sim.pipeline import ShardResult, simulate_cohort


def simulate(*overrides: str) -> ShardResult:
    return simulate_cohort(compose_config(["cohort=presenting", *overrides]))


@pytest.fixture(scope="session")
def presenting_5000() -> ShardResult:
    """5,000 presenting patients x 28 nights, seed 0: big enough that every cause has at
    least 100 patients, so 'perfectly predicts the label' is a meaningful statement."""
    return simulate("cohort.n=5000", "cohort.seed=0")


@pytest.fixture(scope="session")
def presenting_600() -> ShardResult:
    """600 presenting patients x 14 nights, seed 1: the end-to-end mini benchmark."""
    return simulate("cohort.n=600", "cohort.nights=14", "cohort.seed=1")
