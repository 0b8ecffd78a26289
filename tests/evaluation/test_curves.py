"""Learning curves: the grid, its lines, and a tiny in-process run with its report section."""

from __future__ import annotations

import polars as pl

from sim.config import compose_config
from sim.evaluation.benchmark import BenchmarkSettings, benchmark_tables
from sim.evaluation.classifiers import load_classifiers, model_specs
from sim.evaluation.curves import collect_runs, curve_lines, curve_points, learning_curves
from sim.report.benchmark import learning_curve_section
from sim.runs.benchmark import write_benchmark

TINY = [
    "curves.sizes=[150,300]",
    "curves.nights=[3,7]",
    "curves.noise_levels=[0,1]",
    "curves.cause_mixes=[population]",
    "curves.n_reference=150",
    "classifier=[dummy,logistic]",
    "curves.folds=2",
    "benchmark.n_jobs=1",
    "benchmark.progress=false",
    "out=unused",
]


def test_grid_holds_other_axes_at_their_reference():
    cfg = compose_config(TINY, config_name="learning_curves")
    points = curve_points(cfg)
    assert {(p["n"], p["nights"], p["noise_level"]) for p in points} == {
        (150, 7, 0.0),
        (300, 7, 0.0),
        (150, 3, 0.0),
        (150, 7, 1.0),
    }


def test_tiny_learning_curves_and_section():
    curves = learning_curves(compose_config(TINY, config_name="learning_curves"))
    assert set(curves["n_patients"]) == {150, 300}
    lines = dict(curve_lines(curves, "nights"))
    assert set(lines) == {"dummy", "logistic"}
    assert lines["logistic"]["nights"].to_list() == [3, 7]
    section = learning_curve_section(curves)
    assert set(section.figures) == {
        "curve_n_patients.png",
        "curve_nights.png",
        "curve_noise_level.png",
    }
    assert "macro-F1 vs diary nights observed" in section.text


def test_lines_name_the_context_when_it_varies():
    rows = [
        {
            "model": "m",
            "status": "ok",
            "n_patients": n,
            "nights": w,
            "noise_level": 0.0,
            "cause_mix": "population",
            "macro_f1_mean": 0.5,
            "macro_f1_sd": 0.1,
        }
        for n in (100, 200)
        for w in (7, 28)
    ]
    names = [name for name, _ in curve_lines(pl.DataFrame(rows), "n_patients")]
    assert names == ["m (nights=7)", "m (nights=28)"]


def test_collect_runs_reads_multirun_folders(presenting_600, tmp_path):
    t = presenting_600
    specs = model_specs(load_classifiers(["dummy"]))
    for window in (3, 7):
        result = benchmark_tables(
            t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=2, window=window)
        )
        write_benchmark(result, tmp_path / f"benchmark.window={window},classifier=[dummy]")
    curves = collect_runs(tmp_path)
    assert sorted(curves["nights"].to_list()) == [3, 7]
    assert [name for name, _ in curve_lines(curves, "nights")] == ["dummy"]
