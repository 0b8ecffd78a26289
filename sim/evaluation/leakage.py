"""Leakage checks: does any feature carry the ground truth?

Usage::

    leaks = find_leaks(X, patients, nights)          # [] when clean
    assert not leaks, format_leaks(leaks)

Three checks, from cheap and exact to statistical:

1. **name**: a feature named like a truth column or one of its one-hots (unless the name is
   also an observed column: ``potassium_mmol_l`` is a nightly truth and a clinic measurement);
2. **copy**: a feature that is a copy, rescaling or monotone transform of a truth column
   (|Pearson| or |Spearman| correlation at least ``copy_threshold`` with a patient truth
   column, or with a nightly truth column when the features have a ``night`` column; a
   category's codes are arbitrary numbers, so against a categorical truth only the rank
   correlation counts: a lone outlier among few rows gives a Pearson near 1 with a
   two-valued code without copying anything);
3. **predictive**: a single feature that predicts the label by itself: a one-feature
   decision tree, cross-validated, reaches accuracy or the F1 of any well-represented cause
   of at least ``predictive_threshold``. Legitimate features are strong clues, never
   perfect ones; a feature made from the label is perfect.

The checks are meant for cohorts of a decent size with the calibrated cause mix (the
tests use 5,000 presenting patients); on a toy cohort of two causes, a symptom can separate
them perfectly without any leak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import rankdata
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier

from sim.tables.schema import TABLES, columns, observed_columns

KEYS = ("patient_id", "night")
MIN_PAIRED_ROWS = 50
MIN_CLASS_SUPPORT = 20
"""Fewest patients (not rows: a patient's nights are one patient) a class needs before a
feature that singles it out counts as a leak; a rare class of one or two patients is
separated perfectly by chance by many features (critical-ischaemia PAD is 0.2% of the
presenting cohort)."""


@dataclass(frozen=True)
class Leak:
    """A feature that carries ground truth."""

    column: str
    check: str  # name, copy or predictive
    detail: str


def format_leaks(leaks: list[Leak]) -> str:
    return "\n".join(f"{leak.column}: {leak.check}: {leak.detail}" for leak in leaks)


def _truth_names() -> set[str]:
    """Truth column names, and the one-hot names of categorical truth (``nerve_side_left``),
    minus any name that is also an observed column somewhere."""
    observed = {name for table in TABLES for name in observed_columns(table)}
    names = set()
    for table in TABLES:
        for col in columns(table):
            if col.truth:
                names.add(col.name)
                names.update(f"{col.name}_{value}" for value in col.categories or ())
    return names - observed


def _numeric_truth(df: pl.DataFrame, table: str, keys: list[str]) -> pl.DataFrame:
    """Truth columns of a table as numbers (categories as codes, lists as bit masks)."""
    exprs: list[pl.Expr] = []
    for col in columns(table):
        if not col.truth or col.name not in df.columns:
            continue
        dtype = df.schema[col.name]
        if isinstance(dtype, pl.List):
            categories = list(dtype.inner.categories)
            exprs.append(
                pl.col(col.name)
                .list.eval(
                    pl.element()
                    .cast(pl.String)
                    .replace_strict(
                        {c: 2**i for i, c in enumerate(categories)}, return_dtype=pl.Int64
                    )
                )
                .list.sum()
                .cast(pl.Float64)
                .alias(f"{table}.{col.name}")
            )
        elif isinstance(dtype, pl.Enum | pl.Categorical):
            exprs.append(
                pl.col(col.name).to_physical().cast(pl.Float64).alias(f"{table}.{col.name}")
            )
        else:
            exprs.append(pl.col(col.name).cast(pl.Float64).alias(f"{table}.{col.name}"))
    return df.select(*keys, *exprs)


def _categorical(table: str) -> set[str]:
    """Names of the categorical truth columns of a table (compared by rank only)."""
    return {
        c.name
        for c in columns(table)
        if c.truth and isinstance(c.dtype, pl.Enum | pl.Categorical | pl.List)
    }


def _ranks(values: np.ndarray) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    ok = ~np.isnan(values)
    out[ok] = rankdata(values[ok])
    return out


def _abs_corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~np.isnan(a) & ~np.isnan(b)
    if ok.sum() < MIN_PAIRED_ROWS:
        return 0.0
    x, y = a[ok], b[ok]
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(abs(np.corrcoef(x, y)[0, 1]))


def find_leaks(
    features: pl.DataFrame,
    patients: pl.DataFrame,
    nights: pl.DataFrame | None = None,
    *,
    label: str = "primary_cause",
    checks: tuple[str, ...] = ("name", "copy", "predictive"),
    max_rows: int = 5000,
    copy_threshold: float = 0.9999,
    predictive_threshold: float = 0.995,
    seed: int = 0,
) -> list[Leak]:
    """Every leak found in ``features`` (one row per patient, or per patient-night with a
    ``night`` column), judged against the truth in ``patients`` (and ``nights``).

    Rows are subsampled to ``max_rows`` (seeded) for the copy and predictive checks.
    """
    leaks: list[Leak] = []
    names = [c for c in features.columns if c not in KEYS]
    if "name" in checks:
        hidden = _truth_names()
        leaks += [Leak(c, "name", "named like a truth column") for c in names if c in hidden]
    if not {"copy", "predictive"} & set(checks):
        return leaks
    keys = [k for k in KEYS if k in features.columns]
    sample = features
    if features.height > max_rows:
        sample = features.sample(max_rows, seed=seed)
    truth = sample.select(keys).join(
        _numeric_truth(patients, "patients", ["patient_id"]), on="patient_id", how="left"
    )
    if "night" in keys and nights is not None:
        truth = truth.join(
            _numeric_truth(nights, "nights", ["patient_id", "night"]),
            on=["patient_id", "night"],
            how="left",
        )
    X = sample.select([pl.col(c).cast(pl.Float64).fill_null(np.nan) for c in names]).to_numpy()
    if "copy" in checks:
        truth_cols = [c for c in truth.columns if c not in KEYS]
        T = truth.select([pl.col(c).fill_null(np.nan) for c in truth_cols]).to_numpy()
        T_ranks = [_ranks(T[:, j]) for j in range(T.shape[1])]
        categorical = {f"{t}.{c}" for t in ("patients", "nights") for c in _categorical(t)}
        for i, name in enumerate(names):
            x, x_ranks = X[:, i], _ranks(X[:, i])
            for j, truth_name in enumerate(truth_cols):
                r = _abs_corr(x_ranks, T_ranks[j])
                if truth_name not in categorical:
                    r = max(r, _abs_corr(x, T[:, j]))
                if r >= copy_threshold:
                    leaks.append(Leak(name, "copy", f"|correlation| {r:.5f} with {truth_name}"))
    if "predictive" in checks:
        y = (
            sample.select("patient_id")
            .join(patients.select("patient_id", label), on="patient_id", how="left")[label]
            .cast(pl.String)
            .to_numpy()
        )
        patient = sample["patient_id"].to_numpy()
        leaks += _predictive_leaks(
            X, y, names, threshold=predictive_threshold, seed=seed, patient=patient
        )
    return leaks


def _predictive_leaks(
    X: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    threshold: float,
    seed: int,
    patient: np.ndarray | None = None,
) -> list[Leak]:
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        return []
    folds = int(min(3, counts.min()))
    if folds < 2:
        keep = np.isin(y, classes[counts >= 2])
        X, y = X[keep], y[keep]
        patient = None if patient is None else patient[keep]
        classes, counts = np.unique(y, return_counts=True)
        folds = int(min(3, counts.min()))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    if patient is not None:  # support in patients: rows may be one patient's nights
        support = np.array([len(np.unique(patient[y == c])) for c in classes])
    else:
        support = counts
    judged = classes[support >= MIN_CLASS_SUPPORT]
    leaks = []
    for i, name in enumerate(names):
        x = X[:, i : i + 1]
        if np.all(np.isnan(x)) or np.nanstd(x) == 0 and not np.isnan(x).any():
            continue
        tree = DecisionTreeClassifier(max_leaf_nodes=64, min_samples_leaf=5, random_state=seed)
        predicted = cross_val_predict(tree, x, y, cv=cv)
        accuracy = accuracy_score(y, predicted)
        f1 = f1_score(y, predicted, labels=judged, average=None, zero_division=0)
        best = int(np.argmax(f1)) if len(f1) else 0
        if accuracy >= threshold:
            leaks.append(
                Leak(name, "predictive", f"alone predicts the label, accuracy {accuracy:.4f}")
            )
        elif len(f1) and f1[best] >= threshold:
            leaks.append(
                Leak(name, "predictive", f"alone identifies {judged[best]}, F1 {f1[best]:.4f}")
            )
    return leaks
