"""Reproducibility of the whole pipeline (DESIGN.md, Randomness).

- same config and seed: bit-identical patients (identical Parquet bytes on disk:
  ``tests/runs/test_generate.py``);
- growth invariance: patients 0..999 do not change when the cohort grows;
- shard invariance: the shard size and the number of worker processes change nothing.
"""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from sim.config import compose_config
from tests.helpers import simulate_patients

GENERAL = ("cohort.population=general", "cohort.seed=5")


def assert_identical(a: pl.DataFrame, b: pl.DataFrame) -> None:
    """Same columns, dtypes and values, bit for bit (NaN equal to NaN)."""
    assert_frame_equal(a, b, check_exact=True)


def test_same_config_same_patients(make_patients) -> None:
    a = make_patients(*GENERAL, "cohort.n=3000")
    b = simulate_patients(*GENERAL, "cohort.n=3000")
    assert a.height == 3000
    assert_identical(a, b)
    # float columns compared as raw bits, so -0.0 vs 0.0 or NaN payloads would show
    for name, dtype in a.schema.items():
        if dtype.is_float():
            assert a[name].to_numpy().tobytes() == b[name].to_numpy().tobytes(), name


def test_other_seed_other_patients(make_patients) -> None:
    a = make_patients(*GENERAL, "cohort.n=3000")
    b = simulate_patients("cohort.population=general", "cohort.seed=6", "cohort.n=3000")
    assert not a["age"].equals(b["age"])


def test_growing_the_cohort_keeps_existing_patients(make_patients) -> None:
    small = make_patients(*GENERAL, "cohort.n=1000")
    larger = make_patients(*GENERAL, "cohort.n=5000")
    largest = make_patients(*GENERAL, "cohort.n=20000", "cohort.shard_size=8192")
    assert_identical(small, larger.head(1000))
    assert_identical(small, largest.head(1000))
    assert_identical(larger, largest.head(5000))


def test_shard_size_changes_nothing(make_patients) -> None:
    many = make_patients(*GENERAL, "cohort.n=20000", "cohort.shard_size=8192")
    one = make_patients(*GENERAL, "cohort.n=20000", "cohort.shard_size=65536")
    assert_identical(many, one)
    assert many["patient_id"].to_list() == list(range(20000))


def test_worker_processes_change_nothing(make_patients) -> None:
    serial = make_patients(*GENERAL, "cohort.n=20000", "cohort.shard_size=8192")
    pooled = make_patients(*GENERAL, "cohort.n=20000", "cohort.shard_size=8192", "engine.workers=2")
    assert_identical(serial, pooled)


def test_presenting_population_is_reproducible_and_grows(make_patients) -> None:
    """The same guarantees hold for the presenting population and a fixed cause mix."""
    args = ("cohort.population=presenting", "cohort.seed=9", "cohort.cause_mix=balanced")
    small = make_patients(*args, "cohort.n=1000")
    large = simulate_patients(*args, "cohort.n=9000", "cohort.shard_size=8192")
    assert_identical(small, large.head(1000))


def test_nights_and_measurements_do_not_change_when_the_cohort_grows() -> None:
    """Patients 0..999 live the same nights and get the same clinic results at n=1000
    and at n=9000 (two shards of 8192), seed 4, 7 nights."""
    from polars.testing import assert_frame_equal

    from sim.pipeline import simulate_cohort

    base = ["cohort.nights=7", "cohort.seed=4", "cohort.population=presenting"]
    small = simulate_cohort(compose_config([*base, "cohort.n=1000"]))
    large = simulate_cohort(compose_config([*base, "cohort.n=9000", "cohort.shard_size=8192"]))
    first = pl.col("patient_id") < 1000
    assert_frame_equal(small.nights, large.nights.filter(first))
    assert_frame_equal(small.measurements, large.measurements.filter(first))


def test_urgency_is_that_of_the_visit_night() -> None:
    """The shipped urgency follows DOMAIN.md's rules on the visit night's true potassium,
    sodium, magnesium and calcium (n=4000 presenting, seed 8, 14 nights, visit on the last)."""
    import numpy as np

    from sim.model.causes import CAUSE_CODE, URGENCIES, urgency
    from sim.pipeline import simulate_cohort

    r = simulate_cohort(
        compose_config(
            ["cohort.n=4000", "cohort.seed=8", "cohort.nights=14", "cohort.population=presenting"]
        )
    )
    p = r.patients.sort("patient_id")
    visit = r.nights.filter(pl.col("night") == 13).sort("patient_id")
    expected = urgency(
        primary=p["primary_cause"].cast(pl.String).replace_strict(CAUSE_CODE).to_numpy(),
        pad_active=p["active_pad"].to_numpy(),
        abi=p["abi_true"].to_numpy(),
        ankle_sbp_mmhg=p["ankle_sbp_mmhg"].to_numpy(),
        potassium_mmol_l=visit["potassium_mmol_l"].to_numpy(),
        sodium_mmol_l=visit["sodium_mmol_l"].to_numpy(),
        magnesium_mmol_l=visit["magnesium_mmol_l"].to_numpy(),
        calcium_mmol_l=visit["calcium_mmol_l"].to_numpy(),
    )
    got = p["urgency"].cast(pl.String).to_numpy()
    assert (got == np.array(URGENCIES)[expected]).all()
    assert (got == "urgent").sum() > 20
