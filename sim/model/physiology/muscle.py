"""Muscle: exertion, fatigue load with delayed-onset soreness, and cramp excitability.

Usage::

    ring = push_exertion(ring, unaccustomed)            # last 7 days of unaccustomed load
    load = fatigue_load(ring, accustomed_today, p)      # tonight's soreness
    gain = cramp_excitability(k, mg, deficit, load, ischaemia, p)

DOMS peaks 24-72 h after heavy or unaccustomed exertion and is gone by 5-7 days
(DOMAIN.md): the kernel ``DayParams.doms_kernel`` weights the last seven days.
"""

from __future__ import annotations

import numpy as np


def push_exertion(ring: np.ndarray, unaccustomed: np.ndarray) -> np.ndarray:
    """Shift the (n, 7) history one day and put today's unaccustomed exertion first."""
    ring[:, 1:] = ring[:, :-1]
    ring[:, 0] = unaccustomed
    return ring


def fatigue_load(ring: np.ndarray, accustomed: np.ndarray, p) -> np.ndarray:
    """Tonight's fatigue load: delayed soreness from past days plus today's plain tiredness."""
    kernel = np.asarray(p.doms_kernel, dtype=np.float32)
    return (ring @ kernel + p.accustomed_fatigue * accustomed).astype(np.float32)


def cramp_excitability(
    *,
    potassium: np.ndarray,
    magnesium: np.ndarray,
    deficit_l: np.ndarray,
    fatigue: np.ndarray,
    ischaemia: np.ndarray,
    p,
) -> np.ndarray:
    """Multiplier (>= 1) on a patient's cramp rate from tonight's state."""
    low_k = np.maximum(3.5 - potassium, 0.0)
    low_mg = np.maximum(0.70 - magnesium, 0.0)
    return (
        (1.0 + p.cramp_potassium_gain * low_k)
        * (1.0 + p.cramp_magnesium_gain * low_mg)
        * (1.0 + p.cramp_dehydration_gain * deficit_l)
        * (1.0 + p.cramp_fatigue_gain * fatigue)
        * (1.0 + p.cramp_ischaemia_gain * ischaemia)
    ).astype(np.float32)


def electrolyte_excitability(
    potassium: np.ndarray, magnesium: np.ndarray, calcium: np.ndarray, sodium: np.ndarray
) -> np.ndarray:
    """Membrane excitability from low K, Mg, Ca or Na (0 in range, about 1 when severe)."""
    k = np.maximum(3.5 - potassium, 0.0) / 1.0
    mg = np.maximum(0.70 - magnesium, 0.0) / 0.25
    ca = np.maximum(2.1 - calcium, 0.0) / 0.3
    na = np.maximum(135.0 - sodium, 0.0) / 15.0
    return np.clip(k + mg + ca + na, 0.0, 1.5).astype(np.float32)
