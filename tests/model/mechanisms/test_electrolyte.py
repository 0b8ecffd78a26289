"""Electrolyte imbalance's laws (sim/model/mechanisms/electrolyte.py). Deterministic."""

from __future__ import annotations

import pytest

from sim.model import reference as ref
from sim.model.mechanisms import electrolyte
from tests.model.mechanisms.conftest import rows


def _serum(q, *, k_drop=0.0, deficit=0.0, alcohol=False, z=0.0):
    return electrolyte.serum(
        4.2, 0.85, 2.35, 140.0, k_drop, 0.0, 0.0, deficit, alcohol, z, z, z, z, q
    )


def test_serum_values_follow_drugs_dehydration_and_alcohol(mp):
    q = mp.electrolyte
    assert _serum(q) == (4.2, 0.85, 2.35, 140.0)
    assert _serum(q, k_drop=1.0)[0] == pytest.approx(3.2)
    assert _serum(q, deficit=2.0)[3] == pytest.approx(140.0 + 2 * q.sodium_per_l_deficit)
    k, mg, _, _ = _serum(q, alcohol=True)
    assert k == pytest.approx(4.2 - q.alcohol_potassium_drop_mmol_l)
    assert mg == pytest.approx(0.85 - q.alcohol_magnesium_drop_mmol_l)
    assert _serum(q, k_drop=10.0)[0] == q.potassium_floor_mmol_l


def test_excitability_adds_shortfalls_and_is_capped(mp):
    q = mp.electrolyte
    normal = (4.2, 0.85, 2.35, 140.0)
    assert electrolyte.excitability(*normal, q) == 0.0
    k = ref.POTASSIUM_LOW_MMOL_L - q.full_deficit_potassium
    assert electrolyte.excitability(k, 0.85, 2.35, 140.0, q) == pytest.approx(1.0)
    assert electrolyte.excitability(1.0, 0.3, 1.5, 110.0, q) == q.excitability_max


def test_strong_excitability_makes_episodes_more_intense(mp):
    q = mp.electrolyte
    s, _, d = rows(day={"potassium": 2.0, "magnesium": 0.85, "calcium": 2.35, "sodium": 140.0})
    rate, pain, _, _ = electrolyte.rate(s, d, 23.0, False, False, None, mp, 5.0)
    exc = electrolyte.excitability(2.0, 0.85, 2.35, 140.0, q)
    assert rate == pytest.approx(q.rate * exc)
    assert pain == pytest.approx(5.0 + q.pain_boost * min(max(exc - q.pain_boost_from, 0), 1))


def test_excitability_counts_high_potassium_and_calcium(mp):
    q = mp.electrolyte
    normal = (4.2, 0.85, 2.35, 140.0)
    assert electrolyte.excitability(*normal, q) == 0.0
    high_k = electrolyte.excitability(ref.POTASSIUM_HIGH_MMOL_L + 0.75, 0.85, 2.35, 140.0, q)
    assert high_k == pytest.approx(0.75 / q.full_excess_potassium)
    high_ca = electrolyte.excitability(4.2, 0.85, ref.CALCIUM_HIGH_MMOL_L + 0.3, 140.0, q)
    assert high_ca == pytest.approx(0.3 / q.full_excess_calcium)
