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
