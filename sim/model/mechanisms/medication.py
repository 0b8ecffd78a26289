"""Medication side effects: which drugs, when they start, and what each does over time.

Usage::

    effect = medication.onset_ramp(day, start_day + delay, ramp_days)   # 0 before, -> 1
    reaction = medication.bisphosphonate_reaction(day, start_day, weekly, mp.medication)
    rate, pain, offset, rate = medication.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Statin myalgia begins 4-6 weeks after the start; SSRI or mirtazapine restless legs within
days (their drive acts through ``rls``); a diuretic lowers potassium (and a loop diuretic
magnesium, a potassium-sparing one sodium) over days, acting through ``electrolyte``; a
bisphosphonate dose brings an acute-phase reaction for a few days (DOMAIN.md). Only a
culprit drug (``culprit_drug``: the drug that causes the patient's pain) has its effect; a
diuretic that is not the culprit lowers potassium a little. Statin and bisphosphonate
aches are this mechanism's own episodes (``active``); the others act through the state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import distributions as dist
from sim.model import state
from sim.model.jit import clip, njit
from sim.model.mechanisms.base import column

NAME = "medication"
DRUGS = (
    "statin",
    "thiazide",
    "loop_diuretic",
    "potassium_sparing",
    "ssri",
    "mirtazapine",
    "bisphosphonate",
)
"""Drug codes (``culprit_drug``, the drug columns of ``patients``)."""
DIURETICS = ("thiazide", "loop_diuretic", "potassium_sparing")
RLS_DRUGS = ("ssri", "mirtazapine")
OWN_ACHE_DRUGS = ("statin", "bisphosphonate")
"""Culprit drugs whose effect is an ache of its own; the others act through restless legs
(SSRI, mirtazapine) or electrolytes (diuretics)."""
STATIN = DRUGS.index("statin")
SSRI = DRUGS.index("ssri")
MIRTAZAPINE = DRUGS.index("mirtazapine")
BISPHOSPHONATE = DRUGS.index("bisphosphonate")
LOOP_DIURETIC = DRUGS.index("loop_diuretic")
DIURETIC_CODES = tuple(DRUGS.index(d) for d in DIURETICS)

STATIC = (
    "culprit",
    "on_diuretic",
    "diuretic_start",
    "potassium_sparing_start",
    "diuretic_potassium_drop",
    "diuretic_sodium_drop",
    "statin_onset",
    "ssri_onset",
    "bisphosphonate_start",
    "bisphosphonate_weekly",
)
DAY = (
    "diuretic_exposure",
    "potassium_drop",
    "magnesium_drop",
    "sodium_drop",
    "statin_effect",
    "ssri_effect",
    "bisphosphonate_effect",
    "drug_effect",
)
DAY_ORDER = 10
DRAWS = {"static": {"statin_onset": 1, "ssri_onset": 2}}
LEVERS = {
    "stop_statin": (
        "share of a culprit statin's myalgia removed (stopped; a switch removes less)",
        "statin_offset_days",
        (0.0, 1.0),
    ),
    "stop_diuretic": (
        "share of every diuretic's exposure removed (stopped or switched): potassium, "
        "magnesium, sodium and fluid losses recover",
        "diuretic_onset_days",
        (0.0, 1.0),
    ),
    "stop_ssri": (
        "share of a culprit SSRI's or mirtazapine's restless legs removed (stopped or switched)",
        "ssri_offset_days",
        (0.0, 1.0),
    ),
}
DIARY = {"drug_effect": "drug_effect"}


@dataclass
class Params(MechanismParams):
    """Statin myalgia (symmetric, proximal) and bisphosphonate acute-phase aches."""

    shape: str = "uniform"
    pain_mean: float = 4.5
    pain_sd: float = 1.5
    duration_shape: float = 2.0
    duration_scale_min: float = 25.0
    quality: dict = field(default_factory=lambda: {"aching": 0.85, "throbbing": 0.15})
    location: dict = field(default_factory=lambda: {"thigh": 0.5, "whole_leg": 0.4, "calf": 0.1})
    side: dict = field(default_factory=lambda: {"both": 0.9, "left": 0.05, "right": 0.05})
    relief_by_movement: float = 0.15
    urge_to_move: float = 0.12
    """Drug myalgia brings an urge to move (DOMAIN.md look-alikes: myalgia mimics restless
    legs). Assumption."""
    numbness_tingling: float = 0.08
    """Assumption."""
    rate: float = 2.5
    """Statin-myalgia or bisphosphonate-reaction episodes per night at full effect."""
    diuretic_onset_days: float = 4.0
    """Time constant (days) of the potassium fall after a diuretic start (DOMAIN.md: over
    days)."""
    noncausal_diuretic_potassium_drop: float = 0.15
    """Potassium fall on a diuretic that does not cause symptoms (mmol/L). Assumption."""
    loop_diuretic_magnesium_drop_mmol_l: float = 0.15
    """Magnesium fall on a culprit loop diuretic at full exposure (mmol/L). Assumption
    (diuretic -> low K and Mg -> cramps, DOMAIN.md)."""
    statin_onset_days: list = field(default_factory=lambda: [28.0, 42.0])
    """Statin myalgia begins this many days after the start (DOMAIN.md: within 4-6 weeks)."""
    ssri_onset_days: list = field(default_factory=lambda: [1.0, 4.0])
    """SSRI or mirtazapine restless legs begin this many days after the start (first days)."""
    drug_ramp_days: float = 2.5
    """Days for a drug effect to build to full strength once it begins. Assumption."""
    bisphosphonate_reaction_days: list = field(default_factory=lambda: [1.0, 4.0])
    """Acute-phase reaction window after a bisphosphonate dose (days after dosing)."""
    oral_bisphosphonate_strength: float = 0.5
    """Weekly oral dose reaction relative to an infusion. Assumption."""
    statin_offset_days: float = 14.0
    """Time constant (days) of statin myalgia resolving once the statin is stopped
    (DOMAIN.md: over weeks). Assumption."""
    ssri_offset_days: float = 3.0
    """Time constant (days) of drug-induced restless legs resolving once the SSRI or
    mirtazapine is stopped. Assumption."""


def active(pt: dict) -> np.ndarray:
    """Its own episodes only with a culprit statin or bisphosphonate."""
    own = np.isin(pt["culprit_drug"], [DRUGS.index(d) for d in OWN_ACHE_DRUGS])
    return np.asarray(pt["active_medication"], dtype=bool) & own


def static(pt, u, q, ctx) -> dict:
    n = ctx.n
    culprit = np.asarray(pt["culprit_drug"], dtype=np.int64)
    start = {d: column(pt, f"{d}_start_day") for d in DRUGS}
    on = {d: np.asarray(pt[f"on_{d}"], dtype=bool) for d in DRUGS}
    on_diuretic = np.zeros(n, dtype=bool)
    diuretic_start = np.full(n, np.inf)
    for d in DIURETICS:
        on_diuretic |= on[d]
        diuretic_start = np.where(on[d], np.minimum(diuretic_start, start[d]), diuretic_start)
    statin_lo, statin_hi = q.statin_onset_days
    ssri_lo, ssri_hi = q.ssri_onset_days
    rls_drug_start = np.where(culprit == MIRTAZAPINE, start["mirtazapine"], start["ssri"])
    return {
        "culprit": culprit.astype(np.float64),
        "on_diuretic": on_diuretic.astype(np.float64),
        "diuretic_start": diuretic_start,
        # Only a culprit potassium-sparing diuretic lowers sodium (its drop is 0 otherwise).
        "potassium_sparing_start": np.where(
            pt["diuretic_sodium_drop_mmol_l"] > 0, start["potassium_sparing"], np.inf
        ),
        "diuretic_potassium_drop": column(pt, "diuretic_potassium_drop_mmol_l"),
        "diuretic_sodium_drop": column(pt, "diuretic_sodium_drop_mmol_l"),
        "statin_onset": start["statin"] + dist.uniform(u.statin_onset, statin_lo, statin_hi),
        "ssri_onset": rls_drug_start + dist.uniform(u.ssri_onset, ssri_lo, ssri_hi),
        "bisphosphonate_start": start["bisphosphonate"],
        "bisphosphonate_weekly": (pt["bisphosphonate_dose_mg"] > 10).astype(np.float64),
    }


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
def bisphosphonate_reaction(day: float, start_day: float, weekly: bool, q) -> float:
    """Acute-phase reaction strength tonight: after the infusion, or after each weekly dose."""
    lo, hi = q.bisphosphonate_reaction_days
    since = day - start_day
    if weekly and since >= 0:
        since = since % 7.0
    if since < lo or since > hi:
        return 0.0
    return q.oral_bisphosphonate_strength if weekly else 1.0


@njit
def day(day, z, s, c, d, dp, mp):
    """Tonight's exposure to each drug and the culprit's effects."""
    q = mp.medication
    S, D = state.S, state.D
    # A stopped diuretic's exposure fades with the lever's build-up (its own time constant).
    diuretic = first_order_exposure(day, s[S.diuretic_start], q.diuretic_onset_days) * (
        1.0 - d[D.tx_stop_diuretic]
    )
    culprit = int(s[S.culprit])
    culprit_diuretic = False
    for code in DIURETIC_CODES:
        if culprit == code:
            culprit_diuretic = True
    if culprit_diuretic:
        k_drop = s[S.diuretic_potassium_drop] * diuretic
        mg_drop = (
            q.loop_diuretic_magnesium_drop_mmol_l * diuretic if culprit == LOOP_DIURETIC else 0.0
        )
    else:
        k_drop = q.noncausal_diuretic_potassium_drop * diuretic * s[S.on_diuretic]
        mg_drop = 0.0
    na_drop = (
        s[S.diuretic_sodium_drop]
        * first_order_exposure(day, s[S.potassium_sparing_start], q.diuretic_onset_days)
        * (1.0 - d[D.tx_stop_diuretic])
    )
    statin = 0.0
    if culprit == STATIN:
        statin = onset_ramp(day, s[S.statin_onset], q.drug_ramp_days) * (1.0 - d[D.tx_stop_statin])
    ssri = 0.0
    if culprit == SSRI or culprit == MIRTAZAPINE:
        ssri = onset_ramp(day, s[S.ssri_onset], q.drug_ramp_days) * (1.0 - d[D.tx_stop_ssri])
    bis = 0.0
    if culprit == BISPHOSPHONATE:
        bis = bisphosphonate_reaction(
            day, s[S.bisphosphonate_start], s[S.bisphosphonate_weekly] > 0, q
        )
    d[D.diuretic_exposure] = diuretic
    d[D.potassium_drop] = k_drop
    d[D.magnesium_drop] = mg_drop
    d[D.sodium_drop] = na_drop
    d[D.statin_effect] = statin
    d[D.ssri_effect] = ssri
    d[D.bisphosphonate_effect] = bis
    d[D.drug_effect] = max(statin, ssri, bis)


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """``Params.rate`` at full statin or bisphosphonate effect."""
    r = mp.medication.rate * (d[state.D.statin_effect] + d[state.D.bisphosphonate_effect])
    return r, pain_mean, 0.0, r
