"""Restless legs' laws (sim/model/mechanisms/rls.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim import config
from sim.model import reference as ref
from sim.model import state
from sim.model.mechanisms import rls
from sim.model.params import day_params
from tests.model.mechanisms.conftest import day_draws, rows


def test_drive_is_worse_with_low_ferritin_and_a_serotonergic_drug(mp):
    q = mp.rls
    assert rls.drive(0.5, 200.0, 0.0, q) == 0.5
    assert rls.drive(0.5, ref.FERRITIN_IRON_THRESHOLD_UG_L, 0.0, q) == 0.5 * q.low_ferritin_factor
    assert rls.drive(0.0, 200.0, 1.0, q) == q.ssri_drive


@pytest.mark.parametrize(
    ("peak_h", "bedtime_h", "offset_min"),
    [(0.5, 23.0, 90.0), (23.0, 23.0, 0.0), (1.0, 0.5, 30.0), (23.5, 0.5, -60.0)],
)
def test_the_peak_is_placed_in_minutes_since_lying_down(mp, peak_h, bedtime_h, offset_min):
    s, _, d = rows({"rls_severity": 1.0, "ferritin_ug_l": 100.0, "rls_peak_clock_h": peak_h})
    d[:] = 0.0
    rate, pain, offset, drive = rls.rate(s, d, bedtime_h, False, False, None, mp, 4.3)
    assert offset == pytest.approx(offset_min)
    assert rate == mp.rls.rate_max * drive and drive == 1.0 and pain == 4.3


def test_a_drug_induced_patient_without_a_peak_peaks_at_half_past_midnight(mp):
    s, _, d = rows(
        {"rls_severity": 0.0, "ferritin_ug_l": 100.0, "rls_peak_clock_h": float("nan")},
        {"ssri_effect": 1.0},  # full SSRI effect
    )
    rate, _, offset, drive = rls.rate(s, d, 23.0, False, False, None, mp, 4.3)
    assert offset == pytest.approx(90.0) and drive == mp.rls.ssri_drive


def test_an_augmented_patient_is_made_worse_by_the_agonist(mp):
    """The agonist removes its share of the drive on the days it is taken, until the patient
    has taken it on more days than their augmentation day; from then on the drive rises
    instead. Days it is not taken neither count nor act."""
    s, c, d = rows({"tx_start": 2.0, "rls_augmentation_day": 3.0})
    dp = day_params(config.DayParams())
    effects = []
    for taken in (1, 0, 1, 1, 0, 1):
        d[state.D.tx_dopamine] = 0.35 * taken
        rls.day(10, day_draws(), s, c, d, dp, mp)
        effects.append(d[state.D.dopamine_effect])
    worse = -mp.rls.augmentation_worsening
    assert effects == [0.35, 0.0, 0.35, 0.35, 0.0, worse]


def test_the_agonist_and_iron_act_on_the_drive(mp):
    s, _, d = rows({"rls_severity": 1.0, "ferritin_ug_l": 50.0, "rls_peak_clock_h": 0.5})
    d[state.D.ssri_effect] = 0.0
    _, _, _, base = rls.rate(s, d, 23.0, False, False, None, mp, 4.3)
    assert base == mp.rls.low_ferritin_factor
    d[state.D.dopamine_effect] = 0.35
    _, _, _, agonist = rls.rate(s, d, 23.0, False, False, None, mp, 4.3)
    assert agonist == pytest.approx(base * 0.65)
    d[state.D.dopamine_effect] = 0.0
    d[state.D.tx_ferritin_ug_l] = 30.0  # 80 ug/L: above the iron threshold
    _, _, _, iron = rls.rate(s, d, 23.0, False, False, None, mp, 4.3)
    assert iron == 1.0
