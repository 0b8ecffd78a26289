"""Root causes, their codes, and the urgency a perfect triage would assign.

Usage::

    from sim.model.causes import CAUSE_CODE, urgency
    code = CAUSE_CODE["rls"]

The urgency rules are DOMAIN.md's (limits in ``sim.model.reference``): urgent for critical
limb ischaemia (ankle pressure below 50 mmHg or ABI below 0.40), potassium below 3.0 or
sodium 120 or less, and the high values (potassium 6.0 or more, sodium 150 or more, total
calcium 3.0 or more); routine for every other cause that needs a clinician, or any lab
value below its normal range; self-care for idiopathic cramps, fatigue, dehydration without
lab derangement, and controls. A value just above its normal range is not a derangement
here: the upper limits are 97.5th centiles of healthy people, and mildly high potassium,
magnesium, calcium or sodium does not cause leg aches (DOMAIN.md names only the urgent
high values).
"""

from __future__ import annotations

import numpy as np

from sim.config import CAUSES, LABELS
from sim.model import reference as ref

CAUSE_CODE = {name: i for i, name in enumerate(LABELS)}
NONE = CAUSE_CODE["none"]
URGENCIES = ("urgent", "routine", "self_care")
URGENCY_CODE = {name: i for i, name in enumerate(URGENCIES)}
ROUTINE_CAUSES = ("rls", "pad", "nerve", "medication", "electrolyte", "venous", "stenosis")


def urgency(
    *,
    primary: np.ndarray,
    pad_active: np.ndarray,
    abi: np.ndarray,
    ankle_sbp_mmhg: np.ndarray,
    potassium_mmol_l: np.ndarray,
    sodium_mmol_l: np.ndarray,
    magnesium_mmol_l: np.ndarray,
    calcium_mmol_l: np.ndarray,
) -> np.ndarray:
    """Urgency code per patient from cause codes and steady-state latent physiology."""
    critical_limb = pad_active & (
        (ankle_sbp_mmhg < ref.CRITICAL_ANKLE_SBP_MMHG) | (abi < ref.CRITICAL_ABI)
    )
    severe_lab = (
        (potassium_mmol_l < ref.URGENT_POTASSIUM_MMOL_L)
        | (sodium_mmol_l <= ref.URGENT_SODIUM_MMOL_L)
        | (potassium_mmol_l >= ref.URGENT_POTASSIUM_HIGH_MMOL_L)
        | (sodium_mmol_l >= ref.URGENT_SODIUM_HIGH_MMOL_L)
        | (calcium_mmol_l >= ref.URGENT_CALCIUM_HIGH_MMOL_L)
    )
    deranged = (
        (potassium_mmol_l < ref.POTASSIUM_LOW_MMOL_L)
        | (sodium_mmol_l < ref.SODIUM_LOW_MMOL_L)
        | (magnesium_mmol_l < ref.MAGNESIUM_LOW_MMOL_L)
        | (calcium_mmol_l < ref.CALCIUM_LOW_MMOL_L)
    )
    routine_cause = np.isin(primary, [CAUSE_CODE[c] for c in ROUTINE_CAUSES])
    out = np.full(primary.shape, URGENCY_CODE["self_care"], dtype=np.int8)
    out[routine_cause | (deranged & (primary != NONE))] = URGENCY_CODE["routine"]
    out[(critical_limb | severe_lab) & (primary != NONE)] = URGENCY_CODE["urgent"]
    return out


__all__ = ["CAUSES", "LABELS", "CAUSE_CODE", "URGENCIES", "URGENCY_CODE", "urgency"]
