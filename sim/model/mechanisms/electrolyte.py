"""Electrolyte imbalance: serum potassium, magnesium, calcium and sodium day by day, and the
membrane excitability of their shortfalls.

Usage::

    k, mg, ca, na = electrolyte.serum(k_base, ..., z_k, ..., mp.electrolyte)
    exc = electrolyte.excitability(k, mg, ca, na, mp.electrolyte)    # 0 in range .. 1.5
    rate, pain, offset, rate = electrolyte.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Each patient has a baseline of each (``population``: low in the electrolyte cause); tonight's
value falls with a diuretic (``medication``), with a heavy drinker's drinking day, and
moves with day-to-day noise; dehydration concentrates sodium. Spasms, cramps and weakness
follow the summed shortfall below the lower reference limits (``sim.model.reference``) and
the excess of potassium or calcium above the upper ones (weakness, paraesthesia and aches
rather than tetany; the same episodes here, an approximation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import MechanismParams
from sim.model import reference as ref
from sim.model import state
from sim.model.jit import as_float, clip, njit
from sim.model.mechanisms.base import column

NAME = "electrolyte"
STATIC = ("potassium_base", "magnesium_base", "calcium_base", "sodium_base")
DAY = ("potassium", "magnesium", "calcium", "sodium")
DAY_ORDER = 30
DRAWS = {"day": {"potassium": 5, "magnesium": 6, "calcium": 7, "sodium": 8}}
LEVERS = {
    "potassium_mmol_l": (
        "rise of serum potassium (mmol/L) from potassium replacement",
        None,
        (0.0, 1.5),
    ),
    "magnesium_mmol_l": (
        "rise of serum magnesium (mmol/L) from magnesium supplements",
        None,
        (0.0, 0.5),
    ),
}
DIARY = {
    "potassium_mmol_l": "potassium",
    "magnesium_mmol_l": "magnesium",
    "calcium_mmol_l": "calcium",
    "sodium_mmol_l": "sodium",
}


@dataclass
class Params(MechanismParams):
    """Electrolyte spasms, cramps and weakness (low K, Mg, Ca or Na)."""

    shape: str = "uniform"
    pain_mean: float = 5.0
    pain_sd: float = 1.6
    duration_shape: float = 2.0
    duration_scale_min: float = 5.0
    quality: dict = field(
        default_factory=lambda: {"cramping": 0.5, "aching": 0.3, "tingling": 0.15, "crawling": 0.05}
    )
    location: dict = field(
        default_factory=lambda: {"calf": 0.6, "whole_leg": 0.3, "toes_forefoot": 0.1}
    )
    side: dict = field(default_factory=lambda: {"both": 0.6, "left": 0.2, "right": 0.2})
    relief_by_movement: float = 0.4
    urge_to_move: float = 0.15
    """Cramp-like and paraesthetic discomfort brings an urge to move (a restless-legs
    mimic, DOMAIN.md look-alikes). Assumption."""
    cramp: float = 0.4
    palpable_hardening: float = 0.35
    numbness_tingling: float = 0.25
    rate: float = 1.8
    """Electrolyte episodes per night at full excitability. Assumption."""
    full_deficit: dict = field(
        default_factory=lambda: {
            "potassium": 1.0,
            "magnesium": 0.25,
            "calcium": 0.3,
            "sodium": 15.0,
        }
    )
    """Shortfall below each lower reference limit (mmol/L; ``sim.model.reference``) that
    gives an excitability of 1; the shortfalls add. Assumption, about the severe band of
    each test (potassium 2.5, magnesium 0.45, sodium 120 mmol/L; DOMAIN.md)."""
    full_excess: dict = field(
        default_factory=lambda: {"potassium": 1.5, "calcium": 0.6, "sodium": 12.0}
    )
    """Excess above the upper reference limit of potassium (5.0), calcium (2.6) or sodium
    (145) that gives an excitability of 1 (mmol/L; about 6.5, 3.2 and 157: hypernatraemia
    brings twitching, spasms and cramps). Assumption."""
    excitability_max: float = 1.5
    """Cap on the summed electrolyte excitability. Assumption."""
    pain_boost: float = 1.5
    """Added mean intensity (0-10 scale) of an electrolyte episode when the excitability is
    ``pain_boost_from`` + 1 or more (linear from there). Assumption."""
    pain_boost_from: float = 0.5
    """Excitability above which electrolyte episodes grow more intense. Assumption."""
    day_sd: dict = field(
        default_factory=lambda: {
            "potassium": 0.10,
            "magnesium": 0.025,
            "calcium": 0.03,
            "sodium": 0.8,
        }
    )
    """Day-to-day SD of each serum electrolyte around its baseline (mmol/L). Assumption."""
    sodium_per_l_deficit: float = 2.5
    """Rise in sodium per litre of hydration deficit (mmol/L). Assumption."""
    alcohol_potassium_drop_mmol_l: float = 0.1
    """Fall in serum potassium on a heavy drinker's drinking day (mmol/L). Assumption
    (DOMAIN.md names alcohol among the causes of imbalance)."""
    alcohol_magnesium_drop_mmol_l: float = 0.04
    """Fall in serum magnesium on a heavy drinker's drinking day (mmol/L). Assumption
    (alcohol lowers magnesium, DOMAIN.md)."""
    potassium_floor_mmol_l: float = 1.8
    """Lowest serum potassium the model produces (mmol/L). Assumption (survivable floor)."""
    magnesium_floor_mmol_l: float = 0.25
    """Lowest serum magnesium the model produces (mmol/L). Assumption (survivable floor)."""


def static(pt, u, q, ctx) -> dict:
    return {
        f"{name}_base": column(pt, f"{name}_base_mmol_l")
        for name in ("potassium", "magnesium", "calcium", "sodium")
    }


@njit
def serum(
    potassium_base: float,
    magnesium_base: float,
    calcium_base: float,
    sodium_base: float,
    potassium_drop: float,
    sodium_drop: float,
    magnesium_drop: float,
    deficit_l: float,
    heavy_alcohol: bool,
    z_k: float,
    z_mg: float,
    z_ca: float,
    z_na: float,
    q,
) -> tuple[float, float, float, float]:
    """Tonight's K, Mg, Ca, Na (mmol/L): baseline, drug falls, dehydration, alcohol, noise.

    ``z_*`` are standard normals (day-to-day noise). Dehydration concentrates sodium; heavy
    alcohol lowers magnesium and potassium a little (DOMAIN.md causes of imbalance).
    """
    alcohol = as_float(heavy_alcohol)
    k = (
        potassium_base
        - potassium_drop
        - q.alcohol_potassium_drop_mmol_l * alcohol
        + q.day_sd_potassium * z_k
    )
    mg = (
        magnesium_base
        - magnesium_drop
        - q.alcohol_magnesium_drop_mmol_l * alcohol
        + q.day_sd_magnesium * z_mg
    )
    ca = calcium_base + q.day_sd_calcium * z_ca
    na = sodium_base - sodium_drop + q.sodium_per_l_deficit * deficit_l + q.day_sd_sodium * z_na
    return max(k, q.potassium_floor_mmol_l), max(mg, q.magnesium_floor_mmol_l), ca, na


@njit
def day(day, z, s, c, d, dp, mp):
    """Tonight's serum values."""
    S, D, Z = state.S, state.D, state.DAY_DRAW
    k, mg, ca, na = serum(
        s[S.potassium_base],
        s[S.magnesium_base],
        s[S.calcium_base],
        s[S.sodium_base],
        d[D.potassium_drop],
        d[D.sodium_drop],
        d[D.magnesium_drop],
        d[D.hydration_deficit_l],
        s[S.heavy_alcohol] > 0,
        z[Z.potassium],
        z[Z.magnesium],
        z[Z.calcium],
        z[Z.sodium],
        mp.electrolyte,
    )
    d[D.potassium] = k + d[D.tx_potassium_mmol_l]
    d[D.magnesium] = mg + d[D.tx_magnesium_mmol_l]
    d[D.calcium] = ca
    d[D.sodium] = na


@njit
def excitability(potassium: float, magnesium: float, calcium: float, sodium: float, q) -> float:
    """Membrane excitability from low K, Mg, Ca or Na, or high K, Ca or Na (0 in range, about 1
    when severe): each shortfall below its reference limit over ``q.full_deficit_*`` and
    each excess above it over ``q.full_excess_*``."""
    k = max(ref.POTASSIUM_LOW_MMOL_L - potassium, 0.0) / q.full_deficit_potassium
    mg = max(ref.MAGNESIUM_LOW_MMOL_L - magnesium, 0.0) / q.full_deficit_magnesium
    ca = max(ref.CALCIUM_LOW_MMOL_L - calcium, 0.0) / q.full_deficit_calcium
    na = max(ref.SODIUM_LOW_MMOL_L - sodium, 0.0) / q.full_deficit_sodium
    k_high = max(potassium - ref.POTASSIUM_HIGH_MMOL_L, 0.0) / q.full_excess_potassium
    ca_high = max(calcium - ref.CALCIUM_HIGH_MMOL_L, 0.0) / q.full_excess_calcium
    na_high = max(sodium - ref.SODIUM_HIGH_MMOL_L, 0.0) / q.full_excess_sodium
    return clip(k + mg + ca + na + k_high + ca_high + na_high, 0.0, q.excitability_max)


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """``Params.rate`` at full excitability; stronger episodes when it is high."""
    q = mp.electrolyte
    D = state.D
    exc = excitability(d[D.potassium], d[D.magnesium], d[D.calcium], d[D.sodium], q)
    boost = clip(exc - q.pain_boost_from, 0.0, 1.0)
    r = q.rate * exc
    return r, pain_mean + q.pain_boost * boost, 0.0, r
