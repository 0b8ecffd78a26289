"""Vascular physiology: arterial stenosis, ankle pressure and ischaemia lying down.

Usage::

    ischaemia = ischaemia_index(ankle_sbp_mmhg)          # 0 (none) .. 1 (critical)
    abi = progress_stenosis(abi, pad_active, rate)      # one night of slow progression

Lying flat removes gravity's help to ankle perfusion; raising the legs removes more and
hanging them down restores some (DOMAIN.md). The supine deficit is what drives rest pain.
"""

from __future__ import annotations

import numpy as np

REST_PAIN_ANKLE_MMHG = 50.0
"""Ischaemic rest pain below this ankle pressure (DOMAIN.md)."""
SYMPTOM_FREE_ANKLE_MMHG = 100.0
"""Above this ankle pressure lying flat gives no ischaemic symptoms. Assumption."""
GRAVITY_GAIN_MMHG = 20.0
"""Ankle pressure gained by hanging the leg down (about 1 mmHg per 1.36 cm of height)."""
ELEVATION_LOSS_MMHG = 15.0
"""Ankle pressure lost with the legs raised on a pillow. Assumption."""


def supine_ankle_pressure(
    ankle_sbp_mmhg: np.ndarray, legs_elevated: np.ndarray | bool
) -> np.ndarray:
    """Effective ankle perfusion pressure lying down (mmHg)."""
    return ankle_sbp_mmhg - ELEVATION_LOSS_MMHG * np.asarray(legs_elevated, dtype=np.float32)


def ischaemia_index(ankle_pressure_mmhg: np.ndarray) -> np.ndarray:
    """0 at or above ``SYMPTOM_FREE_ANKLE_MMHG``, 1 at 30 mmHg and below (0.71 at 50 mmHg)."""
    x = (SYMPTOM_FREE_ANKLE_MMHG - ankle_pressure_mmhg) / (SYMPTOM_FREE_ANKLE_MMHG - 30.0)
    return np.clip(x, 0.0, 1.0).astype(np.float32)


def dangling_relief(ankle_pressure_mmhg: np.ndarray) -> np.ndarray:
    """Ischaemia after hanging the leg down: what the gravity gain leaves (0..1)."""
    return ischaemia_index(ankle_pressure_mmhg + GRAVITY_GAIN_MMHG)


def progress_stenosis(abi: np.ndarray, pad_active: np.ndarray, rate_per_night: float) -> np.ndarray:
    """ABI after one more night of slow stenosis progression (PAD only)."""
    return np.where(pad_active, np.maximum(abi - rate_per_night, 0.15), abi).astype(np.float32)
