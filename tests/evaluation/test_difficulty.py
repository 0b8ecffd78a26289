"""The difficulty measures: one-feature AUCs, the best feature per cause, co-occurrence."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from sim.config import CAUSES, LABELS
from sim.evaluation import difficulty as dfy
from sim.evaluation.features import feature_matrix, patient_features
from sim.report.difficulty import best_feature_table, difficulty_section


def test_auc_matches_sklearn_with_ties_and_both_directions():
    """Seed 0, 2,000 rows of a 5-level feature (many ties), shifted by the label: equal to
    scikit-learn's AUC to 1e-12, and a reversed feature gives the same AUC, "low"."""
    rng = np.random.default_rng(0)
    y = rng.random(2000) < 0.3
    x = np.floor(rng.normal(size=2000) + 0.8 * y).clip(-2, 2)
    expected = roc_auc_score(y, x)
    assert expected > 0.6
    auc, way = dfy.auc_both_ways(x, y)
    assert auc == pytest.approx(expected, abs=1e-12) and way == "high"
    auc, way = dfy.auc_both_ways(-x, y)
    assert auc == pytest.approx(expected, abs=1e-12) and way == "low"


def test_missingness_that_marks_the_class_counts():
    """A feature observed only in the negatives separates perfectly through its missingness
    (NaN placed above every value), whatever the observed values are."""
    rng = np.random.default_rng(1)
    y = np.arange(1000) < 200
    x = rng.normal(size=1000)
    x[y] = np.nan
    auc, _ = dfy.auc_both_ways(x, y)
    assert auc == pytest.approx(1.0)
    # A feature missing at random carries nothing: near 0.5 (1,000 rows: SE about 0.02).
    z = rng.normal(size=1000)
    z[rng.random(1000) < 0.3] = np.nan
    assert dfy.auc_both_ways(z, y)[0] < 0.58


def test_best_single_features_reports_the_maximum_per_cause_and_source(presenting_600):
    """On 600 presenting patients x 14 nights (seed 1): one row per cause and source, each
    the highest AUC of that source's features, recomputed independently with sklearn."""
    t = presenting_600
    table = dfy.best_single_features(t.patients, t.nights, t.measurements)
    causes = set(t.patients["primary_cause"].cast(pl.String).unique())
    assert set(table["cause"].cast(pl.String)) == causes
    assert table.height == len(causes) * len(dfy.SOURCES)
    assert table["auc"].is_between(0.5, 1.0).all()
    features = patient_features(t.patients, t.nights, t.measurements)
    names, matrix = feature_matrix(features)
    labels = (
        (t.patients.sort("patient_id").join(features.select("patient_id"), on="patient_id"))[
            "primary_cause"
        ]
        .cast(pl.String)
        .to_numpy()
    )
    for row in table.filter(pl.col("source") == "diary").iter_rows(named=True):
        x = matrix[row["feature"]].to_numpy().astype(float)
        y = labels == row["cause"]
        ok = ~np.isnan(x)
        if ok.all():
            sk = roc_auc_score(y, x)
            assert max(sk, 1 - sk) == pytest.approx(row["auc"], abs=1e-9)
        # No other diary feature does better for this cause.
        others = [n for n in names if n.startswith(("frac_", "mean_", "max_"))]
        for name in others:
            v = matrix[name].to_numpy().astype(float)
            if np.isnan(v).any() or np.nanmin(v) == np.nanmax(v):
                continue
            assert dfy.auc_both_ways(v, y)[0] <= row["auc"] + 1e-12


def test_cooccurrence_counts_pairs_exactly():
    """A hand-made table: the diagonal counts each cause, off-diagonals each pair."""
    active = {c: [False] * 4 for c in CAUSES}
    active["rls"] = [True, True, False, False]
    active["pad"] = [True, False, True, False]
    active["cramps"] = [True, True, True, False]
    df = pl.DataFrame({f"active_{c}": v for c, v in active.items()} | {"age": [30, 50, 70, 80]})
    pairs = dfy.cooccurrence(df)
    row = {r["cause"]: r for r in pairs.iter_rows(named=True)}
    assert row["rls"]["rls"] == 2 and row["pad"]["pad"] == 2 and row["cramps"]["cramps"] == 3
    assert row["rls"]["pad"] == 1 and row["rls"]["cramps"] == 2 and row["pad"]["cramps"] == 2
    absent = dfy.absent_pairs(pairs)
    assert ("rls", "pad") not in absent and ("rls", "fatigue") in absent
    assert len(absent) == len(CAUSES) * (len(CAUSES) - 1) // 2 - 3
    by_age = dfy.multimorbidity_by_age(df)
    assert by_age["two_or_more"].to_list() == [1.0, 1.0, 1.0 / 2.0]


def test_difficulty_section_lists_every_cause_and_the_absent_pairs(presenting_600):
    t = presenting_600
    section = difficulty_section(t.patients, t.nights, t.measurements, general=t.patients)
    for cause in set(t.patients["primary_cause"].cast(pl.String).unique()):
        assert f"| {cause} |" in section.text
    assert "Pairs never active together:" in section.text
    table = best_feature_table(dfy.best_single_features(t.patients, t.nights, t.measurements))
    assert table.columns[:2] == ["cause", "best diary / history feature"]
    assert set(table["cause"].cast(pl.String)) <= set(LABELS)
