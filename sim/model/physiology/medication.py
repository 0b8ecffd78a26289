"""Drug exposure and effect kinetics from each drug's start day.

Usage (scalars, compiled)::

    effect = onset_ramp(day, start_day + onset_delay, ramp_days)     # 0 before, -> 1 after
    reaction = bisphosphonate_reaction(day, start_day, weekly, day_p)

Statin myalgia begins 4-6 weeks after the start; SSRI restless legs within days; a
diuretic lowers potassium over days; a bisphosphonate dose brings an acute-phase reaction
for a few days (DOMAIN.md). Stopping a drug would remove the effect over the same course.
"""

from __future__ import annotations

import math

from sim.model.jit import clip, njit


@njit
def onset_ramp(day: float, onset_day: float, ramp_days: float) -> float:
    """0 before ``onset_day``, rising linearly to 1 over ``ramp_days``."""
    return clip((day - onset_day) / ramp_days, 0.0, 1.0)


@njit
def first_order_exposure(day: float, start_day: float, tau_days: float) -> float:
    """1 - exp(-(day - start)/tau) after the start, 0 before (e.g. diuretic potassium fall)."""
    if day < start_day:
        return 0.0
    return -math.expm1(-(day - start_day) / tau_days)


@njit
def bisphosphonate_reaction(day: float, start_day: float, weekly: bool, p) -> float:
    """Acute-phase reaction strength tonight: after the infusion, or after each weekly dose."""
    lo, hi = p.bisphosphonate_reaction_days
    since = day - start_day
    if weekly and since >= 0:
        since = since % 7.0
    if since < lo or since > hi:
        return 0.0
    return p.oral_bisphosphonate_strength if weekly else 1.0
