"""How hard the cohort is: the single best observed feature per cause, and who has which causes.

Usage::

    table = best_single_features(patients, nights, measurements)   # one row per cause x source
    pairs = cooccurrence(patients)                                  # cause x cause counts
    zero = absent_pairs(pairs)                                      # pairs never seen together

A dataset where one column gives a cause away teaches the wrong lesson and benchmarks
nothing. ``best_single_features`` scores every observed per-patient feature
(``sim.evaluation.features``: diary shares, means and maxima, the observed history, the
clinic measurements) against each primary cause, one cause against the rest, by the area
under the ROC curve of the feature alone, in whichever direction separates better (an AUC
of 0.3 is reported as 0.7, "low"). A missing value is placed below every value and then
above every value, and the better of the two counts: missingness can carry information,
and the score never hides it. The best feature per cause and source (``diary``,
``history``, ``measurements``) is reported, with its AUC, direction and the share of the
cause's patients for whom it is observed.

``cooccurrence`` counts the patients in whom two causes are active together (the
``active_<cause>`` truth columns, so it reads the answer key: a report for the teacher, not
a feature).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import rankdata

from sim.config import CAUSES, LABELS
from sim.evaluation.features import FEATURES, feature_matrix, patient_features

SOURCES = ("diary", "history", "measurements")


def _auc_by_ranks(ranks: np.ndarray, positive: np.ndarray) -> float:
    """Mann-Whitney AUC of ``positive`` rows from average ranks (ties count one half)."""
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def auc_both_ways(values: np.ndarray, positive: np.ndarray) -> tuple[float, str]:
    """Best one-feature AUC of ``positive`` against the rest: (AUC >= 0.5, direction).

    ``direction`` is ``"high"`` when high values point to the positive class, ``"low"``
    otherwise. Missing values (NaN) are tried below and above every observed value.
    """
    values = np.asarray(values, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    missing = np.isnan(values)
    best, direction = float("nan"), "high"
    fills = (-np.inf, np.inf) if missing.any() else (0.0,)
    for fill in fills:
        filled = np.where(missing, fill, values)
        auc = _auc_by_ranks(rankdata(filled), positive)
        if np.isnan(auc):
            continue
        for score, way in ((auc, "high"), (1.0 - auc, "low")):
            if np.isnan(best) or score > best:
                best, direction = score, way
    return best, direction


def feature_aucs(features: pl.DataFrame, labels: np.ndarray) -> pl.DataFrame:
    """Every (cause, feature) pair: one-vs-rest AUC, direction, source, observed share.

    ``features``: one row per patient (``patient_features``); ``labels``: the primary cause
    of each row, as strings of ``LABELS``.
    """
    names, matrix = feature_matrix(features)
    labels = np.asarray(labels)
    rows = []
    for name, series in zip(names, matrix.get_columns(), strict=True):
        values = series.to_numpy().astype(np.float64)
        if np.all(np.isnan(values)) or np.nanmin(values) == np.nanmax(values):
            continue  # constant or never observed: separates nothing
        source = FEATURES[name].source if name in FEATURES else _source_of(name)
        observed = ~np.isnan(values)
        for cause in LABELS:
            positive = labels == cause
            if not positive.any() or positive.all():
                continue
            auc, direction = auc_both_ways(values, positive)
            rows.append(
                {
                    "cause": cause,
                    "source": source,
                    "feature": name,
                    "auc": auc,
                    "direction": direction,
                    "observed_share": float(observed[positive].mean()),
                }
            )
    schema = {
        "cause": pl.Enum(list(LABELS)),
        "source": pl.Enum(list(SOURCES)),
        "feature": pl.String,
        "auc": pl.Float64,
        "direction": pl.String,
        "observed_share": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _source_of(name: str) -> str:
    """Source of a feature the registry names by a prefix (e.g. ``abi_missing``)."""
    for full, feature in FEATURES.items():
        if name.startswith(full):
            return feature.source
    raise KeyError(f"feature {name!r} is not in sim.evaluation.features.FEATURES")


def best_single_features(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None = None,
    *,
    window: int | None = None,
) -> pl.DataFrame:
    """Per cause and source, the observed feature with the highest one-vs-rest AUC."""
    features = patient_features(patients, nights, measurements, window=window)
    truth = (
        patients.select("patient_id", "primary_cause")
        .join(features.select("patient_id"), on="patient_id", how="right")
        .sort("patient_id")
    )
    labels = truth["primary_cause"].cast(pl.String).to_numpy()
    aucs = feature_aucs(features, labels)
    return (
        aucs.sort(["cause", "source", "auc", "feature"], descending=[False, False, True, False])
        .group_by(["cause", "source"], maintain_order=True)
        .first()
        .sort(["cause", "source"])
    )


def worst_case(
    table: pl.DataFrame, sources: tuple[str, ...] = ("diary", "history")
) -> pl.DataFrame:
    """Per cause, the best feature over ``sources`` (by default the diary and the observed
    history: what the difficulty target bounds; clinic tests may be sharper, as real ones
    are)."""
    return (
        table.filter(pl.col("source").cast(pl.String).is_in(list(sources)))
        .sort(["cause", "auc"], descending=[False, True])
        .group_by("cause", maintain_order=True)
        .first()
        .sort("cause")
    )


def conditions(patients: pl.DataFrame) -> np.ndarray:
    """(n, len(CAUSES)) who has each condition: the active causes, and for PAD the condition at any
    stage (ABI 0.90 or less: only critical ischaemia is a night cause, the PAD spectrum)."""
    active = np.column_stack([patients[f"active_{c}"].to_numpy().astype(bool) for c in CAUSES])
    if "pad_stage" in patients.columns:
        active[:, CAUSES.index("pad")] |= (patients["pad_stage"] != "none").to_numpy()
    return active


def cooccurrence(patients: pl.DataFrame) -> pl.DataFrame:
    """Patients with both conditions (``conditions``), one row per cause; the diagonal is
    the number with that condition."""
    active = conditions(patients)
    counts = active.T.astype(np.int64) @ active.astype(np.int64)
    return pl.DataFrame({"cause": list(CAUSES), **{c: counts[:, k] for k, c in enumerate(CAUSES)}})


def absent_pairs(pairs: pl.DataFrame) -> list[tuple[str, str]]:
    """Pairs of distinct causes never active together in ``cooccurrence``'s table."""
    out = []
    for i, a in enumerate(CAUSES):
        for b in CAUSES[i + 1 :]:
            if int(pairs[b][i]) == 0:
                out.append((a, b))
    return out


PAD_SPECTRUM_RANGES = {
    "asymptomatic": (0.20, 0.50),
    "atypical": (0.40, 0.50),
    "claudication": (0.10, 0.35),
    "critical": (0.01, 0.02),
}
"""DOMAIN.md target: shares among people with ABI <= 0.90 (TASC II 2007; ACC/AHA)."""


def pad_spectrum(patients: pl.DataFrame) -> pl.DataFrame:
    """Shares of each PAD stage among the patients with a true ABI of 0.90 or less, next
    to the DOMAIN.md ranges."""
    low = patients.filter(pl.col("abi_true") <= 0.90)
    return pl.DataFrame(
        [
            {
                "stage": stage,
                "patients": int((low["pad_stage"] == stage).sum()),
                "share": float((low["pad_stage"] == stage).mean()) if low.height else None,
                "target_low": lo,
                "target_high": hi,
            }
            for stage, (lo, hi) in PAD_SPECTRUM_RANGES.items()
        ]
    )


def multimorbidity_by_age(patients: pl.DataFrame, bands=(18, 45, 65, 96)) -> pl.DataFrame:
    """Share of patients with two or more active causes, by age band."""
    n_active = sum(patients[f"active_{c}"].cast(pl.Int64) for c in CAUSES)
    df = patients.select("age").with_columns(n_active.alias("n_active"))
    rows = []
    for lo, hi in zip(bands[:-1], bands[1:], strict=True):
        band = df.filter(pl.col("age").is_between(lo, hi - 1))
        rows.append(
            {
                "age_band": f"{lo}-{hi - 1}",
                "patients": band.height,
                "two_or_more": float((band["n_active"] >= 2).mean()) if band.height else None,
            }
        )
    return pl.DataFrame(rows)


__all__ = [
    "SOURCES",
    "auc_both_ways",
    "feature_aucs",
    "best_single_features",
    "worst_case",
    "cooccurrence",
    "absent_pairs",
    "multimorbidity_by_age",
    "pad_spectrum",
    "PAD_SPECTRUM_RANGES",
]
