"""What is achievable on a teaching dataset: the instructor's ``solutions.md``.

Usage::

    solutions = score_dataset(cfg, patients, nights, measurements)
    solutions.headline()        # oracle, best model, triage rules: macro-F1
    text = solutions_markdown(solutions, teaching=teaching, seed=7, digest=digest)

The models are the benchmark's (``cfg.classifier``, scored by
``sim.evaluation.benchmark.benchmark_tables``: every model on the same grouped, stratified
folds), run on the dataset as students receive it (the student nights and measurements,
observation noise included) against the answer key. The shipped triage rule sets are also
scored for urgency with ``sim.triage.evaluate_rule_set`` (a rule set is not fitted, so it is
applied to every patient at once). Nothing here is a model of its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from omegaconf import DictConfig

from sim.config import TeachingConfig
from sim.evaluation.benchmark import BenchmarkResult, benchmark_settings, benchmark_tables
from sim.evaluation.classifiers import model_specs
from sim.evaluation.features import patient_features
from sim.report.page import markdown_table
from sim.triage.evaluate import TriageEvaluation, evaluate_rule_set
from sim.triage.rules import load_shipped, shipped_rule_sets

BASELINE_FAMILY = "dummy"
TRIAGE_FAMILY = "triage"


@dataclass
class Solutions:
    """The scores of one teaching dataset."""

    result: BenchmarkResult
    """The classifier benchmark on the student tables (primary cause)."""
    triage: list[TriageEvaluation]
    """Each shipped rule set applied to every patient (cause and urgency)."""

    def _board(self) -> pl.DataFrame:
        return self.result.leaderboard().filter(pl.col("status") == "ok")

    def best_model(self) -> str | None:
        """The best fitted model on observed features (not the oracle, not a rule set)."""
        board = self._board().filter(
            (pl.col("features") == "observed")
            & ~pl.col("family").is_in([TRIAGE_FAMILY, BASELINE_FAMILY])
        )
        return board["model"][0] if board.height else None

    def score(self, model: str | None, metric: str = "macro_f1") -> float | None:
        if model is None:
            return None
        row = self._board().filter(pl.col("model") == model)
        return float(row[f"{metric}_mean"][0]) if row.height else None

    def headline(self) -> dict[str, Any]:
        """Macro-F1 of the oracle, the best model, the best triage rule set and the
        baseline, with their keys; and the fewest urgent patients a rule set misses."""
        out: dict[str, Any] = {}
        picks = {
            "oracle": self.result.best(oracle=True),
            "best_model": self.best_model(),
            "triage": self.result.best(family=TRIAGE_FAMILY),
            "baseline": self.result.best(family=BASELINE_FAMILY),
        }
        for role, key in picks.items():
            out[role] = {"model": key, "macro_f1": self.score(key)}
        if self.triage:
            best = min(self.triage, key=lambda e: e.urgent_under_triage()[2])
            missed, urgent, rate = best.urgent_under_triage()
            out["urgent_missed"] = {
                "rule_set": best.name,
                "missed": missed,
                "urgent": urgent,
                "rate": rate,
            }
        return out


def score_dataset(
    cfg: DictConfig,
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    measurements: pl.DataFrame,
) -> Solutions:
    """Score ``cfg.classifier`` (``cfg.benchmark`` settings, no progress bar) and every
    shipped triage rule set on the dataset: ``patients`` with their truth, ``nights`` and
    ``measurements`` as the students have them."""
    settings = dataclasses.replace(benchmark_settings(cfg), progress=False)
    specs = model_specs(cfg.classifier)
    run = {"n_patients": patients.height, "noise_level": float(cfg.noise.level)}
    result = benchmark_tables(patients, nights, measurements, specs, settings, run=run)
    features = patient_features(patients, nights, measurements)
    triage = [evaluate_rule_set(load_shipped(n), features, patients) for n in shipped_rule_sets()]
    return Solutions(result=result, triage=triage)


# --------------------------------------------------------------------------------------
# solutions.md
# --------------------------------------------------------------------------------------
def _leaderboard(solutions: Solutions) -> str:
    board = solutions.result.leaderboard().filter(pl.col("status") == "ok")
    table = board.select(
        pl.col("label").alias("model"),
        pl.col("macro_f1_mean").alias("macro-F1"),
        pl.col("macro_f1_sd").alias("sd"),
        pl.col("balanced_accuracy_mean").alias("balanced accuracy"),
        pl.col("log_loss_mean").alias("log loss"),
        pl.col("brier_mean").alias("Brier"),
    )
    return markdown_table(table)


def confusion_markdown(result: BenchmarkResult, model: str) -> str:
    """The pooled out-of-fold confusion counts of ``model`` (rows true, columns predicted),
    over the causes present and any other cause it predicted."""
    counts = np.asarray(result.confusion[model])
    labels = list(result.labels)
    keep = [i for i, c in enumerate(labels) if c in result.causes or counts[:, i].sum()]
    rows = [i for i, c in enumerate(labels) if c in result.causes]
    frame = pl.DataFrame(
        {
            "true \\ predicted": [labels[i] for i in rows],
            **{labels[j]: [int(counts[i, j]) for i in rows] for j in keep},
        }
    )
    return markdown_table(frame)


def _per_cause(result: BenchmarkResult, models: list[str]) -> str:
    per = result.per_cause().filter(pl.col("model").is_in(models))
    wide = per.select("cause", "model", "recall_mean").pivot(
        on="model", index="cause", values="recall_mean"
    )
    support = per.filter(pl.col("model") == models[0]).select("cause", "support")
    return markdown_table(
        wide.join(support, on="cause", how="left").select("cause", *models, "support")
    )


def _urgency(triage: list[TriageEvaluation]) -> str:
    rows = []
    for e in triage:
        u = {r["measure"]: r for r in e.urgency.iter_rows(named=True)}
        rows.append(
            {
                "rule set": e.name,
                "cause accuracy": e.accuracy(),
                "urgent missed": f"{u['urgent_under_triage']['count']} of "
                f"{u['urgent_under_triage']['of']}",
                "urgent missed rate": u["urgent_under_triage"]["rate"],
                "under-triage rate": u["under_triage"]["rate"],
                "over-triage rate": u["over_triage"]["rate"],
                "sent urgent needlessly": u["urgent_over_triage"]["rate"],
            }
        )
    return markdown_table(pl.DataFrame(rows))


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


def solutions_markdown(
    solutions: Solutions, *, teaching: TeachingConfig, seed: int, digest: str
) -> str:
    """``solutions.md``: the leaderboard, per-cause recall, the confusion matrix of the best
    model and the triage rules' urgency (deterministic: no times, no paths)."""
    result = solutions.result
    head = solutions.headline()
    best = head["best_model"]["model"]
    oracle = head["oracle"]["model"]
    run = result.run
    lines = [
        f"# Solutions: {teaching.title}",
        "",
        f"Preset `{teaching.name}`; task: **{teaching.task}**. Keep this file from students.",
        "",
        f"Seed {seed}, configuration digest `{digest[:16]}`: `python -m experiments.teach "
        f"teaching={teaching.name} cohort.seed={seed} out=DIR` (plus any overrides you "
        "gave) rebuilds this dataset byte for byte, answer key included, so the seed stays "
        "here and not in the students' data card.",
        "",
        "What can be achieved on this very dataset, as the students have it (the same "
        "diaries and clinic tests, with the same observation noise), scored against "
        "`answer_key` by the project's classifier benchmark (`sim.evaluation.benchmark`): "
        f"{run['folds']}-fold cross-validation stratified by cause with each patient in one "
        f"fold (seed {run['seed']}), every model on the same folds, one row per patient "
        "(diary aggregates and clinic tests). "
        f"Few folds keep the scoring fast (a teaching set has {run['n_patients']} patients), "
        "so a fold's score varies: read the sd column.",
        "",
        "## What is achievable",
        "",
        f"- **Oracle** (the best model also given the latent truth: an upper bound): "
        f"macro-F1 {_fmt(head['oracle']['macro_f1'])}",
        f"- **Best model** on observed data ({best}): macro-F1 "
        f"{_fmt(head['best_model']['macro_f1'])}",
        f"- **Shipped triage rules** (best: {head['triage']['model']}): macro-F1 "
        f"{_fmt(head['triage']['macro_f1'])}",
        f"- **Baseline** (always the commonest cause): macro-F1 "
        f"{_fmt(head['baseline']['macro_f1'])}",
    ]
    oracle_f1, best_f1 = head["oracle"]["macro_f1"], head["best_model"]["macro_f1"]
    if oracle_f1 is not None and best_f1 is not None and best_f1 >= oracle_f1:
        lines.append(
            "- The observed data already reach the oracle's score here: the difference is "
            "within the fold-to-fold variation (sd below)."
        )
    if "urgent_missed" in head:
        u = head["urgent_missed"]
        lines.append(
            f"- **Urgent patients missed** by the safest shipped rule set ({u['rule_set']}): "
            f"{u['missed']} of {u['urgent']} ({_fmt(u['rate'])})"
        )
    if teaching.task == "urgency":
        lines += [
            "",
            "This preset's task is urgency. The classifier benchmark scores the primary "
            "cause; for urgency the reference is the shipped triage rules below (no "
            "urgency model is fitted in this version).",
        ]
    lines += ["", "## Leaderboard (primary cause)", "", _leaderboard(solutions), ""]
    if best is not None:
        models = [m for m in (best, oracle) if m is not None]
        lines += [
            "## Recall by cause",
            "",
            "Share of each cause's patients named correctly (mean over folds).",
            "",
            _per_cause(result, models),
            "",
            f"## Confusion matrix of the best model ({best})",
            "",
            "Pooled out-of-fold predictions: rows are the true primary cause, columns "
            "the predicted one.",
            "",
            confusion_markdown(result, best),
            "",
        ]
    if solutions.triage:
        lines += [
            "## Triage rules: urgency",
            "",
            "Each shipped rule set (`conf/triage/`) applied to every patient; the lane it "
            "chooses against the true urgency. Under-triage is a lower lane than needed.",
            "",
            _urgency(solutions.triage),
            "",
        ]
    return "\n".join(lines)


__all__ = ["Solutions", "confusion_markdown", "score_dataset", "solutions_markdown"]
