"""The demo behind ``make demo``: one cohort, every capability, one report.

Usage::

    result = run_demo(compose_config([], config_name="demo"), Path("reports/demo"))

Generates the demo cohort (tables under ``out/``), then writes ``out/report/report.md``
with the sections of every capability: the cohort and its calibration, symptom signatures,
night timelines per cause, what gives each cause away (difficulty), triage rule sets
against ground truth, the classifier leaderboard with learning curves, and every shipped
intervention on paired arms with a triage-then-treat policy. The whole folder is replaced
atomically, and only when it holds an earlier run's manifest and ``overwrite=true`` is
given (``make demo`` does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from omegaconf import DictConfig

from sim.config import Cohort, compose_config, validate
from sim.pipeline import GenerateResult, simulate_cohort, write_cohort
from sim.report import Report
from sim.report.calibration import calibration_section
from sim.report.cohort import cohort_section
from sim.report.difficulty import difficulty_section
from sim.report.interventions import interventions_section, policy_section
from sim.report.nights import nights_section
from sim.report.timeline import timeline_section
from sim.report.triage import triage_section
from sim.runs.intervene import run_settings, trial_settings
from sim.tables.io import read_table
from sim.tables.output import output_dir


@dataclass
class DemoResult:
    out: Path
    n_patients: int
    seconds: float
    sections: list[str]


def run_demo(cfg: DictConfig, out: Path) -> DemoResult:
    """Generate the demo cohort and write the full report, in one output folder with one
    manifest (``sim.tables.output``)."""
    t0 = time.perf_counter()
    cohort = validate(cfg)
    settings = trial_settings(cfg)  # interventions and policy are checked before any work
    with output_dir(out, tool="demo", config=cfg, overwrite=bool(cfg.overwrite)) as run:
        report = _demo_report(cfg, cohort, write_cohort(run, cfg, cohort), run.tmp)
        trial, policy = run_settings(cfg, settings)
        note = f"The demo cohort ({cohort.n} patients, seed {cohort.seed}), lived again per arm."
        report.add_section(interventions_section(trial, cohort_note=note))
        if policy is not None:
            report.add_section(policy_section(policy))
        report.write(run.tmp / "report")
    return DemoResult(
        run.out, cohort.n, time.perf_counter() - t0, [s.title for s in report.sections]
    )


def _demo_report(cfg: DictConfig, cohort: Cohort, result: GenerateResult, tmp: Path) -> Report:
    """Every capability's section, from the cohort just written under ``tmp``."""
    patients = read_table(tmp, "patients", unfinished=True)
    nights = pl.scan_parquet(tmp / "nights" / "*.parquet")
    measurements = read_table(tmp, "measurements", unfinished=True)

    report = Report("Synthetic cohort: legs that ache when lying down")
    report.add_section(cohort_section(patients, cohort))
    calib_n, calib_seed = int(cfg.demo.calibration_n), int(cfg.demo.calibration_seed)
    general = simulate_cohort(
        compose_config(
            [
                f"cohort.n={calib_n}",
                f"cohort.seed={calib_seed}",
                "cohort.population=general",
                "cohort.cause_mix=population",
            ]
        ),
        with_nights=False,
    ).patients
    report.add_section(calibration_section(general, seed=calib_seed))
    report.add_section(nights_section(patients, nights))
    report.add_section(timeline_section(cfg, patients, nights=7))
    collected = nights.collect()
    report.add_section(difficulty_section(patients, collected, measurements, general=general))
    report.add_section(triage_section(patients, collected, measurements))
    _add_benchmark(report, cfg, patients, collected, measurements)
    return report


def _add_benchmark(report: Report, cfg, patients, nights, measurements) -> None:
    """Classifier leaderboard and learning curves, when the benchmark module is present."""
    try:
        from sim.report.benchmark import demo_sections
    except ImportError:  # pragma: no cover - the benchmark ships with the project
        return
    for section in demo_sections(cfg, patients, nights, measurements):
        report.add_section(section)
