"""Background aches (sim/model/mechanisms/background.py): the law is deterministic; the
cohort checks state their seed, size and tolerance."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from sim.config import compose_config
from sim.model.mechanisms import background
from sim.pipeline import simulate_cohort
from tests.helpers import simulate_patients
from tests.model.mechanisms.conftest import rows


def _static(propensity: float, q) -> dict:
    """A patient's static fields as ``background.static`` builds them."""
    return {
        k: float(v[0])
        for k, v in background.static({"ache_propensity": [propensity]}, None, q, None).items()
    }


def test_everyone_has_it_at_a_rate_set_by_their_propensity(mp):
    assert background.active({"age": np.arange(5)}).all()
    q = mp.background
    s, _, d = rows({"ache_propensity": 1.0, "ache_pain_shift": 0.0})
    assert background.rate(s, d, 23.0, False, False, None, mp, 2.5) == (q.rate, 2.5, 0.0, q.rate)
    s, _, d = rows(_static(4.0, q))
    r, pain, offset, drive = background.rate(s, d, 23.0, False, False, None, mp, 2.5)
    assert r == drive == pytest.approx(4 * q.rate)
    assert pain == pytest.approx(2.5 + q.pain_per_log_propensity * math.log(4.0))
    s, _, d = rows(_static(1e6, q))  # the mean pain stays in its range
    assert background.rate(s, d, 23.0, False, False, None, mp, 2.5)[1] == q.pain_mean_range[1]


def test_the_propensity_has_mean_one_in_the_community():
    """General population, n=20000, seed 4: mean ache propensity 1 +- 0.03 (log SD 0.6:
    the standard error of the mean is about 0.005)."""
    p = simulate_patients("cohort.n=20000", "cohort.seed=4", "cohort.population=general")
    assert abs(p["ache_propensity"].mean() - 1.0) <= 0.03


def _controls(population: str) -> pl.DataFrame:
    cfg = compose_config(
        [
            "cohort.n=1500",
            "cohort.seed=3",
            "cohort.nights=28",
            f"cohort.population={population}",
            "cohort.cause_mix={none:1.0}",
        ]
    )
    r = simulate_cohort(cfg)
    return r.nights.group_by("patient_id").agg(
        (pl.col("pain_score") > 0).mean().alias("symptomatic"),
        pl.col("pain_score").max().alias("max_pain"),
    )


def test_controls_who_presented_have_real_aches():
    """DOMAIN.md / issue 13: in ``population=presenting``, ``none`` means no identified
    cause, people who came with real non-specific aches. 1500 controls x 28 nights, seed 3:
    presenting controls are symptomatic on a median 25-60% of nights with a median worst
    pain of 5 or more; community controls on at most 20% with a worst pain of 4 or less
    (with the presented propensity set to the community's, both would look alike)."""
    presented, community = _controls("presenting"), _controls("general")
    assert 0.25 <= presented["symptomatic"].median() <= 0.60
    assert presented["max_pain"].median() >= 5
    assert community["symptomatic"].median() <= 0.20
    assert community["max_pain"].median() <= 4
