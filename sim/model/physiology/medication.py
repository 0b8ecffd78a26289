"""Drug exposure and effect kinetics from each drug's start day.

Usage::

    effect = onset_ramp(day, start_day + onset_delay, ramp_days)     # 0 before, -> 1 after
    reaction = bisphosphonate_reaction(day, start_day, weekly, p)

Statin myalgia begins 4-6 weeks after the start; SSRI restless legs within days; a
diuretic lowers potassium over days; a bisphosphonate dose brings an acute-phase reaction
for a few days (DOMAIN.md). Stopping a drug would remove the effect over the same course.
"""

from __future__ import annotations

import numpy as np


def onset_ramp(day: int, onset_day: np.ndarray, ramp_days: float) -> np.ndarray:
    """0 before ``onset_day``, rising linearly to 1 over ``ramp_days``."""
    return np.clip((day - onset_day) / ramp_days, 0.0, 1.0).astype(np.float32)


def first_order_exposure(day: int, start_day: np.ndarray, tau_days: float) -> np.ndarray:
    """1 - exp(-(day - start)/tau) after the start, 0 before (e.g. diuretic potassium fall)."""
    elapsed = np.maximum(day - start_day, 0.0)
    return (1.0 - np.exp(-elapsed / tau_days)).astype(np.float32) * (day >= start_day)


def bisphosphonate_reaction(day: int, start_day: np.ndarray, weekly: np.ndarray, p) -> np.ndarray:
    """Acute-phase reaction strength tonight: after the infusion, or after each weekly dose."""
    lo, hi = p.bisphosphonate_reaction_days
    since = day - start_day
    since_weekly = np.where(since >= 0, np.mod(since, 7), since)
    since = np.where(weekly, since_weekly, since)
    in_window = (since >= lo) & (since <= hi)
    strength = np.where(weekly, p.oral_bisphosphonate_strength, 1.0)
    return (in_window * strength).astype(np.float32)
