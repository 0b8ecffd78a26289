"""Fatigue's laws (sim/model/mechanisms/fatigue.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model import state
from sim.model.mechanisms import fatigue
from tests.model.mechanisms.conftest import day_draws, rows


def test_history_keeps_one_bit_per_kernel_day(mp):
    q = mp.fatigue
    h = fatigue.push_exertion(0, True, q)
    assert h == 1
    for _ in range(len(q.doms_kernel)):
        h = fatigue.push_exertion(h, False, q)
    assert h == 0


def test_load_is_the_kernel_of_past_unaccustomed_days_plus_todays_tiredness(mp):
    q = mp.fatigue
    assert fatigue.load(0b101, False, q) == pytest.approx(q.doms_kernel[0] + q.doms_kernel[2])
    assert fatigue.load(0, True, q) == q.accustomed_fatigue


def test_the_day_reads_todays_exertion(mp):
    s, c, d = rows(day={"exertion": 1.0, "unaccustomed": 1.0})
    fatigue.day(0, day_draws(), s, c, d, None, mp)
    assert c[state.C.exertion_history] == 1.0
    assert d[state.D.fatigue_load] == mp.fatigue.doms_kernel[0]
    assert fatigue.rate(s, d, 23.0, False, False, None, mp, 4.0)[0] == pytest.approx(
        mp.fatigue.rate * mp.fatigue.doms_kernel[0]
    )
