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

NIGHT_UNIFORMS = 2 + len(sx.FLAGS) + 3
"""Uniforms per patient-night: legs raised, nerve position, one per flag, quality,
location, side."""
NIGHT_NORMALS = 3
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
        self.groups = [
            (s, int(m), np.flatnonzero(self.slots[:, s] == m))
            for s in range(sx.SLOTS)
            for m in np.unique(self.slots[:, s])
            if m >= 0
        ]
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

        bedtime = np.mod(self.state.usual_bedtime_h + p.bedtime_within_sd_h * z[:, 0], 24.0)
        hours = np.clip(p.time_in_bed_mean_h + p.time_in_bed_sd_h * z[:, 1], 5.0, 10.5)
        t_bed = np.rint(hours * 60.0).astype(np.float64)
        legs_up = u[:, 0] < p.legs_elevated_prob
        bad_position = u[:, 1] < p.nerve_bad_position_prob

        # Running reductions over the patient's mechanisms (cost follows active pairs only).
        night = _NightAccumulator(n, len(sx.FLAGS))
        rls_drive = np.zeros(n, dtype=np.float32)
        ischaemia = np.zeros(n, dtype=np.float32)
        for s, m, rows in self.groups:
            rates = sx.nightly_rates(
                m,
                rows,
                day=day,
                static=self.state,
                patients=self.patients,
                night_p=p,
                bedtime_h=bedtime[rows],
                legs_elevated=legs_up[rows],
                bad_position=bad_position[rows],
                table=table,
            )
            agg = sx.sample_aggregate(
                table,
                m,
                us[rows, s * sx.SLOT_UNIFORMS : (s + 1) * sx.SLOT_UNIFORMS],
                rates,
                t_bed[rows],
            )
            night.add(m, rows, agg, self.log_no_flag[m])
            if m == sx.MECH["rls"]:
                rls_drive[rows] = rates.severity
            elif m == sx.MECH["pad"]:
                ischaemia[rows] = rates.severity
        return self._diary(j, day, u, z, bedtime, t_bed, legs_up, night, rls_drive, ischaemia)

    def _diary(
        self, j, day, u, z, bedtime, t_bed, legs_up, night, rls_drive, ischaemia
    ) -> dict[str, np.ndarray]:
        n, table = self.n, self.table
        has = night.total > 0
        rows = np.flatnonzero(has)
        mech = night.best_mech[rows]
        quality_p, location_p, side_p = sx.attribute_probabilities(
            table,
            mech,
            nerve_site=self.nerve_site[rows],
            nerve_side=self.nerve_side[rows],
            pad_side=self.state.pad_side[rows],
        )
        k = 2 + len(sx.FLAGS)
        quality = np.full(n, -1, dtype=np.int8)
        location = np.full(n, -1, dtype=np.int8)
        side = np.full(n, -1, dtype=np.int8)
        quality[rows] = dist.categorical(u[rows, k], quality_p)
        location[rows] = dist.categorical(u[rows, k + 1], location_p)
        side[rows] = dist.categorical(u[rows, k + 2], side_p)
        dur = np.minimum(night.duration, t_bed)
        out = {
            "patient_id": self.patients["patient_id"].astype(np.int32),
            "night": np.full(n, j, dtype=np.int16),
            "heavy_exertion": day.exertion,
            "alcohol": day.alcohol,
            "hot_day": day.hot,
            "bedtime_h": bedtime.astype(np.float32),
            "time_in_bed_min": t_bed.astype(np.int16),
            "pain_score": sx.pain_score(night.best_pain),
            "onset_min": night.onset.astype(np.float32),
            "duration_min": dur.astype(np.float32),
            "quality": quality,
            "location": location,
            "side": side,
        }
        for i, flag in enumerate(sx.FLAGS):
            values = np.zeros(n, dtype=bool)
            values[rows] = sx.any_flag(u[rows, 2 + i], night.log_no_flag[rows, i])
            out[flag] = values
        out["cramp_count"] = np.minimum(night.cramps, 127).astype(np.int8)
        out["awakenings"] = np.minimum(night.wake, 127).astype(np.int8)
        se_base = self.night_p.sleep_efficiency_mean + self.night_p.sleep_efficiency_sd * z[:, 2]
        out["sleep_efficiency"] = sx.sleep_efficiency(
            se_base, night.wake, dur, t_bed, self.night_p
        ).astype(np.float32)
        out["n_episodes"] = np.minimum(night.total, 127).astype(np.int8)
        out["dominant_mechanism"] = np.where(has, night.best_mech, -1).astype(np.int8)
        out["potassium_mmol_l"] = day.potassium
        out["magnesium_mmol_l"] = day.magnesium
        out["calcium_mmol_l"] = day.calcium
        out["sodium_mmol_l"] = day.sodium
        out["hydration_deficit_l"] = day.hydration_deficit_l
        out["osmolality_mosm_kg"] = day.osmolality_mosm_kg
        out["fatigue_load"] = day.fatigue_load
        out["rls_drive"] = rls_drive
        out["drug_effect"] = np.maximum(
            np.maximum(day.statin_effect, day.ssri_effect), day.bisphosphonate_effect
        ).astype(np.float32)
        out["ischaemia"] = ischaemia
        out["legs_elevated"] = legs_up
        return out


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
