"""``sim.report.benchmark``: the demo's classifier sections on a cohort in memory."""

from __future__ import annotations

from sim.config import compose_config
from sim.report.benchmark import demo_sections


def test_demo_sections_on_a_cohort_in_memory(presenting_600):
    """The demo's hook: benchmark and curves on the demo cohort, the grid cut to its size."""
    t = presenting_600  # 600 patients x 14 nights
    cfg = compose_config(
        [
            "cohort.n=600",
            "cohort.nights=14",
            "cohort.seed=1",
            "classifier=[dummy,logistic]",
            "benchmark.folds=3",
            "benchmark.n_jobs=1",
            "benchmark.progress=false",
            "curves.sizes=[200,5000]",
            "curves.nights=[3,28]",
            "curves.noise_levels=[0]",
            "curves.n_reference=400",
            "out=unused",
        ],
        config_name="benchmark",
    )
    bench, curves = demo_sections(cfg, t.patients, t.nights.lazy(), t.measurements)
    assert "macro-F1" in bench.text and "confusion_logistic.png" in bench.figures
    # sizes 200 and 600 (5000 clipped to the cohort), nights 3 and 14 (28 clipped) at 400
    assert set(curves.figures) == {"curve_n_patients.png", "curve_nights.png"}
    assert "| model | 200 | 400 | 600 |" in curves.text  # 400: the nights curve's cohort
    assert "| model | 3 | 14 |" in curves.text
