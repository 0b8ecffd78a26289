"""Report section: the cohort (size, cause mix overall and by sex and age band, urgency).

Usage::

    report.add_section(cohort_section(patients, cohort))
    write_cohort_report(out, cohort=cohort)   # out/report from the tables under out/
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl

from sim.config import LABELS, Cohort
from sim.report.nights import nights_section
from sim.report.page import CAUSE_COLOURS, Report, Section, markdown_table

AGE_BANDS = [18, 30, 45, 60, 75, 96]


def with_age_band(df: pl.DataFrame) -> pl.DataFrame:
    """Add ``age_band`` (an ordered Enum of ``AGE_BANDS`` labels)."""
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(AGE_BANDS[:-1], AGE_BANDS[1:], strict=True)]
    band = pl.lit(None, pl.String)
    for lo, hi, label in zip(AGE_BANDS[:-1], AGE_BANDS[1:], labels, strict=True):
        band = pl.when(pl.col("age").is_between(lo, hi - 1)).then(pl.lit(label)).otherwise(band)
    return df.with_columns(band.cast(pl.Enum(labels)).alias("age_band"))


def cause_mix_table(patients: pl.DataFrame) -> pl.DataFrame:
    """Share of each primary cause by sex and age band (rows), as percentages."""
    df = with_age_band(patients)
    counts = (
        df.group_by(["sex", "age_band", "primary_cause"])
        .len()
        .pivot(on="primary_cause", index=["sex", "age_band"], values="len")
        .fill_null(0)
        .sort(["sex", "age_band"])
    )
    causes = [c for c in LABELS if c in counts.columns]
    total = pl.sum_horizontal(causes)
    return counts.select(
        pl.col("sex").cast(pl.String),
        pl.col("age_band").cast(pl.String),
        total.alias("n"),
        *[(100 * pl.col(c) / total).round(1).alias(c) for c in causes],
    )


def _plot_cause_mix(patients: pl.DataFrame, path: Path) -> None:
    table = cause_mix_table(patients)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, sex in zip(axes, ["female", "male"], strict=True):
        sub = table.filter(pl.col("sex") == sex)
        bottom = [0.0] * sub.height
        x = range(sub.height)
        for cause in LABELS:
            if cause not in sub.columns:
                continue
            vals = sub[cause].to_list()
            ax.bar(x, vals, bottom=bottom, color=CAUSE_COLOURS[cause], label=cause)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        ax.set_xticks(list(x), sub["age_band"].to_list())
        ax.set_title(sex)
        ax.set_xlabel("age band (years)")
    axes[0].set_ylabel("% of patients")
    axes[1].legend(bbox_to_anchor=(1.02, 1), loc="upper left", fontsize=8)
    fig.suptitle("Primary cause by sex and age band")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cohort_section(patients: pl.DataFrame, cohort: Cohort) -> Section:
    """Cohort summary: size, cause mix overall and by sex and age band, urgency."""
    overall = (
        patients.group_by("primary_cause")
        .len()
        .sort("primary_cause")
        .with_columns((100 * pl.col("len") / patients.height).round(1).alias("percent"))
        .rename({"len": "n"})
    )
    urgency = (
        patients.group_by("urgency")
        .len()
        .sort("urgency")
        .with_columns((100 * pl.col("len") / patients.height).round(1).alias("percent"))
        .rename({"len": "n"})
    )
    text = "\n\n".join(
        [
            f"{patients.height} patients, population `{cohort.population}`, cause mix "
            f"`{cohort.cause_mix}`, seed {cohort.seed}, ages {cohort.age_min}-{cohort.age_max}; "
            f"mean age {patients['age'].mean():.1f}, "
            f"{100 * (patients['sex'] == 'female').mean():.1f}% women.",
            "Primary cause (ground truth):\n\n" + markdown_table(overall, "{:.1f}"),
            "Urgency a perfect triage would give:\n\n" + markdown_table(urgency, "{:.1f}"),
            "Primary cause by sex and age band (% of the row):\n\n"
            + markdown_table(cause_mix_table(patients), "{:.1f}"),
        ]
    )
    return Section("Cohort", text, {"cause_mix.png": lambda p: _plot_cause_mix(patients, p)})


def write_cohort_report(out: Path, *, cohort: Cohort) -> Path:
    """Write ``out/report`` from the tables already written under ``out`` (only the
    patient columns the report uses are read, so a large cohort stays small here)."""
    patients = (
        pl.scan_parquet(out / "patients" / "*.parquet")
        .select("patient_id", "age", "sex", "primary_cause", "urgency")
        .collect()
    )
    report = Report("Synthetic cohort: legs that ache when lying down")
    report.add_section(cohort_section(patients, cohort))
    if (out / "nights").exists():
        nights = pl.scan_parquet(out / "nights" / "*.parquet")
        report.add_section(nights_section(patients, nights))
    return report.write(out / "report")
