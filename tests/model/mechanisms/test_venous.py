"""Venous disease's laws (sim/model/mechanisms/venous.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model.mechanisms import venous


def test_the_load_grows_with_severity_and_heat_and_falls_under_compression(mp):
    q = mp.venous
    assert venous.load(0.0, True, 0.0, q) == 0.0
    assert venous.load(0.5, False, 0.0, q) == pytest.approx(0.5)
    assert venous.load(0.5, True, 0.0, q) == pytest.approx(0.5 * (1 + q.hot_gain))
    assert venous.load(0.5, False, 0.4, q) == pytest.approx(0.5 * 0.6)
    assert venous.load(0.5, True, 1.0, q) == 0.0


def test_raised_legs_drain_the_veins_the_reverse_of_pad(mp):
    from tests.model.mechanisms.conftest import rows

    q = mp.venous
    s, _, d = rows({"venous_severity": 0.6}, {"hot": 0.0})
    flat = venous.rate(s, d, 23.0, False, False, None, mp, q.pain_mean)
    raised = venous.rate(s, d, 23.0, True, False, None, mp, q.pain_mean)
    assert flat[0] == pytest.approx(q.rate * 0.6)
    assert raised[0] == pytest.approx(flat[0] * q.legs_elevated_factor) and raised[0] < flat[0]
    assert flat[1] == pytest.approx(q.pain_mean + q.pain_severity_boost * 0.6)
    assert flat[3] == pytest.approx(0.6)
    assert q.legs_elevated_factor < 1 < mp.pad.legs_elevated_factor
