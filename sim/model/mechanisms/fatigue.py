"""Exertion fatigue and delayed-onset muscle soreness (DOMS).

Usage::

    history = fatigue.push_exertion(history, unaccustomed, mp.fatigue)   # bits, today lowest
    load = fatigue.load(history, accustomed_today, mp.fatigue)
    rate, pain, offset, rate = fatigue.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

DOMS peaks 24-72 h after heavy or unaccustomed exertion and is gone by 5-7 days
(DOMAIN.md): ``Params.doms_kernel`` weights the last days; an accustomed exertion day adds
plain tiredness the same night. The aches are noticed on lying down and fade with sleep
(shape ``decay``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import as_float, njit

NAME = "fatigue"
CARRY = ("exertion_history",)
DAY = ("fatigue_load",)
DAY_ORDER = 40
DIARY = {"fatigue_load": "fatigue_load"}
LEVERS = {
    "conditioning": (
        "share of tonight's exertion fatigue removed by regular training (gentle regular "
        "exercise, supervised exercise)",
        None,
        (0.0, 1.0),
    )
}


@dataclass
class Params(MechanismParams):
    """Exertion fatigue and DOMS: deep ache after heavy or unaccustomed exertion."""

    shape: str = "decay"
    shape_min: float = 90.0
    pain_mean: float = 4.0
    pain_sd: float = 1.4
    duration_shape: float = 2.0
    duration_scale_min: float = 20.0
    quality: dict = field(default_factory=lambda: {"aching": 0.8, "throbbing": 0.2})
    location: dict = field(default_factory=lambda: {"thigh": 0.45, "calf": 0.45, "whole_leg": 0.1})
    side: dict = field(default_factory=lambda: {"both": 0.85, "left": 0.075, "right": 0.075})
    relief_by_movement: float = 0.2
    urge_to_move: float = 0.12
    """Tired, heavy legs bring an urge to shift them (DOMAIN.md look-alikes: myalgia mimics
    restless legs). Assumption."""
    rate: float = 3.0
    """Fatigue-ache episodes per night per unit of fatigue load. Assumption."""
    doms_kernel: list = field(default_factory=lambda: [0.3, 0.95, 1.0, 0.55, 0.2, 0.05, 0.0])
    """Delayed-onset muscle soreness on nights 0..6 after an unaccustomed exertion day
    (night 0 is about 8 h after, night 1 about 32 h): peaks 24-72 h, gone by 5-7 days
    (DOMAIN.md)."""
    accustomed_fatigue: float = 0.15
    """Same-night fatigue load of an accustomed exertion day. Assumption."""
    heat_relief: float = 1.0
    """Weight of the ``pain_relief`` lever (heat or cold) on a fatigue ache's mean
    intensity. Assumption."""


@njit
def push_exertion(history: int, unaccustomed: bool, q) -> int:
    """Shift the exertion history one day and put today's unaccustomed exertion in bit 0
    (bit d = d days ago; as many bits as the DOMS kernel has weights, at most 62)."""
    return ((history << 1) | (1 if unaccustomed else 0)) & ((1 << len(q.doms_kernel)) - 1)


@njit
def load(history: int, accustomed: bool, q) -> float:
    """Tonight's fatigue load: delayed soreness from past days plus today's plain tiredness."""
    total = 0.0
    kernel = q.doms_kernel
    for d in range(len(kernel)):
        if (history >> d) & 1:
            total += kernel[d]
    return total + q.accustomed_fatigue * as_float(accustomed)


@njit
def day(day, z, s, c, d, dp, mp):
    """Today's exertion joins the history; tonight's load."""
    q = mp.fatigue
    history = push_exertion(int(c[state.C.exertion_history]), d[state.D.unaccustomed] > 0, q)
    c[state.C.exertion_history] = float(history)
    accustomed = d[state.D.exertion] > 0 and not d[state.D.unaccustomed] > 0
    d[state.D.fatigue_load] = load(history, accustomed, q) * (1.0 - d[state.D.tx_conditioning])


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    """``Params.rate`` per unit of tonight's fatigue load."""
    r = mp.fatigue.rate * d[state.D.fatigue_load]
    pain = pain_mean - mp.fatigue.heat_relief * d[state.D.tx_pain_relief]
    return r, pain, 0.0, r
