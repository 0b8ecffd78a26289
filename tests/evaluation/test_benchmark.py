"""End-to-end mini benchmark: configs compose, models run, files are written, bad input is
refused with one line. Cohort: 600 presenting patients x 14 nights, seed 1, 3 folds
(``mini_result`` in tests/conftest.py; writing and the CLI: tests/runs/test_benchmark.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sim.config import LABELS, ConfigError, compose_config
from sim.evaluation import classifiers
from sim.evaluation.benchmark import BenchmarkSettings, benchmark_tables, run_benchmark
from sim.evaluation.classifiers import ModelUnavailable, load_classifiers, model_specs
from sim.report.benchmark import leaderboard_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_every_model_scored_on_every_fold(mini_result):
    board = mini_result.leaderboard()
    ok = board.filter(pl.col("status") == "ok")
    assert {"dummy", "logistic", "hist_gradient_boosting", "oracle"} <= set(ok["model"])
    assert (ok["n_folds"] == 3).all()
    assert mini_result.predictions.group_by("model").len()["len"].unique().to_list() == [600]
    for counts in mini_result.confusion.values():
        assert counts.sum() == 600
    # per-cause rows for every scored model and cause
    assert mini_result.per_cause().height == ok.height * len(mini_result.causes)


def test_models_beat_the_dummy(mini_result):
    """Tolerance: at 600 patients logistic regression and the oracle reach macro-F1 ~0.6-0.8;
    the dummy, which always says 'cramps', ~0.07. A margin of 0.3 cannot be noise."""
    f1 = dict(mini_result.leaderboard().select("model", "macro_f1_mean").iter_rows())
    assert f1["logistic"] > f1["dummy"] + 0.3
    assert f1["oracle"] > f1["dummy"] + 0.3
    assert mini_result.best() in {"logistic", "hist_gradient_boosting", "oracle"}
    assert mini_result.best(oracle=False) != "oracle"


def test_missing_model_is_skipped_with_a_note(presenting_600, monkeypatch):
    def unavailable(params):
        raise ModelUnavailable("sim.triage.RuleSetClassifier is not available yet (test)")

    monkeypatch.setattr(classifiers, "triage_estimator", unavailable)
    t = presenting_600
    specs = model_specs(load_classifiers(["dummy", "triage"]))
    result = benchmark_tables(
        t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=2)
    )
    board = result.leaderboard()
    skipped = board.filter(pl.col("status") == "skipped")
    assert set(skipped["model"]) == {"triage_clinical_pathway", "triage_symptoms_only"}
    assert board["model"][0] == "dummy"  # scored models first
    assert "not available yet" in leaderboard_markdown(result)


def test_parallel_folds_give_the_same_scores(presenting_600, mini_result):
    t = presenting_600
    specs = model_specs(load_classifiers(["logistic"]))
    parallel = benchmark_tables(
        t.patients, t.nights, t.measurements, specs, BenchmarkSettings(folds=3, n_jobs=2)
    )
    a = parallel.folds.sort("fold")["macro_f1"].to_numpy()
    b = mini_result.folds.filter(pl.col("model") == "logistic").sort("fold")["macro_f1"].to_numpy()
    assert np.allclose(a, b)


def _cfg(*overrides):
    return compose_config(
        [
            "cohort.n=300",
            "cohort.nights=7",
            "classifier=[dummy,logistic]",
            "benchmark.folds=2",
            "benchmark.n_jobs=1",
            "benchmark.progress=false",
            "out=unused",
            *overrides,
        ],
        config_name="benchmark",
    )


def test_cohort_without_some_causes_is_scored_on_the_causes_it_has():
    """Rule sets can name causes the cohort lacks; such predictions are simply wrong."""
    result = run_benchmark(
        _cfg("cohort.cause_mix={rls: 0.5, none: 0.5}", "classifier=[dummy,logistic,triage]")
    )
    assert result.causes == ["rls", "none"]
    assert (result.leaderboard()["status"] == "ok").all()
    assert set(result.per_cause()["cause"]) == {"rls", "none"}
    assert result.confusion["triage_clinical_pathway"].shape == (len(LABELS), len(LABELS))


def test_run_benchmark_from_config_with_noise_and_window():
    result = run_benchmark(_cfg("noise=high", "benchmark.window=5"))
    assert result.run["noise_level"] == 2.0
    assert result.run["nights"] == 5
    assert result.leaderboard()["n_patients"][0] == 300


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("benchmark.level=weekly", "benchmark.level='weekly' is invalid"),
        ("benchmark.folds=1", "benchmark.folds=1 is invalid"),
        ("benchmark.window=99", "benchmark.window=99 is invalid"),
        ("classifier.logistic.family=svm", "classifier.logistic.family='svm' is invalid"),
        ("classifier.logistic.params.C=-1", "classifier.logistic.params is invalid"),
        ("noise.level=-1", "noise.level=-1"),
    ],
)
def test_bad_config_is_one_clear_error(override, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        run_benchmark(_cfg(override))
