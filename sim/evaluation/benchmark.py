"""The classifier benchmark: how well models tell the causes apart, by cross-validation.

Usage::

    result = run_benchmark(compose_config(["out=runs/b"], config_name="benchmark"))
    result.leaderboard()                        # one row per model: mean and sd over folds

    # on tables already in memory (e.g. the demo's cohort):
    specs = model_specs(load_classifiers(["dummy", "logistic", "oracle"]))
    result = benchmark_tables(patients, nights, measurements, specs, BenchmarkSettings(folds=3))

Folds come from ``StratifiedGroupKFold`` with the patient as the group, so no patient is in
two folds, also when each row is a night (``level=night``); every model sees the same folds.
Features are the observed ones of ``sim.evaluation.features`` (the oracle adds
``sim.evaluation.latent``); a name check refuses any truth column before anything is fitted.
Metrics per fold are those of ``sim.evaluation.metrics``; the leaderboard gives their mean
and standard deviation over folds, the confusion matrices pool the out-of-fold predictions.
"""

from __future__ import annotations

import inspect
import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from joblib import Parallel, delayed
from omegaconf import DictConfig
from sklearn.base import clone
from sklearn.model_selection import StratifiedGroupKFold
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from sim.config import LABELS, Cohort, ConfigError, _positive_int, validate
from sim.evaluation.classifiers import (
    PATIENT_ONLY_FAMILIES,
    ModelSpec,
    ModelUnavailable,
    build_estimator,
    model_specs,
)
from sim.evaluation.features import night_features, patient_features
from sim.evaluation.latent import latent_features
from sim.evaluation.leakage import find_leaks, format_leaks
from sim.evaluation.metrics import HEADLINE_METRICS, confusion_counts, score_predictions
from sim.evaluation.noise import add_observation_noise, check_noise
from sim.pipeline import simulate_cohort

LEVELS = ("patient", "night")
RUN_COLUMNS = (
    "level",
    "n_patients",
    "nights",
    "noise_level",
    "cause_mix",
    "population",
    "seed",
    "folds",
    "seconds",
)
"""Run descriptors copied into every leaderboard row (what the learning curves plot)."""


class LeakageError(RuntimeError):
    """A truth column reached the features; nothing is fitted."""


@dataclass(frozen=True)
class BenchmarkSettings:
    """How models are compared (validated ``benchmark`` config node)."""

    folds: int = 5
    level: str = "patient"
    window: int | None = None
    seed: int = 0
    calibration_bins: int = 15
    progress: bool = False
    n_jobs: int = 1
    """Folds fitted at once in separate processes (0 = one per core)."""


def benchmark_settings(cfg: DictConfig) -> BenchmarkSettings:
    """Validate ``cfg.benchmark``; raise ConfigError naming the bad key."""
    b = cfg.benchmark
    if b.level not in LEVELS:
        raise ConfigError(
            f"benchmark.level={b.level!r} is invalid: expected one of {', '.join(LEVELS)}"
        )
    window = None if b.window is None else _positive_int(b.window, "benchmark.window")
    return BenchmarkSettings(
        folds=_positive_int(b.folds, "benchmark.folds", minimum=2),
        level=str(b.level),
        window=window,
        seed=_positive_int(b.seed, "benchmark.seed", minimum=0),
        calibration_bins=_positive_int(b.calibration_bins, "benchmark.calibration_bins"),
        progress=bool(b.progress),
        n_jobs=_positive_int(b.n_jobs, "benchmark.n_jobs", minimum=0),
    )


# --------------------------------------------------------------------------------------
# data: features, labels, folds
# --------------------------------------------------------------------------------------
@dataclass
class Dataset:
    """Rows to classify: keys, observed features, labels (primary cause as text)."""

    keys: pl.DataFrame
    """``patient_id`` (and ``night`` at night level), one row per row of ``features``."""
    features: pl.DataFrame
    """Observed feature columns only."""
    y: np.ndarray
    causes: list[str]
    """The causes present, in ``sim.config.LABELS`` order (what is scored and averaged)."""
    patients: pl.DataFrame
    _observed: np.ndarray | None = None
    _latent: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    def matrix(self, spec: ModelSpec) -> np.ndarray | pl.DataFrame:
        """What ``spec``'s estimator is given: a named frame for rule sets, else floats
        (float32 at night level, where the matrix is large) without all-missing columns."""
        if spec.takes_frame:
            return self.features
        if self._observed is None:
            dtype = np.float32 if "night" in self.keys.columns else np.float64
            # A feature missing for everyone (a trend over a one-night diary) says nothing,
            # and gradient boosting cannot bin it.
            informative = [
                c
                for c in self.features.columns
                if self.features[c].null_count() < self.features.height
            ]
            self._observed = _floats(self.features.select(informative), dtype)
        if not spec.is_oracle:
            return self._observed
        if spec.latent_exclude not in self._latent:
            latent = latent_features(self.patients, exclude=spec.latent_exclude)
            rows = self.keys.select("patient_id").join(latent, on="patient_id", how="left")
            self._latent[spec.latent_exclude] = _floats(
                rows.drop("patient_id"), self._observed.dtype
            )
        return np.hstack([self._observed, self._latent[spec.latent_exclude]])


def _floats(df: pl.DataFrame, dtype: Any) -> np.ndarray:
    return (
        df.select([pl.col(c).cast(pl.Float64).fill_null(np.nan) for c in df.columns])
        .to_numpy()
        .astype(dtype, copy=False)
    )


def build_dataset(
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    measurements: pl.DataFrame | None,
    *,
    level: str = "patient",
    window: int | None = None,
) -> Dataset:
    """Observed features and labels at ``level`` over the first ``window`` nights."""
    if level == "patient":
        X = patient_features(patients, nights, measurements, window=window)
        keys = ["patient_id"]
    else:
        if window is not None:
            nights = nights.filter(pl.col("night") < window)
        X = night_features(patients, nights, measurements)
        keys = ["patient_id", "night"]
    leaks = find_leaks(X, patients, checks=("name",))
    if leaks:
        raise LeakageError("truth reached the features:\n" + format_leaks(leaks))
    y = (
        X.select("patient_id")
        .join(patients.select("patient_id", "primary_cause"), on="patient_id", how="left")[
            "primary_cause"
        ]
        .cast(pl.String)
        .to_numpy()
    )
    present = set(y)
    return Dataset(
        keys=X.select(keys),
        features=X.drop(keys),
        y=y,
        causes=[c for c in LABELS if c in present],
        patients=patients,
    )


def assign_folds(groups: np.ndarray, y: np.ndarray, *, folds: int, seed: int) -> np.ndarray:
    """Fold number of every row: stratified by label, all rows of a group in one fold."""
    n_groups = len(np.unique(groups))
    if n_groups < folds:
        raise ConfigError(
            f"benchmark.folds={folds} is invalid: the cohort has only {n_groups} patients"
        )
    out = np.full(len(y), -1, dtype=np.int16)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y, groups)):
        out[test] = k
    return out


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass
class BenchmarkResult:
    """Everything a benchmark produced (``sim.runs.benchmark.write_benchmark`` writes it)."""

    models: pl.DataFrame
    """One row per configured model: key, label, family, features, status, note."""
    folds: pl.DataFrame
    """One row per (model, fold): every metric of ``score_predictions`` and fit seconds."""
    confusion: dict[str, np.ndarray]
    """Model -> pooled out-of-fold counts (rows true, columns predicted, ``labels`` order)."""
    predictions: pl.DataFrame
    """Out-of-fold predictions: keys, fold, model, true, predicted, confidence."""
    labels: list[str]
    """Every cause a model may predict (``sim.config.LABELS``): the columns of probabilities
    and confusion matrices."""
    causes: list[str]
    """The causes present in the cohort: per-cause scores, macro averages."""
    run: dict[str, Any]
    """Run descriptors (``RUN_COLUMNS``) and ``seconds`` (wall time)."""

    def leaderboard(self) -> pl.DataFrame:
        """Mean and sd over folds of each headline metric and fit time, best macro-F1 first;
        skipped models last, with their note. Run descriptors are repeated on every row."""
        metrics = [*HEADLINE_METRICS, "fit_s"]
        if self.folds.height:
            summary = self.folds.group_by("model").agg(
                pl.len().alias("n_folds"),
                *[pl.col(m).mean().alias(f"{m}_mean") for m in metrics],
                *[pl.col(m).std().alias(f"{m}_sd") for m in metrics],
            )
        else:  # every model was skipped
            stats = {f"{m}_{s}": pl.Float64 for s in ("mean", "sd") for m in metrics}
            summary = pl.DataFrame(schema={"model": pl.String, "n_folds": pl.UInt32, **stats})
        board = self.models.join(summary, on="model", how="left")
        run = {c: self.run.get(c) for c in RUN_COLUMNS}
        return board.sort(
            [pl.col("status") != "ok", pl.col("macro_f1_mean")],
            descending=[False, True],
            nulls_last=True,
        ).with_columns(
            *[pl.lit(v).alias(k) for k, v in run.items()],
        )

    def per_cause(self) -> pl.DataFrame:
        """Recall and precision of each cause by model (leaderboard order): mean and sd over
        folds, and support (patients or nights with that cause, all folds)."""
        rows = []
        order = self.leaderboard().filter(pl.col("status") == "ok")["model"].to_list()
        for model in order:
            group = self.folds.filter(pl.col("model") == model)
            for cause in self.causes:
                rows.append(
                    {
                        "model": model,
                        "cause": cause,
                        "recall_mean": group[f"recall_{cause}"].mean(),
                        "recall_sd": group[f"recall_{cause}"].std(),
                        "precision_mean": group[f"precision_{cause}"].mean(),
                        "precision_sd": group[f"precision_{cause}"].std(),
                        "support": int(group[f"support_{cause}"].sum()),
                    }
                )
        return pl.DataFrame(rows)

    def best(self, *, family: str | None = None, oracle: bool | None = None) -> str | None:
        """Key of the best model by mean macro-F1 (optionally within a family)."""
        board = self.leaderboard().filter(pl.col("status") == "ok")
        if family is not None:
            board = board.filter(pl.col("family") == family)
        if oracle is not None:
            board = board.filter((pl.col("features") == "observed+latent") == oracle)
        return board["model"][0] if board.height else None


# --------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------
def _aligned_proba(classes: np.ndarray, proba: np.ndarray, labels: list[str]) -> np.ndarray:
    """Probabilities in ``labels`` order (a label a model cannot output gets 0), as float64
    rows summing to 1 (models fitted on float32 features return float32 probabilities)."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((proba.shape[0], len(labels)))
    for j, cls in enumerate(classes):
        out[:, index[str(cls)]] = proba[:, j]
    return out / out.sum(axis=1, keepdims=True)


def _early_stopping_rows(
    estimator: Any, y: np.ndarray, train: np.ndarray, groups: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows to fit on and, if needed, validation rows for early stopping.

    With one row per night, the random validation split of gradient boosting would keep each
    validation patient's other nights in training, so early stopping would reward
    remembering patients. When rows are nights, and the estimator stops early and accepts
    ``X_val``, its validation rows are whole patients (stratified by cause) instead. With
    one row per patient its own stratified split is kept, unless a cause has a single
    training row (a rare cause in a small cohort: critical-ischaemia PAD is 0.2% of the
    presenting cohort), which that split refuses; then ``_holdout`` stratifies the causes
    with two rows or more and keeps the single ones in the fit.
    """
    params = estimator.get_params()
    stops = params.get("early_stopping") is True
    if not stops or "X_val" not in inspect.signature(estimator.fit).parameters:
        return train, None
    if groups is None:
        _, counts = np.unique(y[train], return_counts=True)
        if counts.min() >= 2:
            return train, None
        return _holdout(train, y, params["validation_fraction"], seed)
    splits = max(2, round(1 / params["validation_fraction"]))
    splitter = StratifiedGroupKFold(n_splits=splits, shuffle=True, random_state=seed)
    fit, val = next(splitter.split(np.zeros(len(train)), y[train], groups[train]))
    fit, val = train[fit], train[val]
    # A cause whose only patients fell in the validation rows goes back to the fit (the
    # estimator refuses validation labels it was not fitted on).
    unseen = ~np.isin(y[val], y[fit])
    if unseen.any():
        fit, val = np.sort(np.concatenate([fit, val[unseen]])), val[~unseen]
    return fit, val


def _holdout(
    train: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A stratified validation share of ``train`` (at least one row of each cause with two
    or more rows); causes with a single row stay in the fit."""
    rng = np.random.default_rng(seed)
    val = []
    for cause in np.unique(y[train]):
        rows = train[y[train] == cause]
        if len(rows) >= 2:
            k = min(len(rows) - 1, max(1, round(fraction * len(rows))))
            val.append(rng.choice(rows, size=k, replace=False))
    if not val:  # every cause a single row: nothing to hold out
        return train, train[:0]
    held = np.sort(np.concatenate(val))
    return np.setdiff1d(train, held), held


MIN_SEEN_IN_FIT = 10
"""Fewest training rows in which a feature must be present for a fold to use it. A column
present for a handful of patients (a rare drug's dose in a small cohort) can be missing in
all of a fold's training rows, or in all rows of gradient boosting's own training split,
and gradient boosting cannot bin a column with no value (the chance that ten or more
values all fall in its 10% validation split is below 1e-10)."""


def _seen_columns(X: np.ndarray) -> np.ndarray:
    """Columns of ``X`` with at least ``MIN_SEEN_IN_FIT`` values (all, when ``X`` has
    fewer rows than that)."""
    seen = (~np.isnan(X)).sum(axis=0)
    return seen >= min(MIN_SEEN_IN_FIT, X.shape[0])


def _fit_fold(
    template: Any,
    X: Any,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    labels: list[str],
    groups: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Fit a fresh clone on ``train`` (one thread) and return test probabilities and fit
    time. ``groups`` (patient of each row) is given when rows are nights."""
    with threadpool_limits(limits=1):
        estimator = clone(template)
        fit_rows, val_rows = _early_stopping_rows(estimator, y, train, groups, seed)
        if isinstance(X, np.ndarray):
            keep = _seen_columns(X[fit_rows])
            if not keep.all():  # copy the matrix only when a column must go
                X = X[:, keep]
        extra = {} if val_rows is None else {"X_val": X[val_rows], "y_val": y[val_rows]}
        t0 = time.perf_counter()
        estimator.fit(X[fit_rows], y[fit_rows], **extra)
        fit_s = time.perf_counter() - t0
        proba = estimator.predict_proba(X[test])
    return _aligned_proba(estimator.classes_, proba, labels), fit_s


def benchmark_tables(
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
    specs: list[ModelSpec],
    settings: BenchmarkSettings = BenchmarkSettings(),
    *,
    run: dict[str, Any] | None = None,
) -> BenchmarkResult:
    """Cross-validate every model of ``specs`` on the given (observed-noise-applied) tables."""
    t0 = time.perf_counter()
    if isinstance(nights, pl.LazyFrame):  # e.g. pl.scan_parquet("out/nights/*.parquet")
        nights = nights.collect()
    data = build_dataset(
        patients, nights, measurements, level=settings.level, window=settings.window
    )
    fold_of = assign_folds(
        data.keys["patient_id"].to_numpy(), data.y, folds=settings.folds, seed=settings.seed
    )
    model_rows, runnable = [], []
    for spec in specs:
        status, note = "ok", ""
        if settings.level == "night" and spec.family in PATIENT_ONLY_FAMILIES:
            status, note = "skipped", f"{spec.family} works on patient aggregates only"
        else:
            try:
                runnable.append((spec, build_estimator(spec, seed=settings.seed)))
            except ModelUnavailable as exc:
                status, note = "skipped", str(exc)
        model_rows.append(
            {
                "model": spec.key,
                "label": spec.label,
                "family": spec.family,
                "features": spec.features,
                "status": status,
                "note": note,
            }
        )
    splits = [
        (np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(settings.folds)
    ]
    groups = data.keys["patient_id"].to_numpy() if settings.level == "night" else None
    tasks = [
        (
            spec,
            k,
            delayed(_fit_fold)(
                template, data.matrix(spec), data.y, *splits[k], list(LABELS), groups, settings.seed
            ),
        )
        for spec, template in runnable
        for k in range(settings.folds)
    ]
    n_jobs = settings.n_jobs or os.cpu_count() or 1
    outputs = Parallel(n_jobs=min(n_jobs, max(len(tasks), 1)), return_as="generator")(
        task for _, _, task in tasks
    )
    fold_rows: list[dict[str, Any]] = []
    prediction_frames: list[pl.DataFrame] = []
    predicted_all: dict[str, np.ndarray] = {}
    bar = tqdm(total=len(tasks), desc="benchmark", unit="fit", disable=not settings.progress)
    for (spec, k, _), (proba, fit_s) in zip(tasks, outputs, strict=True):
        test = splits[k][1]
        scores = score_predictions(
            data.y[test],
            proba,
            LABELS,
            causes=data.causes,
            calibration_bins=settings.calibration_bins,
        )
        fold_rows.append({"model": spec.key, "fold": k, "fit_s": fit_s, **scores})
        predicted = np.asarray(LABELS)[proba.argmax(axis=1)]
        predicted_all.setdefault(spec.key, np.empty(len(data.y), dtype=object))[test] = predicted
        prediction_frames.append(
            data.keys[test].with_columns(
                pl.lit(k, pl.Int16).alias("fold"),
                pl.lit(spec.key).alias("model"),
                pl.Series("true", data.y[test]),
                pl.Series("predicted", predicted),
                pl.Series("confidence", proba.max(axis=1)),
            )
        )
        bar.set_postfix_str(f"{spec.key} fold {k + 1}/{settings.folds}")
        bar.update()
    bar.close()
    confusion = {
        model: confusion_counts(data.y, predicted.astype(str), LABELS)
        for model, predicted in predicted_all.items()
    }
    run = dict(run or {})
    run.setdefault("level", settings.level)
    run.setdefault("n_patients", int(data.keys["patient_id"].n_unique()))
    run.setdefault("nights", settings.window or int(nights["night"].max()) + 1)
    run.setdefault("folds", settings.folds)
    run.setdefault("seed", settings.seed)
    run["seconds"] = time.perf_counter() - t0
    return BenchmarkResult(
        models=pl.DataFrame(model_rows),
        folds=pl.DataFrame(fold_rows) if fold_rows else pl.DataFrame({"model": [], "fold": []}),
        confusion=confusion,
        predictions=pl.concat(prediction_frames) if prediction_frames else pl.DataFrame(),
        labels=list(LABELS),
        causes=data.causes,
        run=run,
    )


def describe_mix(mix: Any) -> str:
    """A cause mix as one short string (preset name or ``cause=share,...``)."""
    if isinstance(mix, str):
        return mix
    return ",".join(f"{k}={float(v):g}" for k, v in dict(mix).items())


def validate_benchmark(cfg: DictConfig) -> tuple[Cohort, BenchmarkSettings, list[ModelSpec]]:
    """Check every key a benchmark reads (cohort, benchmark, classifier, noise); ConfigError
    naming the first bad one."""
    cohort = validate(cfg)
    settings = benchmark_settings(cfg)
    specs = model_specs(cfg.classifier)
    check_noise(cfg.noise)
    if settings.window is not None and settings.window > cohort.nights:
        raise ConfigError(
            f"benchmark.window={settings.window} is invalid: expected at most "
            f"cohort.nights={cohort.nights}"
        )
    return cohort, settings, specs


def run_descriptors(cfg: DictConfig, *, window: int | None = None) -> dict[str, Any]:
    """What a run is, for the leaderboard rows: cohort size, nights, noise, mix, population."""
    cohort = validate(cfg)
    return {
        "n_patients": cohort.n,
        "nights": window or cohort.nights,
        "noise_level": float(cfg.noise.level),
        "cause_mix": describe_mix(cohort.cause_mix),
        "population": cohort.population,
    }


def benchmark_config_tables(
    cfg: DictConfig,
    patients: pl.DataFrame,
    nights: pl.DataFrame | pl.LazyFrame,
    measurements: pl.DataFrame | None,
) -> BenchmarkResult:
    """Benchmark ``cfg.classifier`` with ``cfg.benchmark`` settings on tables already
    simulated for ``cfg`` (e.g. the demo's cohort), after adding ``cfg.noise``."""
    t0 = time.perf_counter()
    cohort, settings, specs = validate_benchmark(cfg)
    if isinstance(nights, pl.LazyFrame):
        nights = nights.collect()
    nights, measurements = add_observation_noise(nights, measurements, cfg.noise, seed=cohort.seed)
    run = run_descriptors(cfg, window=settings.window)
    result = benchmark_tables(patients, nights, measurements, specs, settings, run=run)
    result.run["seconds"] = time.perf_counter() - t0
    return result


def run_benchmark(cfg: DictConfig) -> BenchmarkResult:
    """Simulate the cohort of ``cfg``, add observation noise, and benchmark ``cfg.classifier``.

    Everything is validated before the simulation starts.
    """
    t0 = time.perf_counter()
    validate_benchmark(cfg)
    tables = simulate_cohort(cfg)
    result = benchmark_config_tables(cfg, tables.patients, tables.nights, tables.measurements)
    result.run["seconds"] = time.perf_counter() - t0
    return result
