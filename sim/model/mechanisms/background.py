"""Background aches: the harmless leg aches everyone has now and then (controls are not zero).

Usage::

    rate, pain, offset, drive = background.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Every patient has this mechanism in slot 0 (``active``): a uniform process of
``Params.rate`` episodes a night, mild, short, mostly aching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model.jit import njit

NAME = "background"


@dataclass
class Params(MechanismParams):
    """Harmless aches (everyone)."""

    shape: str = "uniform"
    pain_mean: float = 2.5
    pain_sd: float = 1.2
    duration_shape: float = 1.5
    duration_scale_min: float = 10.0
    quality: dict = field(
        default_factory=lambda: {
            "aching": 0.65,
            "throbbing": 0.15,
            "tingling": 0.12,
            "shooting": 0.08,
        }
    )
    location: dict = field(default_factory=lambda: {"calf": 0.4, "thigh": 0.3, "whole_leg": 0.3})
    side: dict = field(default_factory=lambda: {"both": 0.5, "left": 0.25, "right": 0.25})
    relief_by_movement: float = 0.25
    rate: float = 0.12
    """Harmless-ache episodes per night in everyone (controls are not always zero).
    Assumption."""


def active(pt: dict) -> np.ndarray:
    """Everyone."""
    return np.ones(len(pt["age"]), dtype=bool)


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """A constant rate: ``mp.background.rate`` episodes over a reference night."""
    r = mp.background.rate
    return r, pain_mean, 0.0, r
