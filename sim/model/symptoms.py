"""The night as a point process: night state -> within-night intensities -> diary row.

Usage::

    table = MechanismTable.from_params(cfg.model.night)
    # compiled, per patient-night (the vectorised engine's fused loop):
    rate, pain, offset, severity = mechanism_rate(MECH["pad"], static_row, day_row, ...)
    n, n_wake, n_cramp, first, max_pain, duration = sample_slot(...)
    # over arrays (the event engine: episode by episode with ``shape_intensity``):
    rates = nightly_rates(MECH["pad"], rows, day=day, static=state, ...)

Every model function here is written once for scalars and compiled (``sim.model.jit``);
the ``*_at`` and array functions are thin compiled loops over it, so both engines run
the same code.

Each active mechanism m of a patient contributes episodes as a non-homogeneous Poisson
process with intensity ``lambda_m(t) = R_m * s_m(t) / norm_m`` over minutes t since lying
down, where R_m is the mechanism's rate tonight (``nightly_rates``, from the night state
and the patient's parameters) and s_m a shape with a closed-form integral and inverse:

- ``uniform``: s = 1 (cramps, nerve, electrolytes, dehydration, drug aches, background);
- ``ramp``: s = min(t / tau, 1), PAD perfusion falls over the first hour lying flat;
- ``decay``: s = exp(-t / tau), fatigue aches noticed on lying down, fading with sleep;
- ``circadian``: s = Gaussian in clock time around the patient's peak (restless legs).

An episode has an intensity (normal, clipped to 1-10), a duration (gamma) and attributes
drawn by mechanism (quality, location, side and flags). An episode wakes the patient when
its intensity is above ``wake_threshold``: so waking episodes and quiet ones are two
independent Poisson processes (Poisson splitting), which lets the vectorised engine sample
exact counts, first times (inverse of the cumulative intensity) and maxima (inverse CDF of
the maximum of N draws). Exact except where noted: the sum of N gamma durations uses the
Wilson-Hilferty approximation, bounded by the engine-equivalence test.

The diary row is a fixed function of the night's episodes (``diary_columns``):
onset = first episode's start, pain = maximum intensity, cramp_count = cramp episodes,
awakenings = waking episodes, flags = any episode had them, quality/location/side = those
of the most intense episode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.config import CAUSES
from sim.model.jit import (
    binomial_quantile,
    clip,
    clock_hours,
    erf,
    erfinv,
    ndtr,
    ndtr_array,
    ndtri,
    njit,
    normal_at,
    poisson_quantile,
    uniform_at,
)
from sim.model.night_state import (
    D_ANKLE,
    D_BIS,
    D_CA,
    D_DEFICIT,
    D_FATIGUE,
    D_K,
    D_MG,
    D_NA,
    D_SSRI,
    D_STATIN,
    S_CRAMP_BASE,
    S_FERRITIN,
    S_NERVE_SEVERITY,
    S_PAD_ACTIVE,
    S_RLS_PEAK,
    S_RLS_SEVERITY,
)
from sim.model.physiology import muscle, neurological, vascular

MECHANISMS = ("background", *CAUSES)
MECH = {m: i for i, m in enumerate(MECHANISMS)}
QUALITIES = ("aching", "cramping", "crawling", "burning", "tingling", "throbbing", "shooting")
LOCATIONS = ("toes_forefoot", "calf", "thigh", "buttock_to_leg", "whole_leg")
SIDES3 = ("left", "right", "both")
FLAGS = (
    "urge_to_move",
    "relief_by_movement",
    "relief_by_dangling",
    "worse_with_elevation",
    "palpable_hardening",
    "numbness_tingling",
)
SHAPES = ("uniform", "ramp", "decay", "circadian")
SLOT_UNIFORMS = 6
"""Uniforms a mechanism slot may use a night: count, waking share, cramps, first time,
maximum intensity, duration."""
SLOTS = 5
"""Mechanism slots per patient: background plus up to four active mechanisms."""
REFERENCE_NIGHT_MIN = 456.0
"""Minutes in a reference night (7.6 h): a uniform mechanism with rate R has R episodes
in expectation over a night of this length."""
PAIN_MIN, PAIN_MAX = 1.0, 10.0

# Columns of MechanismTable.numbers.
T_SHAPE, T_SCALE, T_PAIN_MEAN, T_PAIN_SD, T_DURATION_SHAPE, T_DURATION_SCALE, T_CRAMP = range(7)
T_P_WAKE = 7
T_FLAG = 8
T_NO_FLAG = T_FLAG + len(FLAGS)
T_WIDTH = T_NO_FLAG + len(FLAGS)


@dataclass
class MechanismTable:
    """Per-mechanism constants as arrays indexed by mechanism code."""

    shape: np.ndarray  # (M,) shape code
    shape_min: np.ndarray  # (M,)
    pain_mean: np.ndarray
    pain_sd: np.ndarray
    duration_shape: np.ndarray
    duration_scale_min: np.ndarray
    cramp: np.ndarray  # (M,)
    flags: np.ndarray  # (M, len(FLAGS)) per-episode probabilities
    quality: np.ndarray  # (M, len(QUALITIES))
    location: np.ndarray  # (M, len(LOCATIONS))
    side: np.ndarray  # (M, 3)
    wake_threshold: float

    @property
    def numbers(self) -> np.ndarray:
        """(M, T_WIDTH) float64: the per-mechanism numbers compiled code reads (``T_*``)."""
        out = np.zeros((len(self.shape), T_WIDTH))
        out[:, T_SHAPE] = self.shape
        out[:, T_SCALE] = self.shape_min
        out[:, T_PAIN_MEAN] = self.pain_mean
        out[:, T_PAIN_SD] = self.pain_sd
        out[:, T_DURATION_SHAPE] = self.duration_shape
        out[:, T_DURATION_SCALE] = self.duration_scale_min
        out[:, T_CRAMP] = self.cramp
        out[:, T_P_WAKE] = ndtr_array((self.pain_mean - self.wake_threshold) / self.pain_sd)
        out[:, T_FLAG : T_FLAG + len(FLAGS)] = self.flags
        out[:, T_NO_FLAG : T_NO_FLAG + len(FLAGS)] = 1.0 - self.flags
        return out

    def attribute_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quality, location and side tables with the patient-specific variant rows.

        Rows 0..M-1 are the mechanisms'. Variants (``attribute_rows`` picks them): a
        compressed nerve hurts on its own side (peroneal: calf and foot; no compression =
        neuropathy: burning or tingling in both feet); PAD on its side.
        """
        m = len(self.shape)
        quality = np.vstack([self.quality, _probs(QUALITIES, {"burning": 0.5, "tingling": 0.5})])
        location = np.vstack(
            [
                self.location,
                _probs(LOCATIONS, {"toes_forefoot": 0.5, "calf": 0.5}),
                _probs(LOCATIONS, {"toes_forefoot": 0.8, "calf": 0.2}),
            ]
        )
        side = np.vstack(
            [
                self.side,
                _probs(SIDES3, {"left": 0.9, "right": 0.02, "both": 0.08}),
                _probs(SIDES3, {"right": 0.9, "left": 0.02, "both": 0.08}),
                _probs(SIDES3, {"both": 1.0}),
            ]
        )
        assert quality.shape[0] == m + 1 and location.shape[0] == m + 2
        return quality, location, side

    @classmethod
    def from_params(cls, night_p) -> MechanismTable:
        rows = [night_p[m] for m in MECHANISMS]

        def table(attr: str, labels: tuple[str, ...]) -> np.ndarray:
            out = np.zeros((len(rows), len(labels)))
            for i, r in enumerate(rows):
                probs = r[attr]
                for key, value in probs.items():
                    if key not in labels:
                        raise _config_error(
                            f"model.night.{MECHANISMS[i]}.{attr}.{key} is unknown: "
                            f"expected one of {', '.join(labels)}"
                        )
                    out[i, labels.index(key)] = float(value)
                if out[i].sum() <= 0:
                    raise _config_error(
                        f"model.night.{MECHANISMS[i]}.{attr} has no positive probability"
                    )
            return out / out.sum(axis=1, keepdims=True)

        for i, r in enumerate(rows):
            if r.shape not in SHAPES:
                raise _config_error(
                    f"model.night.{MECHANISMS[i]}.shape={r.shape!r} is invalid: expected one of {', '.join(SHAPES)}"
                )
        return cls(
            shape=np.array([SHAPES.index(r.shape) for r in rows]),
            shape_min=np.array([r.shape_min for r in rows], dtype=np.float64),
            pain_mean=np.array([r.pain_mean for r in rows], dtype=np.float64),
            pain_sd=np.array([r.pain_sd for r in rows], dtype=np.float64),
            duration_shape=np.array([r.duration_shape for r in rows], dtype=np.float64),
            duration_scale_min=np.array([r.duration_scale_min for r in rows], dtype=np.float64),
            cramp=np.array([r.cramp for r in rows], dtype=np.float64),
            flags=np.array([[r[f] for f in FLAGS] for r in rows], dtype=np.float64),
            quality=table("quality", QUALITIES),
            location=table("location", LOCATIONS),
            side=table("side", SIDES3),
            wake_threshold=float(night_p.wake_threshold),
        )


def _config_error(msg: str) -> Exception:
    from sim.config import ConfigError

    return ConfigError(msg)


HAZARD_MECHANISMS = MECHANISMS[1:]
"""Mechanisms that come from a cause (background is everyone's)."""
OWN_HAZARD_DRUGS = ("statin", "bisphosphonate")
"""Culprit drugs whose effect is an ache of its own; the others act through restless legs
(SSRI, mirtazapine) or electrolytes (diuretics)."""

# Mechanism codes as module constants (compiled code reads them as literals).
BACKGROUND = MECH["background"]
RLS = MECH["rls"]
PAD = MECH["pad"]
CRAMPS = MECH["cramps"]
FATIGUE = MECH["fatigue"]
DEHYDRATION = MECH["dehydration"]
NERVE = MECH["nerve"]
MEDICATION = MECH["medication"]
ELECTROLYTE = MECH["electrolyte"]


def mechanism_slots(patients: dict[str, np.ndarray]) -> np.ndarray:
    """(n, SLOTS) mechanism codes per patient: background first, then active ones; -1 empty."""
    from sim.model.population import DRUGS

    n = len(patients["age"])
    slots = np.full((n, SLOTS), -1, dtype=np.int8)
    slots[:, 0] = MECH["background"]
    fill = np.ones(n, dtype=np.int64)
    own_drug = np.isin(patients["culprit_drug"], [DRUGS.index(d) for d in OWN_HAZARD_DRUGS])
    for m in HAZARD_MECHANISMS:
        active = patients[f"active_{m}"].astype(bool)
        if m == "medication":
            active = active & own_drug
        rows = np.flatnonzero(active)
        if rows.size and fill[rows].max() >= SLOTS:
            raise ValueError(f"a patient has more than {SLOTS - 1} active mechanisms")
        slots[rows, fill[rows]] = MECH[m]
        fill[rows] += 1
    return slots


def mechanism_groups(slots: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(slot, mechanism, rows) for every mechanism present in each slot, fixed per shard."""
    return [
        (s, int(m), np.flatnonzero(slots[:, s] == m))
        for s in range(slots.shape[1])
        for m in np.unique(slots[:, s])
        if m >= 0
    ]


# ------------------------------------------------------------------ shapes of the intensity
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
_SQRT_2 = math.sqrt(2.0)


@njit
def shape_norm(shape: int, scale: float) -> float:
    """Divisor turning a per-night rate R into the peak intensity of the shape."""
    if shape == 3:  # circadian: total mass of the Gaussian
        return scale * _SQRT_2PI
    if shape == 2:  # decay: total mass over an unbounded night
        return scale
    return REFERENCE_NIGHT_MIN


@njit
def shape_intensity_at(shape: int, t: float, scale: float, offset: float) -> float:
    """s(t) in [0, 1] at minute ``t`` since lying down (``offset``: circadian peak time)."""
    if shape == 0:
        return 1.0
    if shape == 1:
        return min(t / scale, 1.0)
    if shape == 2:
        return math.exp(-t / scale)
    x = (t - offset) / scale
    return math.exp(-0.5 * x * x)


@njit
def shape_cumulative_at(shape: int, t: float, scale: float, offset: float) -> float:
    """Integral of s from 0 to ``t``."""
    if shape == 0:
        return t
    if shape == 1:
        return t * t / (2 * scale) if t < scale else t - scale / 2
    if shape == 2:
        return scale * -math.expm1(-t / scale)
    r2 = scale * _SQRT_2
    return scale * _SQRT_PI_2 * (erf((t - offset) / r2) - erf(-offset / r2))


@njit
def shape_inverse_at(shape: int, y: float, scale: float, offset: float) -> float:
    """The time t with cumulative(t) = y."""
    if shape == 0:
        return y
    if shape == 1:
        return math.sqrt(2 * scale * y) if y < scale / 2 else y + scale / 2
    if shape == 2:
        return -scale * math.log1p(-min(y / scale, 1 - 1e-12))
    r2 = scale * _SQRT_2
    arg = clip(y / (scale * _SQRT_PI_2) + erf(-offset / r2), -1 + 1e-12, 1 - 1e-12)
    return offset + r2 * erfinv(arg)


@njit
def _shape_loop(kind, shape, t, scale, offset, out):
    for i in range(t.size):
        if kind == 0:
            out[i] = shape_intensity_at(shape, t[i], scale, offset[i])
        elif kind == 1:
            out[i] = shape_cumulative_at(shape, t[i], scale, offset[i])
        else:
            out[i] = shape_inverse_at(shape, t[i], scale, offset[i])


def _shape_array(kind: int, shape: int, t, scale: float, offset) -> np.ndarray:
    t, offset = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(offset, float))
    flat_t = np.ascontiguousarray(t).ravel()
    out = np.empty(flat_t.size)
    _shape_loop(kind, int(shape), flat_t, float(scale), np.ascontiguousarray(offset).ravel(), out)
    return out.reshape(t.shape)


def shape_intensity(shape: int, t, scale: float, offset=0.0) -> np.ndarray:
    """``shape_intensity_at`` over arrays (broadcasting ``t`` and ``offset``)."""
    return _shape_array(0, shape, t, scale, offset)


def shape_cumulative(shape: int, t, scale: float, offset=0.0) -> np.ndarray:
    """``shape_cumulative_at`` over arrays."""
    return _shape_array(1, shape, t, scale, offset)


def shape_inverse(shape: int, y, scale: float, offset=0.0) -> np.ndarray:
    """``shape_inverse_at`` over arrays."""
    return _shape_array(2, shape, y, scale, offset)


# ------------------------------------------------------------------ tonight's rates
@njit
def mechanism_rate(mech, s, d, bedtime_h, legs_elevated, bad_position, p, pain_mean):
    """Tonight's process of mechanism ``mech`` for one patient.

    ``s``: the patient's constants (``night_state.S_*``); ``d``: tonight's day state
    (``night_state.D_*``); ``p``: NightP; ``pain_mean``: the mechanism's mean intensity.
    Returns (rate R: expected episodes over a full-mass night, mean intensity, circadian
    peak in minutes since lying down (0 for other shapes), the mechanism's latent drive).
    """
    pain = pain_mean
    offset = 0.0
    if mech == BACKGROUND:
        rate = p.background_rate
        severity = rate
    elif mech == RLS:
        drive = neurological.rls_drive(s[S_RLS_SEVERITY], s[S_FERRITIN], d[D_SSRI], p)
        rate = p.rls_rate_max * drive
        severity = drive
        peak = s[S_RLS_PEAK]
        if math.isnan(peak):
            peak = 0.5
        # Hours since noon, so that 23:00 -> 11 and 00:30 -> 12.5.
        offset = 60.0 * (clock_hours(peak - 12.0) - clock_hours(bedtime_h - 12.0))
    elif mech == PAD:
        pressure = vascular.supine_ankle_pressure(d[D_ANKLE], legs_elevated, p)
        isch = vascular.ischaemia_index(pressure, p)
        rate = p.pad_rate_base + p.pad_rate_ischaemia * isch * isch
        if legs_elevated:
            rate *= p.legs_elevated_pad_factor
        pain = pain + p.pad_pain_ischaemia_boost * isch
        severity = isch
    elif mech == CRAMPS:
        isch = vascular.ischaemia_index(d[D_ANKLE], p) if s[S_PAD_ACTIVE] > 0 else 0.0
        gain = muscle.cramp_excitability(d[D_K], d[D_MG], d[D_DEFICIT], d[D_FATIGUE], isch, p)
        # The patient's base rate (muscle.cramp_base_rate, once per patient) times tonight's
        # excitability.
        rate = s[S_CRAMP_BASE] * gain
        severity = rate
    elif mech == FATIGUE:
        rate = p.fatigue_rate * d[D_FATIGUE]
        severity = rate
    elif mech == DEHYDRATION:
        rate = p.dehydration_rate * max(d[D_DEFICIT] - p.dehydration_threshold_l, 0.0)
        severity = rate
    elif mech == NERVE:
        rate = neurological.nerve_rate(s[S_NERVE_SEVERITY], bad_position, p)
        severity = rate
    elif mech == MEDICATION:
        rate = p.medication_rate * (d[D_STATIN] + d[D_BIS])
        severity = rate
    else:  # ELECTROLYTE
        exc = muscle.electrolyte_excitability(d[D_K], d[D_MG], d[D_CA], d[D_NA], p)
        rate = p.electrolyte_rate * exc
        boost = clip(exc - p.electrolyte_pain_boost_from, 0.0, 1.0)
        pain = pain + p.electrolyte_pain_boost * boost
        severity = rate
    return rate, pain, offset, severity


@dataclass
class Rates:
    """Tonight's process for the rows of one mechanism."""

    rate: np.ndarray  # R: expected episodes over a full-mass night
    pain_mean: np.ndarray
    offset_min: np.ndarray  # circadian peak in minutes since lying down (0 otherwise)
    severity: np.ndarray  # the mechanism's latent drive tonight (RLS drive, PAD ischaemia, ...)


@njit
def _rates_loop(mech, rows, static, day, bedtime, legs, bad, p, pain_mean, out):
    for k in range(len(rows)):
        i = rows[k]
        r, pain, off, sev = mechanism_rate(
            mech, static[i], day[i], bedtime[k], legs[k], bad[k], p, pain_mean
        )
        out[0, k] = r
        out[1, k] = pain
        out[2, k] = off
        out[3, k] = sev


def nightly_rates(
    mech: int,
    rows: np.ndarray,
    *,
    day,
    static,
    night_p,
    bedtime_h: np.ndarray,
    legs_elevated: np.ndarray,
    bad_position: np.ndarray,
    table: MechanismTable,
) -> Rates:
    """``mechanism_rate`` of mechanism ``mech`` tonight for patients ``rows``.

    ``day`` is the ``DayResult`` of the night state, ``static`` the ``NightState``;
    ``bedtime_h``, ``legs_elevated`` and ``bad_position`` are tonight's values for ``rows``.
    """
    out = np.empty((4, len(rows)))
    _rates_loop(
        int(mech),
        np.asarray(rows, dtype=np.int64),
        static.static,
        day.matrix,
        np.ascontiguousarray(bedtime_h, dtype=np.float64),
        np.ascontiguousarray(legs_elevated, dtype=np.bool_),
        np.ascontiguousarray(bad_position, dtype=np.bool_),
        night_p,
        float(table.pain_mean[mech]),
        out,
    )
    return Rates(out[0], out[1], out[2], out[3])


@dataclass
class TonightRates:
    """Every group's process tonight, plus the latent drives the diary reports as truth."""

    groups: list[tuple[int, int, np.ndarray, Rates]]
    rls_drive: np.ndarray  # per patient, 0 without restless legs
    ischaemia: np.ndarray  # per patient, 0 without PAD


def tonight_rates(
    groups: list[tuple[int, int, np.ndarray]],
    *,
    day,
    static,
    lying: LyingDown,
    night_p,
    table: MechanismTable,
) -> TonightRates:
    """``nightly_rates`` for each (slot, mechanism, rows) group of a shard, tonight."""
    n = len(lying.bedtime_h)
    rls_drive = np.zeros(n, dtype=np.float32)
    ischaemia = np.zeros(n, dtype=np.float32)
    out = []
    for s, m, rows in groups:
        rates = nightly_rates(
            m,
            rows,
            day=day,
            static=static,
            night_p=night_p,
            bedtime_h=lying.bedtime_h[rows],
            legs_elevated=lying.legs_elevated[rows],
            bad_position=lying.bad_position[rows],
            table=table,
        )
        if m == RLS:
            rls_drive[rows] = rates.severity
        elif m == PAD:
            ischaemia[rows] = rates.severity
        out.append((s, m, rows, rates))
    return TonightRates(out, rls_drive, ischaemia)


# ------------------------------------------------------------------ aggregate sampling
@njit
def wake_probability(pain_mean: float, pain_sd: float, wake_threshold: float) -> float:
    """Chance an episode's intensity is above the waking threshold."""
    return ndtr((pain_mean - wake_threshold) / pain_sd)


@njit
def sample_slot(key, patient, night, first, t, mech, rate, pain_mean, offset, t_bed, threshold):
    """One mechanism's night in aggregate, drawing uniforms ``first ..`` of (key, patient,
    night) only as needed; ``t`` is ``MechanismTable.numbers``.

    Episodes are a Poisson process; each wakes the patient independently with the chance
    its intensity is above the threshold (so waking and quiet episodes are independent
    Poisson processes: splitting). Counts by inverse CDF, the earliest start by inverting
    the cumulative intensity at the minimum of k uniform fractions, the maximum intensity
    from the CDF of the maximum of k truncated normals, cramps as a binomial thinning, and
    the summed durations of k gamma episodes by Wilson-Hilferty (the one approximation,
    bounded by the engine-equivalence test). Returns (episodes, waking, cramps, first
    start (nan if none), maximum intensity (0 if none), total minutes).
    """
    shape = int(t[mech, T_SHAPE])
    scale = t[mech, T_SCALE]
    mass = shape_cumulative_at(shape, t_bed, scale, offset)
    n = poisson_quantile(
        uniform_at(key, patient, night, first), rate * mass / shape_norm(shape, scale)
    )
    if n == 0:
        return 0, 0, 0, np.nan, 0.0, 0.0
    pain_sd = t[mech, T_PAIN_SD]
    if pain_mean == t[mech, T_PAIN_MEAN]:
        p_wake = t[mech, T_P_WAKE]
    else:
        p_wake = wake_probability(pain_mean, pain_sd, threshold)
    n_wake = binomial_quantile(uniform_at(key, patient, night, first + 1), n, p_wake)
    n_cramp = binomial_quantile(uniform_at(key, patient, night, first + 2), n, t[mech, T_CRAMP])
    k = float(n)
    u_first = uniform_at(key, patient, night, first + 3)
    frac = u_first if n == 1 else -math.expm1(math.log1p(-u_first) / k)
    first_min = min(shape_inverse_at(shape, frac * mass, scale, offset), t_bed)
    # Maximum intensity: from the waking episodes (above threshold) when any.
    z_t = 1.0 - p_wake
    u_max = uniform_at(key, patient, night, first + 4)
    if n_wake > 0:
        cdf = z_t + (u_max if n_wake == 1 else u_max ** (1.0 / n_wake)) * p_wake
    else:
        cdf = (u_max if n == 1 else u_max ** (1.0 / n)) * z_t
    max_pain = clip(pain_mean + pain_sd * ndtri(clip(cdf, 1e-12, 1 - 1e-12)), PAIN_MIN, PAIN_MAX)
    # Sum of k Gamma(a, scale) durations = Gamma(k a, scale), Wilson-Hilferty quantile.
    a = k * t[mech, T_DURATION_SHAPE]
    c = 1.0 / (9.0 * a)
    z = normal_at(key, patient, night, first + 5)
    y = max(1 - c + z * math.sqrt(c), 0.0)
    return n, n_wake, n_cramp, first_min, max_pain, a * y * y * y * t[mech, T_DURATION_SCALE]


# ------------------------------------------------------------------ attributes and the diary
@njit
def attribute_rows(mech: int, nerve_site: float, nerve_side: float, pad_side: float, m: int):
    """Rows of ``MechanismTable.attribute_tables`` (quality, location, side) for episodes
    of ``mech`` in this patient (``m`` mechanisms: variant rows follow them)."""
    quality, location, side = mech, mech, mech
    if mech == NERVE:
        if nerve_site == 1:
            location = m  # peroneal: calf and foot
        elif nerve_site < 0:
            location = m + 1  # neuropathy: both feet, burning or tingling
            quality = m
        side = m + (int(nerve_side) if nerve_side == 0 or nerve_side == 1 else 2)
    elif mech == PAD:
        side = m + (int(pad_side) if pad_side == 0 or pad_side == 1 else 2)
    return quality, location, side


@njit
def _attribute_loop(mech, nerve_site, nerve_side, pad_side, m, out):
    for k in range(len(mech)):
        q, loc, sd = attribute_rows(mech[k], nerve_site[k], nerve_side[k], pad_side[k], m)
        out[0, k] = q
        out[1, k] = loc
        out[2, k] = sd


def attribute_probabilities(
    table: MechanismTable,
    mech: np.ndarray,
    *,
    nerve_site: np.ndarray,
    nerve_side: np.ndarray,
    pad_side: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quality, location and side probabilities (rows x labels) of episodes of ``mech``
    (``attribute_rows`` over arrays)."""
    quality, location, side = table.attribute_tables()
    n = len(mech)
    rows = np.empty((3, n), dtype=np.int64)

    def f(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)))

    _attribute_loop(
        np.ascontiguousarray(mech, dtype=np.int64),
        f(nerve_site),
        f(nerve_side),
        f(pad_side),
        len(table.shape),
        rows,
    )
    return quality[rows[0]], location[rows[1]], side[rows[2]]


def _probs(labels: tuple[str, ...], probs: dict[str, float]) -> np.ndarray:
    out = np.zeros(len(labels))
    for k, v in probs.items():
        out[labels.index(k)] = v
    return out / out.sum()


@njit
def diary_numbers(n_wake, duration_sum, max_pain, t_bed, sleep_base, p):
    """Pain score (0-10: the night's maximum intensity, rounded), minutes with symptoms
    (the summed episode durations, capped at the time in bed) and sleep efficiency (an
    undisturbed base less each awakening and the symptom time), from the night's episodes."""
    duration = min(duration_sum, t_bed)
    se = (
        sleep_base
        - p.sleep_cost_per_awakening * n_wake
        - p.sleep_cost_symptom_share * duration / t_bed
    )
    lo, hi = p.sleep_efficiency_range
    return np.rint(max_pain), duration, clip(se, lo, hi)


@njit
def _diary_loop(n_wake, duration_sum, max_pain, t_bed, sleep_base, p, out):
    for i in range(len(n_wake)):
        a, b, c = diary_numbers(n_wake[i], duration_sum[i], max_pain[i], t_bed[i], sleep_base[i], p)
        out[0, i] = a
        out[1, i] = b
        out[2, i] = c


# ------------------------------------------------------------------ lying down and the diary row
LYING_DOWN_UNIFORMS = 2
"""Uniforms per patient-night for ``lying_down``: legs raised, nerve position."""
LYING_DOWN_NORMALS = 3
"""Standard normals per patient-night for ``lying_down``: bedtime, time in bed,
undisturbed sleep efficiency."""


@njit
def lying_down_at(u_legs, u_position, z_bedtime, z_in_bed, z_sleep, usual_bedtime_h, p):
    """Tonight's (bedtime clock hour, whole minutes in bed (``p.time_in_bed_h_range``, 5-10.5
    h), undisturbed sleep efficiency, legs raised (worsens PAD), a provoking position for a
    compressed nerve)."""
    bedtime = clock_hours(usual_bedtime_h + p.bedtime_within_sd_h * z_bedtime)
    lo, hi = p.time_in_bed_h_range
    hours = clip(p.time_in_bed_mean_h + p.time_in_bed_sd_h * z_in_bed, lo, hi)
    return (
        bedtime,
        np.rint(hours * 60.0),
        p.sleep_efficiency_mean + p.sleep_efficiency_sd * z_sleep,
        u_legs < p.legs_elevated_prob,
        u_position < p.nerve_bad_position_prob,
    )


@njit
def _lying_loop(u, z, usual, p, f, b):
    for i in range(len(usual)):
        bed, t_bed, base, legs, bad = lying_down_at(
            u[i, 0], u[i, 1], z[i, 0], z[i, 1], z[i, 2], usual[i], p
        )
        f[0, i] = bed
        f[1, i] = t_bed
        f[2, i] = base
        b[0, i] = legs
        b[1, i] = bad


@dataclass
class LyingDown:
    """Tonight's bedtime, time in bed and posture, per patient."""

    bedtime_h: np.ndarray  # clock hour of lying down, 0-24
    time_in_bed_min: np.ndarray  # whole minutes (float64), 5-10.5 h
    sleep_base: np.ndarray  # sleep efficiency of an undisturbed night
    legs_elevated: np.ndarray  # bool: legs raised (worsens PAD)
    bad_position: np.ndarray  # bool: a provoking position for a compressed nerve


def lying_down(u: np.ndarray, z: np.ndarray, usual_bedtime_h: np.ndarray, night_p) -> LyingDown:
    """``lying_down_at`` over arrays: ``u`` (n, LYING_DOWN_UNIFORMS) uniforms, ``z``
    (n, LYING_DOWN_NORMALS) standard normals."""
    n = len(usual_bedtime_h)
    f = np.empty((3, n))
    b = np.empty((2, n), dtype=np.bool_)
    _lying_loop(
        np.ascontiguousarray(u, dtype=np.float64),
        np.ascontiguousarray(z, dtype=np.float64),
        np.ascontiguousarray(usual_bedtime_h, dtype=np.float64),
        night_p,
        f,
        b,
    )
    return LyingDown(f[0], f[1], f[2], b[0], b[1])


def diary_columns(
    *,
    patient_id: np.ndarray,
    night: int,
    day,
    lying: LyingDown,
    n_episodes: np.ndarray,
    n_wake: np.ndarray,
    n_cramp: np.ndarray,
    onset_min: np.ndarray,
    max_pain: np.ndarray,
    best_mech: np.ndarray,
    duration_min: np.ndarray,
    flags: np.ndarray,
    quality: np.ndarray,
    location: np.ndarray,
    side: np.ndarray,
    rls_drive: np.ndarray,
    ischaemia: np.ndarray,
    night_p,
) -> dict[str, np.ndarray]:
    """The ``nights`` columns of one night from what its episodes did, per patient (the
    event engine's; the vectorised engine writes the same columns from its fused loop).

    ``n_episodes``, ``n_wake`` (episodes above the waking threshold), ``n_cramp``: counts;
    ``onset_min``: first episode's start (nan without episodes); ``max_pain``: the highest
    episode intensity (0 without); ``best_mech``, ``quality``, ``location``, ``side``: those
    of the most intense episode (-1 without); ``duration_min``: the sum of episode
    durations; ``flags``: (n, len(FLAGS)) whether any episode had each flag; ``day`` is the
    night state's ``DayResult``.
    """
    n = len(patient_id)
    t_bed = lying.time_in_bed_min
    has = n_episodes > 0
    numbers = np.empty((3, n))
    _diary_loop(
        np.ascontiguousarray(n_wake, dtype=np.float64),
        np.ascontiguousarray(duration_min, dtype=np.float64),
        np.ascontiguousarray(max_pain, dtype=np.float64),
        np.ascontiguousarray(t_bed, dtype=np.float64),
        np.ascontiguousarray(lying.sleep_base, dtype=np.float64),
        night_p,
        numbers,
    )
    out = {
        "patient_id": patient_id.astype(np.int32),
        "night": np.full(n, night, dtype=np.int16),
        "heavy_exertion": day.exertion,
        "alcohol": day.alcohol,
        "hot_day": day.hot,
        "bedtime_h": lying.bedtime_h.astype(np.float32),
        "time_in_bed_min": t_bed.astype(np.int16),
        "pain_score": numbers[0].astype(np.int8),
        "onset_min": onset_min.astype(np.float32),
        "duration_min": numbers[1].astype(np.float32),
        "quality": np.where(has, quality, -1).astype(np.int8),
        "location": np.where(has, location, -1).astype(np.int8),
        "side": np.where(has, side, -1).astype(np.int8),
    }
    for i, flag in enumerate(FLAGS):
        out[flag] = flags[:, i] & has
    out["cramp_count"] = np.minimum(n_cramp, 127).astype(np.int8)
    out["awakenings"] = np.minimum(n_wake, 127).astype(np.int8)
    out["sleep_efficiency"] = numbers[2].astype(np.float32)
    out["n_episodes"] = np.minimum(n_episodes, 127).astype(np.int8)
    out["dominant_mechanism"] = np.where(has, best_mech, -1).astype(np.int8)
    out["potassium_mmol_l"] = day.potassium
    out["magnesium_mmol_l"] = day.magnesium
    out["calcium_mmol_l"] = day.calcium
    out["sodium_mmol_l"] = day.sodium
    out["hydration_deficit_l"] = day.hydration_deficit_l
    out["osmolality_mosm_kg"] = day.osmolality_mosm_kg
    out["fatigue_load"] = day.fatigue_load
    out["rls_drive"] = rls_drive.astype(np.float32)
    out["drug_effect"] = np.maximum(
        np.maximum(day.statin_effect, day.ssri_effect), day.bisphosphonate_effect
    ).astype(np.float32)
    out["ischaemia"] = ischaemia.astype(np.float32)
    out["legs_elevated"] = lying.legs_elevated
    return out
