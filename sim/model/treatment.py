"""Tonight's treatment: the levers an intervention pulls, night by night, patient by patient.

Usage::

    from sim.model import treatment
    plan = treatment.untreated(n)                      # dict of (n,) float64 plan columns
    plan["tx_start"][:] = 7                            # acts from night 7
    plan["tx_size_cramp_rate"][:] = 0.3                # the lever's full size
    patients.update(plan)                              # NightState reads the columns
    treatment.apply(day, patient_id, key, s, d)        # compiled: writes d[D.tx_<lever>]

A lever is a number of tonight's state (``state.D.tx_<lever>``, 0 when untreated) that a
mechanism reads in its own day update or rate law: ``cramp_rate`` in ``cramps``, the extra
fluid in ``dehydration``, a stopped culprit drug in ``medication``, and so on (each
mechanism's ``LEVERS``; the driver's own are ``state.GENERIC_LEVERS``). Interventions act
only through levers, so they act on physiology and behaviour, never on the diary itself;
a lever of size 0 leaves every number exactly as it was.

The plan is per patient (``state.TREATMENT_STATIC`` and ``tx_size_*``, ``tx_tau_*``, held in
the patient's constants), so each patient may get a different intervention (a policy).
On night ``day >= tx_start`` the patient takes it with probability ``tx_adherence`` halved
every ``tx_halflife`` nights since the start, decided night by night (``tx_nightly``: a
habit such as stretching) or once for the whole course (a drug, a procedure: the patient's
one uniform, so a patient who stops stays stopped as the chance decays). Taken, each lever
is its size times its build-up ``1 - exp(-(nights since start + 1) / tau)`` (at once when
tau is 0); not taken, 0. The uniforms come from their own stream (``treatment.adherence``),
so the treated arm draws every other number exactly as its control (common random
numbers).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model import (
    mechanisms,  # noqa: F401  (lays out the state)
    state,
)
from sim.model.jit import njit, uniform_at

STREAM = "treatment.adherence"
"""Counter-based stream of the adherence uniforms: (patient, night, 0) for a nightly
decision, (patient, 0, 1) for the patient's once-for-the-course decision."""
LEVERS = tuple(state.LEVERS)
LEVER_D = np.array([getattr(state.D, f"tx_{name}") for name in LEVERS], dtype=np.int64)
LEVER_SIZE = np.array([getattr(state.S, f"tx_size_{name}") for name in LEVERS], dtype=np.int64)
LEVER_TAU = np.array([getattr(state.S, f"tx_tau_{name}") for name in LEVERS], dtype=np.int64)
LEVER_D0 = int(LEVER_D[0])
N_LEVERS = len(LEVERS)
assert (LEVER_D == np.arange(LEVER_D0, LEVER_D0 + len(LEVERS))).all(), "levers are contiguous"
PLAN_FIELDS = tuple(f for f in state.STATIC_FIELDS if f.startswith("tx_"))
"""The plan's columns (``NightState`` reads them from the patient arrays when present)."""


def untreated(n: int) -> dict[str, np.ndarray]:
    """The plan of ``n`` untreated patients (never starts; every lever 0)."""
    plan = {name: np.zeros(n) for name in PLAN_FIELDS}
    plan["tx_start"][:] = np.inf
    plan["tx_adherence"][:] = 1.0
    plan["tx_halflife"][:] = np.inf
    return plan


@njit
def taken(day, patient, key, s) -> bool:
    """Whether the patient takes the treatment on ``day`` (False before its start)."""
    S = state.S
    start = s[S.tx_start]
    if not day >= start:
        return False
    since = day - start
    keep = s[S.tx_adherence] * 0.5 ** (since / s[S.tx_halflife])
    if s[S.tx_nightly] > 0:
        u = uniform_at(key, patient, day, 0)
    else:
        u = uniform_at(key, patient, 0, 1)
    return u < keep


@njit
def apply(day, patient, key, s, d):
    """Write tonight's levers ``d[D.tx_<lever>]`` from the patient's plan (all 0 untreated)."""
    if not taken(day, patient, key, s):
        # The levers are the last, contiguous fields of tonight's state: one short fill.
        for k in range(LEVER_D0, LEVER_D0 + N_LEVERS):
            d[k] = 0.0
        return
    since = day - s[state.S.tx_start]
    for k in range(N_LEVERS):
        tau = s[LEVER_TAU[k]]
        build = 1.0 if tau <= 0.0 else -math.expm1(-(since + 1.0) / tau)
        d[LEVER_D0 + k] = s[LEVER_SIZE[k]] * build


def plan_columns(pt: dict, n: int) -> dict[str, np.ndarray]:
    """The plan columns of patient arrays ``pt`` (the untreated plan where absent)."""
    plan = untreated(n)
    for name in PLAN_FIELDS:
        if name in pt:
            plan[name] = np.asarray(pt[name], dtype=np.float64)
    return plan


__all__ = ["LEVERS", "PLAN_FIELDS", "STREAM", "untreated", "plan_columns", "apply", "taken"]
