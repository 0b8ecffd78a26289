"""``python -m experiments.triage``: simulate a cohort, apply rule sets to its features,
score them, write the report.

Usage::

    from sim.config import compose_config
    cfg = compose_config(["triage=[clinical_pathway,symptoms_only]", "cohort.n=2000"],
                         config_name="triage")
    run = run_triage(cfg, "runs/triage")   # sim.runs.triage

Everything is checked before any work: the cohort settings, every rule set (a bad rule raises
``ConfigError`` naming it) and the output folder. The output is written atomically::

    out/report.md                       the triage section (Markdown)
    out/figures/triage_confusion_*.png  confusion-matrix heatmaps, one per rule set
    out/tables/*.csv                    summary, per-cause metrics, confusion, urgency, rules
    out/decisions.parquet               every patient's decision under every rule set
    out/config.yaml                     the composed config
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, validate
from sim.evaluation.features import patient_features
from sim.pipeline import simulate_cohort
from sim.report import Report
from sim.report.triage import evaluations_section, write_triage_tables
from sim.tables.io import write_parquet
from sim.tables.output import output_dir, preflight
from sim.triage.evaluate import TriageEvaluation, evaluate_rule_set
from sim.triage.rules import rule_sets_from_config


@dataclass
class TriageRun:
    """What ``run_triage`` produced."""

    out: Path
    evaluations: list[TriageEvaluation]
    n_patients: int
    seconds: float


def _window(value: Any) -> int | None:
    """``window`` as a whole number of nights >= 1, or None (all nights).

    Every other value is one ``ConfigError``: booleans, text that is not a number, fractions,
    and NaN or infinity (``window=nan``, ``window=inf``, ``window=1e400``), which ``int()``
    would turn into a ValueError or OverflowError traceback.
    """
    if value is None:
        return None
    invalid = ConfigError(f"window={value!r} is invalid: expected null or an integer >= 1")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid
    if isinstance(value, int):
        number = value
    else:
        try:
            as_float = float(value)
        except (ValueError, OverflowError):
            raise invalid from None
        if not math.isfinite(as_float) or not as_float.is_integer():
            raise invalid
        number = int(as_float)
    if number < 1:
        raise invalid
    return number


def run_triage(
    cfg: DictConfig, out: str | Path, *, base_dir: str | Path | None = None
) -> TriageRun:
    """Simulate ``cfg``'s cohort, evaluate the selected rule sets, write the results.

    ``base_dir`` resolves a relative ``triage.path`` (the folder the command ran from).
    """
    cohort = validate(cfg)
    rule_sets = rule_sets_from_config(cfg.get("triage"), base_dir=base_dir)
    window = _window(cfg.get("window"))
    if window is not None and window > cohort.nights:
        raise ConfigError(
            f"window={window} is invalid: the diary has cohort.nights={cohort.nights} nights"
        )
    # A rule file's folder is never replaced by the output (nor an ancestor of it).
    inputs = [rs.source for rs in rule_sets if rs.source]
    overwrite = bool(cfg.get("overwrite", False))
    out = preflight(out, overwrite=overwrite, inputs=inputs)
    t0 = time.perf_counter()
    sim = simulate_cohort(cfg)
    features = patient_features(sim.patients, sim.nights, sim.measurements, window=window)
    evaluations = [evaluate_rule_set(rs, features, sim.patients) for rs in rule_sets]
    note = (
        f"{sim.patients.height} patients, population `{cohort.population}`, cause mix "
        f"`{cohort.cause_mix}`, seed {cohort.seed}, {window or cohort.nights} diary nights."
    )
    with output_dir(out, tool="triage", config=cfg, overwrite=overwrite, inputs=inputs) as run:
        tmp = run.tmp
        report = Report(f"Triage report: {', '.join(rs.name for rs in rule_sets)}")
        report.add_section(evaluations_section(evaluations, cohort_note=note))
        written = report.write(tmp)
        # Report.write puts report.md and figures/ in the folder it is given.
        assert written == tmp / "report.md"
        write_triage_tables(evaluations, tmp / "tables")
        decisions = pl.concat(
            [ev.decisions.select(pl.lit(ev.name).alias("rule_set"), pl.all()) for ev in evaluations]
        )
        write_parquet(decisions, tmp / "decisions.parquet")
        run.record(
            tables={"decisions": decisions.height},
            seed=cohort.seed,
            rule_sets=[rs.name for rs in rule_sets],
        )
        (tmp / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    return TriageRun(out, evaluations, sim.patients.height, time.perf_counter() - t0)


__all__ = ["TriageRun", "run_triage"]
