"""The event engine: every patient a simpy process in continuous time (the reference semantics).

Usage::

    result = run_events(patients, cfg.model, streams, nights=28)
    result.nights     # ``nights`` table: same schema and definitions as the vectorised engine
    result.events     # ``events`` table: what each patient lived, in time order

Time runs in minutes from noon of day 0. At noon of each day the engine advances every
patient's physiology in lockstep (``NightState.advance_day``: the same code and the same
streams as the vectorised engine, so the days of both engines are identical), draws the
coming night of every patient episode by episode, then lets the patient processes (simpy)
live on until the next noon. The night's draws:

- lying down: bedtime, time in bed and posture (``symptoms.lying_down``);
- each active mechanism's episodes, a non-homogeneous Poisson process with intensity
  ``rate * shape_intensity(t) / shape_norm``, sampled by **thinning**: candidates from a
  homogeneous process at the intensity's peak over the night, each kept with probability
  ``shape_intensity(t) / peak`` (the vectorised engine's aggregate inverse formulas are not
  used here, so the two engines check each other);
- every episode its own intensity (normal, clipped to 1-10; it wakes the patient above
  ``wake_threshold``), duration (gamma, exact quantile), cramp, flags, quality, location and
  side (``symptoms.attribute_probabilities``);
- the behaviour answering it: stretching a cramp, hanging the leg over the bed edge when
  dangling relieves it, getting up to walk when movement relieves it or the legs urge to
  move. The behaviour happens within the episode and the episode ends at its sampled
  duration: the duration distribution is the time until relief, behaviour included.

Each patient is a simpy process that lives through the day (exertion, hot spell, alcohol,
drug starts) and the night in continuous time: lying down, falling asleep, episode starts,
cramps, awakenings, behaviours, episode ends, getting up. What the processes live, in the
order they live it, is the ``events`` table; the diary row is the model's fixed function of
the night's episodes (``symptoms.diary_columns``). Sampling is batched per night over the
shard (numpy, no per-episode Python) and the processes play it out: that keeps the engine
at tens of thousands of patient-nights per second on one core. Patients do not interact, so
their processes are spread over simpy environments of ``PROCESS_GROUP`` (small event
queues are faster; the output does not depend on the grouping).

Randomness (DESIGN.md, common random numbers): a patient-night's draws depend only on
(seed, patient id, night, stream). Days use the vectorised engine's streams
(``night.static`` per patient, the counter-based ``night.day``) and the same compiled
``night_state.day_step``, so the days of both engines are identical. Nights use ``events.night`` and ``events.night_normal`` (a fixed set per
patient-night) and ``events.pool`` (a fixed block per patient-night that the night's
thinning candidates and then its episodes consume in order); a night that needs more
continues from its own generator keyed by (seed, ``events.overflow``, patient id, night).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
import polars as pl
import simpy

from sim.engines import EngineResult, layout
from sim.model import diary, state
from sim.model import distributions as dist
from sim.model import symptoms as sx
from sim.model.jit import njit
from sim.model.mechanisms.medication import DRUGS
from sim.model.night_state import NightState
from sim.model.params import night_params
from sim.rng import BLOCK, ShardStreams, stream_key
from sim.tables.schema import EVENT_KINDS, to_frame

DAY_MIN = 1440.0
"""Minutes in a day: the simulation clock's day."""
KIND = {k: i for i, k in enumerate(EVENT_KINDS)}
DAY_KINDS = ("exertion_day", "unaccustomed_exertion", "hot_day", "alcohol", "drug_start")

NIGHT_UNIFORMS = sx.LYING_DOWN_UNIFORMS + 1 + sx.SLOTS
"""Uniforms per patient-night from ``events.night``: lying down (legs raised, nerve
position), sleep latency, one candidate count per mechanism slot."""
NIGHT_NORMALS = sx.LYING_DOWN_NORMALS
"""Standard normals per patient-night from ``events.night_normal``: bedtime, time in bed,
undisturbed sleep efficiency."""
POOL_UNIFORMS = 256
"""Fixed pool per patient-night from ``events.pool``: enough for about 15 episodes; busier
nights continue from their own generator (see ``_Pool``)."""
CANDIDATE_UNIFORMS = 2
"""Per thinning candidate: its time and its acceptance."""
_F = len(sx.FLAGS)
_U_INTENSITY, _U_DURATION, _U_CRAMP, _U_FLAGS = 0, 1, 2, 3
_U_QUALITY, _U_LOCATION, _U_SIDE, _U_DELAY = 3 + _F, 4 + _F, 5 + _F, 6 + _F
EPISODE_UNIFORMS = 7 + _F
"""Per episode: intensity, duration, cramp, one per flag, quality, location, side, delay of
the behaviour answering it."""


PROCESS_GROUP = 256
"""Patient processes per simpy environment (event-queue size; results do not depend on it)."""
_DRAW_AHEAD_MIN = 1.0
_OVERFLOW_CHUNK = 256
_TINY = 2.0**-53


def run_events(
    patients: dict[str, np.ndarray], model_cfg, streams: ShardStreams, *, nights: int
) -> EngineResult:
    """Simulate the nights of one shard with the event engine (``engine=events``).

    The shard is lived one RNG block (``sim.rng.BLOCK`` patients) at a time, each with fresh
    streams of its own block: the same draws as the whole shard at once (a patient's draws
    depend only on seed, id, night and stream), with memory bounded by the block.
    """
    n = len(patients["age"])
    nights_parts, events_parts = [], []
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        block = {key: values[lo:hi] for key, values in patients.items()}
        own = ShardStreams(streams.seed, streams.start + lo, streams.start + hi)
        result = EventNights(block, model_cfg, own, nights).run()
        nights_parts.append(result.nights)
        events_parts.append(result.events)
    return EngineResult(nights=pl.concat(nights_parts), events=pl.concat(events_parts))


@dataclass
class _Episodes:
    """The night's episodes, sorted by patient row then start time."""

    row: np.ndarray
    start_min: np.ndarray
    ordinal: np.ndarray  # number within the patient's night, by start time
    mech: np.ndarray
    slot: np.ndarray
    intensity: np.ndarray  # clipped to 1-10
    wakes: np.ndarray
    duration_min: np.ndarray
    cramp: np.ndarray
    flags: np.ndarray  # (E, len(FLAGS))
    quality: np.ndarray
    location: np.ndarray
    side: np.ndarray
    behaviour: np.ndarray  # event kind code answering the episode, -1 none
    behaviour_min: np.ndarray


@dataclass
class _Night:
    """One night of every patient of the shard, ready to be lived by the processes."""

    diary: dict[str, np.ndarray]
    episodes: _Episodes
    row: np.ndarray  # agenda, sorted by patient row, time, kind, episode
    t_min: np.ndarray
    clock_h: np.ndarray
    kind: np.ndarray
    episode: np.ndarray  # index into ``episodes``, -1 for other events
    drug: np.ndarray
    waits: list[float]  # minutes since the patient's previous agenda item (since noon for
    # the patient's first)
    bounds: list[int]  # agenda rows of patient row i: bounds[i]:bounds[i + 1]
    offset: int = 0  # agenda rows of the earlier nights


class EventNights:
    """Simulates the ``nights`` and ``events`` tables of one shard, patient by patient."""

    def __init__(
        self, patients: dict[str, np.ndarray], model_cfg, streams: ShardStreams, nights: int
    ) -> None:
        self.patients = patients
        self.night_p = night_params(model_cfg.night)
        self.streams = streams
        self.nights = nights
        self.n = len(patients["age"])
        self.patient_id = np.asarray(patients["patient_id"], dtype=np.int64)
        self.table = sx.MechanismTable.from_params(model_cfg.mechanisms, model_cfg.night)
        self.state = NightState(patients, model_cfg, streams)
        self.slots = sx.mechanism_slots(patients).astype(np.int64)
        self.groups = sx.mechanism_groups(self.slots)
        self.drug_on = [
            (d, np.asarray(patients[f"on_{drug}"], dtype=bool), patients[f"{drug}_start_day"])
            for d, drug in enumerate(DRUGS)
        ]
        self._plans: list[_Night | None] = [None] * nights
        self._log = array("q")  # agenda rows, in the order the processes live them

    # ---------------------------------------------------------------- the processes
    def run(self) -> EngineResult:
        """Live every day and night of every patient; return the tables.

        Days advance in lockstep: at noon of day j the whole shard's physiology and coming
        night are drawn (``_plan``), then every patient process lives on until the next
        noon (the environments stop just before it, so the next day is drawn first).
        """
        envs = []
        for lo in range(0, self.n, PROCESS_GROUP):
            env = simpy.Environment()
            for i in range(lo, min(lo + PROCESS_GROUP, self.n)):
                env.process(self._patient(env, i))
            envs.append(env)
        offset = 0
        for j in range(self.nights):
            plan = self._plan(j)
            plan.offset = offset
            offset += len(plan.row)
            self._plans[j] = plan
            # Live on until just before the next noon, when the next day is drawn.
            until = (j + 1) * DAY_MIN - _DRAW_AHEAD_MIN if j + 1 < self.nights else None
            for env in envs:
                env.run(until=until)
            if j:  # nobody is still living the night before: free its schedule
                self._plans[j - 1].waits = self._plans[j - 1].bounds = []
        return EngineResult(nights=self._nights_frame(), events=self._events_frame())

    def _patient(self, env: simpy.Environment, i: int):
        """One patient's life: each day's events, then the night, in continuous time."""
        log = self._log.append
        timeout = env.timeout
        plans = self._plans
        for j in range(self.nights):
            wait = j * DAY_MIN - env.now  # up in the morning: the day starts at noon
            if wait > 0:
                yield timeout(wait)
            plan = plans[j]
            waits = plan.waits
            base = plan.offset
            for k in range(plan.bounds[i], plan.bounds[i + 1]):
                wait = waits[k]
                if wait > 0:
                    yield timeout(wait)
                log(base + k)

    # ---------------------------------------------------------------- one night, batched
    def _plan(self, j: int) -> _Night:
        """Day ``j`` and night ``j`` of every patient: physiology, episodes, diary, agenda."""
        n, p, table = self.n, self.night_p, self.table
        day = self.state.advance_day(j)
        u = self.streams.uniform("events.night", NIGHT_UNIFORMS)
        z = self.streams.normal("events.night_normal", NIGHT_NORMALS)
        pool = _Pool(
            self.streams.uniform("events.pool", POOL_UNIFORMS),
            self.streams.seed,
            self.patient_id,
            j,
        )
        lying = sx.lying_down(
            u[:, : sx.LYING_DOWN_UNIFORMS],
            z,
            self.state.usual_bedtime_h,
            p,
            day.matrix[:, state.D.tx_elevation],
        )
        t_bed = lying.time_in_bed_min
        tonight = sx.tonight_rates(
            self.groups,
            day=day,
            static=self.state,
            lying=lying,
            night_p=p,
            table=table,
        )

        # Thinning, step 1: candidates per (patient, slot) at the intensity's peak.
        counts = np.zeros((n, sx.SLOTS), dtype=np.int64)
        candidates = []
        for s, m, rows, rates in tonight.groups:
            shape, scale = int(table.shape[m]), float(table.shape_min[m])
            t_end = t_bed[rows]
            offset = np.broadcast_to(np.asarray(rates.offset_min, dtype=np.float64), rows.shape)
            peak = sx.shape_intensity(shape, peak_minute(shape, t_end, offset), scale, offset)
            per_min = rates.rate * peak / sx.shape_norm(shape, scale)
            k = dist.poisson(u[rows, sx.LYING_DOWN_UNIFORMS + 1 + s], per_min * t_end)
            counts[rows, s] = k
            candidates.append((s, m, rows, k, t_end, offset, peak, rates.pain_mean))
        first_u = CANDIDATE_UNIFORMS * (np.cumsum(counts, axis=1) - counts)

        # Thinning, step 2: keep each candidate with probability s(t) / peak.
        parts: list[tuple] = []
        for s, m, rows, k, t_end, offset, peak, pain_mean in candidates:
            total = int(k.sum())
            if not total:
                continue
            r = np.repeat(rows, k)
            nth = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
            idx = first_u[r, s] + CANDIDATE_UNIFORMS * nth
            t = np.repeat(t_end, k) * pool.take(r, idx)
            accept = pool.take(r, idx + 1)
            shape, scale = int(table.shape[m]), float(table.shape_min[m])
            off = np.repeat(offset, k)
            keep = accept * np.repeat(peak, k) < sx.shape_intensity(shape, t, scale, off)
            parts.append((r[keep], t[keep], m, s, np.repeat(pain_mean, k)[keep]))
        episodes = self._episodes(parts, pool, counts.sum(axis=1))
        diary = self._diary(j, day, lying, episodes, tonight)
        return self._agenda(j, day, lying, u[:, sx.LYING_DOWN_UNIFORMS], episodes, diary)

    def _episodes(self, parts: list[tuple], pool: _Pool, n_candidates: np.ndarray) -> _Episodes:
        """Draw every episode's intensity, duration and attributes, and the answering behaviour."""
        table = self.table
        if parts:
            row = np.concatenate([q[0] for q in parts])
            start = np.concatenate([q[1] for q in parts])
            mech = np.concatenate([np.full(len(q[0]), q[2], dtype=np.int8) for q in parts])
            slot = np.concatenate([np.full(len(q[0]), q[3], dtype=np.int8) for q in parts])
            pain_mean = np.concatenate([q[4] for q in parts])
        else:
            row = np.zeros(0, dtype=np.int64)
            start = pain_mean = np.zeros(0)
            mech = slot = np.zeros(0, dtype=np.int8)
        order = np.lexsort((start, row))
        row, start, mech, slot, pain_mean = (
            row[order],
            start[order],
            mech[order],
            slot[order],
            pain_mean[order],
        )
        per_patient = np.bincount(row, minlength=self.n)
        ordinal = np.arange(len(row)) - np.repeat(np.cumsum(per_patient) - per_patient, per_patient)
        first_u = CANDIDATE_UNIFORMS * n_candidates[row] + EPISODE_UNIFORMS * ordinal
        idx = (first_u[:, None] + np.arange(EPISODE_UNIFORMS)).ravel()
        u = pool.take(np.repeat(row, EPISODE_UNIFORMS), idx).reshape(-1, EPISODE_UNIFORMS)

        raw = dist.normal(u[:, _U_INTENSITY], pain_mean, table.pain_sd[mech])
        intensity = np.clip(raw, sx.PAIN_MIN, sx.PAIN_MAX)
        duration = dist.gamma(
            u[:, _U_DURATION], table.duration_shape[mech], table.duration_scale_min[mech]
        )
        cramp = u[:, _U_CRAMP] < table.cramp[mech]
        quality_p, location_p, side_p, flags_p = sx.attribute_probabilities(
            table, mech, static=self.state.static, rows=row
        )
        flags = u[:, _U_FLAGS : _U_FLAGS + _F] < flags_p
        flag = {f: flags[:, i] for i, f in enumerate(sx.FLAGS)}
        behaviour = np.full(len(row), -1, dtype=np.int8)
        behaviour[flag["urge_to_move"] | flag["relief_by_movement"]] = KIND["get_up_walk"]
        behaviour[flag["relief_by_dangling"]] = KIND["dangle_leg"]
        behaviour[cramp] = KIND["stretch"]
        lo, hi = self.night_p.behaviour_delay_share_range
        return _Episodes(
            row=row,
            start_min=start,
            ordinal=ordinal,
            mech=mech,
            slot=slot,
            intensity=intensity,
            wakes=raw > table.wake_threshold,
            duration_min=duration,
            cramp=cramp,
            flags=flags,
            quality=dist.categorical(u[:, _U_QUALITY], quality_p),
            location=dist.categorical(u[:, _U_LOCATION], location_p),
            side=dist.categorical(u[:, _U_SIDE], side_p),
            behaviour=behaviour,
            behaviour_min=start + duration * (lo + (hi - lo) * u[:, _U_DELAY]),
        )

    def _diary(self, j, day, lying, ep: _Episodes, tonight) -> dict[str, np.ndarray]:
        """The diary row: per (patient, slot) what its episodes did, then the model's one
        reduction of those to the row (``diary.reduce_slots``, ``diary.write_row``, as in
        the vectorised engine). Within a slot the most intense episode (ties: the earlier)
        gives the quality, location and side."""
        n, n_slots = self.n, sx.SLOTS
        key = ep.row.astype(np.int64) * n_slots + ep.slot
        size = n * n_slots

        def per_slot(weights=None) -> np.ndarray:
            return np.bincount(key, weights=weights, minlength=size).reshape(n, n_slots)

        count = per_slot()
        first = np.full(size, np.nan)
        keys, at = np.unique(key, return_index=True)  # episodes are in time order per patient
        first[keys] = ep.start_min[at]
        best = np.lexsort((-ep.intensity, key))  # stable: ties keep the earlier episode
        keys, at = np.unique(key[best], return_index=True)
        best_episode = np.zeros(size, dtype=np.int64)
        best_episode[keys] = best[at]
        max_pain = np.zeros(size)
        max_pain[keys] = ep.intensity[best[at]]
        severity = np.zeros((n, n_slots))
        for s, _m, rows, rates in tonight.groups:
            severity[rows, s] = rates.severity

        def of_best(values: np.ndarray) -> np.ndarray:
            out = np.full(size, -1, dtype=np.int64)
            out[keys] = values[best[at]]
            return out.reshape(n, n_slots)

        flags = np.zeros((n, _F), dtype=bool)
        for i in range(_F):
            flags[:, i] = np.bincount(ep.row, weights=ep.flags[:, i], minlength=n) > 0
        out = layout.diary_buffers(n)
        _diary_rows(
            out,
            self.state.static,
            self.state.report_key,
            self.patient_id,
            j,
            day.matrix,
            np.ascontiguousarray(lying.bedtime_h, dtype=np.float64),
            np.ascontiguousarray(lying.time_in_bed_min, dtype=np.float64),
            np.ascontiguousarray(lying.sleep_base, dtype=np.float64),
            np.ascontiguousarray(lying.legs_elevated, dtype=np.bool_),
            self.slots,
            count,
            per_slot(ep.wakes).astype(np.int64),
            per_slot(ep.cramp).astype(np.int64),
            first.reshape(n, n_slots),
            max_pain.reshape(n, n_slots),
            per_slot(ep.duration_min),
            severity,
            of_best(ep.quality),
            of_best(ep.location),
            of_best(ep.side),
            flags,
            self.night_p,
        )
        cols = {
            "patient_id": self.patient_id.astype(np.int32),
            "night": np.full(n, j, dtype=np.int16),
        }
        cols.update(layout.diary_columns(out))
        return cols

    def _agenda(self, j, day, lying, u_latency, ep: _Episodes, diary) -> _Night:
        """Everything that will happen to each patient from noon to getting up, in order."""
        n = self.n
        t_bed = lying.time_in_bed_min
        all_rows = np.arange(n)
        since_noon = np.mod(lying.bedtime_h - 12.0, 24.0) * 60.0
        noon = -since_noon  # day events, relative to lying down
        rows, times, kinds, links, drugs = [], [], [], [], []

        def add(r, t, kind, link=None, drug=None):
            rows.append(r)
            times.append(np.asarray(t, dtype=np.float64))
            kinds.append(np.full(len(r), kind, dtype=np.int8) if np.ndim(kind) == 0 else kind)
            links.append(np.full(len(r), -1, dtype=np.int64) if link is None else link)
            drugs.append(np.full(len(r), -1, dtype=np.int8) if drug is None else drug)

        for name, happened in (
            ("exertion_day", day.exertion),
            ("unaccustomed_exertion", day.unaccustomed),
            ("hot_day", day.hot),
            ("alcohol", day.alcohol),
        ):
            r = np.flatnonzero(happened)
            add(r, noon[r], KIND[name])
        for d, on, start_day in self.drug_on:
            r = np.flatnonzero(on & (start_day == j))
            add(r, noon[r], KIND["drug_start"], drug=np.full(len(r), d, dtype=np.int8))
        latency = np.minimum(
            -self.night_p.sleep_latency_mean_min * np.log(u_latency.astype(np.float64)), t_bed
        )
        add(all_rows, np.zeros(n), KIND["lie_down"])
        add(all_rows, latency, KIND["fall_asleep"])
        add(all_rows, t_bed, KIND["get_up_morning"])
        e = np.arange(len(ep.row))
        add(ep.row, ep.start_min, KIND["episode_start"], e)
        add(ep.row[ep.cramp], ep.start_min[ep.cramp], KIND["cramp"], e[ep.cramp])
        add(ep.row[ep.wakes], ep.start_min[ep.wakes], KIND["awakening"], e[ep.wakes])
        acts = (ep.behaviour >= 0) & (ep.behaviour_min < t_bed[ep.row])
        add(ep.row[acts], ep.behaviour_min[acts], ep.behaviour[acts], e[acts])
        end = np.minimum(ep.start_min + ep.duration_min, t_bed[ep.row])
        add(ep.row, end, KIND["episode_end"], e)

        row = np.concatenate(rows)
        t = np.concatenate(times)
        kind = np.concatenate(kinds)
        link = np.concatenate(links)
        drug = np.concatenate(drugs)
        order = np.lexsort((link, kind, t, row))
        row, t, kind, link, drug = row[order], t[order], kind[order], link[order], drug[order]
        row = row.astype(np.int32)
        clock = j * DAY_MIN + since_noon[row] + t
        day_event = kind < KIND["lie_down"]
        clock[day_event] = j * DAY_MIN  # exactly noon: no rounding past the day's wake-up
        clock_h = np.mod(lying.bedtime_h[row] + t / 60.0, 24.0)
        clock_h[day_event] = 12.0
        bounds = np.searchsorted(row, np.arange(n + 1))
        waits = np.empty_like(clock)
        waits[1:] = np.diff(clock)
        firsts = bounds[:-1][bounds[:-1] < bounds[1:]]
        waits[firsts] = clock[firsts] - j * DAY_MIN
        return _Night(
            diary=diary,
            episodes=ep,
            row=row,
            t_min=t.astype(np.float32),
            clock_h=clock_h.astype(np.float32),
            kind=kind,
            episode=link.astype(np.int32),
            drug=drug,
            waits=waits.tolist(),
            bounds=bounds.tolist(),
        )

    # ---------------------------------------------------------------- tables
    def _nights_frame(self) -> pl.DataFrame:
        """The diary rows, ordered by patient then night (as the vectorised engine)."""
        cols: dict[str, np.ndarray] = {}
        for key in self._plans[0].diary:
            stacked = np.stack([plan.diary[key] for plan in self._plans], axis=1)
            cols[key] = stacked.reshape(-1)
        return to_frame("nights", cols)

    def _events_frame(self) -> pl.DataFrame:
        """The log of the processes, grouped by patient in the order each lived it."""
        plans = self._plans
        ep_offsets = np.cumsum([0] + [len(p.episodes.row) for p in plans])
        cat = np.concatenate
        row = cat([p.row for p in plans])
        night = cat([np.full(len(p.row), j, dtype=np.int16) for j, p in enumerate(plans)])
        t_min = cat([p.t_min for p in plans])
        clock_h = cat([p.clock_h for p in plans])
        kind = cat([p.kind for p in plans])
        link = cat(
            [
                np.where(p.episode >= 0, p.episode.astype(np.int64) + ep_offsets[j], -1)
                for j, p in enumerate(plans)
            ]
        )
        drug = cat([p.drug for p in plans])
        eps = [p.episodes for p in plans]
        ordinal = cat([e.ordinal for e in eps])
        mech = cat([e.mech for e in eps])
        intensity = cat([e.intensity for e in eps])
        duration = cat([e.duration_min for e in eps])
        quality = cat([e.quality for e in eps])
        location = cat([e.location for e in eps])
        side = cat([e.side for e in eps])
        flags = cat([e.flags for e in eps])

        log = np.frombuffer(self._log, dtype=np.int64)
        # Stable by patient: each patient's rows in the order the process lived them
        # (16-bit keys sort in linear time).
        key = row[log].astype(np.uint16 if self.n <= 1 << 16 else np.int64)
        log = log[np.argsort(key, kind="stable")]
        row, night, t_min, clock_h, kind, link, drug = (
            a[log] for a in (row, night, t_min, clock_h, kind, link, drug)
        )
        is_ep = link >= 0
        is_start = kind == KIND["episode_start"]
        li = np.where(is_ep, link, 0)

        def of_episode(values: np.ndarray) -> np.ndarray:
            """Each row's episode's value (any value where the row has no episode)."""
            return (
                values[li] if len(values) else np.zeros((len(li), *values.shape[1:]), values.dtype)
            )

        none, nan = np.int8(-1), np.float32(np.nan)
        cols = {
            "patient_id": self.patient_id[row].astype(np.int32),
            "night": night,
            "t_min": t_min,
            "clock_h": clock_h,
            "kind": kind,
            "episode": np.ma.masked_array(of_episode(ordinal).astype(np.int16), mask=~is_ep),
            "mechanism": np.where(is_ep, of_episode(mech), none),
            "intensity": np.where(is_start, of_episode(intensity), nan),
            "duration_min": np.where(is_start, of_episode(duration), nan),
            "quality": np.where(is_start, of_episode(quality), none),
            "location": np.where(is_start, of_episode(location), none),
            "side": np.where(is_start, of_episode(side), none),
            "drug": drug,
        }
        episode_flags = of_episode(flags)
        for i, f in enumerate(sx.FLAGS):
            cols[f] = np.ma.masked_array(episode_flags[:, i], mask=~is_start)
        return to_frame("events", cols)


@njit
def _diary_rows(
    out,
    static,
    report_key,
    patient_id,
    night,
    day,
    bedtime,
    t_bed,
    sleep_base,
    legs,
    slots,
    count,
    wake,
    cramps,
    first,
    max_pain,
    minutes,
    severity,
    quality,
    location,
    side,
    flags,
    night_p,
):
    """Row i of ``out`` for each patient i: the model's reduction of its slots."""
    for i in range(slots.shape[0]):
        used = 0
        while used < slots.shape[1] and slots[i, used] >= 0:
            used += 1
        total, n_wake, n_cramp, onset, best_pain, best, duration = diary.reduce_slots(
            used, count[i], wake[i], cramps[i], first[i], max_pain[i], minutes[i]
        )
        has = best >= 0
        diary.write_row(
            out,
            i,
            static[i],
            report_key,
            patient_id[i],
            night,
            day[i],
            bedtime[i],
            t_bed[i],
            sleep_base[i],
            legs[i],
            total,
            n_wake,
            n_cramp,
            onset,
            best_pain,
            slots[i, best] if has else -1,
            duration,
            quality[i, best] if has else -1,
            location[i, best] if has else -1,
            side[i, best] if has else -1,
            flags[i],
            slots[i],
            severity[i],
            used,
            night_p,
        )


def peak_minute(shape: int, time_in_bed_min: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Where ``shape_intensity`` peaks over [0, time in bed]: the thinning envelope's level.

    Uniform: anywhere; ramp: rises, so at getting up; decay: at lying down; circadian: at
    the peak if it falls within the night, else at the nearer end.
    """
    if shape == 1:
        return time_in_bed_min
    if shape == 3:
        return np.clip(offset, 0.0, time_in_bed_min)
    return np.zeros_like(time_in_bed_min)


class _Pool:
    """One night's uniforms: a fixed block per patient, then a per-patient-night generator."""

    def __init__(self, block: np.ndarray, seed: int, patient_id: np.ndarray, night: int) -> None:
        self.flat = block.reshape(-1)
        self.size = block.shape[1]
        self.seed = seed
        self.patient_id = patient_id
        self.night = night
        self._extra: dict[int, np.ndarray] = {}
        self._gens: dict[int, np.random.Generator] = {}

    def take(self, rows: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Uniform number ``idx`` of each patient row's night (float64, inside (0, 1))."""
        inside = idx < self.size
        if inside.all():
            return self.flat.take(rows * self.size + idx).astype(np.float64)
        out = np.empty(len(rows))
        out[inside] = self.flat.take(rows[inside] * self.size + idx[inside])
        beyond = np.flatnonzero(~inside)
        for r in np.unique(rows[beyond]):
            sel = beyond[rows[beyond] == r]
            q = idx[sel] - self.size
            out[sel] = self._overflow(int(r), int(q.max()) + 1)[q]
        return out

    def _overflow(self, row: int, need: int) -> np.ndarray:
        have = self._extra.get(row, np.zeros(0))
        if len(have) < need:
            gen = self._gens.get(row)
            if gen is None:
                key = [
                    self.seed,
                    stream_key("events.overflow"),
                    int(self.patient_id[row]),
                    self.night,
                ]
                gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))
                self._gens[row] = gen
            more = np.maximum(gen.random(max(need - len(have), _OVERFLOW_CHUNK)), _TINY)
            have = np.concatenate([have, more])
            self._extra[row] = have
        return have
