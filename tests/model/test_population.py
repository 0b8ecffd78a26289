"""The patient population: cause mixes, populations, and ground truth that holds together.

Statistical tests state seed, n and tolerance; the tolerances are at least 5 binomial
standard errors, so a pass is not luck and a real shift of the mix fails.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sim.config import LABELS, compose_config, validate
from sim.model.population import PopulationModel

# ---------------------------------------------------------------------------- cause mixes


def _shares(patients: pl.DataFrame) -> dict[str, float]:
    counts = dict(patients["primary_cause"].cast(pl.String).value_counts().iter_rows())
    return {label: counts.get(label, 0) / patients.height for label in LABELS}


def test_balanced_mix_gives_equal_shares(make_patients) -> None:
    """balanced: each of the 11 labels within 1.5 points of 1/11; n=18000, seed 4 (SE 0.22)."""
    df = make_patients("cohort.cause_mix=balanced", "cohort.n=18000", "cohort.seed=4")
    for label, share in _shares(df).items():
        assert share == pytest.approx(1 / len(LABELS), abs=0.015), label


def test_mapping_mix_gives_only_those_causes(make_patients) -> None:
    """{rls: 0.5, none: 0.5}: only rls and none, each within 2.5 points of 50%; n=4000,
    seed 4 (SE 0.8)."""
    df = make_patients("cohort.cause_mix={rls:0.5,none:0.5}", "cohort.n=4000", "cohort.seed=4")
    shares = _shares(df)
    assert {k for k, v in shares.items() if v > 0} == {"rls", "none"}
    assert shares["rls"] == pytest.approx(0.5, abs=0.025)


@pytest.fixture(scope="module")
def presenting(make_patients) -> pl.DataFrame:
    """Presenting population, calibrated mix; n=20000, seed 4."""
    return make_patients("cohort.population=presenting", "cohort.n=20000", "cohort.seed=4")


def test_presenting_none_share(presenting) -> None:
    """none share within 1 point of presenting_none_share (0.08); n=20000, seed 4 (SE 0.19)."""
    share = validate(compose_config(["cohort.population=presenting"])).presenting_none_share
    assert _shares(presenting)["none"] == pytest.approx(share, abs=0.01)


def test_presenting_controls_are_the_only_patients_without_a_cause(presenting) -> None:
    """none <=> no contributing cause; every other patient's primary cause is among them."""
    n_causes = presenting["contributing_causes"].list.len()
    is_none = presenting["primary_cause"] == "none"
    assert (is_none == (n_causes == 0)).all()
    has_primary = presenting.select(
        pl.col("contributing_causes")
        .list.eval(pl.element().cast(pl.String))
        .list.contains(pl.col("primary_cause").cast(pl.String))
    ).to_series()
    assert has_primary.filter(~is_none).all()


def test_presenting_keeps_the_calibrated_proportions(presenting) -> None:
    """Among patients with a cause, each cause within 1.5 points of its share in the general
    population's calibrated mix; n=20000, seed 4."""
    cfg = compose_config(["cohort.population=presenting"])
    natural = PopulationModel(cfg.model, validate(cfg)).natural_mix()
    del natural["none"]
    total = sum(natural.values())
    with_cause = presenting.filter(pl.col("primary_cause") != "none")
    shares = _shares(with_cause)
    for cause, share in natural.items():
        assert shares[cause] == pytest.approx(share / total, abs=0.015), cause


def test_age_range_is_honoured(make_patients) -> None:
    df = make_patients("cohort.age_min=60", "cohort.age_max=70", "cohort.n=2000")
    assert df["age"].min() >= 60 and df["age"].max() <= 70


# ---------------------------------------------------------------------------- ground truth


@pytest.fixture(scope="module")
def balanced(make_patients) -> pl.DataFrame:
    """Every cause well represented: balanced mix, n=18000, seed 4."""
    return make_patients("cohort.cause_mix=balanced", "cohort.n=18000", "cohort.seed=4")


def test_medication_cause_has_a_culprit_the_patient_takes(balanced) -> None:
    """Every medication patient has a culprit; other patients may have one as a
    co-condition (never controls), and a culprit means the medication cause is active."""
    is_med = balanced["primary_cause"] == "medication"
    has = balanced["culprit_drug"].is_not_null()
    assert has.filter(is_med).all()
    assert not has.filter(balanced["primary_cause"] == "none").any()
    assert balanced.filter(has)["active_medication"].all()
    assert 0 < has.filter(~is_med).mean() < 0.1
    for drug in balanced["culprit_drug"].drop_nulls().unique().cast(pl.String):
        takes = balanced.filter(pl.col("culprit_drug") == drug)[f"on_{drug}"]
        assert takes.all(), drug


def test_pad_cause_has_low_abi(balanced) -> None:
    pad = balanced.filter(pl.col("primary_cause") == "pad")
    assert pad["abi_true"].max() <= 0.90
    assert pad["active_pad"].all()


def test_urgency_follows_the_domain_rules(balanced) -> None:
    """urgency recomputed from the truth columns with DOMAIN.md's rules (rows within 1e-4 of
    a threshold are skipped: the table stores float32)."""
    df = balanced
    k = (df["potassium_base_mmol_l"] - df["diuretic_potassium_drop_mmol_l"]).to_numpy()
    na = (df["sodium_base_mmol_l"] - df["diuretic_sodium_drop_mmol_l"]).to_numpy()
    mg = df["magnesium_base_mmol_l"].to_numpy()
    ca = df["calcium_base_mmol_l"].to_numpy()
    abi = df["abi_true"].to_numpy()
    ankle = df["ankle_sbp_mmhg"].to_numpy()
    primary = df["primary_cause"].cast(pl.String).to_numpy()
    pad = df["active_pad"].to_numpy()

    critical_limb = pad & ((ankle < 50) | (abi < 0.40))
    severe_lab = (k < 3.0) | (na <= 120) | (k >= 6.0) | (na >= 150) | (ca >= 3.0)
    deranged = (k < 3.5) | (na < 135) | (mg < 0.70) | (ca < 2.1)  # low only (sim.model.causes)
    has_cause = primary != "none"
    routine_cause = np.isin(
        primary, ["rls", "pad", "nerve", "medication", "electrolyte", "venous", "stenosis"]
    )
    expected = np.where(
        (critical_limb | severe_lab) & has_cause,
        "urgent",
        np.where(routine_cause | (deranged & has_cause), "routine", "self_care"),
    )
    near = np.zeros(len(df), dtype=bool)
    for values, thresholds in [
        (k, [3.0, 3.5, 6.0]),
        (na, [120, 135, 150]),
        (mg, [0.70]),
        (ca, [2.1, 3.0]),
        (abi, [0.40]),
        (ankle, [50]),
    ]:
        for t in thresholds:
            near |= np.abs(values - t) < 1e-4
    actual = df["urgency"].cast(pl.String).to_numpy()
    mismatch = (actual != expected) & ~near
    assert not mismatch.any(), df.filter(pl.Series(mismatch)).head(5)
    assert set(actual[primary == "none"]) == {"self_care"}
    assert (actual == "urgent").sum() > 0


def test_required_patient_columns_exist(balanced) -> None:
    required = [
        "patient_id",
        "age",
        "sex",
        "primary_cause",
        "contributing_causes",
        "urgency",
        "diabetes",
        "hypertension",
        "ckd",
        "on_statin",
        "statin_start_day",
        "statin_dose_mg",
        "abi_true",
    ]
    missing = [c for c in required if c not in balanced.columns]
    assert not missing
