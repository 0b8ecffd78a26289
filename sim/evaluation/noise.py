"""Observation noise: what a real diary and a real clinic would add to the simulator's output.

Usage::

    nights, measurements = add_observation_noise(nights, measurements, noise, seed=0)

This is post-processing of the *observed* tables, applied before features are built; the
model and the truth columns are untouched, so a noise sweep asks "how much worse do the
classifiers get when patients misreport and tests are imprecise?". ``noise.level`` scales
every component at once (0 = the simulator's own output, returned unchanged; 1 = the
scales in ``sim.config.NoiseConfig``, all assumptions):

- clinic tests: continuous results multiplied by ``exp(N(0, level * measurement_cv))``;
  straight-leg raise and nerve conduction results flipped with ``level * test_flip_prob``;
- diary, symptomatic nights only: each yes/no flag flipped with
  ``level * diary_flag_flip_prob``; quality, location and side replaced by a uniformly drawn
  category with ``level * category_swap_prob``; pain moved by a rounded
  ``N(0, level * pain_sd)`` (kept within 1-10, so symptom presence is not changed); onset
  moved by ``N(0, level * onset_sd_min)`` minutes (kept within the night);
- missing diary days: each night after the first dropped with ``level * missing_night_prob``
  (capped at 0.9).

Draws are counter-based (a splitmix64 hash of seed, stream name, patient id and night), so
a patient's noise depends only on those, never on cohort size or row order: the common
random numbers contract of ``sim.rng`` holds for noisy cohorts too.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import polars as pl
from omegaconf import OmegaConf
from scipy.special import ndtri

from sim.config import ConfigError
from sim.evaluation.features import DIARY_FLAGS, MEASUREMENT_VALUES
from sim.rng import stream_key
from sim.tables.schema import columns

DIARY_CATEGORIES = ("quality", "location", "side")
MAX_MISSING_NIGHT_PROB = 0.9

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (x ^ (x >> np.uint64(31))) & _MASK64


def hashed_uniform(seed: int, stream: str, patient_id: np.ndarray, night: np.ndarray) -> np.ndarray:
    """Uniforms in (0, 1) that depend only on (seed, stream, patient id, night)."""
    with np.errstate(over="ignore"):
        key = _splitmix64(
            np.uint64(seed) * np.uint64(0x100000001B3) + np.uint64(stream_key(stream))
        )
        x = key ^ (
            np.asarray(patient_id, dtype=np.uint64) * np.uint64(0x9E3779B1)
            + (np.asarray(night, dtype=np.uint64) << np.uint64(40))
        )
    bits = _splitmix64(_splitmix64(x)) >> np.uint64(11)  # 53 random bits
    return (bits.astype(np.float64) + 0.5) / 2.0**53


def _normal(seed: int, stream: str, patient_id: np.ndarray, night: np.ndarray) -> np.ndarray:
    return ndtri(hashed_uniform(seed, stream, patient_id, night))


def check_noise(noise: Any) -> None:
    """Every noise setting must be a number >= 0 (ConfigError naming the key otherwise)."""
    values = OmegaConf.to_container(noise) if OmegaConf.is_config(noise) else asdict(noise)
    for name, value in values.items():
        try:
            ok = float(value) >= 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"noise.{name}={value!r} is invalid: expected a number >= 0")


def _scale(noise: Any, name: str) -> float:
    """A noise component at the configured level (``noise`` is a NoiseConfig or its DictConfig)."""
    return float(noise.level) * float(getattr(noise, name))


def noisy_nights(nights: pl.DataFrame, noise: Any, *, seed: int) -> pl.DataFrame:
    """The nights table with diary misreporting and missing days (see the module docstring)."""
    if float(noise.level) <= 0 or nights.height == 0:
        return nights
    pid = nights["patient_id"].to_numpy()
    night = nights["night"].to_numpy()
    symptomatic = nights["pain_score"].to_numpy() > 0

    def draw(stream: str) -> np.ndarray:
        return hashed_uniform(seed, f"noise.{stream}", pid, night)

    updates: list[pl.Series] = []
    flip = _scale(noise, "diary_flag_flip_prob")
    for flag in DIARY_FLAGS:
        if flag in nights.columns:
            hit = symptomatic & (draw(flag) < flip)
            updates.append(pl.Series(flag, nights[flag].to_numpy() ^ hit))
    swap = _scale(noise, "category_swap_prob")
    schema = {c.name: c for c in columns("nights")}
    for name in DIARY_CATEGORIES:
        if name not in nights.columns:
            continue
        categories = schema[name].categories
        hit = symptomatic & (draw(f"{name}.swap") < swap)
        pick = np.asarray(categories)[(draw(f"{name}.pick") * len(categories)).astype(int)]
        updates.append(
            nights.select(
                pl.when(pl.Series(hit))
                .then(pl.Series(pick))
                .otherwise(pl.col(name).cast(pl.String))
            )
            .to_series()
            .cast(nights.schema[name])
            .alias(name)
        )
    pain = nights["pain_score"].to_numpy().astype(float)
    pain_noisy = np.clip(
        np.rint(pain + _scale(noise, "pain_sd") * _normal(seed, "noise.pain", pid, night)), 1, 10
    )
    updates.append(
        pl.Series("pain_score", np.where(symptomatic, pain_noisy, pain)).cast(
            nights.schema["pain_score"]
        )
    )
    onset = nights["onset_min"].to_numpy().astype(float)
    in_bed = nights["time_in_bed_min"].to_numpy().astype(float)
    shifted = np.clip(
        onset + _scale(noise, "onset_sd_min") * _normal(seed, "noise.onset", pid, night), 0, in_bed
    )
    updates.append(
        pl.Series("onset_min", np.where(np.isnan(onset), np.nan, shifted), nan_to_null=True).cast(
            nights.schema["onset_min"]
        )
    )
    out = nights.with_columns(updates)
    missing = min(_scale(noise, "missing_night_prob"), MAX_MISSING_NIGHT_PROB)
    keep = (night == 0) | (draw("missing_night") >= missing)
    return out.filter(pl.Series(keep))


def noisy_measurements(measurements: pl.DataFrame, noise: Any, *, seed: int) -> pl.DataFrame:
    """The measurements table with imprecise tests (see the module docstring)."""
    if float(noise.level) <= 0 or measurements.height == 0:
        return measurements
    pid = measurements["patient_id"].to_numpy()
    visit = np.zeros_like(pid)
    updates: list[pl.Series] = []
    cv = _scale(noise, "measurement_cv")
    flip = _scale(noise, "test_flip_prob")
    for test in MEASUREMENT_VALUES:
        if test not in measurements.columns:
            continue
        if measurements.schema[test] == pl.Boolean:  # a positive/abnormal result
            hit = pl.Series(hashed_uniform(seed, f"noise.{test}", pid, visit) < flip)
            updates.append(
                measurements.select(
                    pl.when(hit).then(~pl.col(test)).otherwise(pl.col(test)).alias(test)
                ).to_series()
            )
        else:
            factor = np.exp(cv * _normal(seed, f"noise.{test}", pid, visit))
            updates.append((measurements[test] * pl.Series(factor)).cast(measurements.schema[test]))
    return measurements.with_columns(updates)


def add_observation_noise(
    nights: pl.DataFrame,
    measurements: pl.DataFrame | None,
    noise: Any,
    *,
    seed: int,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Noisy copies of the observed tables (the same objects when ``noise.level`` is 0)."""
    noisy_m = None if measurements is None else noisy_measurements(measurements, noise, seed=seed)
    return noisy_nights(nights, noise, seed=seed), noisy_m
