"""Muscle: exertion, fatigue load with delayed-onset soreness, and cramp excitability.

Usage (scalars, compiled)::

    history = push_exertion(history, unaccustomed, day_p)  # past days as bits, today lowest
    load = fatigue_load(history, accustomed_today, day_p)
    gain = cramp_excitability(k, mg, deficit, load, ischaemia, night_p)

DOMS peaks 24-72 h after heavy or unaccustomed exertion and is gone by 5-7 days
(DOMAIN.md): the kernel ``DayParams.doms_kernel`` weights the last seven days.
"""

from __future__ import annotations

import math

from sim.model import reference as ref
from sim.model.jit import as_float, clip, njit


@njit
def push_exertion(history: int, unaccustomed: bool, p) -> int:
    """Shift the exertion history one day and put today's unaccustomed exertion in bit 0
    (bit d = d days ago; as many bits as the DOMS kernel has weights, at most 62)."""
    return ((history << 1) | (1 if unaccustomed else 0)) & ((1 << len(p.doms_kernel)) - 1)


@njit
def fatigue_load(history: int, accustomed: bool, p) -> float:
    """Tonight's fatigue load: delayed soreness from past days plus today's plain tiredness."""
    load = 0.0
    kernel = p.doms_kernel
    for d in range(len(kernel)):
        if (history >> d) & 1:
            load += kernel[d]
    return load + p.accustomed_fatigue * as_float(accustomed)


@njit
def cramp_base_rate(weekly_nights: float) -> float:
    """Nightly Poisson rate of a sufferer with ``weekly_nights`` cramp nights a week: a
    Poisson night has a cramp with probability r/7 when its rate is -ln(1 - r/7) (r/7
    capped at 0.999). Tonight's excitability multiplies it."""
    return -math.log1p(-min(weekly_nights / 7.0, 0.999))


@njit
def cramp_excitability(
    potassium: float, magnesium: float, deficit_l: float, fatigue: float, ischaemia: float, p
) -> float:
    """Multiplier (>= 1) on a patient's cramp rate from tonight's state."""
    low_k = max(ref.POTASSIUM_LOW_MMOL_L - potassium, 0.0)
    low_mg = max(ref.MAGNESIUM_LOW_MMOL_L - magnesium, 0.0)
    return (
        (1.0 + p.cramp_potassium_gain * low_k)
        * (1.0 + p.cramp_magnesium_gain * low_mg)
        * (1.0 + p.cramp_dehydration_gain * deficit_l)
        * (1.0 + p.cramp_fatigue_gain * fatigue)
        * (1.0 + p.cramp_ischaemia_gain * ischaemia)
    )


@njit
def electrolyte_excitability(
    potassium: float, magnesium: float, calcium: float, sodium: float, p
) -> float:
    """Membrane excitability from low K, Mg, Ca or Na (0 in range, about 1 when severe):
    each shortfall below its reference limit over ``p.electrolyte_full_deficit_*``."""
    k = max(ref.POTASSIUM_LOW_MMOL_L - potassium, 0.0) / p.electrolyte_full_deficit_potassium
    mg = max(ref.MAGNESIUM_LOW_MMOL_L - magnesium, 0.0) / p.electrolyte_full_deficit_magnesium
    ca = max(ref.CALCIUM_LOW_MMOL_L - calcium, 0.0) / p.electrolyte_full_deficit_calcium
    na = max(ref.SODIUM_LOW_MMOL_L - sodium, 0.0) / p.electrolyte_full_deficit_sodium
    return clip(k + mg + ca + na, 0.0, p.electrolyte_excitability_max)
