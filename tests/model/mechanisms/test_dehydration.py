"""Dehydration's laws (sim/model/mechanisms/dehydration.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model import reference as ref
from sim.model import state
from sim.model.mechanisms import dehydration
from tests.model.mechanisms.conftest import day_draws, rows


def test_need_adds_heat_sweat_alcohol_and_diuretic(mp):
    q = mp.dehydration
    assert dehydration.fluid_need(q, False, False, False, 0.0) == q.fluid_need_l
    total = q.fluid_need_l + q.fluid_need_hot_l + q.fluid_need_exertion_l
    total += q.fluid_need_alcohol_l + q.fluid_need_diuretic_l
    assert dehydration.fluid_need(q, True, True, True, 1.0) == pytest.approx(total)


def test_the_deficit_is_never_negative_and_the_elderly_keep_more(mp):
    q = mp.dehydration
    assert dehydration.deficit(0.0, 1.0, 3.0, 0.5) == 0.0
    assert dehydration.deficit(1.0, 2.0, 1.5, 0.5) == pytest.approx(1.0)
    assert dehydration.carryover(q, 40.0) == q.deficit_carryover
    old = q.deficit_carryover + q.deficit_carryover_elderly_extra
    assert dehydration.carryover(q, 90.0) == pytest.approx(old)


def test_osmolality_crosses_the_dehydration_limit_near_1_5_litres(mp):
    q = mp.dehydration
    ref_na = q.osmolality_sodium_reference_mmol_l
    assert dehydration.osmolality(0.0, ref_na, q) < ref.OSMOLALITY_DEHYDRATION_MOSM_KG
    assert dehydration.osmolality(1.6, ref_na, q) > ref.OSMOLALITY_DEHYDRATION_MOSM_KG
    # A baseline hypernatraemia is hypertonic without any deficit (2 mOsm per mmol/L).
    assert dehydration.osmolality(0.0, 155.0, q) == pytest.approx(
        q.osmolality_base_mosm_kg + 15 * q.osmolality_per_mmol_sodium
    )
    assert dehydration.osmolality(0.0, 155.0, q) > ref.OSMOLALITY_DEHYDRATION_MOSM_KG


def test_aches_begin_above_the_threshold(mp):
    q = mp.dehydration
    s, _, d = rows(day={"hydration_deficit_l": q.threshold_l})
    assert dehydration.rate(s, d, 23.0, False, False, None, mp, 4.0)[0] == 0.0
    d[state.D.hydration_deficit_l] = q.threshold_l + 1.0
    assert dehydration.rate(s, d, 23.0, False, False, None, mp, 4.0)[0] == pytest.approx(q.rate)


def test_the_day_carries_the_deficit(mp):
    """A zero intake day on a hot day: the deficit grows by the need, then part is kept."""
    s, c, d = rows(
        {"fluid_intake_l_day": 0.0, "deficit_keep": 0.5},
        {"hot": 1.0, "exertion": 0.0, "alcohol": 0.0, "diuretic_exposure": 0.0},
    )
    dehydration.day(0, day_draws(), s, c, d, None, mp)
    need = mp.dehydration.fluid_need_l + mp.dehydration.fluid_need_hot_l
    assert d[state.D.hydration_deficit_l] == pytest.approx(need)
    dehydration.day(1, day_draws(), s, c, d, None, mp)
    assert c[state.C.deficit] == pytest.approx(need * 1.5)
