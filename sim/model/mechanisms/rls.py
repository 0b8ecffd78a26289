"""Restless legs: a circadian dopaminergic and brain-iron drive, worse with low ferritin and
serotonergic drugs.

Usage::

    drive = rls.drive(severity, ferritin_ug_l, ssri_effect, mp.rls)   # 0 .. about 1.5
    rate, pain, offset, drive = rls.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

A dopamine agonist removes part of the drive (lever ``dopamine``) until the patient's
augmentation (about 8% a year, DOMAIN.md), after which the drug makes it worse; regular
exercise removes a little (``exercise``); iron raises ferritin (``ferritin_ug_l``), which
helps only those at or below the iron threshold.

The drive peaks around midnight to 1 am and is least at 9-11 am; worse with ferritin at or
below 75 ug/L (AASM 2024) and with SSRIs or mirtazapine (Rottach 2008); the within-night
shape is a Gaussian in clock time around the patient's peak (shape ``circadian``). The
intrinsic severity exists only with restless legs as the root; a culprit SSRI or
mirtazapine supplies the drive of drug-induced restless legs (``medication``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import reference as ref
from sim.model import state
from sim.model.jit import clock_hours, njit
from sim.model.mechanisms.base import column

NAME = "rls"
STATIC = ("rls_severity", "ferritin_ug_l", "rls_peak_clock_h", "rls_augmentation_day")
CARRY = ("agonist_days",)
DAY = ("dopamine_effect",)
DAY_ORDER = 60
DRAWS = {"static": {"rls_augmentation": 5}}
SEVERITY = "rls_drive"
LEVERS = {
    "dopamine": (
        "share of the restless-legs drive removed by a dopamine agonist, before "
        "augmentation (severity scale -5.7 against placebo, DOMAIN.md)",
        None,
        (0.0, 1.0),
    ),
    "exercise": ("share of the restless-legs drive removed by regular exercise", None, (0.0, 1.0)),
    "ferritin_ug_l": ("rise of ferritin (ug/L) from iron", None, (0.0, 1000.0)),
}


@dataclass
class Params(MechanismParams):
    """Restless legs: urge to move, crawling, relieved while moving, peak near midnight to 1
    am; about a third call it painful (DOMAIN.md)."""

    shape: str = "circadian"
    shape_min: float = 95.0
    pain_mean: float = 4.3
    pain_sd: float = 1.8
    duration_shape: float = 2.0
    duration_scale_min: float = 12.0
    quality: dict = field(
        default_factory=lambda: {
            "crawling": 0.5,
            "aching": 0.3,
            "tingling": 0.1,
            "burning": 0.05,
            "throbbing": 0.05,
        }
    )
    location: dict = field(default_factory=lambda: {"calf": 0.5, "whole_leg": 0.3, "thigh": 0.2})
    side: dict = field(default_factory=lambda: {"both": 0.8, "left": 0.1, "right": 0.1})
    urge_to_move: float = 0.95
    relief_by_movement: float = 0.85
    relief_by_dangling: float = 0.03
    worse_with_elevation: float = 0.02
    numbness_tingling: float = 0.1
    rate_max: float = 5.0
    """Restless-legs episodes per night at full drive. Assumption (severe RLS nightly)."""
    low_ferritin_factor: float = 1.5
    """Drive multiplier with ferritin at or below 75 ug/L (AASM 2024 iron threshold)."""
    ssri_drive: float = 0.6
    """Restless-legs drive added by a culprit SSRI or mirtazapine at full effect."""
    augmentation_per_year: float = 0.08
    """Chance a year on a dopamine agonist that restless legs augment (DOMAIN.md: about 8%
    a year); each patient's day of augmentation is exponential with this hazard."""
    augmentation_worsening: float = 0.5
    """Share the drive rises on the agonist once augmented (earlier, stronger symptoms).
    Assumption."""


def augmentation_day(u: np.ndarray, q) -> np.ndarray:
    """Days on a dopamine agonist until the patient's augmentation (exponential, from a
    uniform ``u``)."""
    hazard = -np.log1p(-q.augmentation_per_year) / 365.0
    return -np.log(u.astype(np.float64)) / hazard


def static(pt, u, q, ctx) -> dict:
    return {
        "rls_severity": column(pt, "rls_severity"),
        "ferritin_ug_l": column(pt, "ferritin_ug_l"),
        "rls_peak_clock_h": column(pt, "rls_peak_clock_h"),
        "rls_augmentation_day": augmentation_day(u.rls_augmentation, q),
    }


@njit
def day(day, z, s, c, d, dp, mp):
    """Tonight's net effect of a dopamine agonist: its relief, or once the patient has taken
    it on more days than their augmentation day, a worsening (in full at once: the model's
    simplification of augmentation's weeks-long onset)."""
    relief = d[state.D.tx_dopamine]
    if relief > 0:
        c[state.C.agonist_days] += 1.0
        if c[state.C.agonist_days] > s[state.S.rls_augmentation_day]:
            relief = -mp.rls.augmentation_worsening
    d[state.D.dopamine_effect] = relief


@njit
def drive(severity: float, ferritin_ug_l: float, ssri_effect: float, q) -> float:
    """Restless-legs drive (0 .. about 1.5): intrinsic severity, iron, serotonergic drugs."""
    iron = q.low_ferritin_factor if ferritin_ug_l <= ref.FERRITIN_IRON_THRESHOLD_UG_L else 1.0
    return severity * iron + q.ssri_drive * ssri_effect


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """``rate_max`` times tonight's drive, centred on the patient's circadian peak."""
    q = mp.rls
    D = state.D
    ferritin = s[state.S.ferritin_ug_l] + d[D.tx_ferritin_ug_l]
    x = drive(s[state.S.rls_severity], ferritin, d[D.ssri_effect], q)
    x *= (1.0 - d[D.dopamine_effect]) * (1.0 - d[D.tx_exercise])
    peak = s[state.S.rls_peak_clock_h]
    if math.isnan(peak):
        peak = 0.5
    # Hours since noon, so that 23:00 -> 11 and 00:30 -> 12.5.
    offset = 60.0 * (clock_hours(peak - 12.0) - clock_hours(bedtime_h - 12.0))
    return q.rate_max * x, pain_mean, offset, x
