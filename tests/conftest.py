"""Shared fixtures.

Usage::

    def test_something(make_patients):
        df = make_patients("cohort.n=2000", "cohort.seed=3")

``make_patients`` caches by overrides for the whole session, so tests that ask for the same
cohort share one simulation (keep cached cohorts small; large ones belong in a
module-scoped fixture). ``presenting_5000`` and ``presenting_600`` are cohorts shared by the
evaluation, report and runs tests (simulated once per session, nothing written);
``mini_result`` is the mini benchmark on ``presenting_600``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from sim.config import compose_config
from sim.pipeline import ShardResult, simulate_cohort
from tests.helpers import simulate_patients


@pytest.fixture(scope="session")
def make_patients() -> Callable[..., pl.DataFrame]:
    cache: dict[tuple[str, ...], pl.DataFrame] = {}

    def make(*overrides: str) -> pl.DataFrame:
        if overrides not in cache:
            cache[overrides] = simulate_patients(*overrides)
        return cache[overrides]

    return make


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


MINI = ["dummy", "logistic", "hist_gradient_boosting", "oracle", "triage"]
"""Model families of the mini benchmark."""


@pytest.fixture(scope="session")
def mini_result(presenting_600):
    from sim.evaluation.benchmark import BenchmarkSettings, benchmark_tables
    from sim.evaluation.classifiers import load_classifiers, model_specs

    t = presenting_600
    specs = model_specs(load_classifiers(MINI))
    return benchmark_tables(t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=3))
