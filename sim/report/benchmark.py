"""Report sections of the classifier benchmark: leaderboard, confusion matrices, learning curves.

Usage::

    report.add_section(benchmark_section(result))          # result: BenchmarkResult
    report.add_section(learning_curve_section(curves))     # curves: sim.evaluation.curves
    for section in demo_sections(cfg, patients, nights, measurements):   # both, for the demo
        report.add_section(section)

The benchmark section has the leaderboard (mean ± sd over folds), per-cause recall and
precision, and one confusion matrix per model family (the family's best model; the oracle
counts as a family of its own). The learning-curve section plots a score against each axis
that varies in the runs (patients, nights observed, noise level, cause mix).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from omegaconf import DictConfig

from sim.evaluation.benchmark import BenchmarkResult, benchmark_config_tables
from sim.evaluation.curves import AXES, curve_lines, curves_from_tables
from sim.evaluation.metrics import LOWER_IS_BETTER
from sim.report.page import Section, markdown_table, plot_confusion_heatmap

METRIC_TITLES = {
    "macro_f1": "macro-F1",
    "balanced_accuracy": "balanced accuracy",
    "log_loss": "log loss",
    "brier": "Brier score",
    "ece": "expected calibration error",
}
AXIS_TITLES = {
    "n_patients": "patients in the cohort",
    "nights": "diary nights observed",
    "noise_level": "observation noise level",
    "cause_mix": "cause mix",
}


def leaderboard_markdown(result: BenchmarkResult) -> str:
    """The leaderboard as Markdown: mean ± sd over folds, skipped models with their note."""
    board = result.leaderboard()
    names = {
        "macro_f1": "macro-F1",
        "balanced_accuracy": "balanced acc.",
        "log_loss": "log loss",
        "brier": "Brier",
        "ece": "ECE",
        "fit_s": "fit s/fold",
    }
    rows = []
    for row in board.iter_rows(named=True):
        out = {"model": row["model"], "features": row["features"]}
        for metric, title in names.items():
            mean, sd = row.get(f"{metric}_mean"), row.get(f"{metric}_sd")
            digits = 1 if metric == "fit_s" else 3
            out[title] = "—" if mean is None else f"{mean:.{digits}f} ± {(sd or 0):.{digits}f}"
        rows.append(out)
    text = markdown_table(pl.DataFrame(rows))
    skipped = board.filter(pl.col("status") != "ok")
    if skipped.height:
        text += "\n\n" + "\n".join(
            f"- `{r['model']}` skipped: {r['note']}" for r in skipped.iter_rows(named=True)
        )
    return text


def _plot_confusion(
    counts: np.ndarray, labels: list[str], causes: list[str], title: str, path: Path
) -> None:
    # Rows: the causes present; columns: those and any other cause a model predicted.
    rows = [labels.index(c) for c in causes]
    cols = [j for j, label in enumerate(labels) if label in causes or counts[:, j].any()]
    counts = counts[np.ix_(rows, cols)]
    plot_confusion_heatmap(counts, list(causes), [labels[j] for j in cols], path, title=title)


def _plot_scores(board: pl.DataFrame, path: Path) -> None:
    board = board.filter(pl.col("status") == "ok")
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * board.height + 1.5), sharey=True)
    y = np.arange(board.height)
    for ax, metric in zip(axes, ("macro_f1", "log_loss"), strict=True):
        ax.barh(
            y,
            board[f"{metric}_mean"].to_numpy(),
            xerr=board[f"{metric}_sd"].fill_null(0).to_numpy(),
            color="#4c72b0",
        )
        ax.set_xlabel(f"{METRIC_TITLES[metric]} (mean ± sd over folds)")
        if metric == "log_loss":
            ax.set_xscale("log")
    axes[0].set_yticks(y, board["model"].to_list())
    axes[0].invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _family_champions(result: BenchmarkResult) -> list[str]:
    """The best model of each report family (oracle apart), in leaderboard order."""
    board = result.leaderboard().filter(pl.col("status") == "ok")
    family = pl.when(pl.col("features") == "observed+latent").then(pl.lit("oracle"))
    board = board.with_columns(family.otherwise(pl.col("family")).alias("report_family"))
    return board.unique("report_family", keep="first", maintain_order=True)["model"].to_list()


def benchmark_section(result: BenchmarkResult, *, title: str = "Classifier benchmark") -> Section:
    """Leaderboard, per-cause recall and precision, one confusion matrix per model family."""
    run = result.run
    per_cause = result.per_cause() if result.folds.height else None
    intro = (
        f"{run.get('n_patients')} patients ({run.get('population', '?')} population, cause mix "
        f"`{run.get('cause_mix', '?')}`), {run.get('nights')} diary nights, noise level "
        f"{run.get('noise_level', 0.0)}; {run.get('level')}-level classification, "
        f"{run.get('folds')}-fold StratifiedGroupKFold by patient (seed {run.get('seed')}); "
        f"{run.get('seconds', float('nan')):.0f} s wall time. Mean ± sd over folds; lower is "
        "better for log loss, Brier score and ECE. The oracle also sees the latent truth "
        "parameters (sim/evaluation/latent.py): the gap between it and the best observed "
        "model is the cost of observing instead of knowing."
    )
    parts = [intro, leaderboard_markdown(result)]
    if per_cause is not None:
        for stat in ("recall", "precision"):
            wide = per_cause.pivot(on="cause", index="model", values=f"{stat}_mean")
            parts.append(
                f"Per-cause {stat} (mean over folds):\n\n" + markdown_table(wide, "{:.2f}")
            )
    figures = {}
    if result.folds.height:
        board = result.leaderboard()
        figures["benchmark_scores.png"] = lambda p: _plot_scores(board, p)
    for model in _family_champions(result):
        label = result.models.filter(pl.col("model") == model)["label"][0]
        counts = result.confusion[model]
        figures[f"confusion_{model}.png"] = lambda p, c=counts, t=label: _plot_confusion(
            c, result.labels, result.causes, f"Confusion: {t} (out-of-fold, all folds)", p
        )
    return Section(title, "\n\n".join(parts), figures)


def _plot_curve(curves: pl.DataFrame, axis: str, metric: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    categorical = axis == "cause_mix"
    for name, line in curve_lines(curves, axis):
        x = line[axis].to_list()
        xs = np.arange(len(x)) if categorical else np.asarray(x, dtype=float)
        ax.errorbar(
            xs,
            line[f"{metric}_mean"].to_numpy(),
            yerr=line[f"{metric}_sd"].fill_null(0).to_numpy(),
            marker="o",
            capsize=3,
            label=name,
        )
        if categorical:
            ax.set_xticks(xs, x)
    if axis == "n_patients":
        ax.set_xscale("log")
    ax.set_xlabel(AXIS_TITLES[axis])
    better = "lower" if metric in LOWER_IS_BETTER else "higher"
    ax.set_ylabel(f"{METRIC_TITLES.get(metric, metric)} ({better} is better)")
    ax.set_title(f"{METRIC_TITLES.get(metric, metric)} vs {AXIS_TITLES[axis]}")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def learning_curve_section(
    curves: pl.DataFrame, *, metric: str = "macro_f1", title: str = "Learning curves"
) -> Section:
    """Score vs patients, nights, noise and cause mix (each axis that varies in ``curves``).

    ``curves`` is the concatenated leaderboards of several runs (``sim.evaluation.curves``).
    """
    ok = curves.filter(pl.col("status") == "ok")
    figures = {}
    tables = []
    for axis in AXES:
        lines = curve_lines(ok, axis)
        if not lines:
            continue
        figures[f"curve_{axis}.png"] = lambda p, a=axis: _plot_curve(ok, a, metric, p)
        table = pl.concat(
            [
                pl.DataFrame(
                    {
                        "model": name,
                        axis: line[axis].cast(pl.String),
                        metric: [
                            f"{mean:.3f} ± {sd or 0:.3f}"
                            for mean, sd in line.select(f"{metric}_mean", f"{metric}_sd").rows()
                        ],
                    }
                )
                for name, line in lines
            ]
        ).pivot(on=axis, index="model", values=metric)
        tables.append(
            f"{METRIC_TITLES.get(metric, metric)} vs {AXIS_TITLES[axis]}:\n\n"
            + markdown_table(table)
        )
    text = (
        f"{METRIC_TITLES.get(metric, metric)} (mean ± sd over folds) as the cohort grows, the "
        "diary lengthens, observation noise rises and the cause mix changes; each curve holds "
        "the other settings fixed.\n\n" + "\n\n".join(tables)
        if tables
        else "No setting varies across the runs: nothing to plot."
    )
    return Section(title, text, figures)


def curve_models(result: BenchmarkResult) -> list[str]:
    """Models worth a learning curve: the dummy, logistic regression, the best observed
    model and the oracle (those present and scored)."""
    ok = result.models.filter(pl.col("status") == "ok")
    picks = [
        *ok.filter(pl.col("family") == "dummy")["model"].head(1),
        *ok.filter(pl.col("family") == "logistic")["model"].head(1),
        result.best(oracle=False),
        result.best(oracle=True),
    ]
    return list(dict.fromkeys(m for m in picks if m is not None))


def demo_sections(
    cfg: DictConfig,
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
) -> list[Section]:
    """The demo report's classifier sections, on the demo's own cohort: the benchmark of
    ``cfg.classifier`` (leaderboard, per-cause tables, a confusion matrix per family) and
    learning curves of ``curve_models`` over the ``cfg.curves`` grid cut to the cohort."""
    result = benchmark_config_tables(cfg, patients, nights, measurements)
    curves = curves_from_tables(cfg, patients, nights, measurements, models=curve_models(result))
    return [benchmark_section(result), learning_curve_section(curves)]
