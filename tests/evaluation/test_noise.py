"""Observation noise: off at level 0, bounded, and a patient's noise is common random numbers."""

from __future__ import annotations

import numpy as np
import polars as pl

from sim.config import NoiseConfig
from sim.evaluation.noise import add_observation_noise, hashed_uniform


def test_level_zero_is_the_identity(presenting_600):
    t = presenting_600
    nights, measurements = add_observation_noise(t.nights, t.measurements, NoiseConfig(), seed=0)
    assert nights is t.nights and measurements is t.measurements


def test_noise_changes_only_what_it_should(presenting_600):
    t = presenting_600
    nights, measurements = add_observation_noise(
        t.nights, t.measurements, NoiseConfig(level=1.0), seed=0
    )
    # about 10% of nights after the first go missing (seed 0, 8,400 nights: 5-15%)
    dropped = 1 - nights.height / t.nights.height
    assert 0.05 < dropped < 0.15
    assert nights.filter(pl.col("night") == 0).height == t.patients.height
    joined = t.nights.join(nights, on=["patient_id", "night"], suffix="_noisy")
    # symptom presence is never changed; pain stays within 1-10 on symptomatic nights
    assert ((joined["pain_score"] > 0) == (joined["pain_score_noisy"] > 0)).all()
    assert joined.filter(pl.col("pain_score") > 0)["pain_score_noisy"].is_between(1, 10).all()
    assert (joined["pain_score"] != joined["pain_score_noisy"]).any()
    # flags are only flipped on symptomatic nights
    quiet = joined.filter(pl.col("pain_score") == 0)
    assert (quiet["urge_to_move"] == quiet["urge_to_move_noisy"]).all()
    # tests: same missingness, different values
    assert measurements["abi"].is_null().equals(t.measurements["abi"].is_null())
    assert not measurements["abi"].equals(t.measurements["abi"])
    # the truth columns are untouched
    assert joined["potassium_mmol_l"].equals(joined["potassium_mmol_l_noisy"])


def test_noise_depends_only_on_seed_patient_and_night():
    ids = np.arange(100)
    nights = np.full(100, 3)
    a = hashed_uniform(7, "noise.pain", ids, nights)
    b = hashed_uniform(7, "noise.pain", ids[::-1], nights)[::-1]  # other order, same draws
    assert np.array_equal(a, b)
    assert not np.array_equal(a, hashed_uniform(8, "noise.pain", ids, nights))
    assert not np.array_equal(a, hashed_uniform(7, "noise.onset", ids, nights))
    # uniform enough: mean 0.5 +- 0.01 and no duplicates over 100,000 draws (seed 7)
    many = hashed_uniform(7, "noise.pain", np.arange(100_000), np.zeros(100_000))
    assert abs(many.mean() - 0.5) < 0.01 and np.unique(many).size == many.size
    assert 0 < many.min() and many.max() < 1
