"""No ground truth reaches the features; and the checks do fail when it does.

Cohort: 5,000 presenting patients x 28 nights, seed 0 (every cause has 100+ patients).
Tolerances: a copy is |correlation| >= 0.9999 with a truth column; a single feature
"predicts the label" when a cross-validated one-feature tree reaches accuracy, or F1 for one
cause, of 0.995 or more. The strongest legitimate feature (frac_quality_shooting for nerve)
reaches about 0.98 on this cohort.
"""

from __future__ import annotations

import polars as pl
import pytest

from sim.evaluation import features
from sim.evaluation.benchmark import LeakageError, build_dataset
from sim.evaluation.features import night_features, patient_features
from sim.evaluation.latent import LABEL_ENCODINGS, latent_columns, latent_features
from sim.evaluation.leakage import find_leaks, format_leaks
from sim.model.mechanisms.medication import DRUGS
from sim.tables.schema import TABLES, observed_columns, truth_columns


@pytest.fixture(scope="module")
def patient_X(presenting_5000):
    t = presenting_5000
    return patient_features(t.patients, t.nights, t.measurements)


def _night_sample(tables, n_patients=1500):
    keep = tables.patients["patient_id"].head(n_patients).implode()
    return (
        tables.patients.filter(pl.col("patient_id").is_in(keep)),
        tables.nights.filter(pl.col("patient_id").is_in(keep)),
        tables.measurements.filter(pl.col("patient_id").is_in(keep)),
    )


def test_patient_features_carry_no_truth(presenting_5000, patient_X):
    assert patient_X.height == 5000
    leaks = find_leaks(patient_X, presenting_5000.patients, presenting_5000.nights)
    assert not leaks, format_leaks(leaks)


def test_night_features_carry_no_truth(presenting_5000):
    patients, nights, measurements = _night_sample(presenting_5000)
    X = night_features(patients, nights, measurements)
    assert X.height == nights.height
    leaks = find_leaks(X, patients, nights, max_rows=8000)
    assert not leaks, format_leaks(leaks)


def test_oracle_inputs_withhold_every_label_encoding(presenting_5000):
    """The oracle may see physiology, but no column that identifies a cause on its own."""
    Z = latent_features(presenting_5000.patients)
    assert not set(LABEL_ENCODINGS) & set(latent_columns())
    leaks = find_leaks(Z, presenting_5000.patients, checks=("predictive",))
    assert not leaks, format_leaks(leaks)
    # ... while the withheld ones would have been caught:
    encoded = presenting_5000.patients.select(
        "patient_id", pl.col("primary_cause").to_physical().alias("latent_cause_code")
    )
    assert find_leaks(encoded, presenting_5000.patients, checks=("predictive",))


def test_truth_let_through_the_schema_is_caught(presenting_5000, monkeypatch):
    """Break the guard: pretend every column is observed. Night features then carry the
    nightly truth (n_episodes, dominant_mechanism, serum values...): caught by name and by
    value, and the benchmark refuses to fit."""
    everything = {t: [c.name for c in cols] for t, cols in TABLES.items()}
    monkeypatch.setattr(features, "observed_columns", lambda table: everything[table])
    patients, nights, measurements = _night_sample(presenting_5000, 400)
    X = night_features(patients, nights, measurements)
    leaks = find_leaks(X, patients, nights, checks=("name", "copy"))
    by_check = {(leak.column, leak.check) for leak in leaks}
    assert ("n_episodes", "name") in by_check
    assert ("dominant_mechanism_rls", "name") in by_check  # one-hots of truth categories too
    assert ("hydration_deficit_l", "copy") in by_check
    # potassium_mmol_l is both a nightly truth and a clinic measurement name; the nightly
    # truth comes through under it and is caught as a copy of nights.potassium_mmol_l.
    assert any(
        leak.column == "potassium_mmol_l" and "nights.potassium_mmol_l" in leak.detail
        for leak in leaks
    )
    with pytest.raises(LeakageError, match="n_episodes"):
        build_dataset(patients, nights, measurements, level="night")


def test_disguised_truth_is_caught(presenting_5000, patient_X):
    """A renamed latent parameter, a renamed label code and a renamed one-vs-rest flag."""
    p = presenting_5000.patients.sort("patient_id")
    leaky = patient_X.with_columns(
        p["abi_true"].alias("ankle_index_estimate"),
        (p["primary_cause"].to_physical().cast(pl.Float64) * 3 + 1).alias("diary_score"),
        (p["primary_cause"] == "medication").cast(pl.Int8).alias("drug_flag"),
    )
    leaks = {leak.column: leak for leak in find_leaks(leaky, p, checks=("copy", "predictive"))}
    assert leaks["ankle_index_estimate"].check == "copy"
    assert "abi_true" in leaks["ankle_index_estimate"].detail
    assert "diary_score" in leaks
    assert leaks["drug_flag"].check == "predictive"
    assert "medication" in leaks["drug_flag"].detail
    assert set(leaks) == {"ankle_index_estimate", "diary_score", "drug_flag"}


def test_truth_names_never_appear_as_features(patient_X):
    # ferritin_ug_l is both the true value (patients, truth) and the measured one (a feature)
    hidden = set(truth_columns("patients")) - set(observed_columns("measurements"))
    assert "abi_true" in hidden and "primary_cause" in hidden
    assert not hidden & set(patient_X.columns)


def test_a_lone_outlier_is_no_copy_of_a_category_code():
    """Against a categorical truth only the rank correlation counts: 59 patients on one
    culprit drug with 20-24 days since a start and one on another with 3,000 give a Pearson
    near 1 with the drug's code, copying nothing; a feature that is the code is caught."""
    n = 60
    patients = pl.DataFrame(
        {"patient_id": list(range(n)), "culprit_drug": ["mirtazapine"] * (n - 1) + ["ssri"]},
        schema_overrides={"culprit_drug": pl.Enum(list(DRUGS))},
    )
    days = [20.0 + i % 5 for i in range(n - 1)] + [3000.0]
    outlier = pl.DataFrame({"patient_id": list(range(n)), "days": days})
    assert not find_leaks(outlier, patients, checks=("copy",))
    code = outlier.with_columns(days=pl.Series([1.0] * (n - 1) + [0.0]))
    assert find_leaks(code, patients, checks=("copy",))


def test_a_class_is_judged_by_its_patients_not_its_nights():
    """Night rows: one patient of class "x" (28 nights) that a feature separates perfectly
    is chance, not a leak (support 1 patient < MIN_CLASS_SUPPORT); 30 such patients are."""
    import numpy as np

    from sim.evaluation.leakage import MIN_CLASS_SUPPORT, _predictive_leaks

    def rows(n_x):
        rng = np.random.default_rng(0)
        patient = np.repeat(np.arange(200), 28)
        y = np.where(patient < n_x, "x", rng.choice(["a", "b"], size=200)[patient])
        x = np.where(y == "x", 10.0, rng.normal(size=len(y)))[:, None]
        return x, y, patient

    x, y, patient = rows(1)
    assert not _predictive_leaks(x, y, ["f"], threshold=0.995, seed=0, patient=patient)
    assert _predictive_leaks(x, y, ["f"], threshold=0.995, seed=0)  # counted in rows: 28
    x, y, patient = rows(MIN_CLASS_SUPPORT + 10)
    leaks = _predictive_leaks(x, y, ["f"], threshold=0.995, seed=0, patient=patient)
    assert [leak.detail for leak in leaks] == ["alone identifies x, F1 1.0000"]
