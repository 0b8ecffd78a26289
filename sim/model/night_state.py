"""The days of a cohort: what each day did to each patient, ready for the night.

Usage::

    state = NightState(patients, model_cfg, streams)   # patients: dict of model arrays
    for night in range(28):
        day = state.advance_day(night)                 # DayResult: day.potassium, ...

``day_step`` is the generic driver of one patient's day, written once for scalars and
compiled (``sim.model.jit``): it draws the day's weather and behaviour (a hot spell,
exertion, unaccustomed exertion, alcohol), then runs every mechanism's ``day`` update in
``DAY_ORDER`` (``sim.model.dispatch.day_updates``): medication exposures, the fluid
balance, serum electrolytes, fatigue, the stenosis. The vectorised engine calls it inside
its fused loop; the event engine calls it through ``NightState.advance_day`` (a compiled
loop over the shard). Both draw the day's numbers from the same counter-based stream
(``night.day``, named indices ``state.DAY_DRAW``), so the days of both engines are
bit-identical. Per-patient constants are one float64 row per patient (``state.S``), the
state carried from day to day another (``state.C``), tonight's state a third
(``state.D``); each mechanism builds its own constants (its ``static``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim.model import dispatch, state, treatment
from sim.model import distributions as dist
from sim.model import reporting as reporting_words
from sim.model.jit import NIGHT_BITS, as_float, draw_nights, njit, stream_key
from sim.model.mechanisms import REGISTRY
from sim.model.mechanisms.base import StaticContext
from sim.model.params import day_params, mechanism_params, night_params
from sim.rng import ShardStreams

DAY_STREAM = state.STREAMS["day"]
STATIC_STREAM = state.STREAMS["static"]
BOOL_DAY = state.GENERIC_DAY
"""Fields of tonight's state that are yes/no (1.0 or 0.0)."""

CARRY_INIT = np.array(
    [
        (getattr(state.C, c), getattr(state.S, s))
        for m in REGISTRY
        for c, s in getattr(m, "CARRY_INIT", {}).items()
    ],
    dtype=np.int64,
).reshape(-1, 2)
"""(carry index, static index): the carried state before day 0 (the rest starts at 0)."""


@njit
def init_carry(s, carry):
    """The carried state before day 0: no hot spell, no deficit, baseline ABI, ..."""
    for k in range(carry.size):
        carry[k] = 0.0
    for k in range(CARRY_INIT.shape[0]):
        carry[CARRY_INIT[k, 0]] = s[CARRY_INIT[k, 1]]


@njit
def day_numbers(key, patient, day0, words, out):
    """``out[:, j]``: the ``state.DAY_NUMBERS`` numbers of the patient's day ``day0 + j`` in
    ``night.day`` (stream ``key``), indexed by ``state.DAY_DRAW``: the driver's uniforms,
    then the mechanisms' normals; bit for bit ``uniform_at`` / ``normal_at``, with the
    Philox blocks of all the days computed side by side (``sim.rng.draw_nights``;
    ``words``: (4, >= days) uint64 scratch)."""
    draw_nights(
        key, patient, day0, state.DAY_UNIFORMS, state.DAY_UNIFORMS, state.DAY_NORMALS, words, out
    )


@njit
def day_step(day, patient, tx_key, z, s, carry, out, dp, mp):
    """One patient's day ``day``: apply its events, update ``carry``, write tonight to ``out``.

    ``patient``: its id; ``tx_key``: the key of ``treatment.STREAM`` (tonight's levers,
    ``treatment.apply``, are written before the mechanisms' day updates read them);
    ``z``: the day's numbers (a column of ``day_numbers``, indexed by ``state.DAY_DRAW``);
    ``s``: the patient's constants (``state.S``); ``carry``: the state carried from
    yesterday (``state.C``), updated in place; ``out``: tonight's state (``state.D``);
    ``dp``: DayP; ``mp``: MechP.
    """
    S, C, D, Z = state.S, state.C, state.D, state.DAY_DRAW
    hot_prob = dp.hot_spell_continue_prob if carry[C.hot] > 0 else dp.hot_spell_start_prob
    hot = z[Z.hot] < hot_prob
    exertion = z[Z.exertion] < s[S.exertion_prob]
    unaccustomed = exertion and z[Z.unaccustomed] < s[S.unaccustomed_prob]
    alcohol = z[Z.alcohol] < s[S.alcohol_prob]
    carry[C.hot] = as_float(hot)
    out[D.hot] = as_float(hot)
    out[D.exertion] = as_float(exertion)
    out[D.unaccustomed] = as_float(unaccustomed)
    out[D.alcohol] = as_float(alcohol)
    treatment.apply(day, patient, tx_key, s, out)
    dispatch.day_updates(day, z, s, carry, out, dp, mp)


@njit
def _advance(day, key, tx_key, patients, static, carry, out, dp, mp):
    words = np.empty((4, 1), dtype=np.uint64)
    z = np.empty((state.DAY_NUMBERS, 1))
    for i in range(len(patients)):
        day_numbers(key, patients[i], day, words, z)
        day_step(day, patients[i], tx_key, z[:, 0], static[i], carry[i], out[i], dp, mp)


class DayResult:
    """Tonight's state of n patients: ``matrix`` (n, len(state.DAY_FIELDS)) float64, what
    compiled code reads; ``day.<field>`` one column (bool for the day's events, float32
    otherwise)."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix

    def __getattr__(self, name: str) -> np.ndarray:
        if name not in state.DAY_FIELDS:
            raise AttributeError(name)
        column = self.matrix[:, state.DAY_FIELDS.index(name)]
        return column > 0 if name in BOOL_DAY else column.astype(np.float32)


class NightState:
    """Per-patient day-to-day physiology of a shard (or of the event engine's patients)."""

    def __init__(
        self,
        patients: dict[str, np.ndarray],
        model_cfg,
        streams: ShardStreams,
        rows: np.ndarray | None = None,
    ) -> None:
        """``rows``: only the patients at these positions of the shard's arrays (their
        numbers are those of the whole shard's draw)."""
        self.p = day_params(model_cfg.day)
        self.night_p = night_params(model_cfg.night)
        self.mp = mechanism_params(model_cfg.mechanisms)
        self.key = stream_key(streams.seed, DAY_STREAM)
        self.tx_key = stream_key(streams.seed, treatment.STREAM)
        self.report_key = stream_key(streams.seed, reporting_words.STREAM)
        u_static = streams.uniform(STATIC_STREAM, state.STATIC_UNIFORMS)
        if rows is not None:
            patients = {k: np.asarray(v)[rows] for k, v in patients.items()}
            u_static = u_static[rows]
        self.patient_id = np.asarray(patients["patient_id"], dtype=np.int64)
        self.static = static_matrix(
            patients, self.p, self.night_p, self.mp, u_static, model_cfg.reporting
        )
        self.n = len(self.patient_id)
        self.usual_bedtime_h = self.static[:, state.S.usual_bedtime_h]
        self.carry = initial_carry(self.static)

    def advance_day(self, day: int) -> DayResult:
        """Apply day ``day``'s events (days must come in order) and return tonight's state."""
        if not 0 <= day < 1 << NIGHT_BITS:
            raise ValueError(
                f"day {day}: the counter-based draws hold days 0..{(1 << NIGHT_BITS) - 1}"
            )
        out = np.empty((self.n, len(state.DAY_FIELDS)))
        _advance(
            day,
            self.key,
            self.tx_key,
            self.patient_id,
            self.static,
            self.carry,
            out,
            self.p,
            self.mp,
        )
        return DayResult(out)


@njit
def _init_all(static, carry):
    for i in range(static.shape[0]):
        init_carry(static[i], carry[i])


def initial_carry(static: np.ndarray) -> np.ndarray:
    """The carried state of every patient before day 0 (``init_carry``)."""
    carry = np.empty((len(static), len(state.CARRY_FIELDS)))
    _init_all(static, carry)
    return carry


def static_draws(u_static: np.ndarray) -> tuple:
    """The columns of ``night.static`` by name (``state.STATIC_DRAW``)."""
    names = state.STATIC_DRAW._fields
    return namedtuple("StaticUniforms", names)(*(u_static[:, i] for i in state.STATIC_DRAW))


def static_matrix(
    patients: dict[str, np.ndarray], dp, night_p, mp, u_static, reporting
) -> np.ndarray:
    """The (n, len(state.STATIC_FIELDS)) per-patient constants: the driver's (with the
    patient's words, ``reporting``: ``model.reporting``), then each mechanism's own (its
    ``static``)."""
    pt = patients
    n = len(pt["age"])
    s = np.full((n, len(state.STATIC_FIELDS)), np.nan)
    u = static_draws(u_static)
    S = state.S
    heavy = np.asarray(pt["heavy_alcohol"], dtype=bool)
    s[:, S.exertion_prob] = pt["exertion_days_per_week"] / 7.0
    s[:, S.unaccustomed_prob] = pt["unaccustomed_exertion_prob"]
    s[:, S.heavy_alcohol] = heavy
    s[:, S.alcohol_prob] = (
        np.where(heavy, dp.alcohol_days_per_week_heavy, dp.alcohol_days_per_week_light) / 7.0
    )
    s[:, S.usual_bedtime_h] = dist.normal(
        u.bedtime, night_p.bedtime_mean_h, night_p.bedtime_between_sd_h
    )
    u_words = np.stack([getattr(u, f) for f in reporting_words.WORD_FIELDS], axis=1)
    words = reporting_words.vocabulary(u_words, reporting)
    for k, name in enumerate(reporting_words.WORD_FIELDS):
        s[:, getattr(S, name)] = words[:, k]
    u_notice = np.stack([getattr(u, f) for f in reporting_words.NOTICE_FIELDS], axis=1)
    shares = reporting_words.notice(u_notice, reporting)
    for k, name in enumerate(reporting_words.NOTICE_FIELDS):
        s[:, getattr(S, name)] = shares[:, k]
    for name, column in treatment.plan_columns(pt, n).items():
        s[:, getattr(S, name)] = column
    ctx = StaticContext(night_p=night_p, day_p=dp, mechanisms=mp, n=n)
    for m in REGISTRY:
        declared = set(getattr(m, "STATIC", ()))
        if not declared:
            continue
        values = m.static(pt, u, getattr(mp, m.NAME), ctx)
        if set(values) != declared:
            raise ValueError(
                f"mechanism {m.NAME!r}: static() gave {sorted(values)}, STATIC declares "
                f"{sorted(declared)}"
            )
        for name, column in values.items():
            s[:, getattr(S, name)] = column
    return s


__all__ = [
    "NightState",
    "DayResult",
    "day_step",
    "init_carry",
    "static_matrix",
    "initial_carry",
    "DAY_STREAM",
    "STATIC_STREAM",
]
