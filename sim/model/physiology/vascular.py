"""Vascular physiology: arterial stenosis, ankle pressure and ischaemia lying down.

Usage (scalars, compiled; see ``sim.model.jit``)::

    ischaemia = ischaemia_index(ankle_sbp_mmhg)          # 0 (none) .. 1 (critical)
    abi = progress_stenosis(abi, pad_active, rate)      # one night of slow progression

Lying flat removes gravity's help to ankle perfusion; raising the legs removes more and
hanging them down restores some (DOMAIN.md). The supine deficit is what drives rest pain.
"""

from __future__ import annotations

from sim.model.jit import as_float, clip, njit

SYMPTOM_FREE_ANKLE_MMHG = 100.0
"""Above this ankle pressure lying flat gives no ischaemic symptoms. Assumption."""
ELEVATION_LOSS_MMHG = 15.0
"""Ankle pressure lost with the legs raised on a pillow. Assumption."""


@njit
def supine_ankle_pressure(ankle_sbp_mmhg: float, legs_elevated: bool) -> float:
    """Effective ankle perfusion pressure lying down (mmHg)."""
    return ankle_sbp_mmhg - ELEVATION_LOSS_MMHG * as_float(legs_elevated)


@njit
def ischaemia_index(ankle_pressure_mmhg: float) -> float:
    """0 at or above ``SYMPTOM_FREE_ANKLE_MMHG``, 1 at 30 mmHg and below (0.71 at 50 mmHg)."""
    x = (SYMPTOM_FREE_ANKLE_MMHG - ankle_pressure_mmhg) / (SYMPTOM_FREE_ANKLE_MMHG - 30.0)
    return clip(x, 0.0, 1.0)


@njit
def progress_stenosis(abi: float, pad_active: bool, rate_per_night: float) -> float:
    """ABI after one more night of slow stenosis progression (PAD only)."""
    return max(abi - rate_per_night, 0.15) if pad_active else abi
