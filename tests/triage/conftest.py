"""Shared fixtures of the triage tests: one small presenting cohort and its features.

Usage::

    def test_something(small_cohort):
        patients, features = small_cohort.patients, small_cohort.features
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from sim.config import compose_config
from sim.evaluation.features import patient_features
from sim.pipeline import simulate_cohort

SMALL_COHORT = ["cohort=presenting", "cohort.n=3000", "cohort.seed=11"]
"""Big enough that every cause and some urgent patients are present (seed fixed)."""


@dataclass
class Cohort:
    patients: pl.DataFrame
    features: pl.DataFrame


@pytest.fixture(scope="session")
def small_cohort() -> Cohort:
    sim = simulate_cohort(compose_config(SMALL_COHORT))
    return Cohort(sim.patients, patient_features(sim.patients, sim.nights, sim.measurements))
