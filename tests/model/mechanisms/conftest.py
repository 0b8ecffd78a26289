"""Shared rows for the mechanism unit tests: every law is called as the engines call it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import mechanism_defaults
from sim.model import state, treatment
from sim.model.params import mechanism_params


@pytest.fixture(scope="session")
def mp():
    """Every mechanism's default numbers (``MechP``)."""
    return mechanism_params(mechanism_defaults())


def rows(static: dict | None = None, day: dict | None = None):
    """(s, c, d): a patient's constants, carried state and tonight's state, NaN except the
    given fields (a law that reads a field it was not given returns NaN and fails) and the
    treatment, which is off unless given (untreated plan, every lever 0)."""
    s = np.full(len(state.STATIC_FIELDS), np.nan)
    for name, value in treatment.untreated(1).items():
        s[getattr(state.S, name)] = value[0]
    for name, value in (static or {}).items():
        s[getattr(state.S, name)] = value
    c = np.zeros(len(state.CARRY_FIELDS))
    d = np.full(len(state.DAY_FIELDS), np.nan)
    for name in (*treatment.LEVERS, "dopamine_effect"):
        d[getattr(state.D, name if name == "dopamine_effect" else f"tx_{name}")] = 0.0
    for name, value in (day or {}).items():
        d[getattr(state.D, name)] = value
    return s, c, d


def day_draws(**values: float) -> np.ndarray:
    """A day's numbers (``state.DAY_DRAW``): 0.5 for the uniforms and 0 for the normals
    (their medians) except the given ones."""
    z = np.zeros(state.DAY_NUMBERS)
    z[: state.DAY_UNIFORMS] = 0.5
    for name, value in values.items():
        z[getattr(state.DAY_DRAW, name)] = value
    return z
