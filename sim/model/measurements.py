"""Clinic measurements: one visit per patient, tests ordered as a clinic would, with noise.

Usage::

    df = measure(patients, nights, streams, params=cfg.model.measurements,
                 order="clinic", visit_night=27)

A test is ordered with a probability that depends on what the patient reports and their
history (``order="clinic"``), or always (``order="all"``). Results carry analytical noise;
the ABI carries its error against imaging; the straight-leg raise has the Cochrane
sensitivity and specificity for disc herniation (van der Windt 2010). Both engines call
this on their ``nights`` table, so the measurements follow the same rules.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sim.model import distributions as dist
from sim.model.jit import njit
from sim.model.symptoms import QUALITIES
from sim.rng import ShardStreams
from sim.tables.schema import to_frame

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
UNIFORMS = len(TESTS) + 12


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
    if k is None or any(nights[c].null_count() for c in known):
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
        # The Arrow bitmap and its bit offset: no unpacking to one byte per night.
        values = nights[name].to_arrow()
        return np.frombuffer(values.buffers()[1], dtype=np.uint8), values.offset

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


@njit
def _bit(bitmap, offset, r):
    i = offset + r
    return (bitmap[i >> 3] >> (i & 7)) & 1


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
    bitmaps with their bit offsets."""
    n = len(pain) // k
    hits = np.empty((n, 6))
    counted = np.full((n, 6), float(last))
    unknown = len(neuro_codes) - 1
    for i in range(n):
        vascular = cramp = moving = neuro = heat = symptomatic = no_quality = 0
        for r in range(i * k, i * k + last):
            vascular += _bit(dangling, dangling_at, r) | _bit(elevation, elevation_at, r)
            cramp += cramps[r] > 0
            moving += _bit(urge, urge_at, r)
            # Kleene or: known when numbness is true or the quality is known.
            numbness = _bit(numb, numb_at, r)
            neuro += numbness | neuro_codes[quality[r]]
            no_quality += (quality[r] == unknown) & (numbness == 0)
            heat += _bit(hot, hot_at, r) | _bit(exertion, exertion_at, r)
            symptomatic += pain[r] > 0
        hits[i, 0] = vascular
        hits[i, 1] = cramp
        hits[i, 2] = moving
        hits[i, 3] = neuro
        hits[i, 4] = heat
        hits[i, 5] = symptomatic
        counted[i, 3] -= no_quality
    return hits, counted


def indications(
    patients: pl.DataFrame, nights: pl.DataFrame, visit_night: int, per_patient: int | None = None
) -> pl.DataFrame:
    """Per patient, whether the diary and history point to each test (observed data only)."""
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
            (pl.col("vascular") >= 0.15)
            | ((pl.col("age") >= 65) & (pl.col("smoking") | pl.col("diabetes")))
        ).alias("abi"),
        (
            (pl.col("cramp") >= 0.15)
            | pl.col("on_thiazide")
            | pl.col("on_loop_diuretic")
            | pl.col("on_potassium_sparing")
            | pl.col("ckd")
        ).alias("electrolytes"),
        (pl.col("urge") >= 0.3).alias("ferritin"),
        (pl.col("on_statin") & (pl.col("symptomatic") >= 0.2)).alias("ck"),
        ((pl.col("heat") >= 0.3) | (pl.col("fluid_intake_habit") == "low")).alias("osmolality"),
        (pl.col("neuro") >= 0.2).alias("slr"),
        (pl.col("neuro") >= 0.3).alias("nerve_conduction"),
    )


def measure(
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    streams: ShardStreams,
    *,
    params,
    order: str,
    visit_night: int,
    per_patient: int | None = None,
) -> pl.DataFrame:
    """The ``measurements`` rows for the shard's patients (sorted by patient id).

    ``per_patient``: ``nights_per_patient(nights)`` if the caller knows it already."""
    if per_patient is None:
        per_patient = nights_per_patient(nights)
    if not _increasing(patients["patient_id"].to_numpy()):
        patients = patients.sort("patient_id")
    n = patients.height
    if n != streams.n:
        raise ValueError("patients and streams disagree on the shard")
    u = streams.uniform("measurements", UNIFORMS)
    ind = indications(patients, nights, visit_night, per_patient)
    state = visit_rows(nights, visit_night, per_patient, VISIT_STATE)
    if order == "all":
        ordered = {t: np.ones(n, dtype=bool) for t in TESTS}
    else:
        ordered = {
            t: u[:, i]
            < np.where(ind[t].to_numpy(), params.order_indicated[t], params.order_base[t])
            for i, t in enumerate(TESTS)
        }
    cv = params.lab_cv
    z = dist.normal(u[:, len(TESTS) :])  # (n, 12) standard normals

    def noisy(true: np.ndarray, key: str, j: int) -> np.ndarray:
        return (true * (1 + cv[key] * z[:, j])).astype(np.float32)

    def col(name: str, frame: pl.DataFrame = patients) -> np.ndarray:
        return frame[name].to_numpy()

    abi_true = col("abi_true")
    abi = np.where(abi_true > 1.4, abi_true + 0.05 * z[:, 0], abi_true + params.abi_sd * z[:, 0])
    fatigue = col("fatigue_load", state)
    ck_true = (
        params.ck_median_u_l
        * np.exp(0.35 * z[:, 1])
        * (1 + 2.5 * fatigue)
        * np.where(col("hypothyroidism"), 1.6, 1.0)
        * (1 + 0.3 * col("on_statin"))
    )
    lumbar = (
        col("nerve_compression")
        & (patients["nerve_site"] == "lumbar_root").fill_null(False).to_numpy()
    )
    slr_p = np.where(lumbar, params.slr_sensitivity, 1 - params.slr_specificity)
    ncs_p = np.where(col("active_nerve"), params.ncs_sensitivity, 1 - params.ncs_specificity)
    out = {
        "patient_id": col("patient_id").astype(np.int32),
        "visit_night": np.full(n, visit_night, dtype=np.int16),
        "abi": np.where(ordered["abi"], np.clip(abi, 0.1, 2.0), np.nan).astype(np.float32),
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
        "slr_positive": u[:, -2] < slr_p,
        "nerve_conduction_abnormal": u[:, -3] < ncs_p,
    }
    for key in ("potassium_mmol_l", "magnesium_mmol_l", "calcium_mmol_l", "sodium_mmol_l"):
        out[key] = np.where(ordered["electrolytes"], out[key], np.nan).astype(np.float32)
    frame = to_frame("measurements", out)
    return frame.with_columns(
        pl.when(pl.Series(ordered["slr"])).then(pl.col("slr_positive")).alias("slr_positive"),
        pl.when(pl.Series(ordered["nerve_conduction"]))
        .then(pl.col("nerve_conduction_abnormal"))
        .alias("nerve_conduction_abnormal"),
    )
