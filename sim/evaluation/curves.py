"""Learning curves: benchmark scores as the cohort grows, the diary lengthens, noise rises.

Usage::

    curves = learning_curves(compose_config([...], config_name="learning_curves"))  # a grid, in-process
    curves = collect_runs("outputs/benchmark/2026-01-01_12-00-00")   # or: a benchmark multirun
    curves = curves_from_tables(cfg, patients, nights, measurements)  # or: one cohort in memory

Either way ``curves`` is the concatenation of benchmark leaderboards, one per run, whose
run descriptors (``n_patients``, ``nights``, ``noise_level``, ``cause_mix``) are the axes.
``curve_lines`` cuts it into lines: for an axis, the runs that differ only in that axis
form one line per model.

The in-process grid (``curves`` config) simulates one cohort per point, with the other axes at
their reference: ``sizes`` at the longest diary, ``nights`` / ``noise_levels`` /
``cause_mixes`` at ``n_reference`` patients. Common random numbers make the cohort of
1,000 patients the first 1,000 of the cohort of 20,000, so the size curve measures the
learning, not a new draw of patients.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from sim.config import ConfigError, _positive_int, parse_cause_mix, validate
from sim.evaluation.benchmark import (
    benchmark_tables,
    run_benchmark,
    run_descriptors,
    validate_benchmark,
)
from sim.evaluation.noise import add_observation_noise

AXES = ("n_patients", "nights", "noise_level", "cause_mix")
CONTEXT = ("level", "population")
"""Run descriptors that are not axes but separate lines when they differ."""


def _plain(value: Any) -> Any:
    return OmegaConf.to_container(value) if OmegaConf.is_config(value) else value


def _noise_level(value: Any) -> float:
    try:
        level = float(value)
    except (TypeError, ValueError):
        level = -1.0
    if not level >= 0:
        raise ConfigError(f"curves.noise_levels: {value!r} is invalid: expected a number >= 0")
    return level


def curve_points(cfg: DictConfig) -> list[dict[str, Any]]:
    """The grid of the ``curves`` config: one dict (n, nights, noise_level, cause_mix) per run."""
    c = cfg.curves
    sizes = [_positive_int(n, "curves.sizes") for n in c.sizes]
    nights = [_positive_int(n, "curves.nights") for n in c.nights]
    if not sizes or not nights:
        raise ConfigError("curves.sizes and curves.nights must not be empty")
    noise_levels = [_noise_level(level) for level in c.noise_levels]
    mixes = [parse_cause_mix(m, "curves.cause_mixes") for m in _plain(c.cause_mixes)]
    n_ref = _positive_int(c.n_reference, "curves.n_reference")
    mix, longest = _plain(cfg.cohort.cause_mix), max(nights)
    points = (
        [dict(n=n, nights=longest, noise_level=0.0, cause_mix=mix) for n in sizes]
        + [dict(n=n_ref, nights=w, noise_level=0.0, cause_mix=mix) for w in nights]
        + [dict(n=n_ref, nights=longest, noise_level=lv, cause_mix=mix) for lv in noise_levels]
        + [dict(n=n_ref, nights=longest, noise_level=0.0, cause_mix=m) for m in mixes]
    )
    unique: list[dict[str, Any]] = []
    for point in points:
        if point not in unique:
            unique.append(point)
    return unique


def learning_curves(cfg: DictConfig) -> pl.DataFrame:
    """Run the benchmark at every point of the ``curves`` grid; their leaderboards, stacked.

    Every point's config is validated before the first one runs.
    """
    validate_benchmark(cfg)
    _positive_int(cfg.curves.folds, "curves.folds", minimum=2)
    configs = []
    for point in curve_points(cfg):
        run_cfg = cfg.copy()
        run_cfg.cohort.n = point["n"]
        run_cfg.cohort.nights = point["nights"]
        run_cfg.cohort.cause_mix = point["cause_mix"]
        run_cfg.noise.level = point["noise_level"]
        run_cfg.benchmark.window = None
        run_cfg.benchmark.progress = False
        run_cfg.benchmark.folds = cfg.curves.folds
        validate(run_cfg)
        configs.append(run_cfg)
    progress = tqdm(configs, desc="learning curves", unit="run", disable=not cfg.benchmark.progress)
    return pl.concat(
        [run_benchmark(run_cfg).leaderboard() for run_cfg in progress], how="diagonal_relaxed"
    )


def curves_from_tables(
    cfg: DictConfig,
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
    *,
    models: list[str] | None = None,
) -> pl.DataFrame:
    """Learning curves on one cohort already in memory (the demo's), without simulating.

    The ``curves`` grid is cut to the cohort: a size is the first n patients (common random
    numbers make them the cohort of n), clipped to the cohort size; nights are the first
    nights of the diary (``benchmark.window``; the clinic visit stays at the diary's end);
    noise is added to the tables. Cause mixes other than the cohort's need new cohorts and
    are left out. ``models`` picks keys of ``cfg.classifier`` (all by default).
    """
    cohort, settings, specs = validate_benchmark(cfg)
    folds = _positive_int(cfg.curves.folds, "curves.folds", minimum=2)
    if models is not None:
        specs = [s for s in specs if s.key in models]
    if isinstance(nights, pl.LazyFrame):
        nights = nights.collect()
    own_mix = _plain(cfg.cohort.cause_mix)
    points = []
    for point in curve_points(cfg):
        if point["cause_mix"] != own_mix:
            continue
        point = {
            **point,
            "n": min(point["n"], cohort.n),
            "nights": min(point["nights"], cohort.nights),
        }
        if point not in points:
            points.append(point)
    ids = patients["patient_id"].sort()
    boards = []
    for point in tqdm(points, desc="learning curves", unit="run", disable=not settings.progress):
        keep = ids.head(point["n"]).implode()
        noise = cfg.noise.copy()
        noise.level = point["noise_level"]
        noisy_nights, noisy_measurements = add_observation_noise(
            nights.filter(pl.col("patient_id").is_in(keep)),
            None if measurements is None else measurements.filter(pl.col("patient_id").is_in(keep)),
            noise,
            seed=cohort.seed,
        )
        run = {
            **run_descriptors(cfg, window=point["nights"]),
            "n_patients": point["n"],
            "noise_level": point["noise_level"],
        }
        result = benchmark_tables(
            patients.filter(pl.col("patient_id").is_in(keep)),
            noisy_nights,
            noisy_measurements,
            specs,
            replace(settings, window=point["nights"], progress=False, folds=folds),
            run=run,
        )
        boards.append(result.leaderboard())
    return pl.concat(boards, how="diagonal_relaxed")


def collect_runs(root: str | Path) -> pl.DataFrame:
    """Every ``leaderboard.csv`` under ``root`` (e.g. the jobs of a benchmark multirun), stacked."""
    root = Path(root)
    files = sorted(root.rglob("leaderboard.csv"))
    if not files:
        raise ConfigError(f"curves.from_dir={root} is invalid: no leaderboard.csv under it")
    frames = [
        # Read the bytes: multirun folder names contain [ ], which polars would glob.
        pl.read_csv(
            f.read_bytes(), schema_overrides={"cause_mix": pl.String, "noise_level": pl.Float64}
        ).with_columns(pl.lit(str(f.parent.relative_to(root))).alias("run"))
        for f in files
    ]
    return pl.concat(frames, how="diagonal_relaxed")


def curve_lines(curves: pl.DataFrame, axis: str) -> list[tuple[str, pl.DataFrame]]:
    """Lines along ``axis``: per model, the runs that agree on every other descriptor.

    Lines with fewer than two points are dropped. A line is named after its model, plus the
    other descriptors when several lines of the axis differ in them.
    """
    if curves.is_empty() or axis not in curves.columns:
        return []
    others = [c for c in (*AXES, *CONTEXT) if c != axis and c in curves.columns]
    groups = []
    for key, line in curves.group_by(["model", *others], maintain_order=True):
        if line[axis].n_unique() >= 2:
            groups.append((dict(zip(["model", *others], key, strict=True)), line))
    varying = [c for c in others if len({g[0][c] for g in groups}) > 1]
    lines = []
    for descriptors, line in groups:
        name = str(descriptors["model"])
        if varying:
            name += " (" + ", ".join(f"{c}={descriptors[c]}" for c in varying) + ")"
        if axis != "cause_mix":
            line = line.sort(axis)
        lines.append((name, line.unique(axis, keep="first", maintain_order=True)))
    return lines
