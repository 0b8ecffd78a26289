"""Symptom burden of each of a patient's mechanisms: what makes a cause the primary one.

Usage::

    rates = expected_rates(patients, model_cfg, streams)   # (n, len(REGISTRY))
    rates[:, CODE["rls"]]                                   # restless-legs burden of each patient

A mechanism's burden is its expected episodes a night times their mean intensity (its own
``rate`` hook, the law the engines sample nights from: frequency and severity together),
averaged over the patient's first ``BURDEN_DAYS`` days (their
own day streams: the hot spells, exertion, drinks and drug exposures their diary lives)
and over the lying-down postures by their probabilities (legs raised or flat, a provoking
position for a nerve or not), at the patient's usual bedtime, untreated. The horizon is
fixed, so a longer diary never changes who is primary. ``sim.model.population`` uses it
for the rule of ``primary_cause`` (docs/architecture.md, "Who has which cause").
"""

from __future__ import annotations

import numpy as np

from sim.model import state, treatment
from sim.model import symptoms as sx
from sim.model.jit import njit
from sim.model.mechanisms import REGISTRY
from sim.model.night_state import NightState

BURDEN_DAYS = 28
"""Days over which a mechanism's rate is averaged (a fixed horizon, never cohort.nights)."""


@njit
def _accumulate(static, tonight, slots, pain_means, legs_prob, bad_prob, night_p, mp, out):
    """Add tonight's posture-weighted rate x intensity of each active mechanism of every
    patient (``slots``: their mechanism codes, -1 after the last) to ``out``."""
    for i in range(static.shape[0]):
        s = static[i]
        d = tonight[i]
        bed = s[state.S.usual_bedtime_h]
        for k in range(slots.shape[1]):
            m = slots[i, k]
            if m < 0:
                break
            total = 0.0
            for legs in range(2):
                w_legs = legs_prob if legs == 1 else 1.0 - legs_prob
                for bad in range(2):
                    w = w_legs * (bad_prob if bad == 1 else 1.0 - bad_prob)
                    r, pain, _off, _drive = sx.mechanism_rate(
                        m, s, d, bed, legs == 1, bad == 1, night_p, mp, pain_means[m]
                    )
                    total += w * r * pain
            out[i, m] += total


def expected_rates(
    patients: dict[str, np.ndarray], model_cfg, streams, rows: np.ndarray | None = None
) -> np.ndarray:
    """(len(rows), len(REGISTRY)) burden (expected episodes a night times their mean
    intensity, 0-10) of every mechanism of the patients at positions ``rows`` (all by
    default) of the shard's ``patients`` arrays; 0 for a mechanism the patient lacks.

    ``streams``: the shard's streams before the nights draw from them (a fork is used, so
    the caller's calls are not counted)."""
    pt = dict(patients)
    pt.update(treatment.untreated(len(pt["patient_id"])))
    ns = NightState(pt, model_cfg, streams.fork(), rows)
    slots = sx.mechanism_slots(pt).astype(np.int64)
    if rows is not None:
        slots = np.ascontiguousarray(slots[rows])
    n = ns.n
    table = sx.MechanismTable.from_params(model_cfg.mechanisms, model_cfg.night)
    pain_means = np.ascontiguousarray(table.numbers[:, sx.T_PAIN_MEAN], dtype=np.float64)
    out = np.zeros((n, len(REGISTRY)))
    night = model_cfg.night
    for day in range(BURDEN_DAYS):
        tonight = ns.advance_day(day).matrix
        _accumulate(
            ns.static,
            tonight,
            slots,
            pain_means,
            float(night.legs_elevated_prob),
            float(night.nerve_bad_position_prob),
            ns.night_p,
            ns.mp,
            out,
        )
    return out / BURDEN_DAYS


__all__ = ["BURDEN_DAYS", "expected_rates"]
