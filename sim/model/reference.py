"""Clinical reference limits: the fixed thresholds of laboratory tests and the ABI.

Usage::

    from sim.model import reference as ref
    low_k = potassium_mmol_l < ref.POTASSIUM_LOW_MMOL_L

These are published reference limits (DOMAIN.md, "Laboratory reference ranges", "ABI
bands" and "Urgency"), not tunable model parameters, so they live here rather than in
``sim.config``: the urgency rules (``sim.model.causes``) and the physiology
(``sim.model.physiology``) read the same numbers. Compiled functions read them as
globals, frozen when numba compiles them. They are plain Python floats so that numpy
compares them with float32 columns in float32, as the literals they replace did.
"""

from __future__ import annotations

POTASSIUM_LOW_MMOL_L = 3.5
"""Serum potassium below this is low (normal 3.5-5.0 mmol/L; DOMAIN.md)."""
MAGNESIUM_LOW_MMOL_L = 0.70
"""Serum magnesium below this is low (normal 0.70-1.00 mmol/L; DOMAIN.md)."""
CALCIUM_LOW_MMOL_L = 2.1
"""Total calcium below this is low (normal 2.1-2.6 mmol/L; DOMAIN.md)."""
SODIUM_LOW_MMOL_L = 135.0
"""Serum sodium below this is low (normal 135-145 mmol/L; DOMAIN.md)."""

POTASSIUM_HIGH_MMOL_L = 5.0
"""Serum potassium above this is high (normal 3.5-5.0 mmol/L; DOMAIN.md)."""
MAGNESIUM_HIGH_MMOL_L = 1.00
"""Serum magnesium above this is high (normal 0.70-1.00 mmol/L; DOMAIN.md)."""
CALCIUM_HIGH_MMOL_L = 2.6
"""Total calcium above this is high (normal 2.1-2.6 mmol/L; DOMAIN.md)."""
SODIUM_HIGH_MMOL_L = 145.0
"""Serum sodium above this is high (normal 135-145 mmol/L; DOMAIN.md)."""
OSMOLALITY_LOW_MOSM_KG = 275.0
"""Serum osmolality below this is low (normal 275-295 mOsm/kg; DOMAIN.md)."""
OSMOLALITY_HIGH_MOSM_KG = 295.0
"""Serum osmolality above this is high (normal 275-295 mOsm/kg; DOMAIN.md)."""

URGENT_POTASSIUM_MMOL_L = 3.0
"""Potassium below this is urgent (DOMAIN.md, Urgency)."""
URGENT_SODIUM_MMOL_L = 120.0
"""Sodium at or below this is urgent (DOMAIN.md, Urgency)."""

URGENT_POTASSIUM_HIGH_MMOL_L = 6.0
"""Potassium at or above this is urgent (DOMAIN.md, Urgency: high values)."""
URGENT_SODIUM_HIGH_MMOL_L = 150.0
"""Sodium at or above this is urgent (DOMAIN.md, Urgency: high values)."""
URGENT_CALCIUM_HIGH_MMOL_L = 3.0
"""Total calcium at or above this is urgent (DOMAIN.md, Urgency: high values)."""

FERRITIN_IRON_THRESHOLD_UG_L = 75.0
"""Ferritin at or below which iron treatment is indicated for RLS (AASM 2024)."""

ABI_ABNORMAL = 0.90
"""ABI at or below this is abnormal, i.e. PAD (AHA/ACC 2016; Fowkes 2013)."""
ABI_NORMAL_LOW = 0.91
"""Lowest ABI outside the abnormal band (0.91-0.99 borderline; AHA/ACC 2016)."""
ABI_NONCOMPRESSIBLE = 1.40
"""ABI above this is non-compressible (AHA/ACC 2016)."""
CRITICAL_ABI = 0.40
"""Advanced ischaemia below this ABI (AHA/ACC 2016)."""
CRITICAL_ANKLE_SBP_MMHG = 50.0
"""Ischaemic rest pain below this ankle pressure (mmHg; DOMAIN.md)."""

OSMOLALITY_DEHYDRATION_MOSM_KG = 300.0
"""Serum osmolality above this marks dehydration in older adults (mOsm/kg; ESPEN)."""
