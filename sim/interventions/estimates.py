"""What an intervention changed: paired estimates per cause, the number needed to treat, and
what pairing saved.

Usage::

    out = patient_outcomes(nights, start_night=7)         # per patient: baseline_*, window_*
    effects = paired_effects(control, treated, patients)  # per cause x outcome, 95% intervals
    nnt = number_needed_to_treat(control, treated, patients)

Outcomes are per patient, over the nights from the intervention's start to the end of the
diary (``window_*``) and over the nights before it (``baseline_*``, the same in every arm):

- ``symptomatic_nights``: share of nights with any leg symptom (``pain_score > 0``);
- ``mean_pain``: mean worst pain a night (0-10, 0 on a night without symptoms);
- ``cramps``: cramps a night (``cramp_count``);
- ``awakenings``: awakenings by leg symptoms a night.

The arms hold the same patients with the same random streams (common random numbers), so
the effect of patient i is ``treated_i - control_i`` and its mean has the paired standard
error ``sd(d) / sqrt(n)``. The unpaired one, ``sqrt(var(treated) / n + var(control) / n)``,
is what two independent arms of n patients each would give; their variance ratio is how many
times more patients per arm an unpaired design needs for the same precision (NaN where the
arms are identical). Intervals are normal (mean +- 1.96 SE), which presumes a group of at
least some tens of patients: every row carries its ``n``.

A responder has at least 50% fewer symptomatic nights (per night) in the window than in
the baseline; the number needed to treat is ``1 / (responders treated - responders
control)``, with its interval from the paired difference of the responder indicators (both
ends inverted; a difference whose interval reaches 0 has an unbounded NNT).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from sim.config import LABELS
from sim.triage.evaluate import Z95

OUTCOMES = {
    "symptomatic_nights": "share of nights with leg symptoms",
    "mean_pain": "mean worst pain a night (0-10)",
    "cramps": "cramps a night",
    "awakenings": "awakenings by leg symptoms a night",
}
ALL = "all"
"""The group label of every patient together (next to the causes)."""


def _per_night() -> list[pl.Expr]:
    return [
        (pl.col("pain_score") > 0).cast(pl.Float64).mean().alias("symptomatic_nights"),
        pl.col("pain_score").cast(pl.Float64).mean().alias("mean_pain"),
        pl.col("cramp_count").cast(pl.Float64).mean().alias("cramps"),
        pl.col("awakenings").cast(pl.Float64).mean().alias("awakenings"),
    ]


def patient_outcomes(nights: pl.DataFrame, start_night: int) -> pl.DataFrame:
    """One row per patient: ``window_<outcome>`` (nights >= start) and ``baseline_<outcome>``
    (nights before the start; null if it starts on night 0)."""
    window = (
        nights.filter(pl.col("night") >= start_night)
        .group_by("patient_id")
        .agg(_per_night())
        .rename({k: f"window_{k}" for k in OUTCOMES})
    )
    baseline = (
        nights.filter(pl.col("night") < start_night)
        .group_by("patient_id")
        .agg(_per_night())
        .rename({k: f"baseline_{k}" for k in OUTCOMES})
    )
    return window.join(baseline, on="patient_id", how="left").sort("patient_id")


def _groups(patients: pl.DataFrame) -> list[tuple[str, pl.Series]]:
    """(``all``, everyone), then (cause, its patients) for each primary cause present."""
    causes = patients.get_column("primary_cause").cast(pl.Utf8)
    present = set(causes.to_list())
    everyone = pl.Series([True] * patients.height)
    return [(ALL, everyone)] + [(c, causes == c) for c in LABELS if c in present]


def _summary(d: np.ndarray, t: np.ndarray, c: np.ndarray) -> dict:
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    se_paired = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    se_unpaired = float(math.sqrt(t.var(ddof=1) / n + c.var(ddof=1) / n)) if n > 1 else math.nan
    # Undefined (NaN) when the paired SE is 0: arms identical for every patient of the group.
    ratio = (se_unpaired / se_paired) ** 2 if se_paired > 0 else math.nan
    control = float(c.mean()) if n else math.nan
    return {
        "n": n,
        "control_mean": control,
        "treated_mean": float(t.mean()) if n else math.nan,
        "effect": mean,
        "ci_low": mean - Z95 * se_paired,
        "ci_high": mean + Z95 * se_paired,
        "relative_change": mean / control if control else math.nan,
        "se_paired": se_paired,
        "se_unpaired": se_unpaired,
        "variance_ratio": ratio,
    }


def paired_effects(
    control: pl.DataFrame, treated: pl.DataFrame, patients: pl.DataFrame
) -> pl.DataFrame:
    """Per group (``all`` and each primary cause) and outcome: arm means, the paired effect
    (treated - control) with its 95% interval, the relative change, and the paired and
    unpaired standard errors with their variance ratio. ``control`` and ``treated`` are
    ``patient_outcomes`` of the same patients."""
    both = (
        patients.select("patient_id", "primary_cause")
        .join(control, on="patient_id")
        .join(treated, on="patient_id", suffix="_treated")
    )
    rows = []
    for group, mask in _groups(both):
        sub = both.filter(mask)
        for outcome in OUTCOMES:
            c = sub.get_column(f"window_{outcome}").to_numpy().astype(np.float64)
            t = sub.get_column(f"window_{outcome}_treated").to_numpy().astype(np.float64)
            rows.append({"group": group, "outcome": outcome, **_summary(t - c, t, c)})
    return pl.DataFrame(rows)


def responders(outcomes: pl.DataFrame) -> pl.Series:
    """At least 50% fewer symptomatic nights (per night) in the window than at baseline, among
    patients with a symptomatic baseline night (null otherwise)."""
    base = pl.col("baseline_symptomatic_nights")
    return outcomes.select(
        pl.when(base > 0)
        .then(pl.col("window_symptomatic_nights") <= 0.5 * base)
        .otherwise(None)
        .alias("responder")
    ).get_column("responder")


def number_needed_to_treat(
    control: pl.DataFrame, treated: pl.DataFrame, patients: pl.DataFrame
) -> pl.DataFrame:
    """Per group: responder shares of both arms, their paired difference with its 95%
    interval, and the NNT with its interval (inf where the difference is not positive)."""
    both = (
        patients.select("patient_id", "primary_cause")
        .join(control.with_columns(responders(control)), on="patient_id")
        .join(treated.with_columns(responders(treated)), on="patient_id", suffix="_treated")
        .drop_nulls("responder")
    )
    rows = []
    for group, mask in _groups(both):
        sub = both.filter(mask)
        c = sub.get_column("responder").to_numpy().astype(np.float64)
        t = sub.get_column("responder_treated").to_numpy().astype(np.float64)
        s = _summary(t - c, t, c)
        rows.append(
            {
                "group": group,
                "n": s["n"],
                "responders_control": s["control_mean"],
                "responders_treated": s["treated_mean"],
                "difference": s["effect"],
                "ci_low": s["ci_low"],
                "ci_high": s["ci_high"],
                "nnt": _nnt(s["effect"]),
                "nnt_best": _nnt(s["ci_high"]),
                "nnt_worst": _nnt(s["ci_low"]),
            }
        )
    return pl.DataFrame(rows)


def compare(
    control: pl.DataFrame, treated: pl.DataFrame, patients: pl.DataFrame, **labels: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``paired_effects`` and ``number_needed_to_treat`` of one arm against its control, each
    with ``labels`` as leading columns (e.g. ``intervention="iron", comparison="..."``)."""
    head = [pl.lit(value).alias(name) for name, value in labels.items()]
    effects = paired_effects(control, treated, patients)
    nnt = number_needed_to_treat(control, treated, patients)
    return effects.select(*head, pl.all()), nnt.select(*head, pl.all())


def _nnt(difference: float) -> float:
    if not math.isfinite(difference) or difference <= 0:
        return math.inf
    return 1.0 / difference


__all__ = [
    "OUTCOMES",
    "ALL",
    "patient_outcomes",
    "paired_effects",
    "responders",
    "number_needed_to_treat",
    "compare",
]
