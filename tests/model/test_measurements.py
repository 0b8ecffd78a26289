"""Clinic measurements: the fast patient-major path equals the general one."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sim.config import compose_config
from sim.model.measurements import VISIT_STATE, diary_shares, nights_per_patient, visit_rows
from sim.pipeline import simulate_cohort


@pytest.fixture(scope="module")
def nights() -> pl.DataFrame:
    cfg = compose_config(["cohort.n=3000", "cohort.nights=10", "cohort.population=presenting"])
    return simulate_cohort(cfg).nights


def test_engine_output_is_patient_major(nights: pl.DataFrame) -> None:
    assert nights_per_patient(nights) == 10
    assert nights_per_patient(nights.sample(fraction=1.0, shuffle=True, seed=1)) is None
    assert nights_per_patient(nights.filter(pl.col("night") != 3)) is None


@pytest.mark.parametrize("visit", [0, 4, 9])
def test_diary_shares_fast_path_equals_group_by(nights: pl.DataFrame, visit: int) -> None:
    """Reshaped row means (patient-major table) and a group-by (shuffled table) agree,
    including the neuro share, which counts symptomatic nights only (null otherwise)."""
    fast = diary_shares(nights, visit)
    slow = diary_shares(nights.sample(fraction=1.0, shuffle=True, seed=2), visit)
    slow = slow.sort("patient_id").select(fast.columns)
    assert fast["neuro"].null_count() > 0  # patients with no symptomatic night yet
    assert_frame_equal(fast, slow, check_dtypes=False, abs_tol=1e-12)


def test_visit_rows_fast_path_equals_filter(nights: pl.DataFrame) -> None:
    fast = visit_rows(nights, 7)
    slow = visit_rows(nights.sample(fraction=1.0, shuffle=True, seed=3), 7)
    assert_frame_equal(fast, slow)


def test_visit_state_rows_fast_path_equals_filter(nights: pl.DataFrame) -> None:
    """The numpy slice of numeric columns (what the pipeline asks for) equals the filter."""
    fast = visit_rows(nights, 7, 10, VISIT_STATE)
    slow = visit_rows(nights.sample(fraction=1.0, shuffle=True, seed=4), 7, None, VISIT_STATE)
    assert_frame_equal(fast, slow)


def test_diary_shares_read_bitmaps_at_an_offset(nights: pl.DataFrame) -> None:
    """A sliced table starts its flag bitmaps mid-byte: the shares still match the group-by."""
    sliced = nights.slice(10 * 37)  # 370 rows in: bit 2 of byte 46
    fast = diary_shares(sliced, 9)
    slow = diary_shares(sliced.sample(fraction=1.0, shuffle=True, seed=5), 9)
    assert_frame_equal(fast, slow.sort("patient_id").select(fast.columns), check_dtypes=False)


@pytest.mark.parametrize("visit", [31, 32, 39])
def test_diary_shares_over_more_than_32_nights(visit: int) -> None:
    """Flags are counted 32 nights a word: 40 nights span two words and cross word ends."""
    cfg = compose_config(["cohort.n=400", "cohort.nights=40", "cohort.population=presenting"])
    nights = simulate_cohort(cfg).nights.slice(40 * 3)
    fast = diary_shares(nights, visit)
    slow = diary_shares(nights.sample(fraction=1.0, shuffle=True, seed=6), visit)
    assert_frame_equal(fast, slow.sort("patient_id").select(fast.columns), check_dtypes=False)
