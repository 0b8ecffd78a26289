"""Fluid balance, hydration deficit, osmolality and serum electrolytes, day by day.

Usage::

    deficit = hydration_deficit(prev, need_l, intake_l, carryover)
    osm = osmolality(deficit, p)
    k, mg, ca, na = serum_electrolytes(base, drops, deficit, noise, p)
"""

from __future__ import annotations

import numpy as np


def fluid_need(
    p, *, hot: np.ndarray, exertion: np.ndarray, alcohol: np.ndarray, diuretic: np.ndarray
) -> np.ndarray:
    """Litres needed today: rest, heat, sweat, alcohol diuresis, diuretic losses."""
    return (
        p.fluid_need_l
        + p.fluid_need_hot_l * hot
        + p.fluid_need_exertion_l * exertion
        + p.fluid_need_alcohol_l * alcohol
        + p.fluid_need_diuretic_l * diuretic
    ).astype(np.float32)


def carryover(p, age: np.ndarray) -> np.ndarray:
    """Share of yesterday's deficit kept: more in the elderly, whose thirst is blunted."""
    old = np.clip((age - 60.0) / 20.0, 0.0, 1.0)
    return (p.deficit_carryover + p.deficit_carryover_elderly_extra * old).astype(np.float32)


def hydration_deficit(
    prev: np.ndarray, need_l: np.ndarray, intake_l: np.ndarray, keep: np.ndarray
) -> np.ndarray:
    """Litres short of euhydration at bedtime (never negative)."""
    return np.maximum(prev * keep + need_l - intake_l, 0.0).astype(np.float32)


def osmolality(deficit_l: np.ndarray, p) -> np.ndarray:
    """Serum osmolality (mOsm/kg); above 300 is dehydration (ESPEN)."""
    return (p.osmolality_base_mosm_kg + p.osmolality_per_l_deficit * deficit_l).astype(np.float32)


def serum_electrolytes(
    *,
    potassium_base: np.ndarray,
    magnesium_base: np.ndarray,
    calcium_base: np.ndarray,
    sodium_base: np.ndarray,
    potassium_drop: np.ndarray,
    sodium_drop: np.ndarray,
    magnesium_drop: np.ndarray,
    deficit_l: np.ndarray,
    heavy_alcohol: np.ndarray,
    noise: np.ndarray,
    p,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tonight's K, Mg, Ca, Na (mmol/L): baseline, drug falls, dehydration, alcohol, noise.

    ``noise`` is (n, 4) standard normals for K, Mg, Ca, Na. Dehydration concentrates sodium;
    heavy alcohol lowers magnesium and potassium a little (DOMAIN.md causes of imbalance).
    """
    sd = p.electrolyte_day_sd
    alcohol = heavy_alcohol.astype(np.float32)
    k = potassium_base - potassium_drop - 0.1 * alcohol + sd["potassium"] * noise[:, 0]
    mg = magnesium_base - magnesium_drop - 0.04 * alcohol + sd["magnesium"] * noise[:, 1]
    ca = calcium_base + sd["calcium"] * noise[:, 2]
    na = sodium_base - sodium_drop + p.sodium_per_l_deficit * deficit_l + sd["sodium"] * noise[:, 3]
    return (
        np.maximum(k, 1.8).astype(np.float32),
        np.maximum(mg, 0.25).astype(np.float32),
        ca.astype(np.float32),
        na.astype(np.float32),
    )
