"""The night driver: night state -> within-night intensities -> per-slot aggregates.

Usage::

    table = MechanismTable.from_params(cfg.model.mechanisms, cfg.model.night)
    # compiled, per patient-night (the vectorised engine's fused loop):
    rate, pain, offset, drive = mechanism_rate(MECH["pad"], s, d, bedtime_h, ..., p, mp, pain)
    n, n_wake, n_cramp, first, max_pain, duration = sample_slot(...)
    # over arrays (the event engine: episode by episode with ``shape_intensity``):
    rates = nightly_rates(MECH["pad"], rows, day=day, static=state, ...)

Every model function here is written once for scalars and compiled (``sim.model.jit``);
the ``*_at`` and array functions are thin compiled loops over it, so both engines run
the same code. What is particular to a cause lives in its mechanism module
(``sim.model.mechanisms``); this module is generic over the registry.

Each active mechanism m of a patient (a *slot*: up to ``SLOTS`` per patient, background
first) contributes episodes as a non-homogeneous Poisson process with intensity
``lambda_m(t) = R_m * s_m(t) / norm_m`` over minutes t since lying down, where R_m is the
mechanism's rate tonight (its ``rate`` law, from the night state and the patient's
constants) and s_m a shape with a closed-form integral and inverse:

- ``uniform``: s = 1 (cramps, nerve, electrolytes, dehydration, drug aches, background);
- ``ramp``: s = min(t / tau, 1), PAD perfusion falls over the first hour lying flat;
- ``decay``: s = exp(-t / tau), fatigue aches noticed on lying down, fading with sleep;
- ``circadian``: s = Gaussian in clock time around the patient's peak (restless legs).

An episode has an intensity (normal, clipped to 1-10), a duration (gamma) and attributes
drawn by mechanism (quality, location, side and flags; ``MechanismTable``). An episode
wakes the patient when its intensity is above ``wake_threshold``: so waking episodes and
quiet ones are two independent Poisson processes (Poisson splitting), which lets the
vectorised engine sample exact counts, first times (inverse of the cumulative intensity)
and maxima (inverse CDF of the maximum of N draws). Exact except where noted: the sum of N
gamma durations uses the Wilson-Hilferty approximation, bounded by the engine-equivalence
test. The diary row is one function of the slots' aggregates (``sim.model.diary``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model import dispatch, state
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
    normal_from,
    poisson_quantile,
)
from sim.model.mechanisms import CODE, NAMES, REGISTRY

MECHANISMS = NAMES
"""Every mechanism (``sim.model.mechanisms.REGISTRY``): its code is its position."""
MECH = CODE
QUALITIES = state.QUALITIES
LOCATIONS = ("toes_forefoot", "calf", "thigh", "buttock_to_leg", "whole_leg")
SIDES3 = ("left", "right", "both")
FLAGS = state.FLAGS
SHAPES = ("uniform", "ramp", "decay", "circadian")
SLOT_UNIFORMS = 6
"""Uniforms a mechanism slot may use a night: count, waking share, cramps, first time,
maximum intensity, duration."""
SLOTS = len(REGISTRY)
"""Mechanism slots per patient: one per mechanism, so any mix of co-conditions fits (a
slot costs draws only when filled)."""
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
    flag_variants: np.ndarray  # (V, len(FLAGS)) the mechanisms' FLAG_VARIANTS rows
    flag_owner: np.ndarray  # (V,) the mechanism code of each variant row
    quality: np.ndarray  # (M, len(QUALITIES))
    location: np.ndarray  # (M, len(LOCATIONS))
    side: np.ndarray  # (M, 3)
    wake_threshold: float

    @property
    def flag_table(self) -> np.ndarray:
        """(M + V, len(FLAGS)): the mechanisms' flag rows, then their ``FLAG_VARIANTS``
        (a patient-specific row a mechanism's ``flag_row`` hook picks)."""
        return np.vstack([self.flags, self.flag_variants])

    @property
    def numbers(self) -> np.ndarray:
        """(M + V, T_WIDTH) float64: the per-mechanism numbers compiled code reads
        (``T_*``); rows M.. are the flag variants (their owner's numbers, their own flags:
        only their ``T_FLAG`` and ``T_NO_FLAG`` columns are read)."""
        m = len(self.shape)
        own = self._mechanism_numbers()
        out = np.vstack([own, own[self.flag_owner]])
        out[m:, T_FLAG : T_FLAG + len(FLAGS)] = self.flag_variants
        out[m:, T_NO_FLAG : T_NO_FLAG + len(FLAGS)] = 1.0 - self.flag_variants
        return out

    def _mechanism_numbers(self) -> np.ndarray:
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

        Rows 0..M-1 are the mechanisms'; then each mechanism's ``VARIANTS`` in registry
        order (``mechanisms.variant_offsets``), which its ``attributes`` hook picks per
        patient: a compressed nerve hurts on its own side (peroneal: calf and foot; no
        compression = neuropathy: burning or tingling in both feet); PAD on its side.
        """
        tables = {"quality": [self.quality], "location": [self.location], "side": [self.side]}
        labels = {"quality": QUALITIES, "location": LOCATIONS, "side": SIDES3}
        for m in REGISTRY:
            for kind, rows in getattr(m, "VARIANTS", {}).items():
                tables[kind].extend(_probs(labels[kind], r)[None, :] for r in rows)
        return tuple(np.vstack(tables[k]) for k in ("quality", "location", "side"))

    @classmethod
    def from_params(cls, mechanisms_cfg, night_p) -> MechanismTable:
        """The table of ``model.mechanisms`` (every block), with ``model.night``'s waking
        threshold."""
        rows = [mechanisms_cfg[m] for m in MECHANISMS]

        def table(attr: str, labels: tuple[str, ...]) -> np.ndarray:
            out = np.zeros((len(rows), len(labels)))
            for i, r in enumerate(rows):
                probs = r[attr]
                for key, value in probs.items():
                    if key not in labels:
                        raise _config_error(
                            f"model.mechanisms.{MECHANISMS[i]}.{attr}.{key} is unknown: "
                            f"expected one of {', '.join(labels)}"
                        )
                    out[i, labels.index(key)] = float(value)
                if out[i].sum() <= 0:
                    raise _config_error(
                        f"model.mechanisms.{MECHANISMS[i]}.{attr} has no positive probability"
                    )
            return out / out.sum(axis=1, keepdims=True)

        for i, r in enumerate(rows):
            if r["shape"] not in SHAPES:
                raise _config_error(
                    f"model.mechanisms.{MECHANISMS[i]}.shape={r['shape']!r} is invalid: "
                    f"expected one of {', '.join(SHAPES)}"
                )

        def numbers(attr: str) -> np.ndarray:
            return np.array([r[attr] for r in rows], dtype=np.float64)

        flags = np.array([[r[f] for f in FLAGS] for r in rows], dtype=np.float64)
        variants, owners = [], []
        for code, m in enumerate(REGISTRY):
            for variant in getattr(m, "FLAG_VARIANTS", ()):
                row = flags[code].copy()
                for flag, name in variant.items():
                    row[FLAGS.index(flag)] = float(rows[code][name])
                variants.append(row)
                owners.append(code)

        return cls(
            shape=np.array([SHAPES.index(r["shape"]) for r in rows]),
            shape_min=numbers("shape_min"),
            pain_mean=numbers("pain_mean"),
            pain_sd=numbers("pain_sd"),
            duration_shape=numbers("duration_shape"),
            duration_scale_min=numbers("duration_scale_min"),
            cramp=numbers("cramp"),
            flags=flags,
            flag_variants=np.array(variants, dtype=np.float64).reshape(-1, len(FLAGS)),
            flag_owner=np.array(owners, dtype=np.int64),
            quality=table("quality", QUALITIES),
            location=table("location", LOCATIONS),
            side=table("side", SIDES3),
            wake_threshold=float(night_p["wake_threshold"]),
        )


def _config_error(msg: str) -> Exception:
    from sim.config import ConfigError

    return ConfigError(msg)


def mechanism_slots(patients: dict[str, np.ndarray]) -> np.ndarray:
    """(n, SLOTS) mechanism codes per patient, in code order; -1 empty. Who has a mechanism
    is its ``active`` hook (``active_<name>`` by default; background: everyone)."""
    n = len(patients["age"])
    slots = np.full((n, SLOTS), -1, dtype=np.int8)
    fill = np.zeros(n, dtype=np.int64)
    for code, m in enumerate(REGISTRY):
        hook = getattr(m, "active", None)
        active = hook(patients) if hook else np.asarray(patients[f"active_{m.NAME}"], bool)
        rows = np.flatnonzero(active)
        if rows.size and fill[rows].max() >= SLOTS:
            raise ValueError(f"a patient has more than {SLOTS} active mechanisms")
        slots[rows, fill[rows]] = code
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
def mechanism_rate(mech, s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """Tonight's process of mechanism ``mech`` for one patient: its ``rate`` hook.

    ``s``: the patient's constants (``state.S``); ``d``: tonight's state (``state.D``);
    ``p``: NightP; ``mp``: MechP; ``pain_mean``: the mechanism's mean intensity. Returns
    (rate R: expected episodes over a full-mass night, mean intensity, circadian peak in
    minutes since lying down (0 for other shapes), the mechanism's latent drive).
    """
    r, pain, offset, drive = dispatch.rate(
        mech, s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean
    )
    # Expecting to be helped (a placebo), the patient no longer perceives a share of the
    # episodes (an unperceived episode neither wakes nor is written down); the drive and
    # the latent state (the physiology) are unchanged.
    return r * (1.0 - d[state.D.tx_expectation]), pain, offset, drive


@dataclass
class Rates:
    """Tonight's process for the rows of one mechanism."""

    rate: np.ndarray  # R: expected episodes over a full-mass night
    pain_mean: np.ndarray
    offset_min: np.ndarray  # circadian peak in minutes since lying down (0 otherwise)
    severity: np.ndarray  # the mechanism's latent drive tonight (RLS drive, PAD ischaemia, ...)


@njit
def _rates_loop(mech, rows, static, day, bedtime, legs, bad, p, mp, pain_mean, out):
    for k in range(len(rows)):
        i = rows[k]
        r, pain, off, sev = mechanism_rate(
            mech, static[i], day[i], bedtime[k], legs[k], bad[k], p, mp, pain_mean
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
        static.mp,
        float(table.pain_mean[mech]),
        out,
    )
    return Rates(out[0], out[1], out[2], out[3])


@dataclass
class TonightRates:
    """Every group's process tonight, plus the latent drives the diary reports as truth."""

    groups: list[tuple[int, int, np.ndarray, Rates]]
    severity: dict[str, np.ndarray]
    """Per patient, each mechanism's ``SEVERITY`` column (0 without the mechanism)."""


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
    severity = {
        m.SEVERITY: np.zeros(n, dtype=np.float32) for m in REGISTRY if hasattr(m, "SEVERITY")
    }
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
        column = getattr(REGISTRY[m], "SEVERITY", None)
        if column:
            severity[column][rows] = rates.severity
        out.append((s, m, rows, rates))
    return TonightRates(out, severity)


# ------------------------------------------------------------------ aggregate sampling
@njit
def wake_probability(pain_mean: float, pain_sd: float, wake_threshold: float) -> float:
    """Chance an episode's intensity is above the waking threshold."""
    return ndtr((pain_mean - wake_threshold) / pain_sd)


@njit
def sample_slot(
    key, patient, night, first, u, h, t, mech, rate, pain_mean, offset, t_bed, threshold
):
    """One mechanism's night in aggregate from its numbers of (key, patient, night): ``u``
    holds uniforms ``first .. first + 4`` and ``h`` the first try of normal ``first + 5``
    (``sim.rng.normal_from``), drawn by the caller for all of a patient's nights at once
    (``uniform_span_nights``, ``normal_words_nights``); ``t`` is ``MechanismTable.numbers``.

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
    n = poisson_quantile(u[0], rate * mass / shape_norm(shape, scale))
    if n == 0:
        return 0, 0, 0, np.nan, 0.0, 0.0
    pain_sd = t[mech, T_PAIN_SD]
    if pain_mean == t[mech, T_PAIN_MEAN]:
        p_wake = t[mech, T_P_WAKE]
    else:
        p_wake = wake_probability(pain_mean, pain_sd, threshold)
    n_wake = binomial_quantile(u[1], n, p_wake)
    n_cramp = binomial_quantile(u[2], n, t[mech, T_CRAMP])
    k = float(n)
    u_first = u[3]
    frac = u_first if n == 1 else -math.expm1(math.log1p(-u_first) / k)
    first_min = min(shape_inverse_at(shape, frac * mass, scale, offset), t_bed)
    # Maximum intensity: from the waking episodes (above threshold) when any.
    z_t = 1.0 - p_wake
    u_max = u[4]
    if n_wake > 0:
        cdf = z_t + (u_max if n_wake == 1 else u_max ** (1.0 / n_wake)) * p_wake
    else:
        cdf = (u_max if n == 1 else u_max ** (1.0 / n)) * z_t
    max_pain = clip(pain_mean + pain_sd * ndtri(clip(cdf, 1e-12, 1 - 1e-12)), PAIN_MIN, PAIN_MAX)
    # Sum of k Gamma(a, scale) durations = Gamma(k a, scale), Wilson-Hilferty quantile.
    a = k * t[mech, T_DURATION_SHAPE]
    c = 1.0 / (9.0 * a)
    z = normal_from(h, key, patient, night, first + 5)
    y = max(1 - c + z * math.sqrt(c), 0.0)
    return n, n_wake, n_cramp, first_min, max_pain, a * y * y * y * t[mech, T_DURATION_SCALE]


# ------------------------------------------------------------------ attributes and the diary
@njit
def attribute_rows(mech: int, s, m: int):
    """Rows of ``MechanismTable.attribute_tables`` (quality, location, side) for episodes
    of ``mech`` in the patient with constants ``s`` (``m`` mechanisms; each mechanism's
    ``attributes`` hook picks its variant rows)."""
    return dispatch.attribute_rows(mech, s, m)


@njit
def flag_row(mech: int, s, m: int):
    """Row of ``MechanismTable.flag_table`` for episodes of ``mech`` in the patient with
    constants ``s`` (``m`` mechanisms; a mechanism's ``flag_row`` hook picks a variant)."""
    return dispatch.flag_row(mech, s, m)


@njit
def _attribute_loop(mech, static, rows, m, out):
    for k in range(len(mech)):
        s = static[rows[k]]
        q, loc, sd = attribute_rows(mech[k], s, m)
        out[0, k] = q
        out[1, k] = loc
        out[2, k] = sd
        out[3, k] = flag_row(mech[k], s, m)


def attribute_probabilities(
    table: MechanismTable, mech: np.ndarray, *, static: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quality, location and side probabilities (episodes x labels) and flag probabilities
    (episodes x ``FLAGS``) of episodes of ``mech`` in patients ``rows`` of ``static``
    (``attribute_rows`` and ``flag_row`` over arrays)."""
    quality, location, side = table.attribute_tables()
    n = len(mech)
    out = np.empty((4, n), dtype=np.int64)
    _attribute_loop(
        np.ascontiguousarray(mech, dtype=np.int64),
        static,
        np.ascontiguousarray(rows, dtype=np.int64),
        len(table.shape),
        out,
    )
    return quality[out[0]], location[out[1]], side[out[2]], table.flag_table[out[3]]


def _probs(labels: tuple[str, ...], probs: dict[str, float]) -> np.ndarray:
    out = np.zeros(len(labels))
    for k, v in probs.items():
        out[labels.index(k)] = v
    return out / out.sum()


# ------------------------------------------------------------------ lying down
LYING_DOWN_UNIFORMS = 2
"""Uniforms per patient-night for ``lying_down``: legs raised, nerve position."""
LYING_DOWN_NORMALS = 3
"""Standard normals per patient-night for ``lying_down``: bedtime, time in bed,
undisturbed sleep efficiency."""


@njit
def lying_down_at(u_legs, u_position, z_bedtime, z_in_bed, z_sleep, usual_bedtime_h, elevation, p):
    """Tonight's (bedtime clock hour, whole minutes in bed (``p.time_in_bed_h_range``, 5-10.5
    h), undisturbed sleep efficiency, legs raised (worsens PAD), a provoking position for a
    compressed nerve). ``elevation``: tonight's lever ``tx_elevation`` (0 untreated), the
    share of the nights without raised legs on which the patient now raises them."""
    legs_prob = p.legs_elevated_prob + (1.0 - p.legs_elevated_prob) * elevation
    bedtime = clock_hours(usual_bedtime_h + p.bedtime_within_sd_h * z_bedtime)
    lo, hi = p.time_in_bed_h_range
    hours = clip(p.time_in_bed_mean_h + p.time_in_bed_sd_h * z_in_bed, lo, hi)
    return (
        bedtime,
        np.rint(hours * 60.0),
        p.sleep_efficiency_mean + p.sleep_efficiency_sd * z_sleep,
        u_legs < legs_prob,
        u_position < p.nerve_bad_position_prob,
    )


@njit
def _lying_loop(u, z, usual, elevation, p, f, b):
    for i in range(len(usual)):
        bed, t_bed, base, legs, bad = lying_down_at(
            u[i, 0], u[i, 1], z[i, 0], z[i, 1], z[i, 2], usual[i], elevation[i], p
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


def lying_down(
    u: np.ndarray,
    z: np.ndarray,
    usual_bedtime_h: np.ndarray,
    night_p,
    elevation: np.ndarray | None = None,
) -> LyingDown:
    """``lying_down_at`` over arrays: ``u`` (n, LYING_DOWN_UNIFORMS) uniforms, ``z``
    (n, LYING_DOWN_NORMALS) standard normals, ``elevation`` tonight's lever (0 if None)."""
    n = len(usual_bedtime_h)
    if elevation is None:
        elevation = np.zeros(n)
    f = np.empty((3, n))
    b = np.empty((2, n), dtype=np.bool_)
    _lying_loop(
        np.ascontiguousarray(u, dtype=np.float64),
        np.ascontiguousarray(z, dtype=np.float64),
        np.ascontiguousarray(usual_bedtime_h, dtype=np.float64),
        np.ascontiguousarray(elevation, dtype=np.float64),
        night_p,
        f,
        b,
    )
    return LyingDown(f[0], f[1], f[2], b[0], b[1])
