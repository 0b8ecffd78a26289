"""Fluid balance, hydration deficit, osmolality and serum electrolytes, day by day.

Usage (scalars, compiled)::

    deficit = hydration_deficit(prev, need_l, intake_l, carryover)
    osm = osmolality(deficit, day_p)
    k, mg, ca, na = serum_electrolytes(k_base, ..., noise_k, ..., day_p)
"""

from __future__ import annotations

from sim.model.jit import as_float, clip, njit


@njit
def fluid_need(p, hot: bool, exertion: bool, alcohol: bool, diuretic: float) -> float:
    """Litres needed today: rest, heat, sweat, alcohol diuresis, diuretic losses."""
    return (
        p.fluid_need_l
        + p.fluid_need_hot_l * as_float(hot)
        + p.fluid_need_exertion_l * as_float(exertion)
        + p.fluid_need_alcohol_l * as_float(alcohol)
        + p.fluid_need_diuretic_l * diuretic
    )


@njit
def carryover(p, age: float) -> float:
    """Share of yesterday's deficit kept: more in the elderly, whose thirst is blunted."""
    start = p.deficit_carryover_elderly_from_age
    old = clip((age - start) / (p.deficit_carryover_elderly_full_age - start), 0.0, 1.0)
    return p.deficit_carryover + p.deficit_carryover_elderly_extra * old


@njit
def hydration_deficit(prev: float, need_l: float, intake_l: float, keep: float) -> float:
    """Litres short of euhydration at bedtime (never negative)."""
    return max(prev * keep + need_l - intake_l, 0.0)


@njit
def osmolality(deficit_l: float, p) -> float:
    """Serum osmolality (mOsm/kg); above 300 is dehydration (ESPEN)."""
    return p.osmolality_base_mosm_kg + p.osmolality_per_l_deficit * deficit_l


@njit
def serum_electrolytes(
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
    p,
) -> tuple[float, float, float, float]:
    """Tonight's K, Mg, Ca, Na (mmol/L): baseline, drug falls, dehydration, alcohol, noise.

    ``z_*`` are standard normals (day-to-day noise). Dehydration concentrates sodium; heavy
    alcohol lowers magnesium and potassium a little (DOMAIN.md causes of imbalance).
    """
    alcohol = as_float(heavy_alcohol)
    k = (
        potassium_base
        - potassium_drop
        - p.alcohol_potassium_drop_mmol_l * alcohol
        + p.electrolyte_day_sd_potassium * z_k
    )
    mg = (
        magnesium_base
        - magnesium_drop
        - p.alcohol_magnesium_drop_mmol_l * alcohol
        + p.electrolyte_day_sd_magnesium * z_mg
    )
    ca = calcium_base + p.electrolyte_day_sd_calcium * z_ca
    na = (
        sodium_base
        - sodium_drop
        + p.sodium_per_l_deficit * deficit_l
        + p.electrolyte_day_sd_sodium * z_na
    )
    return max(k, p.potassium_floor_mmol_l), max(mg, p.magnesium_floor_mmol_l), ca, na
