"""Nerve compression's laws (sim/model/mechanisms/nerve.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model.mechanisms import nerve
from tests.model.mechanisms.conftest import rows


def test_a_provoking_position_multiplies_the_rate(mp):
    q = mp.nerve
    base = nerve.episode_rate(0.5, False, q)
    assert base == pytest.approx(q.rate_base + q.rate_severity * 0.5)
    assert nerve.episode_rate(0.5, True, q) == pytest.approx(base * q.bad_position_factor)


@pytest.mark.parametrize(
    ("site", "side", "expected"),
    [
        (0.0, 0.0, ("own", "own", 70)),  # lumbar root, left
        (1.0, 1.0, ("own", 60, 71)),  # peroneal, right: calf and foot
        (-1.0, -1.0, (50, 61, 72)),  # neuropathy: both feet, burning or tingling
    ],
)
def test_site_and_side_pick_the_variant_rows(site, side, expected):
    s, _, _ = rows({"nerve_site": site, "nerve_side": side})
    own = 6
    want = tuple(own if e == "own" else e for e in expected)
    assert nerve.attributes(s, own, 50, 60, 70) == want


@pytest.mark.parametrize(
    ("site", "sensory", "expected"),
    [
        (0.0, 1.0, "own"),  # a lumbar root with sensory symptoms: the mechanism's row
        (1.0, 0.0, 80),  # a peroneal compression with pain alone: numbness as others
        (-1.0, 1.0, 81),  # neuropathy: not relieved by walking
    ],
)
def test_sensory_symptoms_and_neuropathy_pick_the_flag_rows(site, sensory, expected):
    s, _, _ = rows({"nerve_site": site, "nerve_sensory": sensory})
    own = 6
    assert nerve.flag_row(s, own, 80) == (own if expected == "own" else expected)


def test_the_flag_table_holds_the_variant_numbers():
    """The table's variant rows are the nerve's row with its variant fields swapped in."""
    from dataclasses import asdict

    from sim.config import NightParams, mechanism_defaults
    from sim.model import symptoms as sx
    from sim.model.mechanisms import CODE, flag_variant_offsets

    blocks = {name: asdict(block) for name, block in mechanism_defaults().items()}
    table = sx.MechanismTable.from_params(blocks, asdict(NightParams()))
    q = nerve.Params()
    m = len(sx.MECHANISMS)
    first = m + flag_variant_offsets()["nerve"]
    flags = table.flag_table
    numb, walk = sx.FLAGS.index("numbness_tingling"), sx.FLAGS.index("relief_by_movement")
    assert flags[CODE["nerve"], numb] == q.numbness_tingling
    assert flags[first, numb] == q.numbness_without_sensory
    assert flags[first + 1, walk] == q.neuropathy_relief_by_movement
    assert flags[first + 1, numb] == q.numbness_tingling
    numbers = table.numbers
    assert numbers.shape[0] == flags.shape[0]
    assert numbers[first, sx.T_NO_FLAG + numb] == pytest.approx(1 - q.numbness_without_sensory)
    assert numbers[first, sx.T_PAIN_MEAN] == numbers[CODE["nerve"], sx.T_PAIN_MEAN]
