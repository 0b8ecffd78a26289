"""The vectorised engine: one compiled loop over the patients and nights of a shard.

Usage::

    sim = VectorisedNights(patients, cfg.model, streams, nights=28)
    nights = sim.run()            # dict of (patients x nights) arrays in ``nights`` order

It advances time and calls the model (``night_state.day_step`` for the day,
``symptoms.lying_down_at``, ``mechanism_rate``, ``sample_slot``, ``attribute_rows`` and
``diary_numbers`` for the night); it holds no physiology of its own. The loop is compiled
with numba together with those functions, patient by patient, night by night, and writes
each patient-night straight into its row of the patient-major table, so nothing is
transposed. Within-night events are sampled in aggregate (``symptoms.sample_slot``):
counts from the integrated intensity, first times by inverting the cumulative intensity,
maxima and flags from their exact distributions.

Random numbers are counter-based (``sim.model.jit.uniform_at``): the day's come from
``night.day`` (shared with the event engine, so both engines live the same days), the
night's from ``night.night`` by index (``U_*``; slot s uses ``U_SLOT + 6 s ..``), and a
night draws only the numbers its mechanisms use. Memory is bounded by the shard: the
output columns plus a few scalars.
"""

from __future__ import annotations

import numpy as np

from sim.model import symptoms as sx
from sim.model.jit import (
    INDEX_BITS,
    NIGHT_BITS,
    categorical_cdf,
    njit,
    normal_at,
    stream_key,
    uniform_at,
)
from sim.model.night_state import (
    D_ALCOHOL,
    D_BIS,
    D_CA,
    D_DEFICIT,
    D_EXERTION,
    D_FATIGUE,
    D_HOT,
    D_K,
    D_MG,
    D_NA,
    D_OSMOLALITY,
    D_SSRI,
    D_STATIN,
    DAY_COLUMNS,
    S_ABI,
    S_BEDTIME,
    S_NERVE_SIDE,
    S_NERVE_SITE,
    S_PAD_SIDE,
    NightState,
    day_step,
)

NIGHT_STREAM = "night.night"
U_LEGS, U_POSITION, Z_BEDTIME, Z_IN_BED, Z_SLEEP = range(5)
U_FLAG = 5
U_QUALITY, U_LOCATION, U_SIDE = U_FLAG + len(sx.FLAGS), U_FLAG + len(sx.FLAGS) + 1, U_FLAG + 8
U_SLOT = 16
"""Indices of a patient-night's draws in ``night.night`` (slot s: U_SLOT + 6 s + k)."""
assert U_SIDE < U_SLOT
assert U_SLOT + sx.SLOT_UNIFORMS * sx.SLOTS <= 1 << INDEX_BITS, "draw indices overflow"

FLOAT_COLUMNS = (
    "bedtime_h",
    "onset_min",
    "duration_min",
    "sleep_efficiency",
    "potassium_mmol_l",
    "magnesium_mmol_l",
    "calcium_mmol_l",
    "sodium_mmol_l",
    "hydration_deficit_l",
    "osmolality_mosm_kg",
    "fatigue_load",
    "rls_drive",
    "drug_effect",
    "ischaemia",
)
INT8_COLUMNS = (
    "pain_score",
    "quality",
    "location",
    "side",
    "cramp_count",
    "awakenings",
    "n_episodes",
    "dominant_mechanism",
)
BOOL_COLUMNS = ("heavy_exertion", "alcohol", "hot_day", *sx.FLAGS, "legs_elevated")
NF = len(sx.FLAGS)
CHUNK_ROWS = 1024
"""Rows buffered before they are copied into the output columns."""


@njit
def _simulate(
    nights,
    patients,
    static,
    slots,
    t,
    quality_t,
    location_t,
    side_t,
    threshold,
    day_key,
    night_key,
    day_p,
    night_p,
    f32,
    i8,
    b,
    in_bed,
):
    n_day = len(DAY_COLUMNS)
    d = np.empty(n_day)
    carry = np.empty(4)
    no_flag = np.empty(NF)  # P(none of tonight's episodes had the flag)
    m_count = t.shape[0]
    # Rows are written to small column buffers first and copied out a chunk of patients at
    # a time: 33 scattered output streams per row cost 3x more than short contiguous runs.
    chunk = max(1, CHUNK_ROWS // nights)
    bf = np.empty((f32.shape[0], chunk * nights), dtype=np.float32)
    bi = np.empty((i8.shape[0], chunk * nights), dtype=np.int8)
    bb = np.empty((b.shape[0], chunk * nights), dtype=np.bool_)
    n = len(patients)
    for i in range(n):
        pid = patients[i]
        row0 = (i % chunk) * nights
        s = static[i]
        carry[0] = 0.0
        carry[1] = 0.0
        carry[2] = 0.0
        carry[3] = s[S_ABI]
        for j in range(nights):
            r = row0 + j
            day_step(j, day_key, pid, s, carry, d, day_p)
            bed, t_bed, base, legs, bad = sx.lying_down_at(
                uniform_at(night_key, pid, j, U_LEGS),
                uniform_at(night_key, pid, j, U_POSITION),
                normal_at(night_key, pid, j, Z_BEDTIME),
                normal_at(night_key, pid, j, Z_IN_BED),
                normal_at(night_key, pid, j, Z_SLEEP),
                s[S_BEDTIME],
                night_p,
            )
            total = 0
            wake = 0
            cramps = 0
            onset = np.nan
            best_pain = 0.0
            best_mech = -1
            duration = 0.0
            rls = 0.0
            isch = 0.0
            for f in range(NF):
                no_flag[f] = 1.0
            for slot in range(slots.shape[1]):
                m = slots[i, slot]
                if m < 0:
                    break
                rate, pain, off, sev = sx.mechanism_rate(
                    m, s, d, bed, legs, bad, night_p, t[m, sx.T_PAIN_MEAN]
                )
                if m == sx.RLS:
                    rls = sev
                elif m == sx.PAD:
                    isch = sev
                k, k_wake, k_cramp, first, max_pain, dur = sx.sample_slot(
                    night_key,
                    pid,
                    j,
                    U_SLOT + sx.SLOT_UNIFORMS * slot,
                    t,
                    m,
                    rate,
                    pain,
                    off,
                    t_bed,
                    threshold,
                )
                if k > 0:
                    total += k
                    wake += k_wake
                    cramps += k_cramp
                    if not onset <= first:
                        onset = first
                    # The most intense episode so far decides quality, location and side.
                    if max_pain > best_pain or best_mech < 0:
                        best_pain = max_pain
                        best_mech = m
                    duration += dur
                    for f in range(NF):
                        no_flag[f] *= t[m, sx.T_NO_FLAG + f] ** k
            pain_score, minutes, efficiency = sx.diary_numbers(
                wake, duration, best_pain, t_bed, base, night_p
            )
            quality = location = side = -1
            if total > 0:
                q_row, l_row, s_row = sx.attribute_rows(
                    best_mech, s[S_NERVE_SITE], s[S_NERVE_SIDE], s[S_PAD_SIDE], m_count
                )
                quality = categorical_cdf(
                    uniform_at(night_key, pid, j, U_QUALITY), quality_t, q_row
                )
                location = categorical_cdf(
                    uniform_at(night_key, pid, j, U_LOCATION), location_t, l_row
                )
                side = categorical_cdf(uniform_at(night_key, pid, j, U_SIDE), side_t, s_row)
                for f in range(NF):
                    bb[3 + f, r] = uniform_at(night_key, pid, j, U_FLAG + f) < 1.0 - no_flag[f]
            else:
                for f in range(NF):
                    bb[3 + f, r] = False
            bf[0, r] = bed
            bf[1, r] = onset
            bf[2, r] = minutes
            bf[3, r] = efficiency
            bf[4, r] = d[D_K]
            bf[5, r] = d[D_MG]
            bf[6, r] = d[D_CA]
            bf[7, r] = d[D_NA]
            bf[8, r] = d[D_DEFICIT]
            bf[9, r] = d[D_OSMOLALITY]
            bf[10, r] = d[D_FATIGUE]
            bf[11, r] = rls
            bf[12, r] = max(d[D_STATIN], d[D_SSRI], d[D_BIS])
            bf[13, r] = isch
            bi[0, r] = pain_score
            bi[1, r] = quality
            bi[2, r] = location
            bi[3, r] = side
            bi[4, r] = min(cramps, 127)
            bi[5, r] = min(wake, 127)
            bi[6, r] = min(total, 127)
            bi[7, r] = best_mech
            bb[0, r] = d[D_EXERTION] > 0
            bb[1, r] = d[D_ALCOHOL] > 0
            bb[2, r] = d[D_HOT] > 0
            bb[3 + NF, r] = legs
            in_bed[i * nights + j] = t_bed
        if i % chunk == chunk - 1 or i == n - 1:
            lo = (i - i % chunk) * nights
            hi = (i + 1) * nights
            for c in range(f32.shape[0]):
                f32[c, lo:hi] = bf[c, : hi - lo]
            for c in range(i8.shape[0]):
                i8[c, lo:hi] = bi[c, : hi - lo]
            for c in range(b.shape[0]):
                b[c, lo:hi] = bb[c, : hi - lo]


class VectorisedNights:
    """Simulates the ``nights`` table of one shard."""

    def __init__(self, patients: dict[str, np.ndarray], model_cfg, streams, nights: int) -> None:
        if not 0 < nights <= 1 << NIGHT_BITS:
            raise ValueError(f"nights={nights}: the counter-based draws hold 1..{1 << NIGHT_BITS}")
        self.patients = patients
        self.nights = nights
        self.state = NightState(patients, model_cfg, streams)
        self.table = sx.MechanismTable.from_params(model_cfg.night)
        self.slots = sx.mechanism_slots(patients)
        self.night_key = stream_key(streams.seed, NIGHT_STREAM)

    def run(self) -> dict[str, np.ndarray]:
        """All nights; arrays are (n * nights,), ordered by patient then night."""
        state, nights = self.state, self.nights
        rows = state.n * nights
        f32 = np.empty((len(FLOAT_COLUMNS), rows), dtype=np.float32)
        i8 = np.empty((len(INT8_COLUMNS), rows), dtype=np.int8)
        b = np.empty((len(BOOL_COLUMNS), rows), dtype=np.bool_)
        in_bed = np.empty(rows, dtype=np.int16)
        # Cumulative attribute probabilities: one comparison per label. Each row is divided
        # by its own last entry, so the label that completes it is exactly 1.0.
        cumulative = (np.cumsum(t, axis=1) for t in self.table.attribute_tables())
        quality, location, side = (c / c[:, -1:] for c in cumulative)
        _simulate(
            nights,
            state.patient_id,
            state.static,
            self.slots.astype(np.int64),
            self.table.numbers,
            quality,
            location,
            side,
            self.table.wake_threshold,
            state.key,
            self.night_key,
            state.p,
            state.night_p,
            f32,
            i8,
            b,
            in_bed,
        )
        out: dict[str, np.ndarray] = {
            "patient_id": np.repeat(state.patient_id.astype(np.int32), nights),
            "night": np.tile(np.arange(nights, dtype=np.int16), state.n),
            "time_in_bed_min": in_bed,
        }
        out.update(zip(FLOAT_COLUMNS, f32, strict=True))
        out.update(zip(INT8_COLUMNS, i8, strict=True))
        out.update(zip(BOOL_COLUMNS, b, strict=True))
        return out
