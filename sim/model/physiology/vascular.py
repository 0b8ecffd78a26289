"""Vascular physiology: arterial stenosis, ankle pressure and ischaemia lying down.

Usage (scalars, compiled; see ``sim.model.jit``)::

    ischaemia = ischaemia_index(ankle_sbp_mmhg, night_p)       # 0 (none) .. 1 (critical)
    abi = progress_stenosis(abi, pad_active, rate, day_p)     # one night of slow progression

Lying flat removes gravity's help to ankle perfusion; raising the legs removes more and
hanging them down restores some (DOMAIN.md). The supine deficit is what drives rest pain.
"""

from __future__ import annotations

from sim.model.jit import as_float, clip, njit


@njit
def supine_ankle_pressure(ankle_sbp_mmhg: float, legs_elevated: bool, p) -> float:
    """Effective ankle perfusion pressure lying down (mmHg); ``p``: NightP."""
    return ankle_sbp_mmhg - p.legs_elevated_ankle_loss_mmhg * as_float(legs_elevated)


@njit
def ischaemia_index(ankle_pressure_mmhg: float, p) -> float:
    """0 at or above ``p.ischaemia_free_ankle_mmhg``, 1 at ``p.ischaemia_full_ankle_mmhg``
    and below (0.71 at 50 mmHg with the defaults); ``p``: NightP."""
    free = p.ischaemia_free_ankle_mmhg
    x = (free - ankle_pressure_mmhg) / (free - p.ischaemia_full_ankle_mmhg)
    return clip(x, 0.0, 1.0)


@njit
def progress_stenosis(abi: float, pad_active: bool, rate_per_night: float, p) -> float:
    """ABI after one more night of slow stenosis progression (PAD only); ``p``: DayP."""
    return max(abi - rate_per_night, p.abi_floor) if pad_active else abi
