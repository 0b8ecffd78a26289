"""``sim.runs.learning_curves``: curves from a benchmark multirun's folder, written with a
manifest; an ``out`` that holds the ``from_dir`` is refused before any work."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sim.config import compose_config
from sim.evaluation.benchmark import BenchmarkSettings, benchmark_tables
from sim.evaluation.classifiers import load_classifiers, model_specs
from sim.runs.benchmark import write_benchmark
from sim.runs.learning_curves import learning_curves_run
from sim.tables.output import OutputError, output_dir


def _cfg(*overrides: str):
    return compose_config(
        ["out=unused", "benchmark.progress=false", *overrides], config_name="learning_curves"
    )


def test_curves_from_a_multirun_folder(presenting_600, tmp_path: Path) -> None:
    t = presenting_600
    specs = model_specs(load_classifiers(["dummy"]))
    runs = tmp_path / "multirun"
    for window in (3, 7):
        result = benchmark_tables(
            t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=2, window=window)
        )
        write_benchmark(result, runs / f"benchmark.window={window}")
    out = tmp_path / "curves"
    curves = learning_curves_run(_cfg(), out, from_dir=runs)
    assert sorted(curves["nights"].to_list()) == [3, 7]
    assert pl.read_csv(out / "curves.csv").height == curves.height
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == "learning_curves"
    assert (out / "report" / "report.md").exists()


def test_an_out_holding_the_from_dir_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "curves"
    with output_dir(out, tool="learning_curves", config=None, overwrite=False):
        pass  # an earlier run of ours: overwrite=true may replace it, but not with an input inside
    inside = out / "benchmark"
    inside.mkdir()  # empty: reading it would fail with a ConfigError instead
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(OutputError, match="input"):
        learning_curves_run(_cfg("overwrite=true"), out, from_dir=inside)
    assert sorted(p.name for p in out.iterdir()) == before
