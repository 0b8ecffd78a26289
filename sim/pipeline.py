"""Generate a cohort: validate the config, simulate shards, write tables and the report.

Usage::

    from sim.config import compose_config
    from sim.pipeline import generate
    result = generate(compose_config(["cohort.n=2000"]), out="runs/a")

Shards (whole RNG blocks of patient ids) are simulated independently, in-process or in a
process pool, and each writes its own Parquet part of ``nights`` (and ``events``).
``patients`` and ``measurements`` are small and gathered into one file each. Everything is
written under a temporary folder and renamed into place only when all of it succeeded.
"""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.config import Cohort, Params, validate
from sim.engines import run_engine
from sim.model.measurements import VISIT_STATE, measure, nights_per_patient, visit_rows
from sim.model.population import PopulationModel, urgency_at_visit
from sim.rng import ShardStreams
from sim.tables.io import atomic_output_dir, check_writable, write_parquet
from sim.tables.schema import to_frame
from sim.tables.shards import map_shards, resolve_workers, shard_ranges


@dataclass
class ShardOptions:
    """Everything a shard worker needs (picklable)."""

    model: dict
    cohort: Cohort
    engine: str
    order: str
    visit_night: int
    with_nights: bool = True


@dataclass
class ShardResult:
    patients: pl.DataFrame
    measurements: pl.DataFrame | None
    nights: pl.DataFrame | None
    events: pl.DataFrame | None = None


@dataclass
class GenerateResult:
    """What ``generate`` produced."""

    out: Path
    n_patients: int
    n_nights: int
    seconds: float
    patients: pl.DataFrame
    measurements: pl.DataFrame


def shard_options(cfg: DictConfig, cohort: Cohort) -> ShardOptions:
    visit = int(cfg.measurements.visit_night)
    return ShardOptions(
        model=OmegaConf.to_container(cfg.model, resolve=True),
        cohort=cohort,
        engine=str(cfg.engine.name),
        order=str(cfg.measurements.order),
        visit_night=cohort.nights - 1 if visit < 0 else visit,
    )


def simulate_shard(
    bounds: tuple[int, int], options: ShardOptions, part_dir: Path | None = None
) -> ShardResult:
    """Simulate one shard; write its nights (and events) part into ``part_dir`` if given."""
    model_cfg = Params.of(options.model)
    cohort = options.cohort
    start, stop = bounds
    streams = ShardStreams(cohort.seed, start, stop)
    cols = PopulationModel(model_cfg, cohort).sample(streams)
    if not options.with_nights:
        return ShardResult(to_frame("patients", cols), None, None)
    result = run_engine(options.engine, cols, model_cfg, streams, nights=cohort.nights)
    # Urgency is what a perfect triage would do at the visit, from that night's true state.
    per_patient = nights_per_patient(result.nights)
    visit = visit_rows(result.nights, options.visit_night, per_patient, VISIT_STATE)
    cols["urgency"] = urgency_at_visit(
        cols,
        potassium=visit["potassium_mmol_l"].to_numpy(),
        sodium=visit["sodium_mmol_l"].to_numpy(),
        magnesium=visit["magnesium_mmol_l"].to_numpy(),
        calcium=visit["calcium_mmol_l"].to_numpy(),
    )
    patients = to_frame("patients", cols)
    measurements = measure(
        patients,
        result.nights,
        streams,
        params=model_cfg.measurements,
        order=options.order,
        visit_night=options.visit_night,
        per_patient=per_patient,
    )
    if part_dir is None:
        return ShardResult(patients, measurements, result.nights, result.events)
    part = f"part-{start // 8192:06d}.parquet"
    (part_dir / "nights").mkdir(exist_ok=True)
    write_parquet(result.nights, part_dir / "nights" / part)
    if result.events is not None:
        (part_dir / "events").mkdir(exist_ok=True)
        write_parquet(result.events, part_dir / "events" / part)
    return ShardResult(patients, measurements, None)


def simulate_cohort(cfg: DictConfig, *, with_nights: bool = True) -> ShardResult:
    """Simulate a whole cohort in memory (for tests, notebooks and small experiments)."""
    cohort = validate(cfg)
    options = shard_options(cfg, cohort)
    options.with_nights = with_nights
    job = functools.partial(simulate_shard, options=options)
    results = map_shards(
        job,
        shard_ranges(cohort.n, cohort.shard_size, int(cfg.engine.workers)),
        workers=int(cfg.engine.workers),
    )
    return _gather(results)


def _gather(results: list[ShardResult]) -> ShardResult:
    def cat(name):
        frames = [getattr(r, name) for r in results if getattr(r, name) is not None]
        return pl.concat(frames) if frames else None

    return ShardResult(cat("patients"), cat("measurements"), cat("nights"), cat("events"))


def write_tables(options: ShardOptions, tmp: Path, workers: int) -> ShardResult:
    """Simulate every shard with ``workers`` processes, writing ``nights`` parts as they
    finish, then ``patients`` and ``measurements`` into ``tmp`` (side by side when there
    are several cores to use). Returns the gathered patients and measurements."""
    cohort = options.cohort
    job = functools.partial(simulate_shard, options=options, part_dir=tmp)
    gathered = _gather(
        map_shards(job, shard_ranges(cohort.n, cohort.shard_size, workers), workers=workers)
    )
    tables = [
        (gathered.patients, tmp / "patients.parquet"),
        (gathered.measurements, tmp / "measurements.parquet"),
    ]
    if resolve_workers(workers) > 1:
        with ThreadPoolExecutor(len(tables)) as pool:  # polars writes without the GIL
            list(pool.map(lambda table: write_parquet(*table), tables))
    else:
        for table in tables:
            write_parquet(*table)
    return gathered


def generate(cfg: DictConfig, out: str | Path) -> GenerateResult:
    """Simulate the cohort of ``cfg`` and write its tables and report under ``out``."""
    from sim.report import write_cohort_report

    cohort = validate(cfg)
    options = shard_options(cfg, cohort)
    out = check_writable(Path(out))
    t0 = time.perf_counter()
    with atomic_output_dir(out) as tmp:
        gathered = write_tables(options, tmp, int(cfg.engine.workers))
        (tmp / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
        write_cohort_report(tmp, cohort=cohort)
    return GenerateResult(
        out,
        gathered.patients.height,
        gathered.patients.height * cohort.nights,
        time.perf_counter() - t0,
        gathered.patients,
        gathered.measurements,
    )
