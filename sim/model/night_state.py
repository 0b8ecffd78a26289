"""The nightly state of a cohort: what each day did to each patient, ready for the night.

Usage::

    state = NightState(patients, model_cfg, streams)   # patients: dict of model arrays
    for night in range(28):
        day = state.advance_day(night)                 # DayResult: day.potassium, ...

``day_step`` is the model of one patient's day, written once for scalars and compiled
(``sim.model.jit``). The vectorised engine calls it inside its fused loop; the event engine
calls it through ``NightState.advance_day`` (a compiled loop over the shard). Both draw the
day's numbers from the same counter-based stream (``night.day``), so the days of both
engines are bit-identical. ``NightState`` holds the per-patient constants as one float64
matrix (columns ``S_*``) and the state carried from day to day (columns ``C_*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model import distributions as dist
from sim.model.jit import NIGHT_BITS, as_float, njit, normal_at, stream_key, uniform_at
from sim.model.params import day_params, night_params
from sim.model.physiology import hydration, medication, muscle, vascular
from sim.model.population import DIURETICS, DRUGS
from sim.rng import ShardStreams

DAY_STREAM = "night.day"
"""Counter-based stream of the days: 4 uniforms (hot spell, exertion, unaccustomed,
alcohol), then 5 normals (fluid intake, then K, Mg, Ca, Na day-to-day noise)."""
DAY_UNIFORMS = 4
DAY_NORMALS = 5
STATIC_UNIFORMS = 6
"""Uniforms per patient drawn once (block stream ``night.static``): bedtime, statin onset,
SSRI onset, PAD side (2), spare."""

STATIN = DRUGS.index("statin")
SSRI = DRUGS.index("ssri")
MIRTAZAPINE = DRUGS.index("mirtazapine")
BISPHOSPHONATE = DRUGS.index("bisphosphonate")
LOOP_DIURETIC = DRUGS.index("loop_diuretic")
DIURETIC_CODES = tuple(DRUGS.index(d) for d in DIURETICS)

# Per-patient constants: columns of NightState.static.
STATIC_COLUMNS = (
    "exertion_prob",
    "unaccustomed_prob",
    "alcohol_prob",
    "fluid_intake",
    "keep",
    "heavy_alcohol",
    "potassium_base",
    "magnesium_base",
    "calcium_base",
    "sodium_base",
    "potassium_drop",
    "sodium_drop",
    "culprit",
    "on_diuretic",
    "diuretic_start",
    "potassium_sparing_start",
    "pad_active",
    "abi_true",
    "brachial",
    "statin_onset",
    "ssri_onset",
    "bisphosphonate_start",
    "bisphosphonate_weekly",
    "usual_bedtime_h",
    "pad_side",
    "rls_severity",
    "ferritin",
    "rls_peak_clock_h",
    "cramp_base_rate",
    "nerve_severity",
    "nerve_site",
    "nerve_side",
)
(
    S_EXERTION_PROB,
    S_UNACCUSTOMED_PROB,
    S_ALCOHOL_PROB,
    S_FLUID_INTAKE,
    S_KEEP,
    S_HEAVY_ALCOHOL,
    S_K_BASE,
    S_MG_BASE,
    S_CA_BASE,
    S_NA_BASE,
    S_K_DROP,
    S_NA_DROP,
    S_CULPRIT,
    S_ON_DIURETIC,
    S_DIURETIC_START,
    S_PS_START,
    S_PAD_ACTIVE,
    S_ABI,
    S_BRACHIAL,
    S_STATIN_ONSET,
    S_SSRI_ONSET,
    S_BIS_START,
    S_BIS_WEEKLY,
    S_BEDTIME,
    S_PAD_SIDE,
    S_RLS_SEVERITY,
    S_FERRITIN,
    S_RLS_PEAK,
    S_CRAMP_BASE,
    S_NERVE_SEVERITY,
    S_NERVE_SITE,
    S_NERVE_SIDE,
) = range(len(STATIC_COLUMNS))

# State carried from day to day: columns of NightState.carry.
C_HOT, C_DEFICIT, C_HISTORY, C_ABI = range(4)

# Tonight's state: columns of the day row written by ``day_step``.
DAY_COLUMNS = (
    "hot",
    "exertion",
    "unaccustomed",
    "alcohol",
    "hydration_deficit_l",
    "osmolality_mosm_kg",
    "potassium",
    "magnesium",
    "calcium",
    "sodium",
    "fatigue_load",
    "statin_effect",
    "ssri_effect",
    "bisphosphonate_effect",
    "abi",
    "ankle_sbp_mmhg",
)
(
    D_HOT,
    D_EXERTION,
    D_UNACCUSTOMED,
    D_ALCOHOL,
    D_DEFICIT,
    D_OSMOLALITY,
    D_K,
    D_MG,
    D_CA,
    D_NA,
    D_FATIGUE,
    D_STATIN,
    D_SSRI,
    D_BIS,
    D_ABI,
    D_ANKLE,
) = range(len(DAY_COLUMNS))
_BOOL_DAY = {"hot", "exertion", "unaccustomed", "alcohol"}


@njit
def day_step(day, key, patient, s, carry, out, p):
    """One patient's day ``day``: draw its events, update ``carry``, write tonight to ``out``.

    ``s``: the patient's row of constants (``S_*``); ``carry``: the state carried from
    yesterday (``C_*``), updated in place; ``out``: tonight's state (``D_*``); ``p``: DayP.
    """
    u_hot = uniform_at(key, patient, day, 0)
    u_exertion = uniform_at(key, patient, day, 1)
    u_unaccustomed = uniform_at(key, patient, day, 2)
    u_alcohol = uniform_at(key, patient, day, 3)
    hot_prob = p.hot_spell_continue_prob if carry[C_HOT] > 0 else p.hot_spell_start_prob
    hot = u_hot < hot_prob
    exertion = u_exertion < s[S_EXERTION_PROB]
    unaccustomed = exertion and u_unaccustomed < s[S_UNACCUSTOMED_PROB]
    alcohol = u_alcohol < s[S_ALCOHOL_PROB]

    diuretic = medication.first_order_exposure(day, s[S_DIURETIC_START], p.diuretic_onset_days)
    intake = s[S_FLUID_INTAKE] * math.exp(
        p.intake_day_log_sd * normal_at(key, patient, day, DAY_UNIFORMS)
    )
    need = hydration.fluid_need(p, hot, exertion, alcohol, diuretic)
    deficit = hydration.hydration_deficit(carry[C_DEFICIT], need, intake, s[S_KEEP])
    culprit = int(s[S_CULPRIT])
    culprit_diuretic = False
    for code in DIURETIC_CODES:
        if culprit == code:
            culprit_diuretic = True
    if culprit_diuretic:
        k_drop = s[S_K_DROP] * diuretic
        mg_drop = (
            p.loop_diuretic_magnesium_drop_mmol_l * diuretic if culprit == LOOP_DIURETIC else 0.0
        )
    else:
        k_drop = p.noncausal_diuretic_potassium_drop * diuretic * s[S_ON_DIURETIC]
        mg_drop = 0.0
    na_drop = s[S_NA_DROP] * medication.first_order_exposure(
        day, s[S_PS_START], p.diuretic_onset_days
    )
    k, mg, ca, na = hydration.serum_electrolytes(
        s[S_K_BASE],
        s[S_MG_BASE],
        s[S_CA_BASE],
        s[S_NA_BASE],
        k_drop,
        na_drop,
        mg_drop,
        deficit,
        s[S_HEAVY_ALCOHOL] > 0,
        normal_at(key, patient, day, DAY_UNIFORMS + 1),
        normal_at(key, patient, day, DAY_UNIFORMS + 2),
        normal_at(key, patient, day, DAY_UNIFORMS + 3),
        normal_at(key, patient, day, DAY_UNIFORMS + 4),
        p,
    )
    history = muscle.push_exertion(int(carry[C_HISTORY]), unaccustomed, p)
    load = muscle.fatigue_load(history, exertion and not unaccustomed, p)
    statin = 0.0
    if culprit == STATIN:
        statin = medication.onset_ramp(day, s[S_STATIN_ONSET], p.drug_ramp_days)
    ssri = 0.0
    if culprit == SSRI or culprit == MIRTAZAPINE:
        ssri = medication.onset_ramp(day, s[S_SSRI_ONSET], p.drug_ramp_days)
    bis = 0.0
    if culprit == BISPHOSPHONATE:
        bis = medication.bisphosphonate_reaction(day, s[S_BIS_START], s[S_BIS_WEEKLY] > 0, p)
    abi = vascular.progress_stenosis(
        carry[C_ABI], s[S_PAD_ACTIVE] > 0, p.stenosis_progression_per_night, p
    )

    carry[C_HOT] = as_float(hot)
    carry[C_DEFICIT] = deficit
    carry[C_HISTORY] = float(history)
    carry[C_ABI] = abi
    out[D_HOT] = as_float(hot)
    out[D_EXERTION] = as_float(exertion)
    out[D_UNACCUSTOMED] = as_float(unaccustomed)
    out[D_ALCOHOL] = as_float(alcohol)
    out[D_DEFICIT] = deficit
    out[D_OSMOLALITY] = hydration.osmolality(deficit, p)
    out[D_K] = k
    out[D_MG] = mg
    out[D_CA] = ca
    out[D_NA] = na
    out[D_FATIGUE] = load
    out[D_STATIN] = statin
    out[D_SSRI] = ssri
    out[D_BIS] = bis
    out[D_ABI] = abi
    out[D_ANKLE] = abi * s[S_BRACHIAL]


@njit
def _advance(day, key, patients, static, carry, out, p):
    for i in range(len(patients)):
        day_step(day, key, patients[i], static[i], carry[i], out[i], p)


@njit
def _cramp_base(weekly, out):
    for i in range(len(weekly)):
        out[i] = muscle.cramp_base_rate(weekly[i])


@njit
def _keep(age, p, out):
    for i in range(len(age)):
        out[i] = hydration.carryover(p, age[i])


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
    matrix: np.ndarray  # (n, len(DAY_COLUMNS)) float64: what compiled code reads


class NightState:
    """Per-patient day-to-day physiology of a shard (or of the event engine's patients)."""

    def __init__(self, patients: dict[str, np.ndarray], model_cfg, streams: ShardStreams) -> None:
        self.p = day_params(model_cfg.day)
        self.night_p = night_params(model_cfg.night)
        self.key = stream_key(streams.seed, DAY_STREAM)
        self.patient_id = np.asarray(patients["patient_id"], dtype=np.int64)
        self.static = static_matrix(
            patients, self.p, self.night_p, streams.uniform("night.static", STATIC_UNIFORMS)
        )
        self.n = len(self.patient_id)
        self.usual_bedtime_h = self.static[:, S_BEDTIME]
        self.pad_side = self.static[:, S_PAD_SIDE].astype(np.int8)
        self.carry = initial_carry(self.static)

    def advance_day(self, day: int) -> DayResult:
        """Apply day ``day``'s events (days must come in order) and return tonight's state."""
        if not 0 <= day < 1 << NIGHT_BITS:
            raise ValueError(
                f"day {day}: the counter-based draws hold days 0..{(1 << NIGHT_BITS) - 1}"
            )
        out = np.empty((self.n, len(DAY_COLUMNS)))
        _advance(day, self.key, self.patient_id, self.static, self.carry, out, self.p)
        cols = {}
        for c, name in enumerate(DAY_COLUMNS):
            column = out[:, c]
            cols[name] = column > 0 if name in _BOOL_DAY else column.astype(np.float32)
        return DayResult(**cols, matrix=out)


def initial_carry(static: np.ndarray) -> np.ndarray:
    """The carried state before day 0: no hot spell, no deficit, no exertion, baseline ABI."""
    carry = np.zeros((len(static), 4))
    carry[:, C_ABI] = static[:, S_ABI]
    return carry


def static_matrix(patients: dict[str, np.ndarray], p, night_p, u_static: np.ndarray) -> np.ndarray:
    """The (n, len(STATIC_COLUMNS)) per-patient constants of the night model."""
    pt = patients
    n = len(pt["age"])
    s = np.zeros((n, len(STATIC_COLUMNS)))
    s[:, S_EXERTION_PROB] = pt["exertion_days_per_week"] / 7.0
    s[:, S_UNACCUSTOMED_PROB] = pt["unaccustomed_exertion_prob"]
    heavy = pt["heavy_alcohol"].astype(bool)
    s[:, S_HEAVY_ALCOHOL] = heavy
    s[:, S_ALCOHOL_PROB] = (
        np.where(heavy, p.alcohol_days_per_week_heavy, p.alcohol_days_per_week_light) / 7.0
    )
    s[:, S_FLUID_INTAKE] = pt["fluid_intake_l_day"]
    keep = np.empty(n)
    _keep(np.asarray(pt["age"], dtype=np.float64), p, keep)
    s[:, S_KEEP] = keep
    for col, name in (
        (S_K_BASE, "potassium"),
        (S_MG_BASE, "magnesium"),
        (S_CA_BASE, "calcium"),
        (S_NA_BASE, "sodium"),
    ):
        s[:, col] = pt[f"{name}_base_mmol_l"]
    s[:, S_K_DROP] = pt["diuretic_potassium_drop_mmol_l"]
    s[:, S_NA_DROP] = pt["diuretic_sodium_drop_mmol_l"]
    culprit = np.asarray(pt["culprit_drug"], dtype=np.int64)
    s[:, S_CULPRIT] = culprit
    start = {d: np.asarray(pt[f"{d}_start_day"], dtype=np.float64) for d in DRUGS}
    on = {d: np.asarray(pt[f"on_{d}"], dtype=bool) for d in DRUGS}
    on_diuretic = np.zeros(n, dtype=bool)
    diuretic_start = np.full(n, np.inf)
    for d in DIURETICS:
        on_diuretic |= on[d]
        diuretic_start = np.where(on[d], np.minimum(diuretic_start, start[d]), diuretic_start)
    s[:, S_ON_DIURETIC] = on_diuretic
    s[:, S_DIURETIC_START] = diuretic_start
    # Only a culprit potassium-sparing diuretic lowers sodium (its drop is 0 otherwise).
    s[:, S_PS_START] = np.where(
        pt["diuretic_sodium_drop_mmol_l"] > 0, start["potassium_sparing"], np.inf
    )
    s[:, S_PAD_ACTIVE] = pt["active_pad"].astype(bool)
    s[:, S_ABI] = pt["abi_true"]
    s[:, S_BRACHIAL] = pt["brachial_sbp_mmhg"]

    # Drawn once per patient.
    statin_lo, statin_hi = p.statin_onset_days
    ssri_lo, ssri_hi = p.ssri_onset_days
    s[:, S_STATIN_ONSET] = start["statin"] + dist.uniform(u_static[:, 1], statin_lo, statin_hi)
    rls_drug_start = np.where(culprit == MIRTAZAPINE, start["mirtazapine"], start["ssri"])
    s[:, S_SSRI_ONSET] = rls_drug_start + dist.uniform(u_static[:, 2], ssri_lo, ssri_hi)
    s[:, S_BIS_START] = start["bisphosphonate"]
    s[:, S_BIS_WEEKLY] = pt["bisphosphonate_dose_mg"] > 10
    s[:, S_BEDTIME] = dist.normal(
        u_static[:, 0], night_p.bedtime_mean_h, night_p.bedtime_between_sd_h
    )
    # PAD hurts on one side (left or right) or both. Codes: 0 left, 1 right, 2 both.
    one_side = u_static[:, 3] < night_p.pad_one_side_prob
    s[:, S_PAD_SIDE] = np.where(one_side, (u_static[:, 4] < 0.5).astype(np.int8), 2)
    s[:, S_RLS_SEVERITY] = pt["rls_severity"]
    s[:, S_FERRITIN] = pt["ferritin_ug_l"]
    s[:, S_RLS_PEAK] = pt["rls_peak_clock_h"]
    base = np.empty(n)
    _cramp_base(np.asarray(pt["cramp_weekly_rate"], dtype=np.float64), base)
    s[:, S_CRAMP_BASE] = base
    s[:, S_NERVE_SEVERITY] = pt["nerve_severity"]
    s[:, S_NERVE_SITE] = pt["nerve_site"]
    s[:, S_NERVE_SIDE] = pt["nerve_side"]
    return s


__all__ = [
    "NightState",
    "DayResult",
    "day_step",
    "static_matrix",
    "initial_carry",
    "DAY_STREAM",
    "DAY_UNIFORMS",
    "DAY_NORMALS",
    "STATIC_UNIFORMS",
]
