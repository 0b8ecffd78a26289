"""Background aches (sim/model/mechanisms/background.py). Deterministic: no seed."""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import background
from tests.model.mechanisms.conftest import rows


def test_everyone_has_it_at_a_constant_rate(mp):
    assert background.active({"age": np.arange(5)}).all()
    s, _, d = rows()
    assert background.rate(s, d, 23.0, False, False, None, mp, 2.5) == (
        mp.background.rate,
        2.5,
        0.0,
        mp.background.rate,
    )
