"""Triage then treat (sim/interventions/policy.py): a rule set's value in patient outcomes."""

from __future__ import annotations

import polars as pl
import pytest

from sim.config import ConfigError, compose_config
from sim.interventions.policy import PERFECT, POLICY, policy_from_config, run_policy


@pytest.fixture(scope="module")
def result():
    """The clinical pathway's policy on 8,000 presenting patients (seed 5, 28 nights)."""
    cfg = compose_config(
        ["policy=triage_then_treat", "cohort.n=8000", "cohort.seed=5"], config_name="intervene"
    )
    policy = policy_from_config(cfg.policy, nights=28, model=cfg.model)
    return run_policy(cfg, policy)


def _row(result, strategy):
    return result.table.filter(pl.col("strategy") == strategy).row(0, named=True)


def test_perfect_triage_beats_the_policy_which_beats_treating_everyone_alike(result):
    """Seed 5, 8,000 x 28: perfect triage gives everyone the intervention of their true
    cause; the rule set (cause accuracy about 0.6) gets part of that benefit; any single
    intervention for everyone gets less. The intervals are paired (about +-0.2 points), so a
    margin of 0.3 points is several SE. A policy that ignored its decisions would fail."""
    perfect = _row(result, PERFECT)["symptomatic_nights_effect"]
    policy = _row(result, POLICY)["symptomatic_nights_effect"]
    alike = result.table.filter(pl.col("strategy").str.starts_with("everyone_"))
    best_alike = alike["symptomatic_nights_effect"].min()
    assert perfect < policy - 0.003 and policy < best_alike - 0.003, (perfect, policy, best_alike)


def test_patients_the_policy_leaves_untreated_live_the_control_nights(result):
    """Decided nerve or none (mapped to nothing): their nights are the control's, bit for
    bit; the treated differ after the start night only."""
    untreated = result.decisions.filter(pl.col(POLICY).is_null()).select("patient_id")
    treated = result.decisions.filter(pl.col(POLICY).is_not_null()).select("patient_id")
    assert untreated.height > 200 and treated.height > 2000
    control, policy = result.nights["control"], result.nights[POLICY]

    def rows(nights, ids):
        return nights.join(ids, on="patient_id", how="semi").sort("patient_id", "night")

    assert rows(control, untreated).equals(rows(policy, untreated))
    before = pl.col("night") < result.policy.start_night
    assert rows(control, treated).filter(before).equals(rows(policy, treated).filter(before))
    assert not rows(control, treated).equals(rows(policy, treated))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("policy.triage_then_treat.rule_set=nonsense", "rule_set: triage='nonsense' is not"),
        ("policy.triage_then_treat.treat.rls=levitation", "treat.rls='levitation' is not"),
        ("+policy.triage_then_treat.treat.gout=stretching", "treat.gout is not a cause"),
        ("policy.triage_then_treat.start_night=0", "start_night=0 is invalid"),
        ("+policy.triage_then_treat.colour=red", "policy.triage_then_treat.colour is not a key"),
    ],
)
def test_a_bad_policy_is_one_line(override, message):
    cfg = compose_config(["policy=triage_then_treat", override], config_name="intervene")
    with pytest.raises(ConfigError) as err:
        policy_from_config(cfg.policy, nights=28, model=cfg.model)
    assert message in str(err.value) and "\n" not in str(err.value)
