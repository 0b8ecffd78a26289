"""Neurological mechanisms: the restless-legs circadian drive and nerve compression.

Usage::

    drive = rls_drive(severity, ferritin, ssri_effect, night_params)
    rate = nerve_rate(severity, bad_position, night_params)

Restless legs: a dopaminergic and brain-iron circadian drive that peaks around midnight to
1 am and is least at 9-11 am; worse with low ferritin (75 ug/L or less, AASM 2024) and with
SSRIs or mirtazapine (Rottach 2008). The within-night shape is a Gaussian in clock time
(``sim.model.symptoms``, shape ``circadian``).
"""

from __future__ import annotations

import numpy as np

IRON_THRESHOLD_UG_L = 75.0
"""Ferritin at or below which iron treatment is indicated for RLS (AASM 2024)."""


def rls_drive(
    severity: np.ndarray, ferritin_ug_l: np.ndarray, ssri_effect: np.ndarray, p
) -> np.ndarray:
    """Restless-legs drive (0 .. about 1.5): intrinsic severity, iron, serotonergic drugs."""
    iron = np.where(ferritin_ug_l <= IRON_THRESHOLD_UG_L, p.rls_low_ferritin_factor, 1.0)
    return (severity * iron + p.rls_ssri_drive * ssri_effect).astype(np.float32)


def nerve_rate(severity: np.ndarray, bad_position: np.ndarray, p) -> np.ndarray:
    """Nerve-compression episodes per night: severity, worse in provoking positions."""
    position = np.where(bad_position, p.nerve_bad_position_factor, 1.0)
    return ((p.nerve_rate_base + p.nerve_rate_severity * severity) * position).astype(np.float32)
