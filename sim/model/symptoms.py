"""The night as a point process: night state -> within-night intensities -> diary row.

Usage::

    table = MechanismTable.from_params(cfg.model.night)
    rates = nightly_rates(MECH["pad"], rows, day, static, patients, cfg.model.night)
    agg = sample_aggregate(table, MECH["pad"], u_slot, rates, time_in_bed_min)   # vectorised
    # or, in the event engine: episode by episode with ``shape_intensity`` and thinning

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

from dataclasses import dataclass

import numpy as np
from scipy import special

from sim.config import CAUSES
from sim.model import distributions as dist
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
"""Uniforms per (patient, mechanism slot, night): wake count, quiet count, cramps, first
time, maximum intensity, duration."""
SLOTS = 5
"""Mechanism slots per patient: background plus up to four active mechanisms."""
REFERENCE_NIGHT_MIN = 456.0
"""Minutes in a reference night (7.6 h): a uniform mechanism with rate R has R episodes
in expectation over a night of this length."""
PAIN_MIN, PAIN_MAX = 1.0, 10.0


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


# ------------------------------------------------------------------ shapes of the intensity
def shape_norm(shape: int, scale: float) -> float:
    """Divisor turning a per-night rate R into the peak intensity of the shape."""
    if shape == 3:  # circadian: total mass of the Gaussian
        return scale * np.sqrt(2 * np.pi)
    if shape == 2:  # decay: total mass over an unbounded night
        return scale
    return REFERENCE_NIGHT_MIN


def shape_intensity(
    shape: int, t: np.ndarray, scale: float, offset: np.ndarray | float = 0.0
) -> np.ndarray:
    """s(t) in [0, 1] at minutes ``t`` since lying down (``offset``: circadian peak time)."""
    t = np.asarray(t, dtype=np.float64)
    if shape == 0:
        return np.ones_like(t)
    if shape == 1:
        return np.minimum(t / scale, 1.0)
    if shape == 2:
        return np.exp(-t / scale)
    return np.exp(-0.5 * ((t - offset) / scale) ** 2)


def shape_cumulative(
    shape: int, t: np.ndarray, scale: float, offset: np.ndarray | float = 0.0
) -> np.ndarray:
    """Integral of s from 0 to ``t``."""
    t = np.asarray(t, dtype=np.float64)
    if shape == 0:
        return t
    if shape == 1:
        return np.where(t < scale, t * t / (2 * scale), t - scale / 2)
    if shape == 2:
        return scale * -np.expm1(-t / scale)
    c = scale * np.sqrt(np.pi / 2)
    r2 = scale * np.sqrt(2.0)
    return c * (special.erf((t - offset) / r2) - special.erf(-offset / r2))


def shape_inverse(
    shape: int, y: np.ndarray, scale: float, offset: np.ndarray | float = 0.0
) -> np.ndarray:
    """The time t with cumulative(t) = y."""
    y = np.asarray(y, dtype=np.float64)
    if shape == 0:
        return y
    if shape == 1:
        return np.where(y < scale / 2, np.sqrt(2 * scale * y), y + scale / 2)
    if shape == 2:
        return -scale * np.log1p(-np.minimum(y / scale, 1 - 1e-12))
    c = scale * np.sqrt(np.pi / 2)
    r2 = scale * np.sqrt(2.0)
    arg = np.clip(y / c + special.erf(-offset / r2), -1 + 1e-12, 1 - 1e-12)
    return offset + r2 * special.erfinv(arg)


# ------------------------------------------------------------------ tonight's rates
@dataclass
class Rates:
    """Tonight's process for the rows of one mechanism."""

    rate: np.ndarray  # R: expected episodes over a full-mass night
    pain_mean: np.ndarray
    offset_min: np.ndarray  # circadian peak in minutes since lying down (0 otherwise)
    severity: np.ndarray  # the mechanism's latent drive tonight (RLS drive, PAD ischaemia, ...)


def nightly_rates(
    mech: int,
    rows: np.ndarray,
    *,
    day,
    static,
    patients: dict[str, np.ndarray],
    night_p,
    bedtime_h: np.ndarray,
    legs_elevated: np.ndarray,
    bad_position: np.ndarray,
    table: MechanismTable,
) -> Rates:
    """Rate, mean intensity and timing of mechanism ``mech`` tonight for patients ``rows``.

    ``day`` is the ``DayResult`` of the night state, ``static`` the ``NightState``;
    ``bedtime_h``, ``legs_elevated`` and ``bad_position`` are tonight's values for ``rows``.
    """
    name = MECHANISMS[mech]
    n = len(rows)
    pain = np.full(n, table.pain_mean[mech])
    offset = np.zeros(n)
    severity = None
    p = night_p
    if name == "background":
        rate = np.full(n, p.background_rate)
    elif name == "rls":
        drive = neurological.rls_drive(
            patients["rls_severity"][rows],
            patients["ferritin_ug_l"][rows],
            day.ssri_effect[rows],
            p,
        )
        rate = p.rls_rate_max * drive
        severity = drive
        peak = patients["rls_peak_clock_h"][rows]
        peak = np.where(np.isnan(peak), 0.5, peak)
        # Hours since noon, so that 23:00 -> 11 and 00:30 -> 12.5.
        offset = 60.0 * (np.mod(peak - 12.0, 24.0) - np.mod(bedtime_h - 12.0, 24.0))
    elif name == "pad":
        pressure = vascular.supine_ankle_pressure(day.ankle_sbp_mmhg[rows], legs_elevated)
        isch = vascular.ischaemia_index(pressure)
        rate = (p.pad_rate_base + p.pad_rate_ischaemia * isch**2) * np.where(
            legs_elevated, p.legs_elevated_pad_factor, 1.0
        )
        pain = pain + 2.5 * isch
        severity = isch
    elif name == "cramps":
        pad = patients["active_pad"][rows]
        isch = np.where(pad, vascular.ischaemia_index(day.ankle_sbp_mmhg[rows]), 0.0)
        gain = muscle.cramp_excitability(
            potassium=day.potassium[rows],
            magnesium=day.magnesium[rows],
            deficit_l=day.hydration_deficit_l[rows],
            fatigue=day.fatigue_load[rows],
            ischaemia=isch,
            p=p,
        )
        # r cramp nights a week: a Poisson night has a cramp with probability r/7 when its
        # rate is -ln(1 - r/7); tonight's excitability multiplies that rate.
        nightly = np.minimum(patients["cramp_weekly_rate"][rows] / 7.0, 0.999)
        rate = -np.log1p(-nightly) * gain
    elif name == "fatigue":
        rate = p.fatigue_rate * day.fatigue_load[rows]
    elif name == "dehydration":
        excess = np.maximum(day.hydration_deficit_l[rows] - p.dehydration_threshold_l, 0.0)
        rate = p.dehydration_rate * excess
    elif name == "nerve":
        rate = neurological.nerve_rate(patients["nerve_severity"][rows], bad_position, p)
    elif name == "medication":
        rate = p.medication_rate * (day.statin_effect[rows] + day.bisphosphonate_effect[rows])
    elif name == "electrolyte":
        exc = muscle.electrolyte_excitability(
            day.potassium[rows], day.magnesium[rows], day.calcium[rows], day.sodium[rows]
        )
        rate = p.electrolyte_rate * exc
        pain = pain + 1.5 * np.clip(exc - 0.5, 0, 1)
    else:  # pragma: no cover - MECHANISMS is closed
        raise ValueError(name)
    rate = np.asarray(rate, dtype=np.float64)
    return Rates(rate, pain, offset, rate if severity is None else severity)


def expected_counts(
    mech: int, rates: Rates, time_in_bed_min: np.ndarray, table: MechanismTable
) -> tuple[np.ndarray, np.ndarray]:
    """Expected (waking, quiet) episodes over the night: Poisson splitting by intensity."""
    shape, scale = int(table.shape[mech]), float(table.shape_min[mech])
    mass = shape_cumulative(shape, time_in_bed_min, scale, rates.offset_min)
    total = rates.rate * mass / shape_norm(shape, scale)
    p_wake = wake_probability(mech, rates.pain_mean, table)
    return total * p_wake, total * (1.0 - p_wake)


def wake_probability(mech: int, pain_mean: np.ndarray, table: MechanismTable) -> np.ndarray:
    """Chance an episode's intensity is above the waking threshold."""
    return special.ndtr((pain_mean - table.wake_threshold) / table.pain_sd[mech])


def mechanism_groups(slots: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(slot, mechanism, rows) for every mechanism present in each slot, fixed per shard."""
    return [
        (s, int(m), np.flatnonzero(slots[:, s] == m))
        for s in range(slots.shape[1])
        for m in np.unique(slots[:, s])
        if m >= 0
    ]


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
    patients: dict[str, np.ndarray],
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
            patients=patients,
            night_p=night_p,
            bedtime_h=lying.bedtime_h[rows],
            legs_elevated=lying.legs_elevated[rows],
            bad_position=lying.bad_position[rows],
            table=table,
        )
        if m == MECH["rls"]:
            rls_drive[rows] = rates.severity
        elif m == MECH["pad"]:
            ischaemia[rows] = rates.severity
        out.append((s, m, rows, rates))
    return TonightRates(out, rls_drive, ischaemia)


# ------------------------------------------------------------------ aggregate sampling
@dataclass
class SlotAggregate:
    """What one mechanism did tonight, per row: the inputs of the diary row."""

    n_episodes: np.ndarray  # int
    n_wake: np.ndarray  # int
    n_cramp: np.ndarray  # int
    first_min: np.ndarray  # float, nan when no episode
    max_pain: np.ndarray  # float, 0 when no episode
    duration_min: np.ndarray  # float, total minutes of episodes


def sample_aggregate(
    table: MechanismTable, mech: int, u: np.ndarray, rates: Rates, time_in_bed_min: np.ndarray
) -> SlotAggregate:
    """Sample one mechanism's night in aggregate from ``u`` ((rows, SLOT_UNIFORMS) uniforms)."""
    lam_wake, lam_quiet = expected_counts(mech, rates, time_in_bed_min, table)
    n_wake = dist.poisson(u[:, 0], lam_wake)
    n_quiet = dist.poisson(u[:, 1], lam_quiet)
    n = n_wake + n_quiet
    n_cramp = binomial(u[:, 2], n, table.cramp[mech])
    has = n > 0
    shape, scale = int(table.shape[mech]), float(table.shape_min[mech])
    first = np.full(len(n), np.nan)
    max_pain = np.zeros(len(n))
    duration = np.zeros(len(n))
    if has.any():
        idx = np.flatnonzero(has)
        k = n[idx].astype(np.float64)
        off = rates.offset_min[idx] if np.ndim(rates.offset_min) else rates.offset_min
        mass = shape_cumulative(shape, time_in_bed_min[idx], scale, off)
        # The earliest of k episodes: F(t_min) = 1 - (1 - u)^(1/k).
        frac = -np.expm1(np.log1p(-u[idx, 3].astype(np.float64)) / k)
        first[idx] = np.minimum(shape_inverse(shape, frac * mass, scale, off), time_in_bed_min[idx])
        max_pain[idx] = _max_intensity(
            u[idx, 4],
            n_wake[idx],
            n_quiet[idx],
            rates.pain_mean[idx],
            table.pain_sd[mech],
            table.wake_threshold,
        )
        duration[idx] = _gamma_sum(
            u[idx, 5], k * table.duration_shape[mech], table.duration_scale_min[mech]
        )
    return SlotAggregate(n, n_wake, n_cramp, first, max_pain, duration)


def _max_intensity(u, n_wake, n_quiet, mean, sd, threshold) -> np.ndarray:
    """Maximum episode intensity: from the waking episodes (above threshold) when any."""
    z_t = special.ndtr((threshold - mean) / sd)
    wake = n_wake > 0
    k = np.where(wake, n_wake, n_quiet).astype(np.float64)
    v = np.exp(np.log(u.astype(np.float64)) / k)  # u^(1/k): the maximum's CDF value
    cdf = np.where(wake, z_t + v * (1 - z_t), v * z_t)
    x = mean + sd * special.ndtri(np.clip(cdf, 1e-12, 1 - 1e-12))
    return np.clip(x, PAIN_MIN, PAIN_MAX)


def _gamma_sum(u, shape, scale) -> np.ndarray:
    """Gamma(shape, scale) quantile by Wilson-Hilferty (approximate; accurate for shape >= 1)."""
    z = special.ndtri(u.astype(np.float64))
    c = 1.0 / (9.0 * shape)
    x = shape * np.maximum(1 - c + z * np.sqrt(c), 0.0) ** 3
    return x * scale


def binomial(u: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """Binomial(n, p) quantile of ``u`` by sequential search (n is small)."""
    if p <= 0:
        return np.zeros_like(n)
    if p >= 1:
        return n.copy()
    out = np.zeros_like(n)
    idx = np.flatnonzero(n > 0)
    if not idx.size:
        return out
    nn = n[idx].astype(np.float64)
    uu = u[idx].astype(np.float64)
    pmf = (1 - p) ** nn
    cdf = pmf.copy()
    k = np.zeros(len(idx), dtype=n.dtype)
    active = np.flatnonzero(uu > cdf)
    step = 0
    ratio = p / (1 - p)
    while active.size:
        step += 1
        pmf[active] *= (nn[active] - step + 1) / step * ratio
        cdf[active] += pmf[active]
        k[active] = step
        active = active[(uu[active] > cdf[active]) & (step < nn[active])]
    out[idx] = k
    return out


# ------------------------------------------------------------------ attributes and the diary
def attribute_probabilities(
    table: MechanismTable,
    mech: np.ndarray,
    *,
    nerve_site: np.ndarray,
    nerve_side: np.ndarray,
    pad_side: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quality, location and side probabilities (rows x labels) of episodes of ``mech``.

    Patient-specific overrides: a compressed nerve hurts on its own side (peroneal: calf and
    foot; no compression = neuropathy: burning or tingling in both feet); PAD on its side.
    """
    quality = table.quality[mech].copy()
    location = table.location[mech].copy()
    side = table.side[mech].copy()
    nerve = mech == MECH["nerve"]
    if nerve.any():
        site = nerve_site[nerve]
        loc = location[nerve]
        qual = quality[nerve]
        loc[site == 1] = _probs(LOCATIONS, {"toes_forefoot": 0.5, "calf": 0.5})
        loc[site < 0] = _probs(LOCATIONS, {"toes_forefoot": 0.8, "calf": 0.2})
        qual[site < 0] = _probs(QUALITIES, {"burning": 0.5, "tingling": 0.5})
        location[nerve] = loc
        quality[nerve] = qual
        s = nerve_side[nerve]
        sd = np.tile(_probs(SIDES3, {"both": 1.0}), (len(s), 1))
        for code in (0, 1):
            sd[s == code] = _probs(
                SIDES3, {SIDES3[code]: 0.9, SIDES3[1 - code]: 0.02, "both": 0.08}
            )
        side[nerve] = sd
    pad = mech == MECH["pad"]
    if pad.any():
        s = pad_side[pad]
        sd = np.tile(_probs(SIDES3, {"both": 1.0}), (len(s), 1))
        for code in (0, 1):
            sd[s == code] = _probs(
                SIDES3, {SIDES3[code]: 0.9, SIDES3[1 - code]: 0.02, "both": 0.08}
            )
        side[pad] = sd
    return quality, location, side


def _probs(labels: tuple[str, ...], probs: dict[str, float]) -> np.ndarray:
    out = np.zeros(len(labels))
    for k, v in probs.items():
        out[labels.index(k)] = v
    return out / out.sum()


def any_flag(u: np.ndarray, log_no_flag: np.ndarray) -> np.ndarray:
    """True if any of the night's episodes had the flag.

    ``log_no_flag`` is the sum over the night's episodes of log P(episode lacks the flag).
    """
    return u < -np.expm1(log_no_flag)


def sleep_efficiency(
    base: np.ndarray,
    awakenings: np.ndarray,
    duration_min: np.ndarray,
    time_in_bed_min: np.ndarray,
    night_p,
) -> np.ndarray:
    """Share of the night asleep: an undisturbed base, less each awakening and symptom time."""
    se = (
        base
        - night_p.sleep_cost_per_awakening * awakenings
        - night_p.sleep_cost_symptom_share * duration_min / time_in_bed_min
    )
    return np.clip(se, 0.3, 0.99)


def pain_score(max_pain: np.ndarray) -> np.ndarray:
    """Diary pain 0-10: the night's maximum intensity, rounded (0 without symptoms)."""
    return np.rint(max_pain).astype(np.int8)


# ------------------------------------------------------------------ lying down and the diary row
LYING_DOWN_UNIFORMS = 2
"""Uniforms per patient-night for ``lying_down``: legs raised, nerve position (the first
two of the vectorised engine's night uniforms)."""
LYING_DOWN_NORMALS = 3
"""Standard normals per patient-night for ``lying_down``: bedtime, time in bed,
undisturbed sleep efficiency (the vectorised engine's night normals)."""


@dataclass
class LyingDown:
    """Tonight's bedtime, time in bed and posture, per patient."""

    bedtime_h: np.ndarray  # clock hour of lying down, 0-24
    time_in_bed_min: np.ndarray  # whole minutes (float64), 5-10.5 h
    sleep_base: np.ndarray  # sleep efficiency of an undisturbed night
    legs_elevated: np.ndarray  # bool: legs raised (worsens PAD)
    bad_position: np.ndarray  # bool: a provoking position for a compressed nerve


def lying_down(u: np.ndarray, z: np.ndarray, usual_bedtime_h: np.ndarray, night_p) -> LyingDown:
    """Tonight's lying down from ``u`` ((n, LYING_DOWN_UNIFORMS) uniforms) and ``z``
    ((n, LYING_DOWN_NORMALS) standard normals)."""
    p = night_p
    bedtime = np.mod(usual_bedtime_h + p.bedtime_within_sd_h * z[:, 0], 24.0)
    hours = np.clip(p.time_in_bed_mean_h + p.time_in_bed_sd_h * z[:, 1], 5.0, 10.5)
    return LyingDown(
        bedtime_h=bedtime,
        time_in_bed_min=np.rint(hours * 60.0).astype(np.float64),
        sleep_base=p.sleep_efficiency_mean + p.sleep_efficiency_sd * z[:, 2],
        legs_elevated=u[:, 0] < p.legs_elevated_prob,
        bad_position=u[:, 1] < p.nerve_bad_position_prob,
    )


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
    """The ``nights`` columns of one night from what its episodes did, per patient.

    ``n_episodes``, ``n_wake`` (episodes above the waking threshold), ``n_cramp``: counts;
    ``onset_min``: first episode's start (nan without episodes); ``max_pain``: the highest
    episode intensity (0 without); ``best_mech``, ``quality``, ``location``, ``side``: those
    of the most intense episode (-1 without); ``duration_min``: the sum of episode
    durations (capped here at the time in bed); ``flags``: (n, len(FLAGS)) whether any
    episode had each flag; ``day`` is the night state's ``DayResult``.
    """
    n = len(patient_id)
    t_bed = lying.time_in_bed_min
    has = n_episodes > 0
    duration = np.minimum(duration_min, t_bed)
    out = {
        "patient_id": patient_id.astype(np.int32),
        "night": np.full(n, night, dtype=np.int16),
        "heavy_exertion": day.exertion,
        "alcohol": day.alcohol,
        "hot_day": day.hot,
        "bedtime_h": lying.bedtime_h.astype(np.float32),
        "time_in_bed_min": t_bed.astype(np.int16),
        "pain_score": pain_score(max_pain),
        "onset_min": onset_min.astype(np.float32),
        "duration_min": duration.astype(np.float32),
        "quality": np.where(has, quality, -1).astype(np.int8),
        "location": np.where(has, location, -1).astype(np.int8),
        "side": np.where(has, side, -1).astype(np.int8),
    }
    for i, flag in enumerate(FLAGS):
        out[flag] = flags[:, i] & has
    out["cramp_count"] = np.minimum(n_cramp, 127).astype(np.int8)
    out["awakenings"] = np.minimum(n_wake, 127).astype(np.int8)
    out["sleep_efficiency"] = sleep_efficiency(
        lying.sleep_base, n_wake, duration, t_bed, night_p
    ).astype(np.float32)
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
