"""Medication's laws (sim/model/mechanisms/medication.py). Deterministic: no seed."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import state
from sim.model.mechanisms import medication as med
from tests.model.mechanisms.conftest import day_draws, rows


def test_kinetics():
    assert med.onset_ramp(9.0, 10.0, 2.0) == 0.0
    assert med.onset_ramp(11.0, 10.0, 2.0) == 0.5
    assert med.onset_ramp(30.0, 10.0, 2.0) == 1.0
    assert med.first_order_exposure(4.0, 5.0, 4.0) == 0.0
    assert med.first_order_exposure(9.0, 5.0, 4.0) == pytest.approx(1 - np.exp(-1))


def test_a_weekly_bisphosphonate_reacts_after_every_dose(mp):
    q = mp.medication
    lo, hi = q.bisphosphonate_reaction_days
    days = [d for d in range(21) if med.bisphosphonate_reaction(d, 0.0, True, q) > 0]
    assert days == [d for d in range(21) if lo <= d % 7 <= hi]
    assert med.bisphosphonate_reaction(2.0, 0.0, False, q) == 1.0
    assert med.bisphosphonate_reaction(9.0, 0.0, False, q) == 0.0


def _static(culprit: str | None, **extra):
    base = {name: 0.0 for name in med.STATIC}
    base.update(
        culprit=-1.0 if culprit is None else float(med.DRUGS.index(culprit)),
        diuretic_start=np.inf,
        potassium_sparing_start=np.inf,
        statin_onset=np.inf,
        ssri_onset=np.inf,
        bisphosphonate_start=np.inf,
    )
    base.update(extra)
    return base


def test_only_the_culprit_has_its_effect(mp):
    s, c, d = rows(_static("statin", statin_onset=5.0))
    med.day(20, day_draws(), s, c, d, None, mp)
    assert d[state.D.statin_effect] == 1.0 and d[state.D.drug_effect] == 1.0
    assert med.rate(s, d, 23.0, False, False, None, mp, 4.5)[0] == mp.medication.rate
    s, c, d = rows(_static(None, statin_onset=5.0))
    med.day(20, day_draws(), s, c, d, None, mp)
    assert d[state.D.statin_effect] == 0.0 and d[state.D.drug_effect] == 0.0


def test_a_culprit_diuretic_lowers_potassium_a_bystander_a_little(mp):
    culprit = _static("thiazide", diuretic_start=0.0, diuretic_potassium_drop=1.0, on_diuretic=1.0)
    s, c, d = rows(culprit)
    med.day(100, day_draws(), s, c, d, None, mp)
    assert d[state.D.potassium_drop] == pytest.approx(1.0)
    assert d[state.D.magnesium_drop] == 0.0
    bystander = _static(None, diuretic_start=0.0, on_diuretic=1.0)
    s, c, d = rows(bystander)
    med.day(100, day_draws(), s, c, d, None, mp)
    assert d[state.D.potassium_drop] == pytest.approx(
        mp.medication.noncausal_diuretic_potassium_drop
    )
    loop = _static("loop_diuretic", diuretic_start=0.0, diuretic_potassium_drop=1.0)
    s, c, d = rows(loop)
    med.day(100, day_draws(), s, c, d, None, mp)
    assert d[state.D.magnesium_drop] == pytest.approx(
        mp.medication.loop_diuretic_magnesium_drop_mmol_l
    )


def test_own_episodes_only_for_a_culprit_statin_or_bisphosphonate():
    codes = [med.DRUGS.index(d) for d in ("statin", "ssri", "thiazide", "bisphosphonate")]
    pt = {"culprit_drug": np.array([*codes, -1]), "active_medication": np.ones(5, dtype=bool)}
    assert med.active(pt).tolist() == [True, False, False, True, False]
