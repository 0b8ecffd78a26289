"""Who gets which intervention: the per-patient plan a shard hands to the model.

Usage::

    plan = TreatmentPlan.everyone(stretching)                 # every patient, one intervention
    plan = TreatmentPlan([iron, dopamine], by_patient=codes)  # codes[patient_id]: 0, 1 or -1
    simulate_cohort(cfg, treatment=plan)                      # sim.pipeline

The plan is picklable (shards may run in other processes or on Dask) and turns a shard's
patient arrays into the plan columns ``sim.model.treatment`` reads (``columns``). A patient
without an intervention keeps the untreated plan, so their nights are exactly the control
arm's.
"""

from __future__ import annotations

import numpy as np

from sim.interventions.spec import Intervention
from sim.model import treatment


class TreatmentPlan:
    """Interventions and, per patient id, which one (index) each patient gets (-1: none)."""

    def __init__(self, interventions: list[Intervention], by_patient: np.ndarray | None = None):
        self.interventions = list(interventions)
        self.by_patient = None if by_patient is None else np.asarray(by_patient, dtype=np.int64)
        if self.by_patient is None and len(self.interventions) != 1:
            raise ValueError("a plan for everyone has exactly one intervention")

    @classmethod
    def everyone(cls, intervention: Intervention) -> TreatmentPlan:
        return cls([intervention])

    def codes(self, patient_id: np.ndarray) -> np.ndarray:
        """Each patient's intervention index (-1: untreated)."""
        if self.by_patient is None:
            return np.zeros(len(patient_id), dtype=np.int64)
        return self.by_patient[np.asarray(patient_id, dtype=np.int64)]

    def columns(self, patients: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The plan columns of a shard's patients (``treatment.PLAN_FIELDS``)."""
        codes = self.codes(patients["patient_id"])
        plan = treatment.untreated(len(codes))
        for k, item in enumerate(self.interventions):
            rows = codes == k
            if not rows.any():
                continue
            for name, value in item.plan_values().items():
                plan[name][rows] = value
        return plan


__all__ = ["TreatmentPlan"]
