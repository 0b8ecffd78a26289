"""``python -m experiments.learning_curves``: the curves grid (or a benchmark multirun), written.

Usage::

    curves = learning_curves_run(cfg, Path("runs/curves"))                  # the built-in grid
    curves = learning_curves_run(cfg, Path("runs/curves"), from_dir=Path("outputs/benchmark/t"))
    write_curves(curves, "runs/curves")                                     # curves.csv + report

The output folder is checked before the work (``preflight``; a ``from_dir`` is an input
the output may not replace), then written atomically with its manifest. The curves
themselves are ``sim.evaluation.curves``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.evaluation.curves import collect_runs, learning_curves
from sim.report import Report
from sim.report.benchmark import learning_curve_section
from sim.tables.output import output_dir, preflight


def learning_curves_run(
    cfg: DictConfig, out: Path, *, from_dir: Path | None = None
) -> pl.DataFrame:
    """Check ``out``, compute the curves (the ``curves`` grid, or the leaderboards under
    ``from_dir``), write them under ``out``; returns the curves."""
    overwrite = bool(cfg.overwrite)
    inputs = [] if from_dir is None else [from_dir]
    preflight(out, overwrite=overwrite, inputs=inputs)  # before the work, not only when writing
    curves = learning_curves(cfg) if from_dir is None else collect_runs(from_dir)
    write_curves(curves, out, config=cfg, overwrite=overwrite, inputs=inputs)
    return curves


def write_curves(
    curves: pl.DataFrame,
    out: str | Path,
    *,
    config: DictConfig | None = None,
    overwrite: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write ``curves.csv``, ``report/`` (plots) and ``manifest.json`` under ``out``
    atomically; ``inputs`` (a ``from_dir``) may not be inside ``out``."""
    with output_dir(
        out, tool="learning_curves", config=config, overwrite=overwrite, inputs=inputs
    ) as run:
        tmp, out = run.tmp, run.out
        curves.write_csv(tmp / "curves.csv")
        run.record(tables={"curves": curves.height})
        if config is not None:
            (tmp / "config.yaml").write_text(OmegaConf.to_yaml(config, resolve=True))
        report = Report("Classifier learning curves")
        report.add_section(learning_curve_section(curves))
        report.write(tmp / "report")
    return out
