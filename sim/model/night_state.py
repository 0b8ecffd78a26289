"""The nightly state of a cohort: what each day did to each patient, ready for the night.

Usage::

    state = NightState(patients, params, nights=28)     # patients: dict of model arrays
    for night in range(28):
        day = state.advance_day(night, u_day)           # u_day: (n, DAY_UNIFORMS) uniforms
        ...                                            # day.potassium, day.fatigue_load, ...

Both engines call this (the vectorised engine for a whole shard, the event engine for its
patients in lockstep), so the physiology is written once. ``StaticDraws`` holds per-patient
values drawn once (usual bedtime, drug onset delays, the side PAD hurts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import distributions as dist
from sim.model.physiology import hydration, medication, muscle, vascular
from sim.model.population import DIURETICS, DRUGS

DAY_UNIFORMS = 4
"""Uniforms per patient-day: hot spell, exertion, unaccustomed, alcohol."""
DAY_NORMALS = 5
"""Standard normals per patient-day: fluid intake, then K, Mg, Ca, Na day-to-day noise."""
STATIC_UNIFORMS = 6
"""Uniforms per patient drawn once: bedtime, statin onset, SSRI onset, PAD side (2), spare."""

_DRUG = {d: i for i, d in enumerate(DRUGS)}


@dataclass
class DayResult:
    """Tonight's state (arrays of length n) after the day's events."""

    hot: np.ndarray
    exertion: np.ndarray
    unaccustomed: np.ndarray
    alcohol: np.ndarray
    hydration_deficit_l: np.ndarray
    osmolality_mosm_kg: np.ndarray
    potassium: np.ndarray
    magnesium: np.ndarray
    calcium: np.ndarray
    sodium: np.ndarray
    fatigue_load: np.ndarray
    statin_effect: np.ndarray
    ssri_effect: np.ndarray
    bisphosphonate_effect: np.ndarray
    abi: np.ndarray
    ankle_sbp_mmhg: np.ndarray


class NightState:
    """Per-patient day-to-day physiology of a shard (or of the event engine's patients)."""

    def __init__(self, patients: dict[str, np.ndarray], model_cfg, u_static: np.ndarray) -> None:
        self.p = model_cfg.day
        self.night_p = model_cfg.night
        pt = patients
        self.n = n = len(pt["age"])
        self.age = pt["age"].astype(np.float32)
        self.heavy_alcohol = pt["heavy_alcohol"].astype(bool)
        self.fluid_intake = pt["fluid_intake_l_day"].astype(np.float32)
        self.exertion_prob = (pt["exertion_days_per_week"] / 7.0).astype(np.float32)
        self.unaccustomed_prob = pt["unaccustomed_exertion_prob"].astype(np.float32)
        self.keep = hydration.carryover(self.p, self.age)
        self.alcohol_prob = (
            np.where(
                self.heavy_alcohol,
                self.p.alcohol_days_per_week_heavy,
                self.p.alcohol_days_per_week_light,
            ).astype(np.float32)
            / 7.0
        )
        self.base = {
            k: pt[f"{k}_base_mmol_l"].astype(np.float32)
            for k in ("potassium", "magnesium", "calcium", "sodium")
        }
        self.potassium_drop = pt["diuretic_potassium_drop_mmol_l"].astype(np.float32)
        self.sodium_drop = pt["diuretic_sodium_drop_mmol_l"].astype(np.float32)
        self.culprit = pt["culprit_drug"].astype(np.int8)
        self.start = {d: pt[f"{d}_start_day"].astype(np.float32) for d in DRUGS}
        self.on = {d: pt[f"on_{d}"].astype(bool) for d in DRUGS}
        self.on_diuretic = np.zeros(n, dtype=bool)
        for d in DIURETICS:
            self.on_diuretic |= self.on[d]
        self.diuretic_start = np.full(n, np.inf, dtype=np.float32)
        for d in DIURETICS:
            self.diuretic_start = np.where(
                self.on[d], np.minimum(self.diuretic_start, self.start[d]), self.diuretic_start
            )
        self.culprit_diuretic = np.isin(self.culprit, [_DRUG[d] for d in DIURETICS])
        self.loop_culprit = self.culprit == _DRUG["loop_diuretic"]
        self.pad_active = pt["active_pad"].astype(bool)
        self.abi = pt["abi_true"].astype(np.float32).copy()
        self.brachial = pt["brachial_sbp_mmhg"].astype(np.float32)

        # Drawn once per patient.
        statin_lo, statin_hi = self.p.statin_onset_days
        ssri_lo, ssri_hi = self.p.ssri_onset_days
        self.statin_onset = self.start["statin"] + dist.uniform(
            u_static[:, 1], statin_lo, statin_hi
        )
        rls_drug_start = np.where(
            self.culprit == _DRUG["mirtazapine"], self.start["mirtazapine"], self.start["ssri"]
        )
        self.ssri_onset = rls_drug_start + dist.uniform(u_static[:, 2], ssri_lo, ssri_hi)
        self.bisphosphonate_weekly = pt["bisphosphonate_dose_mg"] > 10
        self.usual_bedtime_h = dist.normal(
            u_static[:, 0], self.night_p.bedtime_mean_h, self.night_p.bedtime_between_sd_h
        )
        # PAD hurts on one side (70%, left or right) or both. Codes: 0 left, 1 right, 2 both.
        one_side = u_static[:, 3] < 0.7
        self.pad_side = np.where(one_side, (u_static[:, 4] < 0.5).astype(np.int8), 2).astype(
            np.int8
        )

        self.deficit = np.zeros(n, dtype=np.float32)
        self.hot = np.zeros(n, dtype=bool)
        self.doms = np.zeros((n, len(self.p.doms_kernel)), dtype=np.float32)

    def advance_day(self, day: int, u: np.ndarray, z: np.ndarray) -> DayResult:
        """Apply day ``day``'s events and return tonight's state.

        ``u``: (n, DAY_UNIFORMS) uniforms; ``z``: (n, DAY_NORMALS) standard normals.
        """
        p = self.p
        hot_prob = np.where(self.hot, p.hot_spell_continue_prob, p.hot_spell_start_prob)
        self.hot = u[:, 0] < hot_prob
        exertion = u[:, 1] < self.exertion_prob
        unaccustomed = exertion & (u[:, 2] < self.unaccustomed_prob)
        alcohol = u[:, 3] < self.alcohol_prob
        culprit_on = self.culprit >= 0
        diuretic_exposure = medication.first_order_exposure(
            day, self.diuretic_start, p.diuretic_onset_days
        )
        intake = self.fluid_intake * np.exp(p.intake_day_log_sd * z[:, 0])
        need = hydration.fluid_need(
            p, hot=self.hot, exertion=exertion, alcohol=alcohol, diuretic=diuretic_exposure
        )
        self.deficit = hydration.hydration_deficit(self.deficit, need, intake, self.keep)
        osm = hydration.osmolality(self.deficit, p)

        culprit_exposure = np.where(self.culprit_diuretic, diuretic_exposure, 0.0)
        k_drop = np.where(
            self.culprit_diuretic,
            self.potassium_drop * culprit_exposure,
            p.noncausal_diuretic_potassium_drop * diuretic_exposure * self.on_diuretic,
        )
        na_drop = self.sodium_drop * medication.first_order_exposure(
            day, self.start["potassium_sparing"], p.diuretic_onset_days
        )
        mg_drop = 0.15 * self.loop_culprit * culprit_exposure
        noise = z[:, 1:5]
        k, mg, ca, na = hydration.serum_electrolytes(
            potassium_base=self.base["potassium"],
            magnesium_base=self.base["magnesium"],
            calcium_base=self.base["calcium"],
            sodium_base=self.base["sodium"],
            potassium_drop=k_drop,
            sodium_drop=na_drop,
            magnesium_drop=mg_drop,
            deficit_l=self.deficit,
            heavy_alcohol=self.heavy_alcohol,
            noise=noise,
            p=p,
        )
        muscle.push_exertion(self.doms, unaccustomed)
        load = muscle.fatigue_load(self.doms, exertion & ~unaccustomed, p)

        statin = np.where(
            culprit_on & (self.culprit == _DRUG["statin"]),
            medication.onset_ramp(day, self.statin_onset, p.drug_ramp_days),
            0.0,
        ).astype(np.float32)
        rls_drug = (self.culprit == _DRUG["ssri"]) | (self.culprit == _DRUG["mirtazapine"])
        ssri = np.where(
            rls_drug, medication.onset_ramp(day, self.ssri_onset, p.drug_ramp_days), 0.0
        )
        bis = np.where(
            self.culprit == _DRUG["bisphosphonate"],
            medication.bisphosphonate_reaction(
                day, self.start["bisphosphonate"], self.bisphosphonate_weekly, p
            ),
            0.0,
        ).astype(np.float32)
        self.abi = vascular.progress_stenosis(
            self.abi, self.pad_active, p.stenosis_progression_per_night
        )
        return DayResult(
            hot=self.hot.copy(),
            exertion=exertion,
            unaccustomed=unaccustomed,
            alcohol=alcohol,
            hydration_deficit_l=self.deficit.copy(),
            osmolality_mosm_kg=osm,
            potassium=k,
            magnesium=mg,
            calcium=ca,
            sodium=na,
            fatigue_load=load,
            statin_effect=statin,
            ssri_effect=ssri.astype(np.float32),
            bisphosphonate_effect=bis,
            abi=self.abi,
            ankle_sbp_mmhg=(self.abi * self.brachial).astype(np.float32),
        )


__all__ = ["NightState", "DayResult", "DAY_UNIFORMS", "DAY_NORMALS", "STATIC_UNIFORMS"]
