"""``python -m experiments.intervene``: paired arms of one or more interventions, their
effects by cause, the report.

Usage::

    from sim.config import compose_config
    cfg = compose_config(["intervention=[stretching,iron]", "cohort.n=2000"],
                         config_name="intervene")
    run = intervene(cfg, "runs/intervene")          # sim.runs.intervene

Everything is checked before any work: the cohort, every intervention (``ConfigError``
naming the key: an unknown lever, an adherence outside 0-1, a start night outside the
diary) and the output folder. The output is written atomically::

    out/report.md                        the intervention section (Markdown)
    out/figures/interventions_by_cause.png
    out/tables/effects.csv               intervention x comparison x group x outcome
    out/tables/nnt.csv                   number needed to treat, per group
    out/tables/summary.csv, by_cause.csv the report's tables
    out/outcomes.parquet                 every patient's outcomes in every arm
    out/tables/policy*.csv               with policy=...: the triage-then-treat strategies
    out/policy_decisions.parquet         with policy=...: each patient's decision and care
    out/config.yaml                      the composed config

A Hydra sweep (``-m intervention=stretching,magnesium,iron out=DIR``) writes each job into
``DIR/<its overrides>/`` and, at the end, one comparison over the jobs (``SweepComparison``,
a Hydra callback): ``DIR/comparison.csv`` (every job's effects, with its overrides) and
``DIR/comparison.md`` (every job's summary table).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.config import Cohort, ConfigError, validate
from sim.interventions.arms import Trial, run_trial
from sim.interventions.policy import Policy, PolicyResult, policy_from_config, run_policy
from sim.interventions.spec import Intervention, interventions_from_config, parse_intervention
from sim.report import Report, markdown_table
from sim.report.interventions import (
    interventions_section,
    policy_section,
    policy_table,
    write_intervention_tables,
)
from sim.tables.io import write_parquet
from sim.tables.output import OutputError, output_dir, preflight


@dataclass
class InterveneRun:
    """What ``intervene`` produced."""

    out: Path
    trial: Trial
    seconds: float
    policy: PolicyResult | None = None


@dataclass
class TrialSettings:
    """Everything an intervention run needs, validated before any work."""

    cohort: Cohort
    interventions: list[Intervention]
    placebo_expectation: float
    placebo_arm: bool
    policy: Policy | None


def trial_settings(cfg: DictConfig) -> TrialSettings:
    """The validated interventions, placebo and policy of ``cfg`` (``ConfigError`` if not)."""
    cohort = validate(cfg)
    items = interventions_from_config(
        cfg.get("intervention"), nights=cohort.nights, model=cfg.model
    )
    placebo_arm = cfg.get("placebo_arm", False)
    if not isinstance(placebo_arm, bool):
        raise ConfigError(f"placebo_arm={placebo_arm!r} is invalid: expected true or false")
    placebo = cfg.get("placebo") or {}
    if len(placebo) != 1:
        raise ConfigError("placebo must hold one intervention (conf/intervention/placebo.yaml)")
    ((name, node),) = placebo.items()
    # Only its expectation effect is used (on each intervention's own schedule), so its
    # start night is not checked against the diary.
    node = {**OmegaConf.to_container(node, resolve=True), "start_night": 0}
    spec = parse_intervention(
        str(name), node, nights=cohort.nights, model=cfg.model, where=f"placebo.{name}"
    )
    if set(spec.effects) != {"expectation"}:
        raise ConfigError(f"placebo.{name}.effects must hold the lever expectation only")
    policy = None
    if cfg.get("policy"):
        policy = policy_from_config(cfg.policy, nights=cohort.nights, model=cfg.model)
    return TrialSettings(cohort, items, spec.effects["expectation"], placebo_arm, policy)


def run_settings(cfg: DictConfig, settings: TrialSettings) -> tuple[Trial, PolicyResult | None]:
    """The trial of every intervention, and the policy's strategies if one is set."""
    trial = run_trial(
        cfg,
        settings.interventions,
        placebo_expectation=settings.placebo_expectation,
        placebo_arm=settings.placebo_arm,
    )
    policy = run_policy(cfg, settings.policy) if settings.policy is not None else None
    return trial, policy


def intervene(cfg: DictConfig, out: str | Path) -> InterveneRun:
    """Simulate the arms of ``cfg``'s interventions, estimate, write the results."""
    settings = trial_settings(cfg)
    cohort, items = settings.cohort, settings.interventions
    overwrite = bool(cfg.get("overwrite", False))
    out = preflight(out, overwrite=overwrite)
    t0 = time.perf_counter()
    trial, policy_result = run_settings(cfg, settings)
    note = (
        f"{trial.patients.height} patients, population `{cohort.population}`, cause mix "
        f"`{cohort.cause_mix}`, seed {cohort.seed}, {cohort.nights} diary nights; "
        f"engine `{cfg.engine.name}`."
    )
    with output_dir(out, tool="intervene", config=cfg, overwrite=overwrite) as run:
        tmp = run.tmp
        report = Report(f"Intervention report: {', '.join(i.name for i in items)}")
        report.add_section(interventions_section(trial, cohort_note=note))
        if policy_result is not None:
            report.add_section(policy_section(policy_result))
        report.write(tmp)
        rows = write_intervention_tables(trial, tmp / "tables")
        if policy_result is not None:
            policy_result.table.write_csv(tmp / "tables" / "policy.csv")
            policy_table(policy_result).write_csv(tmp / "tables" / "policy_summary.csv")
            write_parquet(policy_result.decisions, tmp / "policy_decisions.parquet")
            rows["policy"] = policy_result.table.height
        write_parquet(trial.outcomes, tmp / "outcomes.parquet")
        run.record(
            tables={"outcomes": trial.outcomes.height, **rows},
            seed=cohort.seed,
            interventions=[i.name for i in items],
        )
        (tmp / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    return InterveneRun(out, trial, time.perf_counter() - t0, policy_result)


CSV_MARK = "job,intervention,comparison,"
MD_MARK = "# Sweep comparison:"
"""How a comparison this tool wrote begins: any other file of that name is not replaced."""


def write_comparison(sweep: Path) -> Path | None:
    """One comparison over the jobs of a sweep folder: ``comparison.csv`` (the jobs'
    ``tables/effects.csv`` with a ``job`` column) and ``comparison.md`` (their summaries),
    each written under a temporary name and renamed. None if no job wrote its tables;
    ``OutputError`` (nothing written) if a file of either name is there and not one of ours."""
    jobs = sorted(p.parents[1] for p in sweep.glob("*/tables/effects.csv"))
    if not jobs:
        return None

    def gathered(table: str) -> pl.DataFrame:
        frames = [
            pl.read_csv(j / "tables" / f"{table}.csv").select(pl.lit(j.name).alias("job"), pl.all())
            for j in jobs
        ]
        return pl.concat(frames, how="diagonal")

    text = "\n".join(
        [
            f"# Sweep comparison: {len(jobs)} jobs",
            "",
            "Each job's interventions against its own control arm (treated - control, all "
            "patients, 95% intervals); the jobs' folders hold their reports.",
            "",
            markdown_table(gathered("summary")),
            "",
        ]
    )
    out, md = sweep / "comparison.csv", sweep / "comparison.md"
    for path, mark in ((out, CSV_MARK), (md, MD_MARK)):
        if path.exists() and not path.read_text(errors="replace").startswith(mark):
            raise OutputError(
                f"{path} exists and is not a sweep comparison this tool wrote: it is left as "
                "it was (choose another out)"
            )
    partial_csv, partial_md = (sweep / f".comparison.{ext}.partial" for ext in ("csv", "md"))
    gathered("effects").write_csv(partial_csv)
    partial_md.write_text(text)
    os.replace(partial_csv, out)
    os.replace(partial_md, md)
    return out


class SweepComparison(Callback):
    """Hydra callback (``conf/intervene.yaml``): after a multirun, ``write_comparison`` in the
    sweep folder."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            path = write_comparison(Path(config.hydra.sweep.dir))
        except OutputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return
        if path is not None:
            print(f"wrote {path}")


__all__ = [
    "InterveneRun",
    "TrialSettings",
    "SweepComparison",
    "intervene",
    "run_settings",
    "trial_settings",
    "write_comparison",
]
