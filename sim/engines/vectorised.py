"""The vectorised engine: all patients of a shard, one night at a time, in numpy.

Usage::

    sim = VectorisedNights(patients, cfg.model, streams, nights=28)
    nights = sim.run()            # dict of (patients x nights) arrays in ``nights`` order

It advances time and calls the model (``sim.model.night_state`` for the day,
``sim.model.symptoms`` for the night); it holds no physiology of its own. Within-night
events are sampled in aggregate: counts from the integrated intensity, first times by
inverting the cumulative intensity, maxima and flags from their exact distributions.
Memory is bounded by the shard: (nights x shard) arrays for the diary columns.
"""

from __future__ import annotations

import numpy as np

from sim.model import distributions as dist
from sim.model import symptoms as sx
from sim.model.night_state import DAY_NORMALS, DAY_UNIFORMS, STATIC_UNIFORMS, NightState
from sim.rng import ShardStreams

NIGHT_UNIFORMS = sx.LYING_DOWN_UNIFORMS + len(sx.FLAGS) + 3
"""Uniforms per patient-night: lying down (legs raised, nerve position), one per flag,
quality, location, side."""
NIGHT_NORMALS = sx.LYING_DOWN_NORMALS
"""Standard normals per patient-night: bedtime, time in bed, undisturbed sleep efficiency."""


class VectorisedNights:
    """Simulates the ``nights`` table of one shard."""

    def __init__(
        self, patients: dict[str, np.ndarray], model_cfg, streams: ShardStreams, nights: int
    ) -> None:
        self.patients = patients
        self.cfg = model_cfg
        self.night_p = model_cfg.night
        self.streams = streams
        self.nights = nights
        self.n = n = len(patients["age"])
        self.table = sx.MechanismTable.from_params(self.night_p)
        self.state = NightState(
            patients, model_cfg, streams.uniform("night.static", STATIC_UNIFORMS)
        )
        self.slots = sx.mechanism_slots(patients)
        # Rows of each (slot, mechanism) pair, fixed for the shard.
        self.groups = sx.mechanism_groups(self.slots)
        # log P(an episode lacks the flag), per mechanism and flag.
        self.log_no_flag = np.log1p(-np.minimum(self.table.flags, 1 - 1e-9))
        self.nerve_site = patients["nerve_site"]
        self.nerve_side = patients["nerve_side"]
        del n

    def run(self) -> dict[str, np.ndarray]:
        """All nights; arrays are (n * nights,), ordered by patient then night."""
        out: dict[str, np.ndarray] = {}
        for j in range(self.nights):
            night = self.night(j)
            for key, values in night.items():
                if key not in out:
                    out[key] = np.empty((self.nights, self.n), dtype=values.dtype)
                out[key][j] = values
        # Night-major while simulating (contiguous writes), patient-major in the table.
        return {key: np.ascontiguousarray(values.T).reshape(-1) for key, values in out.items()}

    def night(self, j: int) -> dict[str, np.ndarray]:
        """Simulate day ``j`` and night ``j`` for every patient of the shard."""
        n, p, table = self.n, self.night_p, self.table
        day = self.state.advance_day(
            j,
            self.streams.uniform("night.day", DAY_UNIFORMS),
            self.streams.normal("night.day_normal", DAY_NORMALS),
        )
        u = self.streams.uniform("night.night", NIGHT_UNIFORMS)
        z = self.streams.normal("night.night_normal", NIGHT_NORMALS)
        us = self.streams.uniform("night.slots", sx.SLOTS * sx.SLOT_UNIFORMS)

        lying = sx.lying_down(u[:, : sx.LYING_DOWN_UNIFORMS], z, self.state.usual_bedtime_h, p)
        t_bed = lying.time_in_bed_min

        tonight = sx.tonight_rates(
            self.groups,
            day=day,
            static=self.state,
            patients=self.patients,
            lying=lying,
            night_p=p,
            table=table,
        )
        # Running reductions over the patient's mechanisms (cost follows active pairs only).
        night = _NightAccumulator(n, len(sx.FLAGS))
        for s, m, rows, rates in tonight.groups:
            agg = sx.sample_aggregate(
                table,
                m,
                us[rows, s * sx.SLOT_UNIFORMS : (s + 1) * sx.SLOT_UNIFORMS],
                rates,
                t_bed[rows],
            )
            night.add(m, rows, agg, self.log_no_flag[m])
        return self._diary(j, day, u, lying, night, tonight.rls_drive, tonight.ischaemia)

    def _diary(self, j, day, u, lying, night, rls_drive, ischaemia) -> dict[str, np.ndarray]:
        """Attributes and flags of the symptomatic rows, then the shared diary row."""
        n = self.n
        rows = np.flatnonzero(night.total > 0)
        quality_p, location_p, side_p = sx.attribute_probabilities(
            self.table,
            night.best_mech[rows],
            nerve_site=self.nerve_site[rows],
            nerve_side=self.nerve_side[rows],
            pad_side=self.state.pad_side[rows],
        )
        k = sx.LYING_DOWN_UNIFORMS + len(sx.FLAGS)
        quality = np.full(n, -1, dtype=np.int8)
        location = np.full(n, -1, dtype=np.int8)
        side = np.full(n, -1, dtype=np.int8)
        quality[rows] = dist.categorical(u[rows, k], quality_p)
        location[rows] = dist.categorical(u[rows, k + 1], location_p)
        side[rows] = dist.categorical(u[rows, k + 2], side_p)
        flags = np.zeros((n, len(sx.FLAGS)), dtype=bool)
        flag_u = u[rows, sx.LYING_DOWN_UNIFORMS : sx.LYING_DOWN_UNIFORMS + len(sx.FLAGS)]
        flags[rows] = sx.any_flag(flag_u, night.log_no_flag[rows])
        return sx.diary_columns(
            patient_id=self.patients["patient_id"],
            night=j,
            day=day,
            lying=lying,
            n_episodes=night.total,
            n_wake=night.wake,
            n_cramp=night.cramps,
            onset_min=night.onset,
            max_pain=night.best_pain,
            best_mech=night.best_mech,
            duration_min=night.duration,
            flags=flags,
            quality=quality,
            location=location,
            side=side,
            rls_drive=rls_drive,
            ischaemia=ischaemia,
            night_p=self.night_p,
        )


class _NightAccumulator:
    """Running per-patient reductions of the night's mechanisms: the diary's inputs."""

    def __init__(self, n: int, n_flags: int) -> None:
        self.total = np.zeros(n, dtype=np.int32)
        self.wake = np.zeros(n, dtype=np.int32)
        self.cramps = np.zeros(n, dtype=np.int32)
        self.onset = np.full(n, np.nan)
        self.best_pain = np.zeros(n)
        self.best_mech = np.zeros(n, dtype=np.int8)
        self.duration = np.zeros(n)
        self.log_no_flag = np.zeros((n, n_flags))

    def add(
        self, mech: int, rows: np.ndarray, agg: sx.SlotAggregate, log_no_flag: np.ndarray
    ) -> None:
        hit = agg.n_episodes > 0
        if not hit.any():
            return
        r = rows[hit]
        k = agg.n_episodes[hit]
        self.total[r] += k
        self.wake[r] += agg.n_wake[hit]
        self.cramps[r] += agg.n_cramp[hit]
        self.onset[r] = np.fmin(self.onset[r], agg.first_min[hit])
        pain = agg.max_pain[hit]
        # The most intense episode so far decides quality, location and side.
        better = pain > self.best_pain[r]
        self.best_pain[r] = np.where(better, pain, self.best_pain[r])
        self.best_mech[r] = np.where(better, mech, self.best_mech[r])
        self.duration[r] += agg.duration_min[hit]
        self.log_no_flag[r] += k[:, None] * log_no_flag[None, :]
