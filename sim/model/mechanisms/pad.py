"""Peripheral artery disease: arterial stenosis, ankle pressure and ischaemia lying down.

Usage::

    isch = pad.ischaemia_index(ankle_pressure_mmhg, mp.pad)      # 0 (none) .. 1 (critical)
    rate, pain, offset, isch = pad.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

The patient's true ABI (``population``) times the brachial pressure is the ankle pressure;
the stenosis progresses slowly night by night (``day``). Lying flat removes gravity's help
to ankle perfusion; raising the legs removes more and hanging them down restores some
(DOMAIN.md). Only critical ischaemia hurts at night (the PAD spectrum, ``population``: the
mechanism is active only with an ankle pressure below 50 mmHg); the supine deficit drives
the rest pain: no pain without ischaemia, a rate that grows with the ischaemia index and
its square, and pain with the index; the intensity ramps up over the first hour lying flat
(shape ``ramp``). A revascularised ankle that rises above ``ischaemia_free_ankle_mmhg``
stops hurting. PAD hurts on one side or both (``VARIANTS``).

Many people with rest pain learn to sleep with the leg hanging over the edge of the bed or
sitting in an armchair (TASC II 2007): for these *dependent sleepers* (``pad_dependent``,
``dependent_sleeper_share``) the hanging leg regains some ankle pressure (partial relief),
their legs are never raised, and so their diary rarely says "worse with the legs raised";
an episode comes with the leg already down, so they ease it mostly by getting up and
walking, less often by hanging it lower (``FLAG_VARIANTS``). The night's
``legs_elevated`` (a driver draw, also read by other mechanisms and the ``elevation``
lever) is ignored by their PAD: a dependent sleeper's ischaemia is the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import as_float, clip, njit
from sim.model.mechanisms.base import ONE_SIDE_VARIANTS, column, side_row

NAME = "pad"
STATIC = ("pad_active", "abi_true", "brachial_sbp_mmhg", "pad_side", "pad_dependent")
CARRY = ("abi",)
CARRY_INIT = {"abi": "abi_true"}
LEVERS = {
    "ankle_mmhg": (
        "rise of the ankle systolic pressure (mmHg) from revascularisation",
        None,
        (0.0, 120.0),
    )
}
DAY = ("abi", "ankle_sbp_mmhg")
DAY_ORDER = 50
DRAWS = {"static": {"pad_one_side": 3, "pad_which_side": 4, "pad_dependent": 21}}
SEVERITY = "ischaemia"
VARIANTS = {"side": ONE_SIDE_VARIANTS}
"""Side rows of a patient whose PAD hurts on the left, the right, or both."""
FLAG_VARIANTS = (
    {
        "worse_with_elevation": "dependent_worse_with_elevation",
        "relief_by_dangling": "dependent_relief_by_dangling",
        "relief_by_movement": "dependent_relief_by_movement",
    },
)
"""The flag row of a dependent sleeper (the leg already hangs down)."""


@dataclass
class Params(MechanismParams):
    """PAD rest pain: toes and forefoot or calf, worse raised, eased hanging down (DOMAIN.md)."""

    shape: str = "ramp"
    shape_min: float = 60.0
    pain_mean: float = 5.5
    pain_sd: float = 1.6
    duration_shape: float = 2.0
    duration_scale_min: float = 15.0
    quality: dict = field(
        default_factory=lambda: {
            "aching": 0.45,
            "burning": 0.3,
            "throbbing": 0.15,
            "cramping": 0.1,
        }
    )
    location: dict = field(
        default_factory=lambda: {"toes_forefoot": 0.55, "calf": 0.4, "whole_leg": 0.05}
    )
    urge_to_move: float = 0.3
    """Rest pain drives people to get up, walk or hang the leg down: an urge to move
    (DOMAIN.md look-alikes). Assumption."""
    relief_by_movement: float = 0.4
    relief_by_dangling: float = 0.8
    worse_with_elevation: float = 0.7
    cramp: float = 0.1
    palpable_hardening: float = 0.05
    numbness_tingling: float = 0.15
    rate_base: float = 1.0
    """PAD episodes per night per unit of the ischaemia index (the linear part). Assumption."""
    rate_ischaemia: float = 4.0
    """PAD episodes per night per unit of the index squared: 5 episodes a night at full
    ischaemia, 0.5 at the 50 mmHg rest-pain limit. Assumption."""
    one_side_prob: float = 0.7
    """Chance that a patient's PAD hurts on one side only (left or right alike; otherwise
    both). Assumption."""
    legs_elevated_factor: float = 1.6
    """PAD rate multiplier with the legs raised (elevation harms perfusion, DOMAIN.md)."""
    legs_elevated_ankle_loss_mmhg: float = 15.0
    """Ankle perfusion pressure lost with the legs raised on a pillow (mmHg). Assumption."""
    ischaemia_free_ankle_mmhg: float = 60.0
    """Ankle pressure lying flat (mmHg) at or above which there is no ischaemia (index 0):
    a little above the 50 mmHg rest-pain limit (DOMAIN.md), so raised legs (minus
    ``legs_elevated_ankle_loss_mmhg``) can tip a borderline ankle into pain. Assumption."""
    ischaemia_full_ankle_mmhg: float = 20.0
    """Ankle pressure lying flat (mmHg) at or below which ischaemia is full (index 1; 0.25
    at the 50 mmHg limit). Assumption."""
    pain_ischaemia_boost: float = 2.5
    """Added mean intensity (0-10 scale) of a PAD episode at full ischaemia. Assumption."""
    stenosis_progression_per_night: float = 0.00005
    """ABI fall per night with PAD (slow progression). Assumption."""
    dependent_sleeper_share: float = 0.35
    """Share of people with ischaemic rest pain who sleep with the leg hanging down or in
    an armchair. TASC II (2007) says "often"; the share is an assumption."""
    dependent_ankle_gain_mmhg: float = 10.0
    """Ankle perfusion pressure regained by a dependent sleeper's hanging leg (mmHg):
    partial relief (TASC II); the size is an assumption."""
    dependent_worse_with_elevation: float = 0.02
    """"Worse with the legs raised" per episode of a dependent sleeper: the legs are almost
    never raised, so it is seldom noticed. Assumption."""
    dependent_relief_by_dangling: float = 0.3
    """"Eased by hanging the leg down" per episode of a dependent sleeper. They know it helps
    (it is why they sleep so), but an episode comes with the leg already hanging, so what
    eases that one is mostly getting up and walking; some sit up further or hang it lower.
    Assumption, and one the difficulty target is sensitive to: at 0.4 PAD's share of
    episodes eased by dangling reaches an AUC of 0.954 (tests/evaluation/
    test_difficulty_target.py)."""
    dependent_relief_by_movement: float = 0.6
    """Relief by getting up and walking round the room per episode of a dependent sleeper
    (TASC II: rest pain makes patients rub the foot, get up or walk). Assumption."""
    abi_floor: float = 0.08
    """Lowest ABI progression reaches (below the lowest critical ischaemia drawn: 20 mmHg
    at a brachial pressure of 200 is 0.10). Assumption (a measurable ankle pressure
    remains)."""


def static(pt, u, q, ctx) -> dict:
    # Side codes: 0 left, 1 right, 2 both.
    one_side = u.pad_one_side < q.one_side_prob
    return {
        "pad_active": np.asarray(pt["active_pad"], dtype=bool).astype(np.float64),
        "abi_true": column(pt, "abi_true"),
        "brachial_sbp_mmhg": column(pt, "brachial_sbp_mmhg"),
        "pad_side": np.where(one_side, (u.pad_which_side < 0.5).astype(np.int8), 2),
        "pad_dependent": (u.pad_dependent < q.dependent_sleeper_share).astype(np.float64),
    }


@njit
def supine_ankle_pressure(ankle_sbp_mmhg: float, legs_elevated: bool, q) -> float:
    """Effective ankle perfusion pressure lying down (mmHg)."""
    return ankle_sbp_mmhg - q.legs_elevated_ankle_loss_mmhg * as_float(legs_elevated)


@njit
def night_ankle_pressure(ankle_sbp_mmhg: float, legs_elevated: bool, dependent: bool, q):
    """Effective ankle perfusion pressure at night (mmHg) and whether the legs are raised:
    a dependent sleeper's leg hangs down (never raised) and regains
    ``q.dependent_ankle_gain_mmhg``."""
    if dependent:
        return ankle_sbp_mmhg + q.dependent_ankle_gain_mmhg, False
    return supine_ankle_pressure(ankle_sbp_mmhg, legs_elevated, q), legs_elevated


@njit
def ischaemia_index(ankle_pressure_mmhg: float, q) -> float:
    """0 at or above ``q.ischaemia_free_ankle_mmhg``, 1 at ``q.ischaemia_full_ankle_mmhg``
    and below (0.25 at 50 mmHg with the defaults)."""
    free = q.ischaemia_free_ankle_mmhg
    x = (free - ankle_pressure_mmhg) / (free - q.ischaemia_full_ankle_mmhg)
    return clip(x, 0.0, 1.0)


@njit
def progress_stenosis(abi: float, pad_active: bool, q) -> float:
    """ABI after one more night of slow stenosis progression (PAD only)."""
    return max(abi - q.stenosis_progression_per_night, q.abi_floor) if pad_active else abi


@njit
def day(day, z, s, c, d, dp, mp):
    """The stenosis progresses; tonight's ABI and ankle pressure."""
    abi = progress_stenosis(c[state.C.abi], s[state.S.pad_active] > 0, mp.pad)
    c[state.C.abi] = abi
    ankle = abi * s[state.S.brachial_sbp_mmhg]
    gain = d[state.D.tx_ankle_mmhg]
    if gain != 0.0:  # revascularised: the division only then (every patient-day otherwise)
        abi += gain / s[state.S.brachial_sbp_mmhg]
        ankle += gain
    d[state.D.abi] = abi
    d[state.D.ankle_sbp_mmhg] = ankle


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """Rest pain from the supine ischaemia index: none without ischaemia, more and stronger
    episodes with more, and more with the legs raised."""
    q = mp.pad
    pressure, raised = night_ankle_pressure(
        d[state.D.ankle_sbp_mmhg], legs_elevated, s[state.S.pad_dependent] > 0, q
    )
    isch = ischaemia_index(pressure, q)
    r = isch * (q.rate_base + q.rate_ischaemia * isch)
    if raised:
        r *= q.legs_elevated_factor
    return r, pain_mean + q.pain_ischaemia_boost * isch, 0.0, isch


@njit
def flag_row(s, own, f0):
    """A dependent sleeper's flag row; else the mechanism's own."""
    return f0 if s[state.S.pad_dependent] > 0 else own


@njit
def attributes(s, own, q0, l0, s0):
    """Its own quality and location rows; the side row of the patient's painful side."""
    return own, own, side_row(s[state.S.pad_side], s0)
