"""Neurological mechanisms: the restless-legs circadian drive and nerve compression.

Usage (scalars, compiled)::

    drive = rls_drive(severity, ferritin, ssri_effect, night_p)
    rate = nerve_rate(severity, bad_position, night_p)

Restless legs: a dopaminergic and brain-iron circadian drive that peaks around midnight to
1 am and is least at 9-11 am; worse with low ferritin (75 ug/L or less, AASM 2024) and with
SSRIs or mirtazapine (Rottach 2008). The within-night shape is a Gaussian in clock time
(``sim.model.symptoms``, shape ``circadian``).
"""

from __future__ import annotations

from sim.model import reference as ref
from sim.model.jit import njit


@njit
def rls_drive(severity: float, ferritin_ug_l: float, ssri_effect: float, p) -> float:
    """Restless-legs drive (0 .. about 1.5): intrinsic severity, iron, serotonergic drugs."""
    iron = p.rls_low_ferritin_factor if ferritin_ug_l <= ref.FERRITIN_IRON_THRESHOLD_UG_L else 1.0
    return severity * iron + p.rls_ssri_drive * ssri_effect


@njit
def nerve_rate(severity: float, bad_position: bool, p) -> float:
    """Nerve-compression episodes per night: severity, worse in provoking positions."""
    position = p.nerve_bad_position_factor if bad_position else 1.0
    return (p.nerve_rate_base + p.nerve_rate_severity * severity) * position
