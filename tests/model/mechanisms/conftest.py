"""Shared rows for the mechanism unit tests: every law is called as the engines call it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import mechanism_defaults
from sim.model import state
from sim.model.params import mechanism_params


@pytest.fixture(scope="session")
def mp():
    """Every mechanism's default numbers (``MechP``)."""
    return mechanism_params(mechanism_defaults())


def rows(static: dict | None = None, day: dict | None = None):
    """(s, c, d): a patient's constants, carried state and tonight's state, NaN except the
    given fields (a law that reads a field it was not given returns NaN and fails)."""
    s = np.full(len(state.STATIC_FIELDS), np.nan)
    for name, value in (static or {}).items():
        s[getattr(state.S, name)] = value
    c = np.zeros(len(state.CARRY_FIELDS))
    d = np.full(len(state.DAY_FIELDS), np.nan)
    for name, value in (day or {}).items():
        d[getattr(state.D, name)] = value
    return s, c, d
