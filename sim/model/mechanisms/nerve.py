"""Nerve compression (a lumbar root or the peroneal nerve) and diabetic neuropathy.

Usage::

    r = nerve.episode_rate(severity, bad_position, mp.nerve)
    rate, pain, offset, r = nerve.rate(s, d, bedtime_h, legs, bad, p, mp, pain_mean)

Radiating, shooting or burning pain with numbness, on the compressed side, worse in some
lying positions (DOMAIN.md). Side and site come from the patient (``VARIANTS``): a
peroneal compression hurts in the calf and foot; without a compression (neuropathy) both
feet burn or tingle. Not every compression gives sensory symptoms: a patient's root or
nerve has them (numbness, tingling) with ``sensory_share``, else the pain comes alone
(``FLAG_VARIANTS``); neuropathy always has them, walking does not relieve it (DOMAIN.md),
and raising the legs stretches no root, so it is seldom worse raised. A painless diabetic
neuropathy (``painless_neuropathy``) causes no pain, but its numb feet are there on a night
that hurts for any reason (``numb_feet``, written by ``sim.model.diary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config import MechanismParams
from sim.model import state
from sim.model.jit import njit
from sim.model.mechanisms.base import ONE_SIDE_VARIANTS, column, side_row

NAME = "nerve"
STATIC = ("nerve_severity", "nerve_site", "nerve_side", "nerve_sensory", "numb_feet")
DRAWS = {"static": {"nerve_sensory": 20}}
FLAG_VARIANTS = (
    {"numbness_tingling": "numbness_without_sensory"},  # a compression with pain alone
    {  # neuropathy
        "relief_by_movement": "neuropathy_relief_by_movement",
        "worse_with_elevation": "neuropathy_worse_with_elevation",
    },
)
VARIANTS = {
    "quality": ({"burning": 0.5, "tingling": 0.5},),  # neuropathy
    "location": (
        {"toes_forefoot": 0.5, "calf": 0.5},  # peroneal
        {"toes_forefoot": 0.8, "calf": 0.2},  # neuropathy: both feet
    ),
    "side": ONE_SIDE_VARIANTS,
}


@dataclass
class Params(MechanismParams):
    """Nerve compression: radiating, shooting or burning, one side, numbness (DOMAIN.md).
    Side and site come from the patient (peroneal: calf and foot; neuropathy: both feet)."""

    shape: str = "uniform"
    pain_mean: float = 5.3
    pain_sd: float = 1.6
    duration_shape: float = 1.5
    duration_scale_min: float = 10.0
    quality: dict = field(
        default_factory=lambda: {
            "shooting": 0.35,
            "burning": 0.25,
            "tingling": 0.3,
            "crawling": 0.1,
        }
    )
    location: dict = field(
        default_factory=lambda: {"buttock_to_leg": 0.7, "thigh": 0.1, "calf": 0.2}
    )
    urge_to_move: float = 0.3
    """Neuropathic discomfort brings an urge to shift the legs, eased by moving (DOMAIN.md
    look-alikes: neuropathy mimics restless legs). Assumption."""
    relief_by_movement: float = 0.35
    relief_by_dangling: float = 0.1
    """Hanging the leg down (knee bent) slackens a stretched root. Assumption."""
    worse_with_elevation: float = 0.12
    """Raising the straight leg stretches a compressed lumbar root (the straight-leg-raise
    sign), so radicular pain can be worse with the legs raised. Assumption."""
    numbness_tingling: float = 0.8
    """Per episode, with sensory symptoms (a compression that has them, and neuropathy)."""
    sensory_share: float = 0.65
    """Share of compressed roots or nerves that give sensory symptoms (numbness, tingling);
    the rest give pain alone. Assumption (radicular pain often comes without a sensory
    deficit)."""
    numbness_without_sensory: float = 0.08
    """Numbness or tingling per episode of a compression without sensory symptoms (as the
    other mechanisms: lying on a limb). Assumption."""
    neuropathy_relief_by_movement: float = 0.05
    """Relief by movement per episode of neuropathy (DOMAIN.md: not relieved by walking)."""
    neuropathy_worse_with_elevation: float = 0.02
    """Worse with the legs raised per episode of neuropathy: no root to stretch (the
    straight-leg-raise sign belongs to a compressed lumbar root). Assumption."""
    painless_numbness_per_night: float = 0.6
    """Chance that a person with painless diabetic neuropathy (``population``:
    ``painless_neuropathy``) has numb or tingling feet on a night with leg pain of any
    cause (the diary's numbness flag, then noted as any flag is). Assumption."""
    rate_base: float = 0.4
    """Nerve episodes per night at minimal severity. Assumption."""
    rate_severity: float = 3.0
    """Extra nerve episodes per night at full severity. Assumption."""
    bad_position_factor: float = 1.8
    """Nerve rate multiplier in a provoking position (worse in some lying positions; how
    often a night is spent in one: ``model.night.nerve_bad_position_prob``)."""


def static(pt, u, q, ctx) -> dict:
    return {
        "nerve_severity": column(pt, "nerve_severity"),
        "nerve_site": column(pt, "nerve_site"),
        "nerve_side": column(pt, "nerve_side"),
        # Neuropathy (no compression: site < 0) always has sensory symptoms.
        "nerve_sensory": (
            (u.nerve_sensory < q.sensory_share) | (np.asarray(pt["nerve_site"]) < 0)
        ).astype(np.float64),
        # Painless neuropathy: tonight's chance of numb feet on a night with leg pain.
        "numb_feet": np.where(
            np.asarray(pt["painless_neuropathy"], dtype=bool), q.painless_numbness_per_night, 0.0
        ),
    }


@njit
def episode_rate(severity: float, bad_position: bool, q) -> float:
    """Nerve-compression episodes per night: severity, worse in provoking positions."""
    position = q.bad_position_factor if bad_position else 1.0
    return (q.rate_base + q.rate_severity * severity) * position


@njit
def rate(s, d, bedtime_h, legs_elevated, bad_position, p, mp, pain_mean):
    r = episode_rate(s[state.S.nerve_severity], bad_position, mp.nerve)
    return r, pain_mean, 0.0, r


@njit
def flag_row(s, own, f0):
    """A compression without sensory symptoms: its pain-alone row; neuropathy: its own row
    (walking does not relieve it); else the mechanism's row."""
    if s[state.S.nerve_site] < 0:
        return f0 + 1
    if s[state.S.nerve_sensory] == 0:
        return f0
    return own


@njit
def attributes(s, own, q0, l0, s0):
    """Peroneal: calf and foot; neuropathy (no compression, site < 0): burning or tingling
    in both feet; a compression hurts on its side."""
    quality, location = own, own
    site = s[state.S.nerve_site]
    if site == 1:
        location = l0
    elif site < 0:
        location = l0 + 1
        quality = q0
    return quality, location, side_row(s[state.S.nerve_side], s0)
