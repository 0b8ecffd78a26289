"""The diary row: one compiled reduction from a night's per-slot aggregates to its ``nights``
row, called by both engines.

Usage (compiled; ``out`` is a ``DiaryBuffers`` of column matrices, ``r`` the row)::

    total, wake, cramps, onset, best_pain, best, duration = reduce_slots(
        n_slots, count, wake, cramps, first, max_pain, duration)
    write_row(out, r, s, report_key, patient, night, d, bedtime_h, t_bed, sleep_base, legs,
              total, wake, cramps, onset,
              best_pain, best_mech, duration, quality, location, side, flags,
              slot_mech, slot_severity, n_slots, night_p)

A night's episodes come from up to ``SLOTS`` mechanisms. Each engine summarises every slot
(episodes, waking ones, cramps, first start, highest intensity, summed minutes): the
vectorised engine samples these aggregates directly, the event engine counts its episodes.
The diary is then the same function of them in both:

- onset = the earliest first start; pain = the highest intensity, rounded; cramp_count and
  awakenings = the counts; minutes with symptoms = the summed durations, capped at the time
  in bed; sleep efficiency = an undisturbed base less each awakening and the symptom time;
- the most intense slot (ties to the lower slot) decides ``dominant_mechanism`` and whose
  quality, location and side the row reports (the engine supplies them: the vectorised
  engine draws them from that mechanism's tables, the event engine takes its most intense
  episode's); the quality is the sensation in the patient's own word for it
  (``sim.model.reporting``);
- each mechanism reports its latent drive in its ``SEVERITY`` column (0 without it) and
  copies its ``DIARY`` fields of tonight's state (true electrolytes, deficit, ...).

The column layout comes from the table schema (``sim.tables.schema``, via
``sim.engines.layout``): this module writes columns by name, ``out.cols.onset_min``, so a
column the schema lacks fails to compile and a test checks that every schema column is
written.
"""

from __future__ import annotations

import numpy as np

from sim.model import reporting, state
from sim.model.jit import clip, njit, uniform_at

NUMBNESS = state.FLAGS.index("numbness_tingling")
NUMB_FEET_DRAW = len(state.FLAGS)
"""Index of the ``night.report`` uniform that decides a painless neuropathy's numb feet
tonight (the flags' own use 0 .. len(FLAGS) - 1, ``reporting.noted``)."""


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
def reduce_slots(n_slots, count, wake, cramps, first, max_pain, duration):
    """The night over its slots ``0 .. n_slots - 1``: (episodes, waking, cramps, onset (nan
    without episodes), highest intensity (0 without), the most intense slot (-1 without;
    ties to the lower slot), summed minutes)."""
    total = 0
    n_wake = 0
    n_cramp = 0
    onset = np.nan
    best_pain = 0.0
    best = -1
    minutes = 0.0
    for k in range(n_slots):
        if count[k] > 0:
            total += count[k]
            n_wake += wake[k]
            n_cramp += cramps[k]
            if not onset <= first[k]:
                onset = first[k]
            if max_pain[k] > best_pain or best < 0:
                best_pain = max_pain[k]
                best = k
            minutes += duration[k]
    return total, n_wake, n_cramp, onset, best_pain, best, minutes


@njit
def write_row(
    out,
    r,
    s,
    report_key,
    patient,
    night,
    d,
    bedtime_h,
    t_bed,
    sleep_base,
    legs_elevated,
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
    slot_mech,
    slot_severity,
    n_slots,
    p,
):
    """Row ``r`` of the diary columns ``out`` (``DiaryBuffers``) from the night's totals
    (``reduce_slots``), the most intense slot's attributes (-1 without symptoms; its
    quality is a sensation, written as the patient's word for it, ``reporting``), the
    night's flags (bool per ``symptoms.FLAGS``: written when the patient notes them,
    ``reporting.noted`` with ``report_key`` for ``patient`` and ``night``; numbness or
    tingling ticked too by a patient whose word is "tingling", and had, on a night with
    symptoms, by one whose painless neuropathy numbs the feet), each slot's mechanism and
    latent drive, the patient's constants ``s``, tonight's state ``d`` and how the patient
    lay down."""
    c = out.cols
    f32, i8, i16, b = out.f32, out.i8, out.i16, out.b
    pain_score, minutes, efficiency = diary_numbers(
        n_wake, duration, best_pain, t_bed, sleep_base, p
    )
    has = total > 0
    f32[c.bedtime_h, r] = bedtime_h
    f32[c.onset_min, r] = onset
    f32[c.duration_min, r] = minutes
    f32[c.sleep_efficiency, r] = efficiency
    for k in range(out.day_copies.shape[0]):
        f32[out.day_copies[k, 0], r] = d[out.day_copies[k, 1]]
    for m in range(out.severity.size):
        if out.severity[m] >= 0:
            f32[out.severity[m], r] = 0.0
    for k in range(n_slots):
        column = out.severity[slot_mech[k]]
        if column >= 0:
            f32[column, r] = slot_severity[k]
    i8[c.pain_score, r] = pain_score
    word = reporting.reported_word(s, quality) if has else -1
    i8[c.quality, r] = word
    i8[c.location, r] = location if has else -1
    i8[c.side, r] = side if has else -1
    i16[c.cramp_count, r] = n_cramp
    i16[c.awakenings, r] = n_wake
    i16[c.n_episodes, r] = total
    i8[c.dominant_mechanism, r] = best_mech if has else -1
    i16[c.time_in_bed_min, r] = t_bed
    b[c.heavy_exertion, r] = d[state.D.exertion] > 0
    b[c.alcohol, r] = d[state.D.alcohol] > 0
    b[c.hot_day, r] = d[state.D.hot] > 0
    b[c.legs_elevated, r] = legs_elevated
    # Numb feet of a painless neuropathy, whatever hurts tonight (a flag of the body, noted
    # as the others are).
    numb_feet = (
        has
        and s[state.S.numb_feet] > 0.0
        and uniform_at(report_key, patient, night, NUMB_FEET_DRAW) < s[state.S.numb_feet]
    )
    for f in range(out.flags.size):
        had = flags[f] or (f == NUMBNESS and numb_feet)
        b[out.flags[f], r] = has and had and reporting.noted(s, f, report_key, patient, night)
    if word == reporting.TINGLING:
        b[c.numbness_tingling, r] = True


__all__ = ["diary_numbers", "reduce_slots", "write_row"]
