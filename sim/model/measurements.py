"""Clinic measurements: one visit per patient, tests ordered as a clinic would, with noise.

Usage::

    cols = measure(patients, nights, streams, params=cfg.model.measurements,
                   order="clinic", visit_night=27)
    df = sim.tables.schema.to_frame("measurements", cols)   # typed table (the caller's job)

A test is ordered with a probability that depends on what the patient reports and their
history (``order="clinic"``), or always (``order="all"``). Results carry analytical noise;
the ABI carries its error against imaging; the straight-leg raise has the Cochrane
sensitivity and specificity for disc herniation (van der Windt 2010). Both engines call
this on their ``nights`` table, so the measurements follow the same rules.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sim.model import reference as ref
from sim.model.jit import njit
from sim.model.symptoms import QUALITIES
from sim.rng import ShardStreams

VISIT_STATE = [
    "potassium_mmol_l",
    "magnesium_mmol_l",
    "calcium_mmol_l",
    "sodium_mmol_l",
    "osmolality_mosm_kg",
    "fatigue_load",
]
"""The visit night's true state that the measurements read."""
TESTS = ("abi", "electrolytes", "ferritin", "ck", "osmolality", "slr", "nerve_conduction")
U_SLR, U_NCS = len(TESTS), len(TESTS) + 1
"""Uniforms of the SLR and nerve conduction results (after one per test: is it ordered?)."""
LATER_TESTS = ("sleep_study",)
"""Tests added since, whose order uniforms come after the results' (so that no earlier
draw moved)."""
U_LATER = len(TESTS) + 2
UNIFORMS = U_LATER + len(LATER_TESTS)
"""Uniforms per patient."""
ALL_TESTS = (*TESTS, *LATER_TESTS)
NORMALS = 11
"""Standard normals per patient: ABI error, CK spread, each lab's analytical noise, then
the PLM index's spread between people and between nights."""


def nights_per_patient(nights: pl.DataFrame) -> int | None:
    """k if ``nights`` holds nights 0..k-1 of every patient, ordered by patient then night
    (as both engines write a shard), else None."""
    if nights.height == 0:
        return None
    night = nights["night"].to_numpy()
    k = int(night.max()) + 1
    if nights.height % k or not (night.reshape(-1, k) == np.arange(k)).all():
        return None
    ids = nights["patient_id"].to_numpy().reshape(-1, k)
    if not ((ids == ids[:, :1]).all() and (np.diff(ids[:, 0]) > 0).all()):
        return None
    return k


def _increasing(ids: np.ndarray) -> bool:
    return bool((ids[1:] > ids[:-1]).all())


def visit_rows(
    nights: pl.DataFrame,
    visit_night: int,
    per_patient: int | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """The rows of night ``visit_night``, sorted by patient id (``per_patient``: the
    result of ``nights_per_patient``, if known; ``columns``: only these)."""
    k = nights_per_patient(nights) if per_patient is None else per_patient
    if columns is not None:
        nights = nights.select("patient_id", "night", *columns)
    if k is None or visit_night >= k:
        return nights.filter(pl.col("night") == visit_night).sort("patient_id")
    if any(nights[c].null_count() or not nights[c].dtype.is_numeric() for c in nights.columns):
        return nights.gather_every(k, offset=visit_night)
    # Numeric columns without nulls are numpy views: slice them (5x faster than gathering).
    return pl.DataFrame(
        {c: nights[c].to_numpy()[visit_night::k].copy() for c in nights.columns},
        schema=nights.schema,
    )


_DIARY_SIGNS = {
    "vascular": pl.col("relief_by_dangling") | pl.col("worse_with_elevation"),
    "cramp": pl.col("cramp_count") > 0,
    "urge": pl.col("urge_to_move"),
    # Null on nights without symptoms (no quality): the share is over symptomatic nights.
    "neuro": pl.col("numbness_tingling") | pl.col("quality").is_in(["shooting", "burning"]),
    "heat": pl.col("hot_day") | pl.col("heavy_exertion"),
    "symptomatic": pl.col("pain_score") > 0,
}


def diary_shares(nights: pl.DataFrame, visit_night: int, per_patient: int | None = None):
    """Per patient, the share of nights up to the visit with each sign the clinic asks about
    (a sign that is null on a night, such as the quality of a symptom-free night, is left out
    of its share; null when no night counts)."""
    k = nights_per_patient(nights) if per_patient is None else per_patient
    flags = ("relief_by_dangling", "worse_with_elevation", "urge_to_move", "numbness_tingling")
    known = ("cramp_count", "hot_day", "heavy_exertion", "pain_score", *flags)
    codes_known = list(getattr(nights["quality"].dtype, "categories", [])) == list(QUALITIES)
    if k is None or not codes_known or any(nights[c].null_count() for c in known):
        return (
            nights.filter(pl.col("night") <= visit_night)
            .group_by("patient_id")
            .agg(expr.mean().alias(name) for name, expr in _DIARY_SIGNS.items())
        )
    # Patient-major shard: one compiled pass over each patient's first nights. It counts the
    # same signs as ``_DIARY_SIGNS`` (a test holds the two paths equal).
    last = min(visit_night, k - 1) + 1
    quality = nights["quality"]
    neuro_codes = np.zeros(len(QUALITIES) + 1, dtype=np.bool_)
    neuro_codes[[QUALITIES.index("shooting"), QUALITIES.index("burning")]] = True

    def flag(name: str) -> tuple[np.ndarray, int]:
        # The Arrow bitmap as 64-bit words (one spare) and its bit offset: counted a word
        # at a time, never unpacked to one byte per night.
        values = nights[name].to_arrow()
        bitmap = np.frombuffer(values.buffers()[1], dtype=np.uint8)
        words = np.zeros(len(bitmap) // 8 + 2, dtype=np.uint64)
        words.view(np.uint8)[: len(bitmap)] = bitmap
        return words, values.offset

    hits, counted = _count_signs(
        k,
        last,
        *flag("relief_by_dangling"),
        *flag("worse_with_elevation"),
        nights["cramp_count"].to_numpy(),
        *flag("urge_to_move"),
        *flag("numbness_tingling"),
        # Codes, with one past the last category for a night without symptoms (null).
        quality.to_physical().fill_null(len(QUALITIES)).to_numpy(),
        neuro_codes,
        *flag("hot_day"),
        *flag("heavy_exertion"),
        nights["pain_score"].to_numpy(),
    )
    out = {"patient_id": nights["patient_id"].to_numpy()[::k]}
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = hits / counted
    for j, name in enumerate(_DIARY_SIGNS):
        out[name] = pl.Series(name, shares[:, j], nan_to_null=True)
    return pl.DataFrame(out)


_ONE = np.uint64(1)
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit
def _popcount(x):
    x = x - ((x >> _ONE) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return int((x * _H01) >> np.uint64(56))


@njit
def _bits(words, pos, count):
    """Bits ``pos .. pos + count - 1`` (count <= 32) of a bitmap, as the low bits of a word."""
    w = pos >> 6
    shift = pos & 63
    v = words[w] >> np.uint64(shift)
    if shift + count > 64:
        v |= words[w + 1] << np.uint64(64 - shift)
    return v & ((_ONE << np.uint64(count)) - _ONE)


@njit
def _count_signs(
    k,
    last,
    dangling,
    dangling_at,
    elevation,
    elevation_at,
    cramps,
    urge,
    urge_at,
    numb,
    numb_at,
    quality,
    neuro_codes,
    hot,
    hot_at,
    exertion,
    exertion_at,
    pain,
):
    """Per patient (k nights each, the first ``last`` counted): nights with each sign of
    ``_DIARY_SIGNS``, in its order, and nights where the sign is known. Flags are Arrow
    bitmaps (64-bit words) with their bit offsets, counted 32 nights at a time."""
    n = len(pain) // k
    hits = np.empty((n, 6))
    counted = np.full((n, 6), float(last))
    unknown = len(neuro_codes) - 1
    for i in range(n):
        vascular = cramp = moving = neuro = heat = symptomatic = no_quality = 0
        for c0 in range(0, last, 32):
            count = min(32, last - c0)
            at = i * k + c0
            vascular += _popcount(
                _bits(dangling, dangling_at + at, count)
                | _bits(elevation, elevation_at + at, count)
            )
            moving += _popcount(_bits(urge, urge_at + at, count))
            heat += _popcount(
                _bits(hot, hot_at + at, count) | _bits(exertion, exertion_at + at, count)
            )
            numbness = _bits(numb, numb_at + at, count)
            neuro += _popcount(numbness)
            for j in range(count):
                r = at + j
                cramp += cramps[r] > 0
                symptomatic += pain[r] > 0
                if (numbness >> np.uint64(j)) & _ONE == 0:
                    # Kleene or: without numbness the sign is the quality's (unknown if null).
                    neuro += neuro_codes[quality[r]]
                    no_quality += quality[r] == unknown
        hits[i, 0] = vascular
        hits[i, 1] = cramp
        hits[i, 2] = moving
        hits[i, 3] = neuro
        hits[i, 4] = heat
        hits[i, 5] = symptomatic
        counted[i, 3] -= no_quality
    return hits, counted


def indications(
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    visit_night: int,
    per_patient: int | None = None,
    *,
    params,
) -> pl.DataFrame:
    """Per patient, whether the diary and history point to each test (observed data only);
    ``params``: ``model.measurements`` (``order_indication_share``, ``abi_indication_age``)."""
    share = params.order_indication_share
    diary = diary_shares(nights, visit_night, per_patient)
    df = patients.select(
        "patient_id",
        "age",
        "smoking",
        "diabetes",
        "on_statin",
        "on_thiazide",
        "on_loop_diuretic",
        "on_potassium_sparing",
        "fluid_intake_habit",
        "walking_leg_pain",
        "ckd",
    )
    ids = df["patient_id"].to_numpy()
    if np.array_equal(ids, diary["patient_id"].to_numpy()) and _increasing(ids):
        df = df.hstack(diary.drop("patient_id"))  # both in patient order already
    else:
        df = df.join(diary, on="patient_id", how="left").sort("patient_id")
    return df.select(
        "patient_id",
        (
            (pl.col("vascular") >= share["abi"])
            | (
                (pl.col("age") >= params.abi_indication_age)
                & (pl.col("smoking") | pl.col("diabetes"))
            )
            # Exertional leg pain that sounds like claudication (AHA/ACC 2016: measure ABI).
            | (pl.col("walking_leg_pain") == "claudication")
        ).alias("abi"),
        (
            (pl.col("cramp") >= share["electrolytes"])
            | pl.col("on_thiazide")
            | pl.col("on_loop_diuretic")
            | pl.col("on_potassium_sparing")
            | pl.col("ckd")
        ).alias("electrolytes"),
        (pl.col("urge") >= share["ferritin"]).alias("ferritin"),
        (pl.col("on_statin") & (pl.col("symptomatic") >= share["ck"])).alias("ck"),
        ((pl.col("heat") >= share["osmolality"]) | (pl.col("fluid_intake_habit") == "low")).alias(
            "osmolality"
        ),
        (pl.col("neuro") >= share["slr"]).alias("slr"),
        (pl.col("neuro") >= share["nerve_conduction"]).alias("nerve_conduction"),
        (pl.col("urge") >= share["sleep_study"]).alias("sleep_study"),
    )


def plm_index(patients: pl.DataFrame, z: np.ndarray, params) -> np.ndarray:
    """Each patient's true periodic limb movements in sleep per hour: lognormal, rising with
    age, several times higher with restless legs (more with its severity; DOMAIN.md: common
    in restless legs, not specific to it); ``z``: the person's standard normal spread."""
    age = patients["age"].to_numpy().astype(np.float64)
    rls = patients["active_rls"].to_numpy().astype(bool)
    severity = patients["rls_severity"].to_numpy().astype(np.float64)
    factor = np.where(rls, params.plm_rls_factor + params.plm_rls_severity_factor * severity, 1.0)
    log_median = np.log(params.plm_median_per_h) + params.plm_age_log_slope_per_year * (age - 18)
    return factor * np.exp(log_median + params.plm_log_sd * z)


def measure(
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    streams: ShardStreams,
    *,
    params,
    order: str,
    visit_night: int,
    per_patient: int | None = None,
) -> dict[str, np.ndarray]:
    """The ``measurements`` columns for the shard's patients (sorted by patient id), as
    arrays for ``sim.tables.schema.to_frame``: NaN or masked entries are missing values
    (a test not ordered), like ``PopulationModel.sample``'s columns.

    ``per_patient``: ``nights_per_patient(nights)`` if the caller knows it already."""
    if per_patient is None:
        per_patient = nights_per_patient(nights)
    if not _increasing(patients["patient_id"].to_numpy()):
        patients = patients.sort("patient_id")
    n = patients.height
    if n != streams.n:
        raise ValueError("patients and streams disagree on the shard")
    u = streams.uniform("measurements", UNIFORMS)
    ind = indications(patients, nights, visit_night, per_patient, params=params)
    state = visit_rows(nights, visit_night, per_patient, VISIT_STATE)
    if order == "all":
        ordered = {t: np.ones(n, dtype=bool) for t in ALL_TESTS}
    else:
        columns = [*range(len(TESTS)), *range(U_LATER, UNIFORMS)]
        ordered = {
            t: u[:, i]
            < np.where(ind[t].to_numpy(), params.order_indicated[t], params.order_base[t])
            for i, t in zip(columns, ALL_TESTS, strict=True)
        }
    cv = params.lab_cv
    z = streams.normal("measurements.noise", NORMALS)

    def noisy(true: np.ndarray, key: str, j: int) -> np.ndarray:
        return (true * (1 + cv[key] * z[:, j])).astype(np.float32)

    def col(name: str, frame: pl.DataFrame = patients) -> np.ndarray:
        return frame[name].to_numpy()

    abi_true = col("abi_true")
    abi = np.where(
        abi_true > ref.ABI_NONCOMPRESSIBLE,
        abi_true + params.abi_noncompressible_sd * z[:, 0],
        abi_true + params.abi_sd * z[:, 0],
    )
    fatigue = col("fatigue_load", state)
    ck_true = (
        params.ck_median_u_l
        * np.exp(params.ck_log_sd * z[:, 1])
        * (1 + params.ck_fatigue_gain * fatigue)
        * np.where(col("hypothyroidism"), params.ck_hypothyroidism_factor, 1.0)
        * (1 + params.ck_statin_gain * col("on_statin"))
    )
    lumbar = (
        col("nerve_compression")
        & (patients["nerve_site"] == "lumbar_root").fill_null(False).to_numpy()
    )
    slr_p = np.where(lumbar, params.slr_sensitivity, 1 - params.slr_specificity)
    # A painless diabetic neuropathy is measurable too (slowed conduction without pain).
    neuropathy = col("active_nerve") | col("painless_neuropathy")
    ncs_p = np.where(neuropathy, params.ncs_sensitivity, 1 - params.ncs_specificity)
    out = {
        "patient_id": col("patient_id").astype(np.int32),
        "visit_night": np.full(n, visit_night, dtype=np.int16),
        "abi": np.where(ordered["abi"], np.clip(abi, *params.abi_reported_range), np.nan).astype(
            np.float32
        ),
        "potassium_mmol_l": noisy(col("potassium_mmol_l", state), "potassium", 2),
        "magnesium_mmol_l": noisy(col("magnesium_mmol_l", state), "magnesium", 3),
        "calcium_mmol_l": noisy(col("calcium_mmol_l", state), "calcium", 4),
        "sodium_mmol_l": noisy(col("sodium_mmol_l", state), "sodium", 5),
        "ferritin_ug_l": np.where(
            ordered["ferritin"], noisy(col("ferritin_ug_l"), "ferritin", 6), np.nan
        ),
        "ck_u_l": np.where(ordered["ck"], noisy(ck_true, "ck", 7), np.nan),
        "osmolality_mosm_kg": np.where(
            ordered["osmolality"], noisy(col("osmolality_mosm_kg", state), "osmolality", 8), np.nan
        ),
        "slr_positive": u[:, U_SLR] < slr_p,
        "nerve_conduction_abnormal": u[:, U_NCS] < ncs_p,
        "plm_index_per_h": np.where(
            ordered["sleep_study"],
            plm_index(patients, z[:, 9], params) * np.exp(params.plm_night_log_sd * z[:, 10]),
            np.nan,
        ).astype(np.float32),
    }
    for key in ("potassium_mmol_l", "magnesium_mmol_l", "calcium_mmol_l", "sodium_mmol_l"):
        out[key] = np.where(ordered["electrolytes"], out[key], np.nan).astype(np.float32)
    # A straight-leg raise or nerve conduction study not done is missing, not negative.
    for key, test in (("slr_positive", "slr"), ("nerve_conduction_abnormal", "nerve_conduction")):
        out[key] = np.ma.masked_array(out[key], mask=~ordered[test])
    return out
