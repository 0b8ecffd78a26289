"""Restless legs' laws (sim/model/mechanisms/rls.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model import reference as ref
from sim.model.mechanisms import rls
from tests.model.mechanisms.conftest import rows


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
    s, _, d = rows({"rls_severity": 0.0, "ferritin_ug_l": 100.0, "rls_peak_clock_h": float("nan")})
    d[:] = 1.0  # full SSRI effect
    rate, _, offset, drive = rls.rate(s, d, 23.0, False, False, None, mp, 4.3)
    assert offset == pytest.approx(90.0) and drive == mp.rls.ssri_drive
