"""Report section: triage rule sets against ground truth, side by side.

Usage::

    section = triage_section(patients, nights, measurements)      # the shipped rule sets
    section = evaluations_section([evaluate_rule_set(rs, features, patients), ...])
    write_triage_tables(evaluations, out / "tables")              # CSV tables

The section gives, for each rule set: missed urgent patients (under-triage) and over-triage
with Wilson 95% intervals, per-cause sensitivity and specificity side by side, PPV and NPV,
the confusion matrix (table and heatmap) and each rule's coverage and precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from sim.report.page import Section, markdown_table, plot_confusion_heatmap
from sim.triage.evaluate import TriageEvaluation, evaluate_rule_set
from sim.triage.rules import RuleSet, load_shipped

DEFAULT_RULE_SETS = ("clinical_pathway", "symptoms_only")
"""Rule sets the demo report compares."""


def _interval(value: float, lo: float, hi: float, digits: int = 3) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def summary_table(evaluations: Sequence[TriageEvaluation]) -> pl.DataFrame:
    """One row per rule set: accuracy, urgent under-triage, over-triage."""
    rows = []
    for ev in evaluations:
        u = {r["measure"]: r for r in ev.urgency.iter_rows(named=True)}
        missed = u["urgent_under_triage"]
        sent = u["urgent_over_triage"]
        rows.append(
            {
                "rule_set": ev.name,
                "patients": ev.decisions.height,
                "accuracy": ev.accuracy(),
                "urgent_patients": missed["of"],
                "urgent_missed": missed["count"],
                "urgent_missed_rate": missed["rate"],
                "urgent_missed_rate_lo": missed["rate_lo"],
                "urgent_missed_rate_hi": missed["rate_hi"],
                "sent_urgently_not_urgent": sent["count"],
                "sent_urgently_not_urgent_rate": sent["rate"],
                "under_triage_rate": u["under_triage"]["rate"],
                "over_triage_rate": u["over_triage"]["rate"],
            }
        )
    return pl.DataFrame(rows)


def side_by_side_table(evaluations: Sequence[TriageEvaluation]) -> pl.DataFrame:
    """Per cause: sensitivity and specificity (Wilson 95% interval) of each rule set."""
    first = evaluations[0].causes
    out = first.select("cause", "n_true")
    for ev in evaluations:
        c = ev.causes
        out = out.with_columns(
            pl.Series(
                f"{ev.name} sensitivity",
                [
                    _interval(*v)
                    for v in zip(
                        c["sensitivity"], c["sensitivity_lo"], c["sensitivity_hi"], strict=True
                    )
                ],
            ),
            pl.Series(
                f"{ev.name} specificity",
                [
                    _interval(*v)
                    for v in zip(
                        c["specificity"], c["specificity_lo"], c["specificity_hi"], strict=True
                    )
                ],
            ),
        )
    return out


def _predictive_table(ev: TriageEvaluation) -> pl.DataFrame:
    c = ev.causes
    return c.select(
        "cause",
        "n_true",
        "n_decided",
        pl.Series(
            "PPV", [_interval(*v) for v in zip(c["ppv"], c["ppv_lo"], c["ppv_hi"], strict=True)]
        ),
        pl.Series(
            "NPV", [_interval(*v) for v in zip(c["npv"], c["npv_lo"], c["npv_hi"], strict=True)]
        ),
    )


def _rules_table(ev: TriageEvaluation) -> pl.DataFrame:
    r = ev.rules
    return pl.DataFrame(
        {
            "order": r["order"],
            "rule": r["rule"],
            "cause": r["cause"],
            "urgency": r["urgency"],
            "n_fired": r["n_fired"],
            "coverage %": [f"{100 * v:.1f}" for v in r["coverage"]],
            "precision": [
                _interval(*v, digits=2)
                for v in zip(r["precision"], r["precision_lo"], r["precision_hi"], strict=True)
            ],
            "urgency precision": [
                "n/a" if v is None or not np.isfinite(v) else f"{v:.2f}"
                for v in r["urgency_precision"]
            ],
            "urgent missed": r["urgent_missed"],
            "commonest wrong cause": r["commonest_wrong_cause"],
        }
    )


def plot_confusion(ev: TriageEvaluation, path: Path) -> None:
    """Heatmap of a rule set's confusion matrix (``sim.report.plot_confusion_heatmap``)."""
    labels = ev.confusion["truth"].to_list()
    plot_confusion_heatmap(
        ev.confusion.select(labels).to_numpy(),
        labels,
        labels,
        path,
        title=f"Triage rule set {ev.name}: confusion matrix",
        xlabel="cause decided by the rules",
    )


def confusion_figure_name(ev: TriageEvaluation) -> str:
    return f"triage_confusion_{ev.name}.png"


def evaluations_section(
    evaluations: Sequence[TriageEvaluation], *, cohort_note: str = ""
) -> Section:
    """The triage section for rule sets already evaluated on the same cohort."""
    if not evaluations:
        raise ValueError("no rule set to report")
    raw = summary_table(evaluations)
    summary = raw.select(
        "rule_set",
        "patients",
        pl.col("accuracy").round(3),
        pl.col("urgent_patients").alias("urgent patients"),
        pl.col("urgent_missed").alias("urgent missed"),
        pl.Series(
            "urgent missed rate (95% CI)",
            [
                _interval(
                    r["urgent_missed_rate"], r["urgent_missed_rate_lo"], r["urgent_missed_rate_hi"]
                )
                for r in raw.iter_rows(named=True)
            ],
        ),
        pl.col("sent_urgently_not_urgent").alias("sent urgently, not urgent"),
        pl.col("under_triage_rate").round(3).alias("under-triage rate"),
        pl.col("over_triage_rate").round(3).alias("over-triage rate"),
    )
    parts = [
        (cohort_note + " " if cohort_note else "")
        + "Rules see only observed features (diary, history, clinic tests; docs/features.md); "
        "the true primary cause and urgency are used only to score them. Intervals are Wilson "
        "95% intervals. *Urgent missed* counts urgent patients the rules did not send urgently "
        "(under-triage); *sent urgently, not urgent* is the over-triage into the urgent lane.",
        "Rule sets:\n\n"
        + "\n".join(
            f"- `{ev.name}` ({len(ev.rule_set.rules)} rules"
            + (f", {_display_path(ev.rule_set.source)}" if ev.rule_set.source else "")
            + ")"
            + (f": {ev.rule_set.description}" if ev.rule_set.description else "")
            for ev in evaluations
        ),
        "Summary:\n\n" + markdown_table(summary),
        "Sensitivity and specificity by cause (one cause against the rest):\n\n"
        + markdown_table(side_by_side_table(evaluations)),
    ]
    for ev in evaluations:
        parts += [
            f"### `{ev.name}`",
            "Predictive values by cause:\n\n" + markdown_table(_predictive_table(ev)),
            "Confusion matrix (rows: true cause; columns: decided cause):\n\n"
            + markdown_table(ev.confusion),
            "Urgency (rows: true urgency; columns: decided urgency):\n\n"
            + markdown_table(ev.urgency_confusion),
            "Rules in order (coverage = share of patients the rule decided; precision = share of "
            "them whose true cause is the rule's cause):\n\n" + markdown_table(_rules_table(ev)),
        ]
    parts.append("Confusion matrix heatmaps (colour: share of the true cause; numbers: patients):")
    figures = {
        confusion_figure_name(ev): (lambda path, ev=ev: plot_confusion(ev, path))
        for ev in evaluations
    }
    return Section("Triage rules against ground truth", "\n\n".join(parts), figures)


def triage_section(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
    *,
    rule_sets: Sequence[RuleSet | str] = DEFAULT_RULE_SETS,
    window: int | None = None,
) -> Section:
    """Evaluate rule sets (shipped names or ``RuleSet``s) on a cohort and report them.

    ``patients`` carries the truth (``primary_cause``, ``urgency``); the rules see only the
    features built from the observed columns of the three tables.
    """
    from sim.evaluation.features import patient_features

    resolved = [load_shipped(r) if isinstance(r, str) else r for r in rule_sets]
    features = patient_features(patients, nights, measurements, window=window)
    evaluations = [evaluate_rule_set(rs, features, patients) for rs in resolved]
    note = f"{patients.height} patients."
    return evaluations_section(evaluations, cohort_note=note)


def write_triage_tables(evaluations: Sequence[TriageEvaluation], folder: Path) -> list[Path]:
    """CSV tables for every rule set (``<name>_causes.csv``, ...) and ``summary.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "summary.csv"]
    summary_table(evaluations).write_csv(written[0])
    for ev in evaluations:
        for table, frame in (
            ("causes", ev.causes),
            ("confusion", ev.confusion),
            ("urgency", ev.urgency),
            ("urgency_confusion", ev.urgency_confusion),
            ("rules", ev.rules),
        ):
            path = folder / f"{ev.name}_{table}.csv"
            frame.write_csv(path)
            written.append(path)
    return written


__all__ = [
    "DEFAULT_RULE_SETS",
    "evaluations_section",
    "plot_confusion",
    "side_by_side_table",
    "summary_table",
    "triage_section",
    "write_triage_tables",
]


def _display_path(source: str) -> str:
    """A rule file's path relative to the project (so reports do not depend on the checkout)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    try:
        return str(Path(source).resolve().relative_to(root))
    except ValueError:
        return str(source)
