"""Dehydration: the daily fluid balance, the hydration deficit at bedtime and its aches.

Usage::

    deficit = dehydration.deficit(prev_l, need_l, intake_l, carryover)
    osm = dehydration.osmolality(deficit, sodium_base, mp.dehydration)
    rate, pain, offset, rate = dehydration.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Each day a patient needs fluid (more when hot, after exertion, alcohol or on a diuretic)
and drinks around their habit; what is short adds to the part of yesterday's deficit that
thirst and kidneys have not repaired (more kept in the elderly, whose thirst is blunted).
Above ``threshold_l`` the deficit brings aches and stiffness. Sodium follows the deficit
(``electrolyte``) and so does the cramp rate (``cramps``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import as_float, clip, njit
from sim.model.mechanisms.base import column

NAME = "dehydration"
STATIC = ("fluid_intake_l_day", "deficit_keep")
CARRY = ("deficit",)
DAY = ("hydration_deficit_l", "osmolality_mosm_kg")
DAY_ORDER = 20
DRAWS = {"day": {"intake": 4}}
DIARY = {"hydration_deficit_l": "hydration_deficit_l", "osmolality_mosm_kg": "osmolality_mosm_kg"}
LEVERS = {"fluid_l": ("extra litres drunk a day (the hydration tip)", None, (0.0, 3.0))}


@dataclass
class Params(MechanismParams):
    """Dehydration aches and stiffness."""

    shape: str = "uniform"
    pain_mean: float = 4.0
    pain_sd: float = 1.5
    duration_shape: float = 2.0
    duration_scale_min: float = 15.0
    quality: dict = field(
        default_factory=lambda: {"aching": 0.6, "cramping": 0.25, "throbbing": 0.15}
    )
    location: dict = field(default_factory=lambda: {"calf": 0.5, "whole_leg": 0.3, "thigh": 0.2})
    side: dict = field(default_factory=lambda: {"both": 0.8, "left": 0.1, "right": 0.1})
    relief_by_movement: float = 0.3
    urge_to_move: float = 0.1
    """Cramp-like discomfort brings an urge to move (DOMAIN.md look-alikes). Assumption."""
    cramp: float = 0.2
    palpable_hardening: float = 0.15
    rate: float = 2.0
    """Dehydration-ache episodes per night per litre of deficit above ``threshold_l``.
    Assumption."""
    threshold_l: float = 0.4
    """Deficit (L) below which dehydration causes no aches. Assumption."""
    fluid_need_l: float = 1.6
    """Daily drinking need at rest in temperate weather (L, beyond water in food).
    Assumption."""
    fluid_need_hot_l: float = 0.9
    """Extra need on a hot day (L). Assumption."""
    fluid_need_exertion_l: float = 0.7
    """Extra need on a heavy exertion day (sweat, L). Assumption."""
    fluid_need_alcohol_l: float = 0.4
    """Extra loss on a drinking day (diuresis, L). Assumption."""
    fluid_need_diuretic_l: float = 0.3
    """Extra loss on a diuretic (L/day at full effect). Assumption."""
    intake_day_log_sd: float = 0.18
    """Day-to-day SD of log fluid intake. Assumption."""
    deficit_carryover: float = 0.45
    """Share of yesterday's hydration deficit still there today (thirst and kidneys repair
    the rest). Assumption; older people with blunted thirst carry more (see below)."""
    deficit_carryover_elderly_extra: float = 0.2
    """Extra carry-over at age ``deficit_carryover_elderly_full_age`` and above, linear from
    ``deficit_carryover_elderly_from_age``. Assumption (low thirst)."""
    deficit_carryover_elderly_from_age: float = 60.0
    """Age (years) at which the extra carry-over of the elderly begins. Assumption."""
    deficit_carryover_elderly_full_age: float = 80.0
    """Age (years) from which the extra carry-over is complete. Assumption."""
    osmolality_base_mosm_kg: float = 287.0
    """Serum osmolality when euhydrated (normal 275-295)."""
    osmolality_per_l_deficit: float = 9.0
    """Rise in osmolality per litre of deficit (mOsm/kg); above 300 marks dehydration
    (ESPEN). Assumption."""
    osmolality_per_mmol_sodium: float = 2.0
    """Osmolality per mmol/L of the person's own sodium away from
    ``osmolality_sodium_reference_mmol_l`` (calculated osmolality is 2 Na + glucose + urea):
    a baseline hypernatraemia is hypertonic, a hyponatraemia hypotonic. The deficit's own
    rise in sodium is in ``osmolality_per_l_deficit``."""
    osmolality_sodium_reference_mmol_l: float = 140.0
    """Baseline sodium at which osmolality is ``osmolality_base_mosm_kg`` (the population
    mean, ``model.latent.sodium_mean_mmol_l``)."""


@njit
def carryover(q, age: float) -> float:
    """Share of yesterday's deficit kept: more in the elderly, whose thirst is blunted."""
    start = q.deficit_carryover_elderly_from_age
    old = clip((age - start) / (q.deficit_carryover_elderly_full_age - start), 0.0, 1.0)
    return q.deficit_carryover + q.deficit_carryover_elderly_extra * old


@njit
def _carryovers(age, q, out):
    for i in range(len(age)):
        out[i] = carryover(q, age[i])


def static(pt, u, q, ctx) -> dict:
    age = column(pt, "age")
    keep = np.empty(len(age))
    _carryovers(age, q, keep)
    return {"fluid_intake_l_day": column(pt, "fluid_intake_l_day"), "deficit_keep": keep}


@njit
def fluid_need(q, hot: bool, exertion: bool, alcohol: bool, diuretic: float) -> float:
    """Litres needed today: rest, heat, sweat, alcohol diuresis, diuretic losses."""
    return (
        q.fluid_need_l
        + q.fluid_need_hot_l * as_float(hot)
        + q.fluid_need_exertion_l * as_float(exertion)
        + q.fluid_need_alcohol_l * as_float(alcohol)
        + q.fluid_need_diuretic_l * diuretic
    )


@njit
def deficit(prev: float, need_l: float, intake_l: float, keep: float) -> float:
    """Litres short of euhydration at bedtime (never negative)."""
    return max(prev * keep + need_l - intake_l, 0.0)


@njit
def osmolality(deficit_l: float, sodium_base_mmol_l: float, q) -> float:
    """Serum osmolality (mOsm/kg) from the deficit and the person's baseline sodium (on
    today's drugs); above 300 is dehydration (ESPEN)."""
    tonicity = q.osmolality_per_mmol_sodium * (
        sodium_base_mmol_l - q.osmolality_sodium_reference_mmol_l
    )
    return q.osmolality_base_mosm_kg + q.osmolality_per_l_deficit * deficit_l + tonicity


@njit
def day(day, z, s, c, d, dp, mp):
    """Today's need and intake; the deficit at bedtime and its osmolality."""
    q = mp.dehydration
    intake = s[state.S.fluid_intake_l_day] * math.exp(
        q.intake_day_log_sd * z[state.DAY_DRAW.intake]
    )
    intake += d[state.D.tx_fluid_l]
    need = fluid_need(
        q,
        d[state.D.hot] > 0,
        d[state.D.exertion] > 0,
        d[state.D.alcohol] > 0,
        d[state.D.diuretic_exposure],
    )
    x = deficit(c[state.C.deficit], need, intake, s[state.S.deficit_keep])
    c[state.C.deficit] = x
    d[state.D.hydration_deficit_l] = x
    sodium = s[state.S.sodium_base] - d[state.D.sodium_drop]
    d[state.D.osmolality_mosm_kg] = osmolality(x, sodium, q)


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """``Params.rate`` per litre of deficit above ``threshold_l``."""
    q = mp.dehydration
    r = q.rate * max(d[state.D.hydration_deficit_l] - q.threshold_l, 0.0)
    return r, pain_mean, 0.0, r
