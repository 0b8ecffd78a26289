"""Nocturnal leg cramps: a patient's base rate times tonight's muscle excitability.

Usage::

    base = cramps.base_rate(weekly_cramp_nights)            # once per patient
    trig = cramps.trigger_gain(hypothyroid, sitting_hours, mp.cramps)   # once per patient
    gain = cramps.excitability(k, mg, deficit_l, fatigue, ischaemia, mp.cramps)   # >= 1
    rate, pain, offset, rate = cramps.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Sudden, intense, palpable, 80% in the calf, a mean of about 9 minutes, relieved by
stretching (DOMAIN.md). Low potassium or magnesium, a hydration deficit, fatigue and
ischaemia (PAD cramps: odds ratio 2.9) make tonight's cramps more likely. Two standing
triggers raise a sufferer's rate on every night: hypothyroidism (a secondary cause of
cramps) and prolonged sitting (calves held short for hours; both in Allen & Kirby 2012,
Am Fam Physician, among the associations of nocturnal cramps). The sizes are assumptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import reference as ref
from sim.model import state
from sim.model.jit import njit
from sim.model.mechanisms import pad

NAME = "cramps"
STATIC = ("cramp_base", "cramp_trigger")
LEVERS = {
    "cramp_rate": (
        "share of the cramp rate removed (stretching the calves before bed: one trial -1.2 "
        "cramps a night, another no effect, DOMAIN.md)",
        None,
        (0.0, 1.0),
    )
}


@dataclass
class Params(MechanismParams):
    """Nocturnal cramps: sudden, intense, palpable, 80% calf, mean about 9 min (gamma 4 x
    2.25 min), relieved by stretching (DOMAIN.md)."""

    shape: str = "uniform"
    pain_mean: float = 7.2
    pain_sd: float = 1.4
    duration_shape: float = 4.0
    duration_scale_min: float = 2.25
    quality: dict = field(
        default_factory=lambda: {
            "cramping": 0.8,
            "aching": 0.12,
            "shooting": 0.05,
            "crawling": 0.03,
        }
    )
    """Patients name a cramp in their own words: mostly cramping, sometimes aching or
    shooting, rarely crawling (DOMAIN.md look-alikes). Assumption."""
    location: dict = field(
        default_factory=lambda: {"calf": 0.8, "toes_forefoot": 0.15, "thigh": 0.05}
    )
    side: dict = field(default_factory=lambda: {"left": 0.47, "right": 0.47, "both": 0.06})
    urge_to_move: float = 0.25
    """A cramp brings an urge to move or stretch the leg, eased by moving: cramps are a
    recognised restless-legs mimic (DOMAIN.md look-alikes, IRLSSG 2014). Assumption."""
    relief_by_movement: float = 0.7
    relief_by_dangling: float = 0.15
    """Putting the foot down or standing stretches the calf and eases the cramp, noted as
    relief by hanging the leg over the bed edge. Assumption."""
    cramp: float = 1.0
    palpable_hardening: float = 0.9
    numbness_tingling: float = 0.08
    """Tingling as a cramp fades. Assumption."""
    potassium_gain: float = 2.0
    """Cramp rate multiplier gain per mmol/L of potassium below 3.5. Assumption."""
    magnesium_gain: float = 6.0
    """Cramp rate multiplier gain per mmol/L of magnesium below 0.70. Assumption."""
    dehydration_gain: float = 0.5
    """Cramp rate multiplier gain per litre of hydration deficit. Assumption."""
    fatigue_gain: float = 0.6
    """Cramp rate multiplier gain per unit of fatigue load. Assumption."""
    ischaemia_gain: float = 1.0
    """Cramp rate multiplier gain at full ischaemia (PAD cramps, odds ratio 2.9)."""
    hypothyroid_gain: float = 0.5
    """Cramp rate multiplier gain with hypothyroidism (1.5 times the rate). Assumption."""
    sitting_gain_per_hour: float = 0.06
    """Cramp rate multiplier gain per hour a day of sitting beyond ``sitting_free_hours``
    (the patient record's ``sitting_hours_day``; 1.36 times at 12 hours). Assumption."""
    sitting_free_hours: float = 6.0
    """Hours a day of sitting that do not add to cramps. Assumption."""
    heat_relief: float = 0.5
    """Weight of the ``pain_relief`` lever (heat or cold) on a cramp's mean intensity: it
    eases the soreness, not the spasm. Assumption."""


@njit
def base_rate(weekly_nights: float) -> float:
    """Nightly Poisson rate of a sufferer with ``weekly_nights`` cramp nights a week: a
    Poisson night has a cramp with probability r/7 when its rate is -ln(1 - r/7) (r/7
    capped at 0.999). Tonight's excitability multiplies it."""
    return -math.log1p(-min(weekly_nights / 7.0, 0.999))


@njit
def _base_rates(weekly, out):
    for i in range(len(weekly)):
        out[i] = base_rate(weekly[i])


@njit
def trigger_gain(hypothyroid: bool, sitting_hours: float, q) -> float:
    """Multiplier (>= 1) on a sufferer's cramp rate from the standing triggers:
    hypothyroidism and hours of sitting a day."""
    sitting = max(sitting_hours - q.sitting_free_hours, 0.0)
    thyroid = q.hypothyroid_gain if hypothyroid else 0.0
    return (1.0 + thyroid) * (1.0 + q.sitting_gain_per_hour * sitting)


@njit
def _trigger_gains(hypothyroid, sitting, q, out):
    for i in range(len(sitting)):
        out[i] = trigger_gain(hypothyroid[i], sitting[i], q)


def static(pt, u, q, ctx) -> dict:
    weekly = np.asarray(pt["cramp_weekly_rate"], dtype=np.float64)
    out = np.empty(len(weekly))
    _base_rates(weekly, out)
    trigger = np.empty(len(weekly))
    _trigger_gains(
        np.asarray(pt["hypothyroidism"], dtype=np.bool_),
        np.asarray(pt["sitting_hours_day"], dtype=np.float64),
        q,
        trigger,
    )
    return {"cramp_base": out, "cramp_trigger": trigger}


@njit
def excitability(
    potassium: float, magnesium: float, deficit_l: float, fatigue: float, ischaemia: float, q
) -> float:
    """Multiplier (>= 1) on a patient's cramp rate from tonight's state."""
    low_k = max(ref.POTASSIUM_LOW_MMOL_L - potassium, 0.0)
    low_mg = max(ref.MAGNESIUM_LOW_MMOL_L - magnesium, 0.0)
    return (
        (1.0 + q.potassium_gain * low_k)
        * (1.0 + q.magnesium_gain * low_mg)
        * (1.0 + q.dehydration_gain * deficit_l)
        * (1.0 + q.fatigue_gain * fatigue)
        * (1.0 + q.ischaemia_gain * ischaemia)
    )


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """The patient's base rate times the standing triggers and tonight's excitability
    (ischaemia only with PAD, at the ankle pressure lying flat, or with the leg hanging
    for a dependent sleeper)."""
    isch = 0.0
    if s[state.S.pad_active] > 0:
        ankle, _ = pad.night_ankle_pressure(
            d[state.D.ankle_sbp_mmhg], False, s[state.S.pad_dependent] > 0, mp.pad
        )
        isch = pad.ischaemia_index(ankle, mp.pad)
    gain = excitability(
        d[state.D.potassium],
        d[state.D.magnesium],
        d[state.D.hydration_deficit_l],
        d[state.D.fatigue_load],
        isch,
        mp.cramps,
    )
    r = s[state.S.cramp_base] * s[state.S.cramp_trigger] * gain * (1.0 - d[state.D.tx_cramp_rate])
    pain = pain_mean - mp.cramps.heat_relief * d[state.D.tx_pain_relief]
    return r, pain, 0.0, r
