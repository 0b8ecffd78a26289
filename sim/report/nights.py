"""Report section: per-cause symptom signatures of the nights table.

Usage::

    section = nights_section(patients, pl.scan_parquet("out/nights/*.parquet"))

Plots the onset clock time by cause (restless legs should peak around midnight) and a
heatmap of how often each diary feature appears on symptomatic nights, by primary cause.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import polars as pl

from sim.config import LABELS
from sim.model.symptoms import FLAGS
from sim.report.page import CAUSE_COLOURS, Section, markdown_table

SIGNATURE_FEATURES = (
    *FLAGS,
    "cramp",
    "woke",
    "one_side",
    "toes_forefoot",
    "crawling",
    "shooting_burning",
)


def _signature_frame(patients: pl.DataFrame, nights: pl.LazyFrame) -> pl.DataFrame:
    causes = patients.lazy().select("patient_id", "primary_cause")
    return (
        nights.filter(pl.col("pain_score") > 0)
        .join(causes, on="patient_id")
        .with_columns(
            (pl.col("cramp_count") > 0).alias("cramp"),
            (pl.col("awakenings") > 0).alias("woke"),
            (pl.col("side") != "both").alias("one_side"),
            (pl.col("location") == "toes_forefoot").alias("toes_forefoot"),
            (pl.col("quality") == "crawling").alias("crawling"),
            pl.col("quality").is_in(["shooting", "burning"]).alias("shooting_burning"),
            # Onset clock hour, 18:00 -> 0 ... so that the night is contiguous.
            ((pl.col("bedtime_h") + pl.col("onset_min") / 60.0 - 18.0) % 24.0).alias(
                "onset_from_18h"
            ),
        )
        .group_by("primary_cause")
        .agg(
            pl.len().alias("symptomatic_nights"),
            pl.col("pain_score").mean().alias("mean_pain"),
            *[pl.col(f).cast(pl.Float64).mean().alias(f) for f in SIGNATURE_FEATURES],
            pl.col("onset_from_18h").alias("onsets"),
        )
        .sort("primary_cause")
        .collect()
    )


def _plot_onsets(sig: pl.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4))
    bins = np.arange(2, 16.01, 0.5)
    for row in sig.iter_rows(named=True):
        onsets = np.asarray(row["onsets"], dtype=float)
        if len(onsets) < 50:
            continue
        hist, edges = np.histogram(onsets, bins=bins, density=True)
        ax.plot(
            edges[:-1] + 0.25,
            hist,
            label=row["primary_cause"],
            color=CAUSE_COLOURS[row["primary_cause"]],
        )
    ticks = np.arange(2, 17, 2)
    ax.set_xticks(ticks, [f"{int((t + 18) % 24):02d}:00" for t in ticks])
    ax.set_xlabel("clock time of symptom onset")
    ax.set_ylabel("density")
    ax.set_title("When symptoms start, by primary cause")
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_heatmap(sig: pl.DataFrame, path: Path) -> None:
    causes = sig["primary_cause"].cast(pl.String).to_list()
    matrix = np.array([[row[f] for f in SIGNATURE_FEATURES] for row in sig.iter_rows(named=True)])
    fig, ax = plt.subplots(figsize=(10, 4.5))
    im = ax.imshow(matrix, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(SIGNATURE_FEATURES)), SIGNATURE_FEATURES, rotation=40, ha="right")
    ax.set_yticks(range(len(causes)), causes)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(
                j,
                i,
                f"{matrix[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if matrix[i, j] < 0.6 else "black",
            )
    fig.colorbar(im, ax=ax, label="share of symptomatic nights")
    ax.set_title("Symptom signature by primary cause")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def nights_section(patients: pl.DataFrame, nights: pl.LazyFrame) -> Section:
    """Nights: symptomatic share, pain and signature features by cause, with plots."""
    sig = _signature_frame(patients, nights)
    sig = sig.with_columns(pl.col("primary_cause").cast(pl.Enum(list(LABELS))))
    table = sig.drop("onsets").with_columns(pl.col("primary_cause").cast(pl.String))
    text = (
        "Share of symptomatic nights with each diary feature, by primary cause "
        "(ground truth joined for the report only):\n\n" + markdown_table(table, "{:.2f}")
    )
    return Section(
        "Nights: symptom signatures",
        text,
        {
            "onset_clock_by_cause.png": lambda p: _plot_onsets(sig, p),
            "signature_heatmap.png": lambda p: _plot_heatmap(sig, p),
        },
    )
