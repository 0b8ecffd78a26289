"""Periodic limb movements in sleep from a sleep study (issue 14, item 3; DOMAIN.md
"Diaries": common in restless legs, not specific to it).

Presenting cohort, 20,000 x 28 nights, seed 5, every test done (``measurements.order=all``):
- with restless legs, 80-92% have 5 or more an hour on the study night (measured 0.86;
  Montplaisir 1997: 80% on one night); without, under half (measured 0.35), and at 65 and
  over without restless legs 10-30% have 15 or more (measured 0.17): it is not specific;
- one-vs-rest AUC for restless legs (primary) between 0.75 and 0.95 (measured 0.87);
- without the restless-legs effect (factors 1 and 0) the first check fails.
With the clinic's orders (``order=clinic``) the study is done mostly for an urge to move on
most nights: at least 3 times as often in people with restless legs.
"""

from __future__ import annotations

import polars as pl

from sim.config import compose_config
from sim.evaluation import difficulty as dfy
from sim.pipeline import simulate_cohort

COHORT = ["cohort.n=20000", "cohort.seed=5", "cohort.population=presenting", "cohort.nights=28"]


def _studied(*extra: str) -> pl.DataFrame:
    c = simulate_cohort(compose_config([*COHORT, *extra]))
    return c.measurements.join(
        c.patients.select("patient_id", "primary_cause", "active_rls", "age"), on="patient_id"
    )


def _rls_share_at_5(m: pl.DataFrame) -> float:
    rls = m.filter(pl.col("active_rls"))
    return float((rls["plm_index_per_h"] >= 5).mean())


def test_leg_movements_are_common_in_restless_legs_and_not_specific() -> None:
    m = _studied("measurements.order=all")
    assert m["plm_index_per_h"].null_count() == 0
    assert 0.80 <= _rls_share_at_5(m) <= 0.92
    others = m.filter(~pl.col("active_rls"))
    assert (others["plm_index_per_h"] >= 5).mean() < 0.5
    older = others.filter(pl.col("age") >= 65)
    assert 0.10 <= (older["plm_index_per_h"] >= 15).mean() <= 0.30
    auc, direction = dfy.auc_both_ways(
        m["plm_index_per_h"].to_numpy(), (m["primary_cause"] == "rls").to_numpy()
    )
    assert direction == "high" and 0.75 <= auc <= 0.95, auc


def test_without_the_restless_legs_effect_the_check_fails() -> None:
    m = _studied(
        "measurements.order=all",
        "model.measurements.plm_rls_factor=1",
        "model.measurements.plm_rls_severity_factor=0",
    )
    assert _rls_share_at_5(m) < 0.80


def test_the_clinic_orders_a_sleep_study_for_an_urge_to_move() -> None:
    m = _studied()
    done = m.group_by("active_rls").agg(pl.col("plm_index_per_h").is_not_null().mean())
    share = dict(done.iter_rows())
    assert share[True] >= 3 * share[False] and share[True] > 0.05, share
