"""Triage decisions against ground truth: per-cause accuracy, confusion, urgency, rules.

Usage::

    result = evaluate_rule_set(rule_set, features, patients)   # patients hold the truth
    result.causes            # sensitivity, specificity, PPV, NPV with Wilson 95% intervals
    result.confusion         # truth (rows) x decision (columns) counts
    result.urgency           # under- and over-triage counts and rates
    result.rules             # each rule's coverage and precision

Only ``features`` reach the rules; the truth columns (``primary_cause``, ``urgency``) are
read from ``patients`` afterwards, to score the decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.stats import norm

from sim.config import LABELS
from sim.model.causes import URGENCIES
from sim.triage.rules import DEFAULT_RULE, RuleSet

Z95 = float(norm.ppf(0.975))
"""Normal quantile of a two-sided 95% interval (1.959964)."""
URGENCY_RANK = {"self_care": 0, "routine": 1, "urgent": 2}
"""Urgency levels in increasing order of urgency."""


def wilson_interval(
    successes: np.ndarray | int, trials: np.ndarray | int, *, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion (NaN where ``trials`` is 0).

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.4902, 0.9433)
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def _rate(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)


def confusion_matrix(
    truth: pl.Series | np.ndarray, decided: pl.Series | np.ndarray, labels: tuple = LABELS
) -> pl.DataFrame:
    """Counts with one row per true label (``truth`` column) and one column per decision."""
    t = pl.Series("truth", truth).cast(pl.String)
    d = pl.Series("decided", decided).cast(pl.String)
    names = [str(x) for x in labels]
    extra = sorted((set(t.unique().to_list()) | set(d.unique().to_list())) - set(names) - {None})
    names += extra
    index = {name: i for i, name in enumerate(names)}
    ti = np.array([index[x] for x in t.to_list()], dtype=np.int64)
    di = np.array([index[x] for x in d.to_list()], dtype=np.int64)
    counts = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(counts, (ti, di), 1)
    return pl.DataFrame({"truth": names, **{name: counts[:, j] for j, name in enumerate(names)}})


def cause_metrics(confusion: pl.DataFrame) -> pl.DataFrame:
    """Per cause (one-vs-rest): counts, sensitivity, specificity, PPV and NPV, each with its
    Wilson 95% interval (``*_lo``, ``*_hi``); NaN where a denominator is 0."""
    labels = confusion["truth"].to_list()
    m = confusion.select(labels).to_numpy().astype(np.int64)
    total = int(m.sum())
    tp = np.diag(m)
    fn = m.sum(axis=1) - tp
    fp = m.sum(axis=0) - tp
    tn = total - tp - fn - fp
    out: dict[str, object] = {
        "cause": labels,
        "n_true": tp + fn,
        "n_decided": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }
    for metric, k, n in (
        ("sensitivity", tp, tp + fn),
        ("specificity", tn, tn + fp),
        ("ppv", tp, tp + fp),
        ("npv", tn, tn + fn),
    ):
        lo, hi = wilson_interval(k, n)
        out[metric] = _rate(k, n)
        out[f"{metric}_lo"] = lo
        out[f"{metric}_hi"] = hi
    return pl.DataFrame(out)


def urgency_metrics(truth: pl.Series | np.ndarray, decided: pl.Series | np.ndarray) -> pl.DataFrame:
    """Under- and over-triage: count, denominator, rate and Wilson 95% interval.

    - ``urgent_under_triage``: urgent patients not sent urgently (of all urgent patients);
    - ``under_triage``: patients sent at a lower level than they need (of all patients);
    - ``over_triage``: patients sent at a higher level than they need (of all patients);
    - ``urgent_over_triage``: patients sent urgently who are not urgent (of those not urgent).
    """
    t = np.array([URGENCY_RANK[str(x)] for x in pl.Series(truth).cast(pl.String).to_list()])
    d = np.array([URGENCY_RANK[str(x)] for x in pl.Series(decided).cast(pl.String).to_list()])
    urgent = URGENCY_RANK["urgent"]
    rows = [
        (
            "urgent_under_triage",
            int(((t == urgent) & (d < urgent)).sum()),
            int((t == urgent).sum()),
        ),
        ("under_triage", int((d < t).sum()), t.size),
        ("over_triage", int((d > t).sum()), t.size),
        ("urgent_over_triage", int(((t < urgent) & (d == urgent)).sum()), int((t < urgent).sum())),
    ]
    k = np.array([r[1] for r in rows])
    n = np.array([r[2] for r in rows])
    lo, hi = wilson_interval(k, n)
    return pl.DataFrame(
        {
            "measure": [r[0] for r in rows],
            "count": k,
            "of": n,
            "rate": _rate(k, n),
            "rate_lo": lo,
            "rate_hi": hi,
        }
    )


def rule_metrics(
    rule_set: RuleSet,
    fired: pl.Series | np.ndarray,
    true_cause: pl.Series | np.ndarray,
    true_urgency: pl.Series | np.ndarray,
) -> pl.DataFrame:
    """Per rule (in order, then ``default``): how many patients it decided (coverage), the
    share of them whose true cause is the rule's cause (precision) and whose true urgency is
    the rule's urgency, how many urgent patients it sent less urgently, and the commonest
    true cause when the rule is wrong."""
    frame = pl.DataFrame(
        {
            "rule": pl.Series(fired).cast(pl.String),
            "true_cause": pl.Series(true_cause).cast(pl.String),
            "true_urgency": pl.Series(true_urgency).cast(pl.String),
        }
    )
    spec = pl.DataFrame(
        {
            "order": list(range(1, len(rule_set.rule_names) + 1)),
            "rule": list(rule_set.rule_names),
            "cause": [str(r.cause) for r in rule_set.rules] + [str(rule_set.default_cause)],
            "urgency": [str(r.urgency) for r in rule_set.rules] + [str(rule_set.default_urgency)],
        }
    )
    joined = frame.join(spec, on="rule", how="left")
    wrong = (
        joined.filter(pl.col("true_cause") != pl.col("cause"))
        .group_by("rule", "true_cause")
        .len()
        .sort(["rule", "len", "true_cause"], descending=[False, True, False])
        .group_by("rule", maintain_order=True)
        .first()
        .select("rule", pl.col("true_cause").alias("commonest_wrong_cause"))
    )
    agg = joined.group_by("rule").agg(
        pl.len().alias("n_fired"),
        (pl.col("true_cause") == pl.col("cause")).sum().alias("n_right_cause"),
        (pl.col("true_urgency") == pl.col("urgency")).sum().alias("n_right_urgency"),
        ((pl.col("true_urgency") == "urgent") & (pl.col("urgency") != "urgent"))
        .sum()
        .alias("urgent_missed"),
    )
    out = (
        spec.join(agg, on="rule", how="left")
        .join(wrong, on="rule", how="left")
        .with_columns(
            pl.col("n_fired", "n_right_cause", "n_right_urgency", "urgent_missed").fill_null(0)
        )
        .sort("order")
    )
    n_total = frame.height
    lo, hi = wilson_interval(out["n_right_cause"].to_numpy(), out["n_fired"].to_numpy())
    return out.with_columns(
        pl.Series("coverage", _rate(out["n_fired"].to_numpy(), np.full(out.height, n_total))),
        pl.Series("precision", _rate(out["n_right_cause"].to_numpy(), out["n_fired"].to_numpy())),
        pl.Series("precision_lo", lo),
        pl.Series("precision_hi", hi),
        pl.Series(
            "urgency_precision",
            _rate(out["n_right_urgency"].to_numpy(), out["n_fired"].to_numpy()),
        ),
    ).select(
        "order",
        "rule",
        "cause",
        "urgency",
        "n_fired",
        "coverage",
        "precision",
        "precision_lo",
        "precision_hi",
        "urgency_precision",
        "urgent_missed",
        "commonest_wrong_cause",
    )


@dataclass
class TriageEvaluation:
    """Everything measured about one rule set on one cohort."""

    rule_set: RuleSet
    decisions: pl.DataFrame
    """One row per patient: patient_id, rule, cause, urgency, true_cause, true_urgency."""
    confusion: pl.DataFrame
    causes: pl.DataFrame
    urgency: pl.DataFrame
    urgency_confusion: pl.DataFrame
    rules: pl.DataFrame

    @property
    def name(self) -> str:
        return self.rule_set.name

    def urgent_under_triage(self) -> tuple[int, int, float]:
        """(missed urgent patients, urgent patients, rate)."""
        row = self.urgency.filter(pl.col("measure") == "urgent_under_triage").row(0, named=True)
        return int(row["count"]), int(row["of"]), float(row["rate"])

    def accuracy(self) -> float:
        d = self.decisions
        return float((d["cause"] == d["true_cause"]).mean()) if d.height else float("nan")


def evaluate_decisions(
    rule_set: RuleSet, decisions: pl.DataFrame, truth: pl.DataFrame
) -> TriageEvaluation:
    """Score ``decisions`` (patient_id, rule, cause, urgency) against ``truth``
    (patient_id, primary_cause, urgency)."""
    joined = decisions.join(
        truth.select(
            "patient_id",
            pl.col("primary_cause").cast(pl.String).alias("true_cause"),
            pl.col("urgency").cast(pl.String).alias("true_urgency"),
        ),
        on="patient_id",
        how="inner",
    )
    if joined.height != decisions.height:
        raise ValueError("every decided patient needs a truth row (patient_id mismatch)")
    confusion = confusion_matrix(joined["true_cause"], joined["cause"])
    return TriageEvaluation(
        rule_set=rule_set,
        decisions=joined,
        confusion=confusion,
        causes=cause_metrics(confusion),
        urgency=urgency_metrics(joined["true_urgency"], joined["urgency"]),
        urgency_confusion=confusion_matrix(
            joined["true_urgency"], joined["urgency"], labels=URGENCIES
        ),
        rules=rule_metrics(rule_set, joined["rule"], joined["true_cause"], joined["true_urgency"]),
    )


def evaluate_rule_set(
    rule_set: RuleSet, features: pl.DataFrame, truth: pl.DataFrame
) -> TriageEvaluation:
    """Apply ``rule_set`` to ``features`` (observed only) and score it against ``truth``."""
    decided = rule_set.apply(features.drop("patient_id", strict=False))
    decisions = pl.concat([features.select("patient_id"), decided], how="horizontal")
    return evaluate_decisions(rule_set, decisions, truth)


__all__ = [
    "DEFAULT_RULE",
    "TriageEvaluation",
    "Z95",
    "cause_metrics",
    "confusion_matrix",
    "evaluate_decisions",
    "evaluate_rule_set",
    "rule_metrics",
    "urgency_metrics",
    "wilson_interval",
]
