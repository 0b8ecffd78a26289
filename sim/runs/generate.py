"""``python -m experiments.generate``: validate the config, simulate the shards, write the
tables, the report and the manifest.

Usage::

    from sim.config import compose_config
    from sim.runs.generate import generate
    result = generate(compose_config(["cohort.n=2000"]), out="runs/a")

Shards (whole RNG blocks of patient ids) are simulated independently, in-process, in a
process pool or on Dask (``sim.tables.dist``), and each writes its own Parquet part of every
table (``sim.pipeline.write_cohort``). Everything is written under a temporary folder with a
journal of finished shards and renamed into place, with its manifest, only when all of it
succeeded (``sim.tables.output``); ``resume=true`` keeps the proven parts of a killed run.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from sim.config import validate
from sim.pipeline import GenerateResult, config_digest, write_cohort
from sim.report.cohort import write_cohort_report
from sim.tables.dist import dist_settings
from sim.tables.output import output_dir


def generate(cfg: DictConfig, out: str | Path) -> GenerateResult:
    """Simulate the cohort of ``cfg`` and write its tables, report and manifest under
    ``out`` (see ``sim.tables.output`` for what may be replaced)."""
    cohort = validate(cfg)
    dist = dist_settings(cfg)
    with output_dir(
        out,
        tool="generate",
        config=cfg,
        overwrite=bool(cfg.get("overwrite", False)),
        resume=bool(cfg.get("resume", False)),
        digest=config_digest(cfg),
    ) as run:
        result = write_cohort(run, cfg, cohort, dist)
        write_cohort_report(run.tmp, cohort=cohort)
    return result
