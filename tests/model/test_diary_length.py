"""Diary-length invariance (docs/how-to-generate.md, Reproducibility and scale): a patient's
first 28 nights do not change with ``cohort.nights=56``.

The cohort-size and shard-layout invariance tests are in ``tests/test_pipeline.py``; this
one guards the population model, whose drug start days were once drawn over a range that
grew with the diary (342 of the 28,000 night rows below differed).
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sim.config import compose_config
from sim.pipeline import ShardResult, simulate_cohort
from tests.helpers import simulate_patients

BASE = ("cohort.n=1000", "cohort.seed=7")
SHORT = 28
VISIT_DEPENDENT = ("urgency",)
"""Patient columns taken on the visit night (by default the last night, so night 27 of one
diary and night 55 of the other): they legitimately differ, as does every measurement."""


def _cohort(*overrides: str) -> ShardResult:
    return simulate_cohort(compose_config([*BASE, *overrides]))


@pytest.fixture(scope="module")
def short() -> ShardResult:
    return _cohort(f"cohort.nights={SHORT}")


def test_first_nights_do_not_change_with_a_longer_diary(short: ShardResult) -> None:
    """Seed 7, n=1000: nights 0..27 of a 56-night diary equal the 28-night diary, every
    column bit for bit, and so does every patient column but the visit-night ones."""
    long = _cohort(f"cohort.nights={2 * SHORT}")
    assert_frame_equal(short.nights, long.nights.filter(pl.col("night") < SHORT), check_exact=True)
    assert_frame_equal(
        short.patients.drop(VISIT_DEPENDENT), long.patients.drop(VISIT_DEPENDENT), check_exact=True
    )


def test_same_visit_night_gives_the_same_visit(short: ShardResult) -> None:
    """With the visit on night 27 in both diaries, urgency and measurements agree too."""
    long = _cohort(f"cohort.nights={2 * SHORT}", f"measurements.visit_night={SHORT - 1}")
    assert_frame_equal(short.patients, long.patients, check_exact=True)
    assert_frame_equal(short.measurements, long.measurements, check_exact=True)


def test_drug_start_days_follow_the_horizon_not_the_diary() -> None:
    """Start days are the same with 7 or 90 nights of diary (n=2000 balanced, seed 3); they
    move only with ``model.medication.start_horizon_days``."""
    starts = [f"{d}_start_day" for d in ("statin", "thiazide", "ssri", "bisphosphonate")]
    base = ("cohort.n=2000", "cohort.seed=3", "cohort=balanced")
    short = simulate_patients(*base, "cohort.nights=7").select(starts)
    assert short.equals(simulate_patients(*base, "cohort.nights=90").select(starts))
    other = simulate_patients(*base, "model.medication.start_horizon_days=7").select(starts)
    assert not short.equals(other)
