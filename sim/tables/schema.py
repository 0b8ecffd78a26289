"""The table contract: every column of every output table, defined once.

Usage::

    from sim.tables.schema import TABLES, truth_columns, to_frame
    df = to_frame("patients", columns)          # numpy arrays -> typed polars DataFrame
    hidden = truth_columns("nights")            # what a feature builder must drop

Each column has a name, a polars dtype, a unit, a description and whether it is ground
truth. The data dictionary (docs/data-dictionary.md) is generated from this module by
``python -m sim.tables.dictionary``; a test fails when it is out of date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from sim.config import CAUSES, LABELS, WALKING_PAIN
from sim.model.causes import URGENCIES
from sim.model.population import (
    ACTIVITY_LEVELS,
    COMORBIDITIES,
    DRUG_INDICATION,
    DRUGS,
    FLUID_HABITS,
    NERVE_SITES,
    PAD_STAGES,
    SIDES,
)
from sim.model.symptoms import LOCATIONS, MECHANISMS, QUALITIES, SIDES3

SEX = ("male", "female")
CauseEnum = pl.Enum(list(LABELS))
DrugEnum = pl.Enum(list(DRUGS))


@dataclass(frozen=True)
class Column:
    """One column of an output table."""

    name: str
    dtype: pl.DataType
    unit: str
    description: str
    truth: bool = False
    categories: tuple[str, ...] | None = None
    """For coded columns: the labels, indexed by the integer code the model produces."""


def _enum(name: str, labels: tuple[str, ...], description: str, *, truth: bool = False) -> Column:
    return Column(name, pl.Enum(list(labels)), "category", description, truth, labels)


COMORBIDITY_TEXT = {
    "diabetes": "diabetes mellitus",
    "hypertension": "hypertension",
    "hypercholesterolaemia": "hypercholesterolaemia",
    "depression": "depression",
    "osteoporosis": "osteoporosis",
    "ckd": "chronic kidney disease (stage 3 or worse)",
    "hypothyroidism": "hypothyroidism",
    "iron_deficiency": "iron deficiency",
    "disc_disease": "lumbar disc disease",
}

PATIENTS: tuple[Column, ...] = (
    Column(
        "patient_id", pl.Int32, "id", "Patient identifier, stable across cohort sizes and shards."
    ),
    Column("age", pl.Int8, "years", "Age at the start of the diary."),
    _enum("sex", SEX, "Sex."),
    Column("bmi_kg_m2", pl.Float32, "kg/m2", "Body mass index."),
    _enum("activity_level", ACTIVITY_LEVELS, "Usual physical activity."),
    _enum("fluid_intake_habit", FLUID_HABITS, "Self-reported usual fluid intake."),
    Column("alcohol_units_week", pl.Float32, "UK units/week", "Self-reported alcohol intake."),
    _enum(
        "walking_leg_pain",
        WALKING_PAIN,
        "Walking history (Edinburgh-style): claudication is calf pain on walking, eased "
        "within minutes of standing still; atypical is other leg pain on walking.",
    ),
    Column("leg_swelling", pl.Boolean, "flag", "The legs swell by evening (self-reported)."),
    Column(
        "sitting_hours_day",
        pl.Float32,
        "hours/day",
        "Usual hours a day spent sitting (self-reported, to the half hour).",
    ),
    Column("smoking", pl.Boolean, "flag", "Current smoker."),
    Column("heavy_alcohol", pl.Boolean, "flag", "Drinks more than 14 units a week."),
    Column("family_history_rls", pl.Boolean, "flag", "A first-degree relative has restless legs."),
    *(Column(c, pl.Boolean, "flag", f"History of {COMORBIDITY_TEXT[c]}.") for c in COMORBIDITIES),
    *(
        col
        for d in DRUGS
        for col in (
            Column(
                f"on_{d}",
                pl.Boolean,
                "flag",
                f"Takes a {d.replace('_', ' ')} (indication: {DRUG_INDICATION[d]}).",
            ),
            Column(
                f"{d}_start_day",
                pl.Int16,
                "day",
                f"Day the {d.replace('_', ' ')} was started, relative to the first diary night (0); "
                "negative is before the diary; 0 when not taken.",
            ),
            Column(
                f"{d}_dose_mg",
                pl.Float32,
                "mg",
                f"Dose of the {d.replace('_', ' ')}; null when not taken.",
            ),
        )
    ),
    _enum(
        "primary_cause",
        LABELS,
        "Root of the chain of causes with the most symptom burden (what an intervention would "
        "fix first), or none.",
        truth=True,
    ),
    Column(
        "contributing_causes",
        pl.List(pl.Enum(list(CAUSES))),
        "list of causes",
        "Every active cause: the primary, what it causes and the co-conditions of the "
        "patient's own risks (causes co-occur and cause each other).",
        truth=True,
    ),
    *(
        Column(
            f"active_{c}",
            pl.Boolean,
            "flag",
            f"The {c} mechanism is active (one-hot of contributing_causes).",
            truth=True,
        )
        for c in CAUSES
    ),
    _enum(
        "urgency",
        URGENCIES,
        "What a perfect triage would do at the clinic visit (DOMAIN.md urgency rules, on the "
        "true physiology of the visit night).",
        truth=True,
    ),
    _enum(
        "culprit_drug",
        DRUGS,
        "The drug that harms the patient (always with primary_cause medication; a co-condition "
        "otherwise); null when no drug does.",
        truth=True,
    ),
    Column("brachial_sbp_mmhg", pl.Float32, "mmHg", "True brachial systolic pressure.", truth=True),
    Column(
        "abi_true",
        pl.Float32,
        "ratio",
        "True ankle-brachial index (PAD when 0.90 or less).",
        truth=True,
    ),
    Column(
        "ankle_sbp_mmhg",
        pl.Float32,
        "mmHg",
        "True ankle systolic pressure (rest pain below 50).",
        truth=True,
    ),
    _enum(
        "pad_stage",
        PAD_STAGES,
        "Stage of PAD (ABI 0.90 or less): asymptomatic, atypical leg pain or claudication "
        "by day, or critical ischaemia with rest pain at night (the only stage that is the "
        "pad cause); none above 0.90.",
        truth=True,
    ),
    Column(
        "arterial_stenosis",
        pl.Float32,
        "fraction",
        "Arterial stenosis, 1 - ABI/1.1 clipped to [0, 1].",
        truth=True,
    ),
    Column(
        "potassium_base_mmol_l",
        pl.Float32,
        "mmol/L",
        "Serum potassium before any culprit diuretic.",
        truth=True,
    ),
    Column("magnesium_base_mmol_l", pl.Float32, "mmol/L", "Baseline serum magnesium.", truth=True),
    Column(
        "calcium_base_mmol_l", pl.Float32, "mmol/L", "Baseline total serum calcium.", truth=True
    ),
    Column(
        "sodium_base_mmol_l",
        pl.Float32,
        "mmol/L",
        "Serum sodium before any culprit diuretic.",
        truth=True,
    ),
    Column(
        "diuretic_potassium_drop_mmol_l",
        pl.Float32,
        "mmol/L",
        "Steady-state potassium fall caused by a culprit diuretic.",
        truth=True,
    ),
    Column(
        "diuretic_sodium_drop_mmol_l",
        pl.Float32,
        "mmol/L",
        "Steady-state sodium fall caused by a culprit diuretic.",
        truth=True,
    ),
    Column("ferritin_ug_l", pl.Float32, "ug/L", "True serum ferritin (iron stores).", truth=True),
    Column(
        "ache_propensity",
        pl.Float32,
        "multiplier",
        "How often harmless, non-specific leg aches come (multiplies their rate; mean 1 in "
        "the community; controls who presented have a median of 4).",
        truth=True,
    ),
    Column(
        "rls_severity",
        pl.Float32,
        "0-1",
        "Restless-legs circadian drive amplitude; 0 without the mechanism.",
        truth=True,
    ),
    Column(
        "rls_peak_clock_h",
        pl.Float32,
        "clock hour",
        "Clock hour of the restless-legs peak (0.5 = 00:30); null without it.",
        truth=True,
    ),
    Column(
        "venous_severity",
        pl.Float32,
        "0-1",
        "Chronic venous disease severity; 0 without the mechanism.",
        truth=True,
    ),
    Column(
        "painless_neuropathy",
        pl.Boolean,
        "flag",
        "Painless diabetic neuropathy: numb feet without neuropathic pain (not a cause).",
        truth=True,
    ),
    Column(
        "stenosis_severity",
        pl.Float32,
        "0-1",
        "Lumbar spinal stenosis severity; 0 without the mechanism.",
        truth=True,
    ),
    Column(
        "cramp_weekly_rate",
        pl.Float32,
        "nights/week",
        "Baseline cramp nights a week; 0 without the cramp mechanism.",
        truth=True,
    ),
    Column(
        "nerve_compression",
        pl.Boolean,
        "flag",
        "A nerve is compressed (sciatica or peroneal).",
        truth=True,
    ),
    Column(
        "nerve_severity",
        pl.Float32,
        "0-1",
        "Nerve compression or neuropathy severity; 0 without it.",
        truth=True,
    ),
    _enum(
        "nerve_side", SIDES, "Side of the compressed nerve; null without compression.", truth=True
    ),
    _enum("nerve_site", NERVE_SITES, "Site of compression; null without compression.", truth=True),
    Column(
        "exertion_days_per_week",
        pl.Float32,
        "days/week",
        "Usual days of heavy exertion.",
        truth=True,
    ),
    Column(
        "unaccustomed_exertion_prob",
        pl.Float32,
        "probability",
        "Chance an exertion day is unaccustomed (DOMS-prone).",
        truth=True,
    ),
    Column("fluid_intake_l_day", pl.Float32, "L/day", "True usual fluid intake.", truth=True),
)

_NIGHT_QUALITIES = QUALITIES
_NIGHT_LOCATIONS = LOCATIONS
_NIGHT_SIDES = SIDES3
_MECHANISMS = MECHANISMS

NIGHTS: tuple[Column, ...] = (
    Column("patient_id", pl.Int32, "id", "Patient identifier."),
    Column("night", pl.Int16, "night", "Night of the diary, from 0."),
    Column(
        "heavy_exertion",
        pl.Boolean,
        "flag",
        "Diary: heavy physical exertion during the day before this night.",
    ),
    Column("alcohol", pl.Boolean, "flag", "Diary: drank alcohol that day."),
    Column("hot_day", pl.Boolean, "flag", "Diary: a hot day (hot spell)."),
    Column(
        "bedtime_h",
        pl.Float32,
        "clock hour",
        "Clock hour of lying down, 0-24 (23.5 = 11:30 pm, 0.25 = 00:15).",
    ),
    Column("time_in_bed_min", pl.Int16, "min", "Minutes from lying down to getting up."),
    Column("pain_score", pl.Int8, "0-10", "Worst leg pain of the night (0 = no symptoms)."),
    Column(
        "onset_min",
        pl.Float32,
        "min",
        "Minutes after lying down when symptoms began; null without symptoms.",
    ),
    Column(
        "duration_min", pl.Float32, "min", "Total minutes with symptoms (at most the time in bed)."
    ),
    _enum(
        "quality",
        _NIGHT_QUALITIES,
        "The patient's word for the worst episode's sensation (each patient has their own "
        "words); null without symptoms.",
    ),
    _enum("location", _NIGHT_LOCATIONS, "Location of the worst episode; null without symptoms."),
    _enum("side", _NIGHT_SIDES, "Side of the worst episode; null without symptoms."),
    Column(
        "urge_to_move",
        pl.Boolean,
        "flag",
        "An urge to move the legs came with the symptoms (diary flags: as the patient noted "
        "them, and patients differ in what they note).",
    ),
    Column(
        "relief_by_movement",
        pl.Boolean,
        "flag",
        "Walking, stretching or moving relieved an episode.",
    ),
    Column(
        "relief_by_dangling",
        pl.Boolean,
        "flag",
        "Hanging the leg over the bed edge relieved an episode.",
    ),
    Column("worse_with_elevation", pl.Boolean, "flag", "Symptoms were worse with the legs raised."),
    Column("cramp_count", pl.Int16, "count", "Cramp episodes (sudden painful muscle contraction)."),
    Column("palpable_hardening", pl.Boolean, "flag", "A hard, knotted muscle could be felt."),
    Column(
        "numbness_tingling",
        pl.Boolean,
        "flag",
        "Numbness or tingling (ticked too when the patient's word is tingling).",
    ),
    Column("awakenings", pl.Int16, "count", "Times woken by leg symptoms."),
    Column("sleep_efficiency", pl.Float32, "fraction", "Share of the time in bed asleep."),
    Column(
        "n_episodes", pl.Int16, "count", "Symptom episodes tonight (all mechanisms).", truth=True
    ),
    _enum(
        "dominant_mechanism",
        _MECHANISMS,
        "Mechanism of the worst episode; null without symptoms.",
        truth=True,
    ),
    Column("potassium_mmol_l", pl.Float32, "mmol/L", "Tonight's true serum potassium.", truth=True),
    Column("magnesium_mmol_l", pl.Float32, "mmol/L", "Tonight's true serum magnesium.", truth=True),
    Column("calcium_mmol_l", pl.Float32, "mmol/L", "Tonight's true total calcium.", truth=True),
    Column("sodium_mmol_l", pl.Float32, "mmol/L", "Tonight's true serum sodium.", truth=True),
    Column(
        "hydration_deficit_l",
        pl.Float32,
        "L",
        "Litres short of euhydration at bedtime.",
        truth=True,
    ),
    Column(
        "osmolality_mosm_kg", pl.Float32, "mOsm/kg", "Tonight's true serum osmolality.", truth=True
    ),
    Column(
        "fatigue_load",
        pl.Float32,
        "a.u.",
        "Muscle fatigue and delayed-onset soreness load.",
        truth=True,
    ),
    Column(
        "rls_drive",
        pl.Float32,
        "a.u.",
        "Restless-legs drive (0 without the mechanism).",
        truth=True,
    ),
    Column(
        "drug_effect",
        pl.Float32,
        "0-1",
        "Strength of a culprit drug's own effect tonight (statin, SSRI, bisphosphonate).",
        truth=True,
    ),
    Column(
        "ischaemia",
        pl.Float32,
        "0-1",
        "Supine ischaemia index of PAD tonight (0 = none).",
        truth=True,
    ),
    Column(
        "venous_load",
        pl.Float32,
        "a.u.",
        "Venous load tonight: severity, more on a hot day, less under compression (0 without "
        "the mechanism).",
        truth=True,
    ),
    Column(
        "legs_elevated",
        pl.Boolean,
        "flag",
        "Slept with the legs raised (worsens PAD, eases venous aches).",
        truth=True,
    ),
)

MEASUREMENTS: tuple[Column, ...] = (
    Column("patient_id", pl.Int32, "id", "Patient identifier."),
    Column("visit_night", pl.Int16, "night", "Night after which the clinic visit took place."),
    Column(
        "abi",
        pl.Float32,
        "ratio",
        "Measured ankle-brachial index (lower leg); null if not measured.",
    ),
    Column(
        "potassium_mmol_l", pl.Float32, "mmol/L", "Measured serum potassium; null if not measured."
    ),
    Column(
        "magnesium_mmol_l", pl.Float32, "mmol/L", "Measured serum magnesium; null if not measured."
    ),
    Column("calcium_mmol_l", pl.Float32, "mmol/L", "Measured total calcium; null if not measured."),
    Column("sodium_mmol_l", pl.Float32, "mmol/L", "Measured serum sodium; null if not measured."),
    Column("ferritin_ug_l", pl.Float32, "ug/L", "Measured ferritin; null if not measured."),
    Column("ck_u_l", pl.Float32, "U/L", "Measured creatine kinase; null if not measured."),
    Column(
        "osmolality_mosm_kg",
        pl.Float32,
        "mOsm/kg",
        "Measured serum osmolality; null if not measured.",
    ),
    Column(
        "slr_positive", pl.Boolean, "flag", "Straight-leg raise positive; null if not examined."
    ),
    Column(
        "nerve_conduction_abnormal",
        pl.Boolean,
        "flag",
        "Nerve conduction study abnormal; null if not done.",
    ),
    Column(
        "plm_index_per_h",
        pl.Float32,
        "/h",
        "Periodic limb movements in sleep per hour (one night's sleep study); null if not done.",
    ),
)

EVENT_KINDS = (
    "exertion_day",
    "unaccustomed_exertion",
    "hot_day",
    "alcohol",
    "drug_start",
    "lie_down",
    "fall_asleep",
    "episode_start",
    "cramp",
    "awakening",
    "get_up_walk",
    "dangle_leg",
    "stretch",
    "episode_end",
    "get_up_morning",
)
"""What can happen to a patient, in the order used to break ties at the same minute."""

_EPISODE_ROW = "Set on episode_start rows; null elsewhere."

EVENTS: tuple[Column, ...] = (
    Column("patient_id", pl.Int32, "id", "Patient identifier."),
    Column("night", pl.Int16, "night", "Night of the diary the event belongs to, from 0."),
    Column(
        "t_min",
        pl.Float32,
        "min",
        "Minutes since that night's lying down; day events (exertion, hot day, alcohol, "
        "drug start) are stamped at noon of the day before, so they are negative.",
    ),
    Column("clock_h", pl.Float32, "clock hour", "Clock hour of the event, 0-24 (0.5 = 00:30)."),
    _enum(
        "kind",
        EVENT_KINDS,
        "What happened: day events (exertion_day, unaccustomed_exertion, hot_day, alcohol, "
        "drug_start), lying down, falling asleep, a symptom episode starting or ending, a "
        "cramp, an awakening, a behaviour answering an episode (get_up_walk, dangle_leg, "
        "stretch), getting up in the morning.",
    ),
    Column(
        "episode",
        pl.Int16,
        "index",
        "Episode number within the night (0 = first to start); links the rows of one "
        "episode (start, cramp, awakening, behaviour, end). Null for other events.",
    ),
    _enum(
        "mechanism",
        _MECHANISMS,
        "Mechanism that produced the episode; null for events that are not about an episode.",
        truth=True,
    ),
    Column("intensity", pl.Float32, "1-10", f"Intensity of the episode (1-10). {_EPISODE_ROW}"),
    Column(
        "duration_min",
        pl.Float32,
        "min",
        "Sampled duration of the episode; the diary's duration_min is the night's sum, capped "
        "at the time in bed (an episode may outlast getting up; its episode_end row is then "
        f"at getting up). {_EPISODE_ROW}",
    ),
    _enum(
        "quality",
        _NIGHT_QUALITIES,
        f"The episode's sensation (the diary has the patient's word for it). {_EPISODE_ROW}",
    ),
    _enum("location", _NIGHT_LOCATIONS, f"Location of the episode. {_EPISODE_ROW}"),
    _enum("side", _NIGHT_SIDES, f"Side of the episode. {_EPISODE_ROW}"),
    Column(
        "urge_to_move", pl.Boolean, "flag", f"The episode brought an urge to move. {_EPISODE_ROW}"
    ),
    Column(
        "relief_by_movement",
        pl.Boolean,
        "flag",
        f"Walking, stretching or moving relieved the episode. {_EPISODE_ROW}",
    ),
    Column(
        "relief_by_dangling",
        pl.Boolean,
        "flag",
        f"Hanging the leg over the bed edge relieved the episode. {_EPISODE_ROW}",
    ),
    Column(
        "worse_with_elevation",
        pl.Boolean,
        "flag",
        f"The episode was worse with the legs raised. {_EPISODE_ROW}",
    ),
    Column("palpable_hardening", pl.Boolean, "flag", f"A hard, knotted muscle. {_EPISODE_ROW}"),
    Column("numbness_tingling", pl.Boolean, "flag", f"Numbness or tingling. {_EPISODE_ROW}"),
    _enum("drug", DRUGS, "Drug started that day; set on drug_start rows, null elsewhere."),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "patients": PATIENTS,
    "nights": NIGHTS,
    "measurements": MEASUREMENTS,
    "events": EVENTS,
}


def register_table(name: str, columns: tuple[Column, ...]) -> None:
    """Add a table to the contract (used by the night and event modules)."""
    TABLES[name] = columns


def columns(table: str) -> tuple[Column, ...]:
    return TABLES[table]


def truth_columns(table: str) -> list[str]:
    """Names of the ground-truth columns of a table."""
    return [c.name for c in TABLES[table] if c.truth]


def observed_columns(table: str) -> list[str]:
    """Names of the columns a patient, clinic or classifier may see."""
    return [c.name for c in TABLES[table] if not c.truth]


def polars_schema(table: str) -> dict[str, pl.DataType]:
    return {c.name: c.dtype for c in TABLES[table]}


def _enum_series(col: Column, codes: np.ndarray) -> pl.Series:
    """Codes (negative = not applicable, null) as an Enum column.

    The codes and a validity bitmap become an Arrow array without copying, and polars
    reads them as the Enum's physical values: about 3x faster than mapping labels.
    """
    k = len(col.categories)
    if codes.size and codes.max() >= k:
        raise ValueError(f"column {col.name!r}: code {codes.max()} has no category")
    valid = codes >= 0
    if k > 255:  # wider physical type: gather the labels by code instead
        index = pa.array(np.where(valid, codes, 0).astype(np.uint32), mask=~valid)
        return pl.Series(col.name, col.categories, dtype=col.dtype).gather(pl.from_arrow(index))
    if codes.dtype == np.int8:  # the engines' codes: 0 under the null bit, then reinterpret
        values = np.maximum(codes, 0).view(np.uint8)
    else:
        values = np.ascontiguousarray(np.where(valid, codes, 0).astype(np.uint8))
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    physical = pa.Array.from_buffers(pa.uint8(), len(values), [bitmap, pa.py_buffer(values)])
    return pl.Series(col.name, pl.from_arrow(physical)).cat.to(col.dtype)


def _series(col: Column, values: np.ndarray) -> pl.Series:
    if isinstance(values, np.ma.MaskedArray):  # masked = missing
        if col.categories is not None:
            return _enum_series(col, np.ma.filled(values.astype(np.int64), -1))
        if values.dtype.kind == "f":
            return _series(col, np.ma.filled(values, np.nan))
        out = pl.Series(col.name, values)
        return out if out.dtype == col.dtype else out.cast(col.dtype)
    if col.categories is not None:
        return _enum_series(col, np.asarray(values))
    values = np.asarray(values)
    if values.dtype.kind == "f":
        # NaN from the model means "missing" in the tables.
        out = pl.Series(col.name, values, nan_to_null=bool(np.isnan(values).any()))
    else:
        out = pl.Series(col.name, values)
    return out if out.dtype == col.dtype else out.cast(col.dtype)


def to_frame(table: str, values: dict[str, np.ndarray]) -> pl.DataFrame:
    """Typed DataFrame of a table from model arrays (codes for enums, bools per cause)."""
    series = []
    for col in TABLES[table]:
        if col.name == "contributing_causes":
            series.append(_contributing(values))
            continue
        if col.name not in values:
            raise KeyError(f"table {table!r}: the model produced no column {col.name!r}")
        series.append(_series(col, values[col.name]))
    return pl.DataFrame(series)


def _contributing(values: dict[str, np.ndarray]) -> pl.Series:
    """The active causes of each patient, in ``CAUSES`` order, as a list column."""
    active = np.column_stack([np.asarray(values[f"active_{c}"], dtype=bool) for c in CAUSES])
    _, codes = np.nonzero(active)  # row-major: patient by patient, causes in order
    offsets = np.concatenate([[0], np.cumsum(active.sum(axis=1))]).astype(np.int64)
    labels = pl.Series("contributing_causes", list(CAUSES), dtype=pl.Enum(list(CAUSES)))
    flat = labels.gather(pl.Series(codes.astype(np.uint32)))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), flat.to_arrow())
    return pl.Series("contributing_causes", pl.from_arrow(lists)).cast(
        pl.List(pl.Enum(list(CAUSES)))
    )
