"""Background aches: the harmless leg aches everyone has now and then (controls are not zero).

Usage::

    rate, pain, offset, drive = background.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Every patient has this mechanism in slot 0 (``active``): a uniform process of
``Params.rate`` episodes a night times the patient's ``ache_propensity``, short, mostly
aching. The propensity is log-normal with mean 1 in the community
(``sim.model.population``); controls who presented (``population=presenting`` with no
cause) came with real, non-specific aches of moderate intensity, so theirs has a median of
``presented_propensity_median`` (DOMAIN.md is silent on their numbers: an assumption, tuned
so that a presenting control's diary is not near-symptom-free). People with frequent aches
also have stronger ones: the mean pain rises by ``pain_per_log_propensity`` per unit of log
propensity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import njit
from sim.model.mechanisms.base import column

NAME = "background"
STATIC = ("ache_propensity", "ache_pain_shift")


@dataclass
class Params(MechanismParams):
    """Harmless aches (everyone)."""

    shape: str = "uniform"
    pain_mean: float = 2.5
    pain_sd: float = 1.5
    duration_shape: float = 1.5
    duration_scale_min: float = 10.0
    quality: dict = field(
        default_factory=lambda: {
            "aching": 0.61,
            "throbbing": 0.15,
            "tingling": 0.12,
            "shooting": 0.08,
            "crawling": 0.04,
        }
    )
    location: dict = field(default_factory=lambda: {"calf": 0.4, "thigh": 0.3, "whole_leg": 0.3})
    side: dict = field(default_factory=lambda: {"both": 0.5, "left": 0.25, "right": 0.25})
    relief_by_movement: float = 0.25
    urge_to_move: float = 0.15
    """Positional discomfort and habitual foot movement bring an urge to move (DOMAIN.md
    look-alikes of restless legs). Assumption."""
    numbness_tingling: float = 0.06
    """Pins and needles from lying on a limb. Assumption."""
    rate: float = 0.12
    """Harmless-ache episodes per night at propensity 1 (controls are not always zero).
    Assumption."""
    propensity_log_sd: float = 0.6
    """Between-person SD of the log of the ache propensity (mean 1 in the community).
    Assumption."""
    presented_propensity_median: float = 4.0
    """Median ache propensity of controls who presented (``population=presenting``, no
    cause): about 0.5 harmless aches a night, on about 40% of nights. Assumption."""
    pain_per_log_propensity: float = 1.3
    """Mean pain added per unit of log propensity (about 4.3 at the presented median,
    against 2.5 at 1). Assumption."""
    pain_mean_range: list = field(default_factory=lambda: [1.0, 7.0])
    """Bounds of a patient's mean harmless-ache pain (0-10). Assumption."""
    heat_relief: float = 1.0
    """Weight of the ``pain_relief`` lever (heat or cold) on a harmless ache's mean
    intensity. Assumption."""


def active(pt: dict) -> np.ndarray:
    """Everyone."""
    return np.ones(len(pt["age"]), dtype=bool)


def static(pt, u, q, ctx) -> dict:
    """The propensity, and the mean pain it adds (a per-patient constant, so the log is
    taken once here, not every night)."""
    x = column(pt, "ache_propensity")
    return {"ache_propensity": x, "ache_pain_shift": q.pain_per_log_propensity * np.log(x)}


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """A constant rate: ``mp.background.rate`` episodes over a reference night times the
    patient's ache propensity; the mean pain rises with the log propensity."""
    q = mp.background
    r = q.rate * s[state.S.ache_propensity]
    lo, hi = q.pain_mean_range
    pain = min(max(pain_mean + s[state.S.ache_pain_shift], lo), hi)
    return r, pain - q.heat_relief * d[state.D.tx_pain_relief], 0.0, r
