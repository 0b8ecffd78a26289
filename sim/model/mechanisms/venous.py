"""Chronic venous disease: aching, heavy legs by evening, eased by raising them.

Usage::

    r = venous.load(severity, hot, compression, mp.venous)
    rate, pain, offset, r = venous.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Venous reflux pools blood in the legs through the day; by evening they ache, feel heavy and
swell, and at night they may cramp or give an urge to move (DOMAIN.md: a recognised mimic
of restless legs). The aches are there on lying down and ease as the legs drain (shape
``decay``); raising the legs drains them (the reverse of PAD: ``legs_elevated_factor``
below 1, so the ``elevation`` lever helps), and walking eases them (``relief_by_movement``).
Heat dilates the veins (worse on hot days, ``hot_gain``); compression stockings remove part
of the load (lever ``compression``). The swelling itself is a sign of the patient record
(``leg_swelling``, ``population``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import njit
from sim.model.mechanisms.base import column

NAME = "venous"
STATIC = ("venous_severity",)
SEVERITY = "venous_load"
LEVERS = {
    "compression": (
        "share of the venous load removed by compression stockings",
        None,
        (0.0, 1.0),
    )
}


@dataclass
class Params(MechanismParams):
    """Venous aches and heaviness: both calves, by evening, eased raised or walking."""

    shape: str = "decay"
    shape_min: float = 60.0
    pain_mean: float = 3.8
    pain_sd: float = 1.4
    duration_shape: float = 2.0
    duration_scale_min: float = 30.0
    quality: dict = field(
        default_factory=lambda: {
            "aching": 0.6,
            "throbbing": 0.2,
            "cramping": 0.1,
            "burning": 0.05,
            "crawling": 0.05,
        }
    )
    location: dict = field(default_factory=lambda: {"calf": 0.6, "whole_leg": 0.3, "thigh": 0.1})
    side: dict = field(default_factory=lambda: {"both": 0.7, "left": 0.15, "right": 0.15})
    urge_to_move: float = 0.3
    """Heavy, aching legs bring an urge to move them (DOMAIN.md look-alikes: venous disease
    mimics restless legs). Assumption."""
    relief_by_movement: float = 0.5
    """Walking empties the veins (the calf pump; DOMAIN.md: eased by walking). Assumption."""
    relief_by_dangling: float = 0.02
    worse_with_elevation: float = 0.0
    cramp: float = 0.15
    """Night cramps (DOMAIN.md). Assumption."""
    palpable_hardening: float = 0.05
    numbness_tingling: float = 0.05
    rate: float = 2.5
    """Venous-ache episodes per night at full severity. Assumption."""
    hot_gain: float = 0.5
    """Rate multiplier gain on a hot day (heat dilates the veins). Assumption."""
    legs_elevated_factor: float = 0.4
    """Rate multiplier with the legs raised (elevation drains the veins, DOMAIN.md: the
    reverse of PAD). Assumption."""
    pain_severity_boost: float = 1.0
    """Added mean intensity (0-10) at full severity. Assumption."""


def static(pt, u, q, ctx) -> dict:
    return {"venous_severity": column(pt, "venous_severity")}


@njit
def load(severity: float, hot: bool, compression: float, q) -> float:
    """Tonight's venous load: severity, more on a hot day, less under compression."""
    gain = 1.0 + q.hot_gain if hot else 1.0
    return severity * gain * (1.0 - compression)


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """Aches from tonight's load; fewer with the legs raised."""
    q = mp.venous
    severity = s[state.S.venous_severity]
    x = load(severity, d[state.D.hot] > 0, d[state.D.tx_compression], q)
    r = q.rate * x
    if legs_elevated:
        r *= q.legs_elevated_factor
    return r, pain_mean + q.pain_severity_boost * severity, 0.0, x
