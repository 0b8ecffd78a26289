"""Nocturnal cramps' laws (sim/model/mechanisms/cramps.py). Deterministic: no seed."""

from __future__ import annotations

import math

import pytest

from sim.model import reference as ref
from sim.model.mechanisms import cramps, pad
from tests.model.mechanisms.conftest import rows


@pytest.mark.parametrize("weekly", [0.5, 1.0, 3.0, 6.0])
def test_base_rate_gives_that_many_cramp_nights_a_week(weekly):
    """A Poisson night with the base rate has a cramp with probability weekly / 7."""
    assert -math.expm1(-cramps.base_rate(weekly)) == pytest.approx(weekly / 7)


def test_excitability_is_one_in_range_and_grows_with_each_driver(mp):
    q = mp.cramps
    k, mg = ref.POTASSIUM_LOW_MMOL_L + 0.5, ref.MAGNESIUM_LOW_MMOL_L + 0.1
    assert cramps.excitability(k, mg, 0.0, 0.0, 0.0, q) == 1.0
    assert cramps.excitability(ref.POTASSIUM_LOW_MMOL_L - 0.5, mg, 0, 0, 0, q) == pytest.approx(
        1 + q.potassium_gain * 0.5
    )
    for args in ((k, mg, 1.0, 0, 0), (k, mg, 0, 1.0, 0), (k, mg, 0, 0, 1.0)):
        assert cramps.excitability(*args, q) > 1.0


def test_pad_adds_ischaemia_only_in_a_pad_patient(mp):
    day = {
        "potassium": 4.2,
        "magnesium": 0.85,
        "hydration_deficit_l": 0.0,
        "fatigue_load": 0.0,
        "ankle_sbp_mmhg": 40.0,
    }
    without, _, d = rows({"pad_active": 0.0, "cramp_base": 0.3, "cramp_trigger": 1.0}, day)
    with_pad, _, _ = rows({"pad_active": 1.0, "cramp_base": 0.3, "cramp_trigger": 1.0})
    assert cramps.rate(without, d, 23.0, False, False, None, mp, 7.2)[0] == pytest.approx(0.3)
    isch = pad.ischaemia_index(40.0, mp.pad)
    expected = 0.3 * (1 + mp.cramps.ischaemia_gain * isch)
    assert cramps.rate(with_pad, d, 23.0, False, False, None, mp, 7.2)[0] == pytest.approx(expected)


def test_hypothyroidism_and_sitting_raise_the_rate_beyond_the_free_hours(mp):
    q = mp.cramps
    assert cramps.trigger_gain(False, q.sitting_free_hours, q) == 1.0
    assert cramps.trigger_gain(False, 2.0, q) == 1.0
    assert cramps.trigger_gain(True, 2.0, q) == pytest.approx(1 + q.hypothyroid_gain)
    long_day = q.sitting_free_hours + 4
    assert cramps.trigger_gain(True, long_day, q) == pytest.approx(
        (1 + q.hypothyroid_gain) * (1 + 4 * q.sitting_gain_per_hour)
    )
    day = {
        "potassium": 4.2,
        "magnesium": 0.85,
        "hydration_deficit_l": 0.0,
        "fatigue_load": 0.0,
        "ankle_sbp_mmhg": 140.0,
    }
    s, _, d = rows({"pad_active": 0.0, "cramp_base": 0.3, "cramp_trigger": 1.5}, day)
    assert cramps.rate(s, d, 23.0, False, False, None, mp, 7.2)[0] == pytest.approx(0.45)
