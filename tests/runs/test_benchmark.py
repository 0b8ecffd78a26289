"""``sim.runs.benchmark``: the files, manifest and report section of the mini benchmark
(``mini_result`` in tests/conftest.py); the CLI refuses bad input and writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
from omegaconf import OmegaConf

from sim.report import Report
from sim.report.benchmark import benchmark_section
from sim.runs.benchmark import write_benchmark

ROOT = Path(__file__).resolve().parents[2]


def test_write_benchmark_files_and_section(mini_result, tmp_path):
    out = write_benchmark(mini_result, tmp_path / "bench", config=OmegaConf.create({"x": 1}))
    assert (out / "config.yaml").read_text() == "x: 1\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == "benchmark" and manifest["config"] == {"x": 1}
    assert manifest["tables"]["predictions"]["rows"] == mini_result.predictions.height
    for name in ("leaderboard.csv", "leaderboard.md", "per_cause.csv", "folds.csv"):
        assert (out / name).stat().st_size > 0
    assert (out / "confusion" / "oracle.csv").exists()
    assert pl.read_parquet(out / "predictions.parquet").height == mini_result.predictions.height
    assert "± " in (out / "leaderboard.md").read_text()
    assert not list(tmp_path.glob(".bench.tmp-*"))
    section = benchmark_section(mini_result)
    families = {"dummy", "logistic", "hist_gradient_boosting", "oracle", "triage"}
    # one confusion matrix per model family
    assert len([f for f in section.figures if f.startswith("confusion_")]) == len(
        families & set(mini_result.models.filter(pl.col("status") == "ok")["family"]) | {"oracle"}
    )
    report = Report("t")
    report.add_section(section)
    assert "macro-F1" in report.write(tmp_path / "report").read_text()


def test_cli_refuses_bad_input_and_writes_nothing(tmp_path):
    out = tmp_path / "b"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.benchmark", "benchmark.folds=1", f"out={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: benchmark.folds=1 is invalid: expected an integer >= 2"
    ]
    assert not out.exists()
