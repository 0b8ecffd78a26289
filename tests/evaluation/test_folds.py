"""Folds keep each patient in one fold, at patient and at night level."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sim.evaluation.benchmark import BenchmarkSettings, assign_folds, benchmark_tables
from sim.evaluation.classifiers import model_specs


def _one_fold_per_patient(keys: pl.DataFrame, folds: np.ndarray) -> bool:
    per_patient = (
        keys.with_columns(pl.Series("fold", folds))
        .group_by("patient_id")
        .agg(pl.col("fold").n_unique())
    )
    return bool((per_patient["fold"] == 1).all())


def test_patient_level_folds_are_stratified_and_disjoint(presenting_5000):
    p = presenting_5000.patients
    y = p["primary_cause"].cast(pl.String).to_numpy()
    folds = assign_folds(p["patient_id"].to_numpy(), y, folds=5, seed=0)
    assert set(np.unique(folds)) == set(range(5))
    assert _one_fold_per_patient(p.select("patient_id"), folds)
    # Stratified: every cause's share in every fold within 2 points of its overall share.
    for cause in np.unique(y):
        overall = np.mean(y == cause)
        for k in range(5):
            assert abs(np.mean(y[folds == k] == cause) - overall) < 0.02
    # Deterministic given the seed (every model sees the same folds).
    assert np.array_equal(folds, assign_folds(p["patient_id"].to_numpy(), y, folds=5, seed=0))


def test_night_level_folds_never_split_a_patient(presenting_600):
    t = presenting_600
    nights = t.nights.select("patient_id", "night").join(
        t.patients.select("patient_id", "primary_cause"), on="patient_id"
    )
    folds = assign_folds(
        nights["patient_id"].to_numpy(),
        nights["primary_cause"].cast(pl.String).to_numpy(),
        folds=4,
        seed=1,
    )
    assert _one_fold_per_patient(nights, folds)
    assert set(np.unique(folds)) == set(range(4))


def test_night_level_benchmark_tests_each_patient_in_one_fold_only(presenting_600):
    t = presenting_600
    specs = model_specs({"dummy": {"family": "dummy", "params": {"strategy": "prior"}}})
    result = benchmark_tables(
        t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=3, level="night")
    )
    pred = result.predictions
    assert pred.height == t.nights.height  # every night tested exactly once
    assert pred.select("patient_id", "night").is_unique().all()
    assert (pred.group_by("patient_id").agg(pl.col("fold").n_unique())["fold"] == 1).all()


def test_early_stopping_holds_out_whole_patients_at_night_level():
    """With night rows, gradient boosting's validation set must not share patients with its
    training rows (else early stopping rewards remembering patients)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from sim.evaluation.benchmark import _early_stopping_rows

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(200), 7)
    y = np.repeat(rng.choice(["a", "b", "c"], size=200), 7)
    train = np.arange(len(y))
    hgb = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=0.1)
    fit, val = _early_stopping_rows(hgb, y, train, groups, seed=0)
    assert not set(groups[fit]) & set(groups[val])
    assert len(fit) + len(val) == len(train)
    assert 0.05 < len(val) / len(train) < 0.15
    # patient level (no groups) or no early stopping: the estimator's own split is used
    assert _early_stopping_rows(hgb, y, train, None, seed=0)[1] is None
    hgb.set_params(early_stopping=False)
    assert _early_stopping_rows(hgb, y, train, groups, seed=0)[1] is None


def test_a_cause_with_one_training_patient_does_not_stop_early_stopping():
    """Patient rows, 300 patients with one of cause "d" (a rare cause in a small cohort):
    gradient boosting's own stratified split refuses a class of one, so the validation rows
    are drawn per cause and the single one stays in the fit; the fit then works."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from sim.evaluation.benchmark import _early_stopping_rows

    rng = np.random.default_rng(0)
    y = np.array([*rng.choice(["a", "b", "c"], size=299), "d"])
    X = rng.normal(size=(300, 3)) + (y == "a")[:, None]
    train = np.arange(300)
    hgb = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="least populated class"):
        hgb.fit(X, y)  # what the estimator's own split does
    fit, val = _early_stopping_rows(hgb, y, train, None, seed=0)
    assert 299 in fit and 299 not in val
    assert len(fit) + len(val) == 300 and not set(fit) & set(val)
    assert set(y[val]) == {"a", "b", "c"} and 0.07 < len(val) / 300 < 0.13
    hgb.fit(X[fit], y[fit], X_val=X[val], y_val=y[val])
    assert list(hgb.classes_) == ["a", "b", "c", "d"]


def test_a_cause_whose_only_patient_is_held_out_returns_to_the_fit():
    """Night rows, 60 patients x 7 nights, one patient of cause "d": whichever split holds
    that patient out, the validation rows hold only causes the fit has."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from sim.evaluation.benchmark import _early_stopping_rows

    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(60), 7)
    y = np.repeat(np.array([*rng.choice(["a", "b"], size=59), "d"]), 7)
    train = np.arange(len(y))
    hgb = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=0.1)
    for seed in range(10):
        fit, val = _early_stopping_rows(hgb, y, train, groups, seed=seed)
        assert set(y[val]) <= set(y[fit]) and "d" in set(y[fit])
        assert len(fit) + len(val) == len(train) and not set(fit) & set(val)
