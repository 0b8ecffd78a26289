"""Report section: how hard the cohort is (best single feature per cause, co-occurrence).

Usage::

    report.add_section(difficulty_section(patients, nights, measurements, general=general))

For each primary cause, the one observed feature that alone separates it best from the
other causes (one-vs-rest AUC, ``sim.evaluation.difficulty``), from the diary and observed
history and, apart, from the clinic measurements; then, in a general-population cohort,
how often each pair of causes is active in the same patient, the pairs never seen
together, and the share with two or more causes by age.
"""

from __future__ import annotations

import polars as pl

from sim.config import CAUSES
from sim.evaluation import difficulty as dfy
from sim.report.page import Section, markdown_table

EASY_AUC = 0.95
"""One-vs-rest AUC above which a single observed feature gives a cause away."""


def best_feature_table(table: pl.DataFrame) -> pl.DataFrame:
    """Per cause: the best diary-or-history feature and the best clinic measurement."""
    worst = dfy.worst_case(table).select(
        "cause",
        pl.col("feature").alias("best diary / history feature"),
        pl.col("auc").alias("AUC"),
        pl.col("direction"),
    )
    clinic = table.filter(pl.col("source") == "measurements").select(
        "cause",
        pl.col("feature").alias("best clinic measurement"),
        pl.col("auc").alias("AUC (clinic)"),
    )
    return worst.join(clinic, on="cause", how="left").sort("cause")


def difficulty_section(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
    *,
    general: pl.DataFrame | None = None,
) -> Section:
    """The difficulty section for a cohort (and a general-population cohort's causes)."""
    table = best_feature_table(dfy.best_single_features(patients, nights, measurements))
    easy = table.filter(pl.col("AUC") > EASY_AUC)["cause"].cast(pl.String).to_list()
    parts = [
        "For each primary cause, the single observed feature that best separates it from "
        "every other cause in this cohort (one-vs-rest AUC of that feature alone, in its "
        "better direction; 0.5 is chance, 1.0 a give-away). Real differential diagnosis "
        "of these complaints is hard: a feature above "
        f"{EASY_AUC} gives its cause away.",
        "",
        markdown_table(table),
        "",
        (
            f"Given away by one diary or history feature (AUC > {EASY_AUC}): "
            + (", ".join(easy) if easy else "none")
            + "."
        ),
    ]
    if general is not None:
        pairs = dfy.cooccurrence(general)
        absent = dfy.absent_pairs(pairs)
        n_pairs = len(CAUSES) * (len(CAUSES) - 1) // 2
        parts += [
            "",
            f"Causes active together ({general.height:,} general-population patients; the "
            "diagonal: patients with that cause active):",
            "",
            markdown_table(pairs),
            "",
            f"Pairs never active together: {len(absent)} of {n_pairs}"
            + (": " + ", ".join(f"{a}+{b}" for a, b in absent) if absent else "")
            + ".",
            "",
            "Share with two or more active causes, by age:",
            "",
            markdown_table(dfy.multimorbidity_by_age(general)),
        ]
    return Section("Difficulty: what gives a cause away", "\n".join(parts))


__all__ = ["EASY_AUC", "best_feature_table", "difficulty_section"]
