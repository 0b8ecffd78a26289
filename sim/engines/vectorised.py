"""The vectorised engine: one compiled loop over the patients and nights of a shard.

Usage::

    sim = VectorisedNights(patients, cfg.model, streams, nights=28)
    nights = sim.run()            # dict of (patients x nights) arrays in ``nights`` order

It advances time and calls the model (``night_state.day_step`` for the day,
``symptoms.lying_down_at``, ``mechanism_rate``, ``sample_slot`` and ``attribute_rows`` for
the night, ``diary.reduce_slots`` and ``diary.write_row`` for the diary row, the same
reduction the event engine calls); it holds no physiology of its own. The loop is compiled
with numba together with those functions, patient by patient, night by night, and writes
each patient-night straight into its row of the patient-major table, so nothing is
transposed. Within-night events are sampled in aggregate (``symptoms.sample_slot``):
counts from the integrated intensity, first times by inverting the cumulative intensity,
maxima and flags from their exact distributions; the most intense slot's quality, location
and side are drawn from its mechanism's tables.

Random numbers are counter-based (Philox-4x32-10, ``sim.rng``): the day's come from
``night.day`` (shared with the event engine, so both engines live the same days), the
night's from ``night.night`` by named index (``state.NIGHT_DRAW``; slot s uses
``slot + 6 s ..``). The numbers every night needs (the day's, how the patient lies down,
each active slot's five uniforms and the first try of its normal) are drawn for all of a
patient's nights before its night loop, in SIMD loops over the nights; a night with
episodes takes its flags' and attributes' nine uniforms from three Philox blocks. Each is
the same number as one ``uniform_at`` / ``normal_at`` call (tested). Memory is bounded
by the shard: the output columns (laid out from the schema, ``sim.engines.layout``) plus a
few scalars.
"""

from __future__ import annotations

import numpy as np

from sim.engines import layout
from sim.model import diary, state
from sim.model import symptoms as sx
from sim.model.borrow import borrowed, keep_alive
from sim.model.jit import (
    INDEX_BITS,
    NIGHT_BITS,
    categorical_cdf,
    draw_nights,
    njit,
    normal_words_nights,
    scratch_words,
    stream_key,
    uniform_span_nights,
    uniforms_into,
)
from sim.model.night_state import NightState, day_numbers, day_step, init_carry

NIGHT_STREAM = "night.night"
ND = state.NIGHT_DRAW
"""Indices of a patient-night's draws in ``night.night`` (slot s: ND.slot + 6 s + k)."""
assert ND.side < ND.slot
assert (ND.legs, ND.position, ND.bedtime, ND.in_bed, ND.sleep) == tuple(range(5))
LYING_UNIFORMS, LYING_NUMBERS = 2, 5
"""How a night begins: uniforms legs and position, then normals bedtime, time in bed and
sleep (indices 0 .. 4 of ``night.night``), drawn for all of a patient's nights at once."""
SLOT_DRAWS = sx.SLOT_UNIFORMS - 1
"""A slot's uniforms (count, waking share, cramps, first time, maximum); its last number,
the summed duration, is a normal."""
ATTRIBUTE_DRAWS = ND.side + 1 - ND.flag
"""The flags', quality's, location's and side's uniforms of a night with episodes
(consecutive indices, three Philox blocks)."""
ATTRIBUTE_BLOCKS = (ND.side >> 2) - (ND.flag >> 2) + 1
assert ND.slot + sx.SLOT_UNIFORMS * sx.SLOTS <= 1 << INDEX_BITS, "draw indices overflow"

NF = len(sx.FLAGS)
N_MECHANISMS = len(sx.MECHANISMS)
"""Rows of the numbers table that are mechanisms (its flag variants follow)."""
CHUNK_ROWS = 1024
"""Rows buffered before they are copied into the output columns."""


@njit
def _copy_out(chunk, out, lo, hi):
    for c in range(out.f32.shape[0]):
        out.f32[c, lo:hi] = chunk.f32[c, : hi - lo]
    for c in range(out.i8.shape[0]):
        out.i8[c, lo:hi] = chunk.i8[c, : hi - lo]
    for c in range(out.i16.shape[0]):
        out.i16[c, lo:hi] = chunk.i16[c, : hi - lo]
    for c in range(out.b.shape[0]):
        out.b[c, lo:hi] = chunk.b[c, : hi - lo]


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
    tx_key,
    report_key,
    day_p,
    night_p,
    mp,
    chunk_rows,
    buf,
    out,
):
    # Scratch and inputs are used through borrowed views (no reference counting: passing
    # them down the inlined calls every night cost about 7% in atomic instructions); the
    # owners are kept alive to the end (sim.model.borrow).
    d_own = np.empty(len(state.DAY_FIELDS))
    carry_own = np.empty(len(state.CARRY_FIELDS))
    no_flag_own = np.empty(NF)  # P(none of tonight's episodes had the flag)
    flags_own = np.zeros(NF, dtype=np.bool_)
    n_slots = slots.shape[1]
    mech_own = np.empty(n_slots, dtype=np.int64)
    count_own = np.zeros(n_slots, dtype=np.int64)
    wake_own = np.zeros(n_slots, dtype=np.int64)
    cramps_own = np.zeros(n_slots, dtype=np.int64)
    first_own = np.zeros(n_slots)
    max_pain_own = np.zeros(n_slots)
    minutes_own = np.zeros(n_slots)
    severity_own = np.zeros(n_slots)
    d = borrowed(d_own)
    carry = borrowed(carry_own)
    no_flag = borrowed(no_flag_own)
    flags = borrowed(flags_own)
    mech = borrowed(mech_own)
    count = borrowed(count_own)
    wake = borrowed(wake_own)
    cramps = borrowed(cramps_own)
    first = borrowed(first_own)
    max_pain = borrowed(max_pain_own)
    minutes = borrowed(minutes_own)
    severity = borrowed(severity_own)
    static, slots, t = borrowed(static), borrowed(slots), borrowed(t)
    # A patient's day, lying-down and slot numbers for all nights at once: their Philox
    # blocks in SIMD loops over the nights (sim.rng), each the same number as one call.
    words_own = scratch_words(nights)
    zday_own = np.empty((state.DAY_NUMBERS, nights))
    lying_own = np.empty((LYING_NUMBERS, nights))
    slot_u_own = np.empty((n_slots, SLOT_DRAWS, nights))
    slot_h_own = np.empty((n_slots, nights), dtype=np.uint64)
    attr_own = np.empty(ATTRIBUTE_DRAWS)
    attr_words_own = scratch_words(ATTRIBUTE_BLOCKS)
    words, zday, lying = borrowed(words_own), borrowed(zday_own), borrowed(lying_own)
    slot_u, slot_h, attr = borrowed(slot_u_own), borrowed(slot_h_own), borrowed(attr_own)
    attr_words = borrowed(attr_words_own)
    rows = layout.DiaryBuffers(
        buf.cols,
        borrowed(buf.f32),
        borrowed(buf.i8),
        borrowed(buf.i16),
        borrowed(buf.b),
        borrowed(buf.day_copies),
        borrowed(buf.severity),
        borrowed(buf.flags),
    )
    m_count = N_MECHANISMS  # t has the flag-variant rows after the mechanisms' own
    # Rows are written to small column buffers first and copied out a chunk of patients at
    # a time: 33 scattered output streams per row cost 3x more than short contiguous runs.
    chunk = chunk_rows // nights
    n = len(patients)
    for i in range(n):
        pid = patients[i]
        row0 = (i % chunk) * nights
        s = static[i]
        init_carry(s, carry)
        day_numbers(day_key, pid, 0, words, zday)
        draw_nights(night_key, pid, 0, LYING_UNIFORMS, ND.bedtime, 3, words, lying)
        for slot in range(n_slots):
            if slots[i, slot] < 0:
                break
            index = ND.slot + sx.SLOT_UNIFORMS * slot
            uniform_span_nights(night_key, pid, 0, index, words, slot_u[slot])
            normal_words_nights(night_key, pid, 0, index + SLOT_DRAWS, words, slot_h[slot])
        for j in range(nights):
            r = row0 + j
            day_step(j, pid, tx_key, zday[:, j], s, carry, d, day_p, mp)
            bed, t_bed, base, legs, bad = sx.lying_down_at(
                lying[ND.legs, j],
                lying[ND.position, j],
                lying[ND.bedtime, j],
                lying[ND.in_bed, j],
                lying[ND.sleep, j],
                s[state.S.usual_bedtime_h],
                d[state.D.tx_elevation],
                night_p,
            )
            for f in range(NF):
                no_flag[f] = 1.0
            used = 0
            for slot in range(n_slots):
                m = slots[i, slot]
                if m < 0:
                    break
                rate, pain, off, sev = sx.mechanism_rate(
                    m, s, d, bed, legs, bad, night_p, mp, t[m, sx.T_PAIN_MEAN]
                )
                k, k_wake, k_cramp, k_first, k_max, k_min = sx.sample_slot(
                    night_key,
                    pid,
                    j,
                    ND.slot + sx.SLOT_UNIFORMS * slot,
                    slot_u[slot, :, j],
                    slot_h[slot, j],
                    t,
                    m,
                    rate,
                    pain,
                    off,
                    t_bed,
                    threshold,
                )
                mech[slot] = m
                severity[slot] = sev
                count[slot] = k
                wake[slot] = k_wake
                cramps[slot] = k_cramp
                first[slot] = k_first
                max_pain[slot] = k_max
                minutes[slot] = k_min
                if k > 0:
                    f_row = sx.flag_row(m, s, m_count)
                    for f in range(NF):
                        no_flag[f] *= t[f_row, sx.T_NO_FLAG + f] ** k
                used += 1
            total, n_wake, n_cramp, onset, best_pain, best, duration = diary.reduce_slots(
                used, count, wake, cramps, first, max_pain, minutes
            )
            best_mech = mech[best] if best >= 0 else -1
            quality = location = side = -1
            if total > 0:
                # The most intense slot's mechanism decides quality, location and side.
                q_row, l_row, s_row = sx.attribute_rows(best_mech, s, m_count)
                uniforms_into(night_key, pid, j, ND.flag, attr_words, attr)
                quality = categorical_cdf(attr[ND.quality - ND.flag], quality_t, q_row)
                location = categorical_cdf(attr[ND.location - ND.flag], location_t, l_row)
                side = categorical_cdf(attr[ND.side - ND.flag], side_t, s_row)
                for f in range(NF):
                    flags[f] = attr[f] < 1.0 - no_flag[f]
            diary.write_row(
                rows,
                r,
                s,
                report_key,
                pid,
                j,
                d,
                bed,
                t_bed,
                base,
                legs,
                total,
                n_wake,
                n_cramp,
                onset,
                best_pain,
                best_mech,
                duration,
                quality,
                location,
                side,
                flags,
                mech,
                severity,
                used,
                night_p,
            )
        if i % chunk == chunk - 1 or i == n - 1:
            _copy_out(buf, out, (i - i % chunk) * nights, (i + 1) * nights)
    keep_alive(d_own, carry_own, no_flag_own, flags_own, mech_own, count_own, wake_own)
    keep_alive(cramps_own, first_own, max_pain_own, minutes_own, severity_own)
    keep_alive(words_own, zday_own, lying_own, slot_u_own, slot_h_own, attr_own, attr_words_own)


class VectorisedNights:
    """Simulates the ``nights`` table of one shard."""

    def __init__(self, patients: dict[str, np.ndarray], model_cfg, streams, nights: int) -> None:
        if not 0 < nights <= 1 << NIGHT_BITS:
            raise ValueError(f"nights={nights}: the counter-based draws hold 1..{1 << NIGHT_BITS}")
        self.patients = patients
        self.nights = nights
        self.state = NightState(patients, model_cfg, streams)
        self.table = sx.MechanismTable.from_params(model_cfg.mechanisms, model_cfg.night)
        self.slots = sx.mechanism_slots(patients)
        self.night_key = stream_key(streams.seed, NIGHT_STREAM)

    def run(self) -> dict[str, np.ndarray]:
        """All nights; arrays are (n * nights,), ordered by patient then night."""
        ns, nights = self.state, self.nights
        out = layout.diary_buffers(ns.n * nights)
        chunk_rows = max(1, CHUNK_ROWS // nights) * nights
        # Cumulative attribute probabilities: one comparison per label. Each row is divided
        # by its own last entry, so the label that completes it is exactly 1.0.
        cumulative = (np.cumsum(t, axis=1) for t in self.table.attribute_tables())
        quality, location, side = (c / c[:, -1:] for c in cumulative)
        _simulate(
            nights,
            ns.patient_id,
            ns.static,
            self.slots.astype(np.int64),
            self.table.numbers,
            quality,
            location,
            side,
            self.table.wake_threshold,
            ns.key,
            self.night_key,
            ns.tx_key,
            ns.report_key,
            ns.p,
            ns.night_p,
            ns.mp,
            chunk_rows,
            layout.diary_buffers(chunk_rows),
            out,
        )
        cols: dict[str, np.ndarray] = {
            "patient_id": np.repeat(ns.patient_id.astype(np.int32), nights),
            "night": np.tile(np.arange(nights, dtype=np.int16), ns.n),
        }
        cols.update(layout.diary_columns(out))
        return cols
