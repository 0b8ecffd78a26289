"""Generate a cohort: validate the config, simulate shards, write tables and the report.

Usage::

    from sim.config import compose_config
    from sim.pipeline import generate
    summary = generate(compose_config(["cohort.n=2000"]), out="runs/a")

Shards are simulated independently (in-process or in a process pool) and written as their
own Parquet parts; ``patients`` is small enough to be gathered into one file. Everything is
written under a temporary folder and renamed into place only when all of it succeeded.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.config import Cohort, validate
from sim.model.population import PopulationModel
from sim.rng import ShardStreams
from sim.tables.io import atomic_output_dir, check_writable, write_parquet
from sim.tables.schema import to_frame
from sim.tables.shards import map_shards, shard_ranges


@dataclass
class GenerateResult:
    """What ``generate`` produced."""

    out: Path
    n_patients: int
    seconds: float
    patients: pl.DataFrame


def simulate_patients(model_cfg, cohort: Cohort, start: int, stop: int) -> pl.DataFrame:
    """The ``patients`` rows of one shard."""
    model = PopulationModel(model_cfg, cohort)
    return to_frame("patients", model.sample(ShardStreams(cohort.seed, start, stop)))


def _shard_job(bounds: tuple[int, int], *, model_cfg: dict, cohort: Cohort) -> pl.DataFrame:
    return simulate_patients(OmegaConf.create(model_cfg), cohort, *bounds)


def simulate_cohort(cfg: DictConfig, cohort: Cohort | None = None) -> pl.DataFrame:
    """All patients of a validated config, shard by shard (same result for any layout)."""
    cohort = cohort or validate(cfg)
    job = functools.partial(
        _shard_job, model_cfg=OmegaConf.to_container(cfg.model, resolve=True), cohort=cohort
    )
    ranges = shard_ranges(cohort.n, cohort.shard_size)
    frames = map_shards(job, ranges, workers=int(cfg.engine.workers))
    return pl.concat(frames)


def generate(cfg: DictConfig, out: str | Path) -> GenerateResult:
    """Simulate the cohort of ``cfg`` and write its tables and report under ``out``."""
    from sim.report import write_cohort_report

    cohort = validate(cfg)
    out = check_writable(Path(out))
    t0 = time.perf_counter()
    patients = simulate_cohort(cfg, cohort)
    with atomic_output_dir(out) as tmp:
        write_parquet(patients, tmp / "patients.parquet")
        (tmp / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
        write_cohort_report(patients, tmp / "report", cohort=cohort)
    return GenerateResult(out, patients.height, time.perf_counter() - t0, patients)
