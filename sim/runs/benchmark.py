"""``python -m experiments.benchmark``: validate, simulate and score, write the results.

Usage::

    run = benchmark(compose_config(["cohort.n=2000"], config_name="benchmark"), Path("runs/b"))
    write_benchmark(result, "runs/b")     # a BenchmarkResult already scored (CSV, report)

The output folder is checked before the work (``preflight``: the refusal rules of
``sim.tables.output``), then written atomically with its manifest. Scoring itself is
``sim.evaluation.benchmark``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.evaluation.benchmark import BenchmarkResult, run_benchmark
from sim.report import Report
from sim.report.benchmark import benchmark_section, leaderboard_markdown
from sim.tables.io import write_parquet
from sim.tables.output import output_dir, preflight


@dataclass
class BenchmarkRun:
    """What ``benchmark`` produced."""

    out: Path
    result: BenchmarkResult


def benchmark(cfg: DictConfig, out: Path) -> BenchmarkRun:
    """Check ``out``, run the benchmark of ``cfg`` (validated before the simulation), and
    write it under ``out``."""
    overwrite = bool(cfg.overwrite)
    out = preflight(out, overwrite=overwrite)  # before the work, not only when writing
    result = run_benchmark(cfg)
    write_benchmark(result, out, config=cfg, overwrite=overwrite)
    return BenchmarkRun(out, result)


def write_benchmark(
    result: BenchmarkResult,
    out: str | Path,
    *,
    config: DictConfig | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the benchmark under ``out`` atomically, with its manifest (see
    ``sim.tables.output`` for what may be replaced).

    Files: ``leaderboard.csv`` / ``leaderboard.md``, ``per_cause.csv``, ``folds.csv``,
    ``confusion/<model>.csv``, ``predictions.parquet``, ``config.yaml`` (when ``config`` is
    given), ``report/report.md`` with figures and ``manifest.json``.
    """
    with output_dir(out, tool="benchmark", config=config, overwrite=overwrite) as run:
        tmp, out = run.tmp, run.out
        result.leaderboard().write_csv(tmp / "leaderboard.csv")
        (tmp / "leaderboard.md").write_text(leaderboard_markdown(result) + "\n")
        if result.folds.height:
            result.per_cause().write_csv(tmp / "per_cause.csv")
        result.folds.write_csv(tmp / "folds.csv")
        (tmp / "confusion").mkdir()
        for model, counts in result.confusion.items():
            frame = pl.DataFrame(counts, schema=result.labels, orient="row")
            frame.insert_column(0, pl.Series("true", result.labels)).write_csv(
                tmp / "confusion" / f"{model}.csv"
            )
        if result.predictions.height:
            write_parquet(result.predictions, tmp / "predictions.parquet")
        if config is not None:
            (tmp / "config.yaml").write_text(OmegaConf.to_yaml(config, resolve=True))
        run.record(tables={"predictions": result.predictions.height})
        report = Report("Classifier benchmark: telling the causes apart")
        report.add_section(benchmark_section(result))
        report.write(tmp / "report")
    return out
