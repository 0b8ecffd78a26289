"""The hooks a mechanism module may define (only ``NAME``, ``Params`` and ``rate`` are required).

Declarations (plain Python)::

    NAME = "pad"                          # code = position in the registry
    class Params(MechanismParams): ...    # dataclass: episode defaults + its own laws' numbers
    STATIC = ("abi_true", ...)            # per-patient constants it owns (float64 each)
    CARRY = ("abi",)                      # state carried from day to day
    CARRY_INIT = {"abi": "abi_true"}      # carried value before day 0 (a STATIC field; else 0)
    DAY = ("abi", "ankle_sbp_mmhg")       # tonight's state it writes
    DAY_ORDER = 50                        # when its day update runs (lower first)
    DRAWS = {"static": {"pad_one_side": 3}}   # counter indices it reads, per stream
    VARIANTS = {"side": ({"left": 0.9, ...}, ...)}  # extra attribute rows for ``attributes``
    FLAG_VARIANTS = ({"numbness_tingling": "numbness_without_sensory"},)  # flag rows: flag ->
                                          # the Params field of its probability in that row
    SEVERITY = "ischaemia"                # diary truth column that reports its drive
    DIARY = {"potassium_mmol_l": "potassium"}   # diary truth column <- tonight's state field

Functions::

    static(pt, u, q, ctx) -> dict[str, ndarray]     # its STATIC fields for a shard
        pt: patient columns; u: named static uniforms (``u.pad_one_side``: (n,) array);
        q: its Params block; ctx: ``StaticContext`` (night and day params, all blocks)
    active(pt) -> bool ndarray                      # who has it (default pt["active_<NAME>"])

Compiled (``sim.model.jit.njit``; ``s``, ``c``, ``d`` are the float64 rows named by
``sim.model.state.S``, ``C``, ``D``; ``mp`` holds every mechanism's numbers: ``mp.pad``)::

    day(day, z, s, c, d, dp, mp)                    # update c, write its DAY fields of d
        z: the day's numbers, indexed by ``state.DAY_DRAW`` (its DRAWS["day"] are normals)
    rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean)
        -> (rate R, mean intensity, circadian peak offset in minutes, latent drive)
    attributes(s, own, q0, l0, s0) -> (quality row, location row, side row)
        own: its row in the attribute tables; q0, l0, s0: its first VARIANTS row in each
    flag_row(s, own, f0) -> row of the flag probabilities for this patient's episodes
        own: its own row; f0: its first FLAG_VARIANTS row (the others' flags as its own)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.jit import njit


@dataclass
class StaticContext:
    """What a ``static`` builder may read besides its own block."""

    night_p: object  # NightP
    day_p: object  # DayP
    mechanisms: object  # the config's model.mechanisms (every block)
    n: int


ONE_SIDE_VARIANTS = (
    {"left": 0.9, "right": 0.02, "both": 0.08},
    {"right": 0.9, "left": 0.02, "both": 0.08},
    {"both": 1.0},
)
"""Side rows of a pain that has a side: mostly the left, mostly the right, or both (PAD, a
compressed nerve). Assumption."""


@njit
def side_row(side: float, s0: int) -> int:
    """The ``ONE_SIDE_VARIANTS`` row (first at ``s0``) of side code 0 left, 1 right, else both."""
    return s0 + (int(side) if side == 0 or side == 1 else 2)


def column(pt: dict, name: str) -> np.ndarray:
    """A patient column as float64."""
    return np.asarray(pt[name], dtype=np.float64)
