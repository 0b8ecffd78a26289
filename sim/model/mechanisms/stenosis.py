"""Lumbar spinal stenosis: a narrow lumbar canal, legs that ache lying flat, eased bent forward.

Usage::

    r = stenosis.episode_rate(severity, bad_position, legs_elevated, mp.stenosis)
    rate, pain, offset, r = stenosis.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

A canal narrowed by degenerate discs, joints and ligaments squeezes the cauda equina when
the lumbar spine is extended: standing and walking (neurogenic claudication, a daytime
history, ``population``: ``walking_leg_pain``) and lying flat on the back. Flexion widens
the canal, so sitting, bending forward or curling up on one side eases it (DOMAIN.md). At
night its patients have aching, heavy or tingling legs, often both, from the buttock down,
mostly in the first hours lying flat (shape ``decay``),
worse on nights spent lying flat on the back (the night's provoking position, shared with
nerve compression: ``model.night.nerve_bad_position_prob``), eased by sitting up on the
edge of the bed (``relief_by_dangling``) or getting up; night cramps are common. It mimics
restless legs (an urge to move eased by moving), PAD (walking pain, relief by hanging the
legs down) and nerve compression (numbness, buttock-to-leg pain).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import njit
from sim.model.mechanisms.base import column

NAME = "stenosis"
STATIC = ("stenosis_severity",)


@dataclass
class Params(MechanismParams):
    """Neurogenic leg pain lying flat: both legs, buttock down, eased sitting up (DOMAIN.md)."""

    shape: str = "decay"
    shape_min: float = 120.0
    """Symptoms come lying flat on the back, mostly in the first hours in bed; later the
    patient has curled up on one side (flexed) or got up (shape ``decay``, 2 hours).
    Assumption."""
    pain_mean: float = 4.6
    pain_sd: float = 1.5
    duration_shape: float = 1.5
    duration_scale_min: float = 20.0
    quality: dict = field(
        default_factory=lambda: {
            "aching": 0.4,
            "tingling": 0.2,
            "burning": 0.12,
            "cramping": 0.13,
            "crawling": 0.08,
            "shooting": 0.07,
        }
    )
    location: dict = field(
        default_factory=lambda: {"buttock_to_leg": 0.45, "thigh": 0.25, "calf": 0.3}
    )
    side: dict = field(default_factory=lambda: {"both": 0.65, "left": 0.175, "right": 0.175})
    """Often both legs (DOMAIN.md); the share is an assumption."""
    urge_to_move: float = 0.35
    """Heavy, tingling legs bring an urge to shift them, eased by moving (DOMAIN.md
    look-alikes). Assumption."""
    relief_by_movement: float = 0.3
    """Turning onto the side and curling up (flexion) or getting up eases it. Assumption."""
    relief_by_dangling: float = 0.35
    """Sitting up on the edge of the bed, legs hanging, flexes the spine and widens the
    canal (DOMAIN.md: eased by sitting). Assumption on the share."""
    worse_with_elevation: float = 0.03
    cramp: float = 0.25
    """Night cramps are common with lumbar stenosis. Assumption on the share."""
    palpable_hardening: float = 0.05
    numbness_tingling: float = 0.45
    """Paraesthesia of the legs with a squeezed cauda equina. Assumption on the share."""
    rate_base: float = 0.3
    """Episodes per night at minimal severity. Assumption."""
    rate_severity: float = 2.5
    """Extra episodes per night at full severity. Assumption."""
    supine_factor: float = 1.7
    """Rate multiplier on a night spent lying flat on the back (the lumbar spine extended;
    the provoking position, the night's draw shared with nerve compression). Assumption:
    stenosis is mostly eased lying down, flexed; extended it can still hurt."""
    legs_elevated_factor: float = 0.7
    """Rate multiplier with the legs raised on pillows (hips and spine flexed, the canal
    widened). Assumption."""
    pain_severity_boost: float = 1.0
    """Added mean intensity (0-10) at full severity. Assumption."""


def static(pt, u, q, ctx) -> dict:
    return {"stenosis_severity": column(pt, "stenosis_severity")}


@njit
def episode_rate(severity: float, supine: bool, legs_elevated: bool, q) -> float:
    """Stenosis episodes per night: severity, more on a night lying flat on the back, fewer
    with the legs raised (flexed)."""
    position = q.supine_factor if supine else 1.0
    if legs_elevated:
        position *= q.legs_elevated_factor
    return (q.rate_base + q.rate_severity * severity) * position


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    q = mp.stenosis
    severity = s[state.S.stenosis_severity]
    r = episode_rate(severity, bad_position, legs_elevated, q)
    return r, pain_mean + q.pain_severity_boost * severity, 0.0, r
