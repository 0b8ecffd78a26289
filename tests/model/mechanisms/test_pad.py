"""PAD's laws (sim/model/mechanisms/pad.py). Deterministic: no seed."""

from __future__ import annotations

import math

import pytest

from sim.model import state
from sim.model.mechanisms import pad
from tests.model.mechanisms.conftest import day_draws, rows


def test_ischaemia_index_is_zero_above_free_one_below_full_and_025_at_50(mp):
    q = mp.pad
    assert pad.ischaemia_index(q.ischaemia_free_ankle_mmhg, q) == 0.0
    assert pad.ischaemia_index(200.0, q) == 0.0
    assert pad.ischaemia_index(q.ischaemia_full_ankle_mmhg, q) == 1.0
    assert pad.ischaemia_index(10.0, q) == 1.0
    assert pad.ischaemia_index(50.0, q) == pytest.approx(10 / 40)


def test_no_ischaemia_no_rest_pain(mp):
    """Above the free pressure (a revascularised or non-critical ankle) PAD does not hurt."""
    s, _, d = rows(day={"ankle_sbp_mmhg": mp.pad.ischaemia_free_ankle_mmhg + 1})
    assert pad.rate(s, d, 23.0, False, False, None, mp, 5.5)[0] == 0.0


def test_raised_legs_lower_perfusion_and_raise_the_rate(mp):
    s, _, d = rows(day={"ankle_sbp_mmhg": 45.0})
    flat = pad.rate(s, d, 23.0, False, False, None, mp, 5.5)
    raised = pad.rate(s, d, 23.0, True, False, None, mp, 5.5)
    q = mp.pad
    isch_flat = pad.ischaemia_index(45.0, q)
    isch_raised = pad.ischaemia_index(45.0 - q.legs_elevated_ankle_loss_mmhg, q)
    assert flat[3] == isch_flat and raised[3] == isch_raised > isch_flat
    assert flat[0] == pytest.approx(isch_flat * (q.rate_base + q.rate_ischaemia * isch_flat))
    expected = isch_raised * (q.rate_base + q.rate_ischaemia * isch_raised) * q.legs_elevated_factor
    assert raised[0] == pytest.approx(expected)
    assert raised[1] == pytest.approx(5.5 + q.pain_ischaemia_boost * isch_raised)


def test_the_stenosis_progresses_only_with_pad_and_stops_at_the_floor(mp):
    q = mp.pad
    assert pad.progress_stenosis(0.6, False, q) == 0.6
    assert pad.progress_stenosis(0.6, True, q) == pytest.approx(
        0.6 - q.stenosis_progression_per_night
    )
    assert pad.progress_stenosis(q.abi_floor, True, q) == q.abi_floor


def test_the_day_writes_abi_and_ankle_pressure(mp):
    s, c, d = rows({"pad_active": 1.0, "brachial_sbp_mmhg": 140.0, "abi_true": 0.5})
    c[state.C.abi] = 0.5
    pad.day(0, day_draws(), s, c, d, None, mp)
    abi = 0.5 - mp.pad.stenosis_progression_per_night
    assert c[state.C.abi] == d[state.D.abi] == pytest.approx(abi)
    assert d[state.D.ankle_sbp_mmhg] == pytest.approx(abi * 140.0)


@pytest.mark.parametrize(("side", "row"), [(0.0, 0), (1.0, 1), (2.0, 2)])
def test_it_hurts_on_the_patients_side(side, row):
    s, _, _ = rows({"pad_side": side})
    own = 2
    assert pad.attributes(s, own, 50, 60, 70) == (own, own, 70 + row)
    assert math.isclose(sum(pad.VARIANTS["side"][row].values()), 1.0)


def test_a_dependent_sleeper_regains_pressure_and_never_has_the_legs_raised(mp):
    """The hanging leg adds ``dependent_ankle_gain_mmhg`` and ignores raised legs: fewer
    episodes than lying flat, and none of the raised-legs penalty."""
    q = mp.pad
    assert pad.night_ankle_pressure(40.0, True, True, q) == (
        40.0 + q.dependent_ankle_gain_mmhg,
        False,
    )
    assert pad.night_ankle_pressure(40.0, True, False, q) == (
        40.0 - q.legs_elevated_ankle_loss_mmhg,
        True,
    )
    flat, _, d = rows({"pad_dependent": 0.0}, {"ankle_sbp_mmhg": 40.0})
    hanging, _, _ = rows({"pad_dependent": 1.0})
    r_flat = pad.rate(flat, d, 23.0, False, False, None, mp, 5.5)[0]
    r_hanging = pad.rate(hanging, d, 23.0, True, False, None, mp, 5.5)[0]
    isch = pad.ischaemia_index(40.0 + q.dependent_ankle_gain_mmhg, q)
    assert r_hanging == pytest.approx(isch * (q.rate_base + q.rate_ischaemia * isch))
    assert 0 < r_hanging < r_flat


def test_a_dependent_sleeper_uses_the_dependent_flag_row(mp):
    s, _, _ = rows({"pad_dependent": 1.0})
    assert pad.flag_row(s, 3, 17) == 17
    s, _, _ = rows({"pad_dependent": 0.0})
    assert pad.flag_row(s, 3, 17) == 3
