"""Observed features for triage rules and classifiers; ground truth never passes.

Usage::

    X = patient_features(patients, nights, measurements, window=28)   # one row per patient
    X_night = night_features(patients, nights, measurements)           # one row per night
    FEATURES["frac_nights_urge_to_move"].description

Only the columns the schema marks as observed are read (``sim.tables.schema``): every
table is narrowed with ``observed_columns`` before anything is computed, so a truth column
cannot leak even by accident. Features are per-patient aggregates of the diary over the
first ``window`` nights (frequencies, means, quantiles, circular statistics of the onset
clock time, trends, exertion and heat lags), the clinic measurements with missingness
indicators, demographics and history (medications with days since their start).
The list with descriptions is generated into docs/features.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sim.model.population import COMORBIDITIES, DRUGS
from sim.model.symptoms import FLAGS, LOCATIONS, QUALITIES
from sim.tables.schema import columns, observed_columns

DIARY_FLAGS = FLAGS
"""The diary's yes/no flags (the model's ``FLAGS``)."""
MEASUREMENT_VALUES = (
    "abi",
    "potassium_mmol_l",
    "magnesium_mmol_l",
    "calcium_mmol_l",
    "sodium_mmol_l",
    "ferritin_ug_l",
    "ck_u_l",
    "osmolality_mosm_kg",
    "slr_positive",
    "nerve_conduction_abnormal",
    "plm_index_per_h",
)


@dataclass(frozen=True)
class Feature:
    name: str
    source: str  # diary, measurements, history
    description: str


def _diary_features() -> list[tuple[pl.Expr, Feature]]:
    sym = pl.col("pain_score") > 0
    out: list[tuple[pl.Expr, Feature]] = []

    def add(expr: pl.Expr, name: str, description: str) -> None:
        out.append((expr.alias(name), Feature(name, "diary", description)))

    add(pl.len().cast(pl.Int32), "n_nights_observed", "Diary nights in the observation window.")
    add(sym.mean(), "frac_nights_symptomatic", "Share of nights with any leg symptom (pain > 0).")
    add(
        pl.col("pain_score").cast(pl.Float64).mean(),
        "mean_pain_score",
        "Mean nightly pain (0-10), all nights.",
    )
    add(pl.col("pain_score").max().cast(pl.Float64), "max_pain_score", "Worst pain of the window.")
    add(
        pl.col("pain_score").filter(sym).cast(pl.Float64).mean(),
        "mean_pain_when_symptomatic",
        "Mean pain on symptomatic nights (null if none).",
    )
    add(
        pl.col("pain_score").cast(pl.Float64).quantile(0.75),
        "q75_pain_score",
        "75th percentile of nightly pain.",
    )
    for flag in DIARY_FLAGS:
        add(
            pl.col(flag).mean(),
            f"frac_nights_{flag}",
            f"Share of all nights with {flag.replace('_', ' ')}.",
        )
        add(
            pl.col(flag).filter(sym).mean(),
            f"frac_{flag}",
            f"Share of symptomatic nights with {flag.replace('_', ' ')} (null if none).",
        )
    add((pl.col("cramp_count") > 0).mean(), "frac_nights_cramp", "Share of nights with a cramp.")
    add(pl.col("cramp_count").cast(pl.Float64).mean(), "mean_cramp_count", "Mean cramps a night.")
    add(
        pl.col("awakenings").cast(pl.Float64).mean(),
        "mean_awakenings",
        "Mean awakenings from leg symptoms a night.",
    )
    add(pl.col("sleep_efficiency").mean(), "mean_sleep_efficiency", "Mean sleep efficiency.")
    add(pl.col("duration_min").mean(), "mean_duration_min", "Mean minutes with symptoms a night.")
    add(
        pl.col("duration_min").filter(sym).mean(),
        "mean_duration_when_symptomatic_min",
        "Mean minutes with symptoms on symptomatic nights.",
    )
    add(
        pl.col("onset_min").median(), "median_onset_min", "Median minutes from lying down to onset."
    )
    add(pl.col("onset_min").quantile(0.1), "q10_onset_min", "10th percentile of onset minutes.")
    add(
        pl.col("bedtime_h_from_noon").mean() + 12.0,
        "mean_bedtime_h",
        "Mean clock hour of lying down (24+ = after midnight).",
    )
    add(
        pl.col("onset_sin").mean(),
        "onset_clock_sin",
        "Mean sine of the onset clock angle (circular statistics).",
    )
    add(pl.col("onset_cos").mean(), "onset_clock_cos", "Mean cosine of the onset clock angle.")
    add(
        (pl.col("onset_sin").mean() ** 2 + pl.col("onset_cos").mean() ** 2).sqrt(),
        "onset_clock_concentration",
        "Mean resultant length of onset clock times (1 = always the same time).",
    )
    add(
        (pl.col("onset_from_noon").median() + 12.0) % 24.0,
        "median_onset_clock_h",
        "Median clock hour of symptom onset (0-24; computed from noon so the night is contiguous).",
    )
    add(
        pl.col("onset_from_noon").filter(sym).is_between(6.0, 14.0).mean(),
        "frac_onset_evening_night",
        "Share of symptomatic nights whose onset is between 18:00 and 02:00.",
    )
    add(
        pl.col("onset_from_noon").filter(sym).is_between(10.0, 14.0).mean(),
        "frac_onset_22_to_02",
        "Share of symptomatic nights whose onset is between 22:00 and 02:00 (the RLS peak).",
    )
    for q in QUALITIES:
        add(
            (pl.col("quality") == q).filter(sym).mean(),
            f"frac_quality_{q}",
            f"Share of symptomatic nights described as {q}.",
        )
    for loc in LOCATIONS:
        add(
            (pl.col("location") == loc).filter(sym).mean(),
            f"frac_location_{loc}",
            f"Share of symptomatic nights located at {loc.replace('_', ' ')}.",
        )
    left = (pl.col("side") == "left").filter(sym).mean()
    right = (pl.col("side") == "right").filter(sym).mean()
    add(
        (pl.col("side") != "both").filter(sym).mean(),
        "frac_one_sided",
        "Share of symptomatic nights on one side only.",
    )
    add(
        pl.max_horizontal(left, right),
        "max_side_share",
        "Share of symptomatic nights on the commoner single side.",
    )
    add(
        pl.col("heavy_exertion").mean(),
        "frac_heavy_exertion_days",
        "Share of days with heavy exertion.",
    )
    add(pl.col("alcohol").mean(), "frac_alcohol_days", "Share of days with alcohol.")
    add(pl.col("hot_day").mean(), "frac_hot_days", "Share of hot days.")
    add(
        pl.col("pain_score").filter(pl.col("exertion_lag12")).cast(pl.Float64).mean()
        - pl.col("pain_score").filter(~pl.col("exertion_lag12")).cast(pl.Float64).mean(),
        "pain_after_exertion_diff",
        "Mean pain 1-2 nights after heavy exertion minus otherwise (delayed soreness).",
    )
    add(
        pl.col("pain_score").filter(pl.col("hot_or_alcohol")).cast(pl.Float64).mean()
        - pl.col("pain_score").filter(~pl.col("hot_or_alcohol")).cast(pl.Float64).mean(),
        "pain_hot_alcohol_diff",
        "Mean pain on hot or drinking days minus otherwise.",
    )
    add(
        pl.cov(pl.col("night").cast(pl.Float64), pl.col("pain_score").cast(pl.Float64))
        / pl.col("night").cast(pl.Float64).var(),
        "pain_trend_per_night",
        "Least-squares slope of nightly pain over the window (points a night).",
    )
    add(
        (pl.col("pain_score") > 0).filter(pl.col("second_half")).mean()
        - (pl.col("pain_score") > 0).filter(~pl.col("second_half")).mean(),
        "symptomatic_trend",
        "Share of symptomatic nights in the second half of the window minus the first.",
    )
    return out


DIARY = _diary_features()
_HISTORY_DOCS = [
    Feature("age", "history", "Age in years."),
    Feature("female", "history", "1 for women."),
    Feature("bmi_kg_m2", "history", "Body mass index."),
    Feature("activity_level_ordinal", "history", "Usual activity: 0 low, 1 moderate, 2 high."),
    Feature("fluid_intake_ordinal", "history", "Usual fluid intake: 0 low, 1 normal, 2 high."),
    Feature("alcohol_units_week", "history", "Self-reported alcohol (UK units a week)."),
    Feature("walking_claudication", "history", "Calf pain on walking eased by standing still."),
    Feature("walking_atypical_pain", "history", "Other leg pain on walking."),
    Feature("leg_swelling", "history", "Legs swell by evening."),
    Feature("sitting_hours_day", "history", "Usual hours a day sitting (self-reported)."),
    Feature("smoking", "history", "Current smoker."),
    Feature("heavy_alcohol", "history", "More than 14 units a week."),
    Feature("family_history_rls", "history", "First-degree relative with restless legs."),
    *[Feature(c, "history", f"History of {c.replace('_', ' ')}.") for c in COMORBIDITIES],
    *[Feature(f"on_{d}", "history", f"Takes a {d.replace('_', ' ')}.") for d in DRUGS],
    *[
        Feature(
            f"days_since_{d}_start",
            "history",
            f"Days from the {d.replace('_', ' ')} start to the end of the window (null if not taken; "
            "negative if started after it).",
        )
        for d in DRUGS
    ],
    *[
        Feature(
            f"{d}_dose_mg", "history", f"Dose of the {d.replace('_', ' ')} (null if not taken)."
        )
        for d in DRUGS
    ],
]
_MEASUREMENT_DOCS = [
    *[
        Feature(m, "measurements", f"Measured {m} at the clinic visit (null if not done).")
        for m in MEASUREMENT_VALUES
    ],
    *[
        Feature(f"{m}_missing", "measurements", f"1 if {m} was not measured.")
        for m in MEASUREMENT_VALUES
    ],
]
FEATURES: dict[str, Feature] = {
    f.name: f for f in [*(f for _, f in DIARY), *_HISTORY_DOCS, *_MEASUREMENT_DOCS]
}
"""Every patient-level feature with its source and description."""


def _observed(df: pl.DataFrame | pl.LazyFrame, table: str) -> pl.LazyFrame:
    """The table narrowed to its observed columns (truth can never be selected after this)."""
    keep = [c for c in observed_columns(table) if c in df.collect_schema().names()]
    return df.lazy().select(keep)


def _nights_prepared(nights: pl.DataFrame | pl.LazyFrame, window: int | None) -> pl.LazyFrame:
    lf = _observed(nights, "nights")
    if window is not None:
        lf = lf.filter(pl.col("night") < window)
    onset_clock_from_noon = (pl.col("bedtime_h") - 12.0) % 24.0 + pl.col("onset_min") / 60.0
    angle = 2 * 3.141592653589793 * (onset_clock_from_noon + 12.0) / 24.0
    lag = pl.col("heavy_exertion").cast(pl.Int8)
    half = pl.col("night").max().over("patient_id") / 2.0
    return lf.sort("patient_id", "night").with_columns(
        ((pl.col("bedtime_h") - 12.0) % 24.0).alias("bedtime_h_from_noon"),
        onset_clock_from_noon.alias("onset_from_noon"),
        angle.sin().alias("onset_sin"),
        angle.cos().alias("onset_cos"),
        (
            (
                lag.shift(1).over("patient_id").fill_null(0)
                + lag.shift(2).over("patient_id").fill_null(0)
            )
            > 0
        ).alias("exertion_lag12"),
        (pl.col("hot_day") | pl.col("alcohol")).alias("hot_or_alcohol"),
        (pl.col("night") > half).alias("second_half"),
    )


def diary_features(
    nights: pl.DataFrame | pl.LazyFrame, *, window: int | None = None
) -> pl.DataFrame:
    """Per-patient aggregates of the diary over nights ``0 .. window - 1``."""
    lf = _nights_prepared(nights, window)
    return lf.group_by("patient_id").agg([expr for expr, _ in DIARY]).sort("patient_id").collect()


def history_features(patients: pl.DataFrame, *, window_end: int) -> pl.DataFrame:
    """Demographics, lifestyle, comorbidities and medications (observed only)."""
    p = _observed(patients, "patients")
    return (
        p.select(
            "patient_id",
            pl.col("age").cast(pl.Float64),
            (pl.col("sex") == "female").cast(pl.Int8).alias("female"),
            "bmi_kg_m2",
            pl.col("activity_level").to_physical().cast(pl.Int8).alias("activity_level_ordinal"),
            pl.col("fluid_intake_habit").to_physical().cast(pl.Int8).alias("fluid_intake_ordinal"),
            "alcohol_units_week",
            "sitting_hours_day",
            (pl.col("walking_leg_pain") == "claudication")
            .cast(pl.Int8)
            .alias("walking_claudication"),
            (pl.col("walking_leg_pain") == "atypical").cast(pl.Int8).alias("walking_atypical_pain"),
            *[
                pl.col(c).cast(pl.Int8)
                for c in ("smoking", "heavy_alcohol", "family_history_rls", "leg_swelling")
            ],
            *[pl.col(c).cast(pl.Int8) for c in COMORBIDITIES],
            *[pl.col(f"on_{d}").cast(pl.Int8) for d in DRUGS],
            *[
                pl.when(pl.col(f"on_{d}"))
                .then(window_end - pl.col(f"{d}_start_day").cast(pl.Int32))
                .alias(f"days_since_{d}_start")
                for d in DRUGS
            ],
            *[pl.col(f"{d}_dose_mg") for d in DRUGS],
        )
        .sort("patient_id")
        .collect()
    )


def measurement_features(measurements: pl.DataFrame) -> pl.DataFrame:
    """Clinic results with a missingness indicator for each test."""
    m = _observed(measurements, "measurements")
    return (
        m.select(
            "patient_id",
            *[pl.col(c).cast(pl.Float64) for c in MEASUREMENT_VALUES],
            *[pl.col(c).is_null().cast(pl.Int8).alias(f"{c}_missing") for c in MEASUREMENT_VALUES],
        )
        .sort("patient_id")
        .collect()
    )


def patient_features(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None = None,
    *,
    window: int | None = None,
) -> pl.DataFrame:
    """One row per patient: ``patient_id`` and every observed feature (see ``FEATURES``)."""
    diary = diary_features(nights, window=window)
    if window is None:
        window = int(diary["n_nights_observed"].max() or 0)
    frames = [history_features(patients, window_end=window), diary]
    if measurements is not None:
        frames.append(measurement_features(measurements))
    out = frames[0]
    for frame in frames[1:]:
        out = out.join(frame, on="patient_id", how="left")
    return out.sort("patient_id")


def night_features(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per patient-night: the night's observed diary plus the patient's history
    (and measurements), for per-night classification.

    Every observed nights column is used: numbers as they are, yes/no flags as 0/1,
    categories one-hot encoded (``quality_aching``, ...); a column the schema marks as truth
    never reaches this function's output because the table is narrowed first.
    ``patient_id`` and ``night`` are kept for grouping.
    """
    df = _observed(nights, "nights").collect()
    window = int(df["night"].max()) + 1 if df.height else 0
    plain: list[pl.Expr] = []
    onehots: list[pl.Expr] = []
    for col in columns("nights"):
        if col.name not in df.columns or col.name in ("patient_id", "night"):
            continue
        dtype = df.schema[col.name]
        if col.categories is not None:
            onehots += [
                (pl.col(col.name) == value)
                .fill_null(False)
                .cast(pl.Int8)
                .alias(f"{col.name}_{value}")
                for value in col.categories
            ]
        elif dtype == pl.Boolean:
            plain.append(pl.col(col.name).cast(pl.Int8))
        elif dtype.is_numeric():
            plain.append(pl.col(col.name))
    night = df.select("patient_id", "night", *plain, *onehots)
    out = night.join(history_features(patients, window_end=window), on="patient_id", how="left")
    if measurements is not None:
        out = out.join(measurement_features(measurements), on="patient_id", how="left")
    return out.sort("patient_id", "night")


def feature_matrix(features: pl.DataFrame) -> tuple[list[str], pl.DataFrame]:
    """Feature columns (everything but ids) as floats, ready for scikit-learn."""
    names = [c for c in features.columns if c not in ("patient_id", "night")]
    return names, features.select([pl.col(c).cast(pl.Float64) for c in names])


def render_feature_docs() -> str:
    """The feature list as Markdown (written to docs/features.md by ``make docs``)."""
    lines = [
        "# Features available to triage rules and classifiers",
        "",
        "Generated from `sim/evaluation/features.py` by `make docs`; do not edit by hand.",
        "Only observed columns are used: ground truth never reaches a feature.",
        "",
        "| feature | source | description |",
        "| --- | --- | --- |",
    ]
    for f in FEATURES.values():
        lines.append(f"| `{f.name}` | {f.source} | {f.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    Path(sys.argv[1] if len(sys.argv) > 1 else "docs/features.md").write_text(render_feature_docs())
