"""Simulate a cohort: shards in memory (``simulate_cohort``) or written as table parts
into an output run's temporary folder (``write_cohort``, ``write_tables``).

Usage::

    from sim.config import compose_config
    from sim.pipeline import simulate_cohort
    tables = simulate_cohort(compose_config(["cohort.n=2000"]))   # patients, nights, ...

    # the command (validate, simulate, write, report) is sim.runs.generate.generate

Shards (whole RNG blocks of patient ids) are simulated independently, in-process, in a
process pool or on Dask (``sim.tables.dist``), and each writes its own Parquet part of every
table (``patients/``, ``measurements/``, ``nights/``, ``events/``) atomically, returning only
the parts' row counts and checksums. Everything is written under a temporary folder with a
journal of finished shards and renamed into place, with its manifest, only when all of it
succeeded (``sim.tables.output``); ``resume=true`` keeps the proven parts of a killed run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.config import Cohort, Params, validate
from sim.engines import run_engine
from sim.model.measurements import VISIT_STATE, measure, nights_per_patient, visit_rows
from sim.model.population import PopulationModel, urgency_at_visit
from sim.rng import BLOCK, ShardStreams
from sim.tables.dist import DistSettings, dist_settings, run_shards
from sim.tables.io import write_parquet
from sim.tables.output import OutputRun, file_checksum
from sim.tables.schema import to_frame
from sim.tables.shards import map_shards, shard_ranges

TABLES = ("patients", "measurements", "nights", "events")
"""Tables ``write_cohort`` writes, each as ``<table>/part-<first block>.parquet``."""


@dataclass
class ShardOptions:
    """Everything a shard worker needs (picklable)."""

    model: dict
    cohort: Cohort
    engine: str
    order: str
    visit_night: int
    with_nights: bool = True
    treatment: Any = None
    """Who gets which intervention (``sim.interventions.plan.TreatmentPlan``, or anything with
    its ``columns(patients)``); None: nobody (the control arm)."""


@dataclass
class ShardResult:
    """One shard's tables in memory (``part_dir`` not given), or what it wrote there."""

    patients: pl.DataFrame | None
    measurements: pl.DataFrame | None
    nights: pl.DataFrame | None
    events: pl.DataFrame | None = None
    parts: dict[str, dict] = field(default_factory=dict)
    """Parquet parts this shard wrote: path relative to the output folder -> rows, bytes,
    SHA-256 (for the manifest and the journal)."""
    pid: int = 0
    """Process that simulated it."""
    max_rss_mb: float = 0.0
    """That process's peak resident memory so far."""


@dataclass
class GenerateResult:
    """What ``write_cohort`` wrote (the tables themselves are read with ``read_table``)."""

    out: Path
    n_patients: int
    n_nights: int
    seconds: float
    """Simulating and writing the tables."""
    shards: int = 0
    resumed_shards: int = 0
    """Shards kept from a killed run (``resume=true``) instead of simulated again."""
    max_rss_mb: dict[int, float] = field(default_factory=dict)
    """Peak resident memory of each process that simulated shards, by pid."""

    @property
    def patient_nights_per_second(self) -> float:
        return self.n_nights / self.seconds if self.seconds > 0 else float("nan")


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
    if options.treatment is not None:
        cols.update(options.treatment.columns(cols))
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
    measurements = to_frame(
        "measurements",
        measure(
            patients,
            result.nights,
            streams,
            params=model_cfg.measurements,
            order=options.order,
            visit_night=options.visit_night,
            per_patient=per_patient,
        ),
    )
    if part_dir is None:
        return ShardResult(patients, measurements, result.nights, result.events)
    frames = dict(zip(TABLES, (patients, measurements, result.nights, result.events), strict=True))
    parts = write_parts(frames, Path(part_dir), start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return ShardResult(None, None, None, parts=parts, pid=os.getpid(), max_rss_mb=rss)


def write_parts(frames: dict[str, pl.DataFrame | None], part_dir: Path, start: int) -> dict:
    """Write one shard's part of each table atomically (a hidden name, then a rename) and
    checksum it while it is in the page cache. Returns path -> rows, bytes, SHA-256."""
    part = f"part-{start // BLOCK:06d}.parquet"
    parts = {}
    for table, frame in frames.items():
        if frame is None:
            continue
        folder = part_dir / table
        folder.mkdir(exist_ok=True)
        partial = folder / f".{part}.partial"
        write_parquet(frame, partial)
        parts[f"{table}/{part}"] = {"rows": frame.height, **file_checksum(partial)}
        os.replace(partial, folder / part)
    return parts


def simulate_cohort(
    cfg: DictConfig, *, with_nights: bool = True, treatment: Any = None
) -> ShardResult:
    """Simulate a whole cohort in memory (for tests, notebooks and small experiments).

    ``treatment``: who gets which intervention (``sim.interventions.plan.TreatmentPlan``);
    the same cohort and streams otherwise, so arms differ only where it acts."""
    cohort = validate(cfg)
    options = shard_options(cfg, cohort)
    options.with_nights = with_nights
    options.treatment = treatment
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


@dataclass
class TablesWritten:
    """What ``write_tables`` wrote: every part (resumed ones too) and per-process memory."""

    parts: dict[str, dict]
    shards: int
    resumed_shards: int
    max_rss_mb: dict[int, float]

    def rows(self, table: str) -> int | None:
        counts = [p["rows"] for k, p in self.parts.items() if k.startswith(f"{table}/")]
        return sum(counts) if counts else None


def write_tables(
    options: ShardOptions,
    tmp: Path,
    dist: DistSettings | int,
    *,
    run: OutputRun | None = None,
    progress: bool | None = None,
) -> TablesWritten:
    """Simulate every shard where ``dist`` says (an int: that many local processes), each
    writing its parts into ``tmp``. With ``run``, each finished shard goes into its journal
    and the shards ``run.resumed`` proves complete are not simulated again."""
    if isinstance(dist, int):
        dist = DistSettings("local", dist)
    cohort = options.cohort
    ranges = shard_ranges(cohort.n, cohort.shard_size, dist.processes)
    resumed = {tuple(e["shard"]): e for e in (run.resumed if run else [])}
    kept = {r: e for r, e in resumed.items() if r in set(ranges)}
    # A killed run with another cut (the cut depends on the number of processes, which the
    # config digest leaves out) has parts that overlap this cut's: they go.
    for shard, entry in resumed.items():
        if shard not in kept:
            for rel in entry["parts"]:
                (tmp / rel).unlink(missing_ok=True)
    todo = [r for r in ranges if r not in kept]
    parts = {k: v for e in kept.values() for k, v in e["parts"].items()}
    rss: dict[int, float] = {}

    def done(index: int, result: ShardResult) -> None:
        parts.update(result.parts)
        rss[result.pid] = max(rss.get(result.pid, 0.0), result.max_rss_mb)
        if run is not None:
            run.journal({"shard": list(todo[index]), "parts": result.parts, "pid": result.pid})

    job = functools.partial(simulate_shard, options=options, part_dir=tmp)
    run_shards(job, todo, dist, on_done=done, progress=progress)
    return TablesWritten(parts, len(ranges), len(ranges) - len(todo), rss)


RUN_ONLY_KEYS = ("out", "overwrite", "resume", "dist")
"""Top-level keys that do not change what is simulated (nor does ``engine.workers``)."""


def config_digest(cfg: DictConfig) -> str:
    """SHA-256 of everything in ``cfg`` that decides the tables: a killed run is resumed
    only by a run with the same digest."""
    plain = OmegaConf.to_container(cfg, resolve=False)
    plain = {k: v for k, v in plain.items() if k not in RUN_ONLY_KEYS and k != "hydra"}
    engine = dict(plain.get("engine") or {})
    engine.pop("workers", None)
    plain["engine"] = engine
    text = json.dumps(plain, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def write_cohort(
    run: OutputRun, cfg: DictConfig, cohort: Cohort, dist: DistSettings | None = None
) -> GenerateResult:
    """Simulate the cohort into ``run``'s temporary folder: the tables, ``config.yaml``,
    and what the manifest says of them (rows, checksums, seed, shards, timings)."""
    dist = dist or dist_settings(cfg)
    options = shard_options(cfg, cohort)
    t0 = time.perf_counter()
    written = write_tables(options, run.tmp, dist, run=run)
    seconds = time.perf_counter() - t0
    (run.tmp / "config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    run.add_checksums(written.parts)
    tables = {t: rows for t in TABLES if (rows := written.rows(t)) is not None}
    run.record(
        tables=tables,
        seed=cohort.seed,
        engine=options.engine,
        dist={"name": dist.name, "workers": dist.workers, "address": dist.address},
        shards={
            "count": written.shards,
            "resumed": written.resumed_shards,
            "shard_size": cohort.shard_size,
        },
        max_rss_mb={str(pid): round(mb, 1) for pid, mb in written.max_rss_mb.items()},
        timings={"simulate_and_write_seconds": seconds},
    )
    return GenerateResult(
        run.out,
        tables["patients"],
        tables["nights"],
        seconds,
        written.shards,
        written.resumed_shards,
        written.max_rss_mb,
    )
