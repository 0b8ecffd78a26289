"""The intervention section: what each intervention changed, for whom, and what pairing saved.

Usage::

    report.add_section(interventions_section(trial, cohort_note="..."))
    write_intervention_tables(trial, folder / "tables")

Reads a ``sim.interventions.arms.Trial``: the paired effects (treated - control, with 95%
intervals), the number needed to treat for at least 50% fewer symptomatic nights, and the
variance ratio of an unpaired design to the paired one.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from sim.config import LABELS
from sim.interventions.arms import Trial
from sim.interventions.estimates import ALL, OUTCOMES
from sim.interventions.policy import PolicyResult
from sim.report.page import Section, markdown_table, plt


def _ci(effect: float, lo: float, hi: float, scale: float = 1.0, digits: int = 2) -> str:
    if not math.isfinite(effect):
        return "n/a"
    f = f"{{:+.{digits}f}}"
    return f"{f.format(scale * effect)} [{f.format(scale * lo)}, {f.format(scale * hi)}]"


def _nnt(value: float) -> str:
    return "none" if not math.isfinite(value) else f"{value:.1f}"


def summary_table(trial: Trial, comparison: str = "treated_vs_control") -> pl.DataFrame:
    """One row per intervention: every outcome's effect on everyone (95% interval), the NNT
    and the variance ratio of the symptomatic-night estimate."""
    eff = trial.effects.filter((pl.col("comparison") == comparison) & (pl.col("group") == ALL))
    nnt = trial.nnt.filter((pl.col("comparison") == comparison) & (pl.col("group") == ALL))
    rows = []
    for item in trial.interventions:
        e = eff.filter(pl.col("intervention") == item.name)
        row = {"intervention": item.name, "kind": item.kind}
        for outcome in OUTCOMES:
            r = e.filter(pl.col("outcome") == outcome).row(0, named=True)
            scale, digits = (100.0, 1) if outcome == "symptomatic_nights" else (1.0, 2)
            label = "symptomatic nights (points)" if scale == 100.0 else outcome.replace("_", " ")
            row[label] = _ci(r["effect"], r["ci_low"], r["ci_high"], scale, digits)
        n = nnt.filter(pl.col("intervention") == item.name).row(0, named=True)
        row["NNT (50% fewer symptomatic nights)"] = (
            f"{_nnt(n['nnt'])} [{_nnt(n['nnt_best'])}, {_nnt(n['nnt_worst'])}]"
        )
        s = e.filter(pl.col("outcome") == "symptomatic_nights").row(0, named=True)
        row["unpaired / paired variance"] = f"{s['variance_ratio']:.1f}"
        rows.append(row)
    return pl.DataFrame(rows)


def by_cause_table(trial: Trial, outcome: str = "symptomatic_nights") -> pl.DataFrame:
    """Intervention x primary cause: the effect on ``outcome`` (symptomatic nights in
    percentage points), with its 95% interval."""
    eff = trial.effects.filter(
        (pl.col("comparison") == "treated_vs_control") & (pl.col("outcome") == outcome)
    )
    scale = 100.0 if outcome == "symptomatic_nights" else 1.0
    groups = [g for g in (ALL, *LABELS) if g in set(eff.get_column("group").to_list())]
    rows = []
    for item in trial.interventions:
        e = eff.filter(pl.col("intervention") == item.name)
        row = {"intervention": item.name}
        for g in groups:
            r = e.filter(pl.col("group") == g).row(0, named=True)
            row[g] = _ci(r["effect"], r["ci_low"], r["ci_high"], scale, 1)
        rows.append(row)
    return pl.DataFrame(rows)


def _heatmap(trial: Trial):
    eff = trial.effects.filter(
        (pl.col("comparison") == "treated_vs_control")
        & (pl.col("outcome") == "symptomatic_nights")
        & (pl.col("group") != ALL)
    )
    groups = [g for g in LABELS if g in set(eff.get_column("group").to_list())]
    names = [i.name for i in trial.interventions]
    grid = np.full((len(names), len(groups)), np.nan)
    for r in eff.iter_rows(named=True):
        grid[names.index(r["intervention"]), groups.index(r["group"])] = 100.0 * r["effect"]

    def draw(path: Path) -> None:
        height = max(3.0, 1.2 + 0.42 * len(names))
        fig, ax = plt.subplots(figsize=(2.5 + 0.85 * len(groups), height))
        bound = max(5.0, float(np.nanmax(np.abs(grid)))) if grid.size else 5.0
        im = ax.imshow(grid, cmap="RdBu", vmin=-bound, vmax=bound, aspect="auto")
        ax.set_xticks(range(len(groups)), groups, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        for i in range(len(names)):
            for j in range(len(groups)):
                if np.isfinite(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:+.0f}", ha="center", va="center", fontsize=8)
        fig.colorbar(im, ax=ax, label="change in symptomatic nights (points)")
        ax.set_title("Treated - control, by primary cause (blue: fewer)")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)

    return draw


def interventions_section(trial: Trial, *, cohort_note: str = "") -> Section:
    """The section: the summary, the effect by cause, the placebo comparisons if any."""
    starts = sorted({i.start_night for i in trial.interventions})
    text = [
        cohort_note,
        "",
        "Every arm lives the same patients with the same random streams (common random "
        "numbers), so each patient's effect is their treated nights minus their control "
        "nights; the intervention acts only through the model's levers (physiology and "
        "behaviour), from its start night "
        f"({', '.join(map(str, starts))}). Effects are over the nights from the start to the "
        "end of the diary, with paired 95% intervals. NNT: patients treated for one more to "
        "have at least 50% fewer symptomatic nights than in their own baseline. The variance "
        "ratio is how many times more patients per arm two independent arms would need.",
        "",
        markdown_table(summary_table(trial)),
        "",
        "**Change in symptomatic nights by primary cause** (percentage points, treated - "
        "control, 95% interval):",
        "",
        markdown_table(by_cause_table(trial)),
    ]
    if "placebo_vs_control" in set(trial.effects.get_column("comparison").to_list()):
        for comparison in ("placebo_vs_control", "treated_vs_placebo"):
            text += [
                "",
                f"**{comparison.replace('_', ' ')}** (the treated arms are blinded: they get "
                "the placebo's expectation effect too):",
                "",
                markdown_table(summary_table(trial, comparison)),
            ]
    sources = [f"- `{i.name}`: {i.description} {i.source}".strip() for i in trial.interventions]
    text += ["", "Definitions (conf/intervention/):", "", *sources]
    return Section(
        "Interventions",
        "\n".join(text),
        figures={"interventions_by_cause.png": _heatmap(trial)},
    )


def policy_table(result: PolicyResult) -> pl.DataFrame:
    """One row per strategy, formatted: who is treated, how often as their true cause calls
    for, the effect on everyone's symptomatic nights and mean pain, the NNT."""
    rows = []
    for r in result.table.iter_rows(named=True):
        rows.append(
            {
                "strategy": r["strategy"],
                "treated": f"{100 * r['treated']:.0f}%",
                "as the true cause calls for": f"{100 * r['as_true_cause_calls_for']:.0f}%",
                "symptomatic nights (points)": _ci(
                    r["symptomatic_nights_effect"],
                    r["symptomatic_nights_ci_low"],
                    r["symptomatic_nights_ci_high"],
                    100.0,
                    1,
                ),
                "mean pain": _ci(
                    r["mean_pain_effect"], r["mean_pain_ci_low"], r["mean_pain_ci_high"]
                ),
                "NNT": _nnt(r["nnt"]),
            }
        )
    return pl.DataFrame(rows)


def policy_section(result: PolicyResult) -> Section:
    """Triage then treat: the policy against perfect triage and treating everyone alike."""
    p = result.policy
    mapping = ", ".join(f"{c} -> {n}" for c, n in p.treat.items() if n is not None)
    urgent = ", ".join(f"urgent {c} -> {n}" for c, n in p.treat_urgent.items() if n is not None)
    d = result.decisions
    accuracy = float((d["decided_cause"].cast(pl.Utf8) == d["true_cause"].cast(pl.Utf8)).mean())
    text = [
        f"Policy `{p.name}`: rule set `{p.rule_set.name}` decides from the first "
        f"{p.start_night} nights and a clinic visit on the last of them (cause accuracy "
        f"{accuracy:.3f}); from night {p.start_night} each decided cause gets its "
        f"intervention ({mapping}{'; ' + urgent if urgent else ''}). `perfect_triage` applies "
        "the same map to the true cause and urgency; `everyone_<intervention>` gives every "
        "patient the same intervention. Effects are on every patient against the untreated "
        "control, paired, with 95% intervals.",
        "",
        markdown_table(policy_table(result)),
    ]
    return Section("Triage then treat", "\n".join(text))


def write_intervention_tables(trial: Trial, folder: Path) -> dict[str, int]:
    """effects.csv, nnt.csv and summary.csv into ``folder``; returns rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "effects": trial.effects,
        "nnt": trial.nnt,
        "summary": summary_table(trial),
        "by_cause": by_cause_table(trial),
    }
    for name, df in tables.items():
        df.write_csv(folder / f"{name}.csv")
    return {name: df.height for name, df in tables.items()}


__all__ = [
    "interventions_section",
    "policy_section",
    "policy_table",
    "summary_table",
    "by_cause_table",
    "write_intervention_tables",
]
