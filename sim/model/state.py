"""Named state of the night model, generated from one declaration per mechanism.

Usage (in compiled code; ``s``, ``c``, ``d`` are float64 rows)::

    from sim.model import state
    ferritin = s[state.S.ferritin_ug_l]          # a per-patient constant
    c[state.C.abi] = abi                         # state carried to tomorrow
    d[state.D.potassium] = k                     # tonight's state
    z_k = z[state.DAY_DRAW.potassium]            # a named draw of the day (its row ``z``)

Each mechanism module declares the names it owns (``STATIC``, ``CARRY``, ``DAY``) and the
counter indices of the draws it reads (``DRAWS``, per stream); ``build`` (called once by
``sim.model.mechanisms`` after importing every mechanism) lays them out after the generic
ones below, refuses a name or a draw index declared twice, and publishes the layouts as
named tuples of indices. Numba reads a global named tuple as a compile-time constant, so
``s[state.S.ferritin_ug_l]`` compiles to a fixed offset, as the hand-kept constants did.
"""

from __future__ import annotations

from collections import namedtuple

QUALITIES = ("aching", "cramping", "crawling", "burning", "tingling", "throbbing", "shooting")
"""The sensations an episode has, and the words a diary uses for them (the same list: a
patient's vocabulary maps one to another, ``sim.model.reporting``)."""
FLAGS = (
    "urge_to_move",
    "relief_by_movement",
    "relief_by_dangling",
    "worse_with_elevation",
    "palpable_hardening",
    "numbness_tingling",
)
"""The yes/no features of a night's episodes that a diary asks about."""
GENERIC_STATIC = (
    "exertion_prob",
    "unaccustomed_prob",
    "alcohol_prob",
    "heavy_alcohol",
    "usual_bedtime_h",
    *(f"word_{q}" for q in QUALITIES),
    *(f"notice_{f}" for f in FLAGS),
)
"""Per-patient constants of the day and the night that belong to no mechanism: how often the
patient exerts, drinks alcohol, and when they usually go to bed; the word they use for each
sensation (``word_<quality>``: the code of a quality) and how often they note each feature
when they have it (``notice_<flag>``), ``sim.model.reporting``."""
GENERIC_CARRY = ("hot",)
"""Carried from day to day by the driver: whether a hot spell is on."""
GENERIC_DAY = ("hot", "exertion", "unaccustomed", "alcohol")
"""Tonight's state the driver writes: the day's weather and behaviour (1.0 or 0.0)."""

GENERIC_LEVERS = {
    "expectation": (
        "share of tonight's episodes the patient no longer perceives, from expecting to be "
        "helped (a placebo: perception, not physiology; the drives and the latent state are "
        "unchanged, while the perceived episodes, and so the diary, n_episodes and the "
        "awakenings, fall)",
        None,
        (0.0, 1.0),
    ),
    "elevation": (
        "share of the nights without raised legs on which the patient now raises them "
        "(leg elevation: lowers ankle perfusion lying down)",
        None,
        (0.0, 1.0),
    ),
    "pain_relief": (
        "points taken off the mean intensity (0-10) of muscular aches, times each "
        "mechanism's ``heat_relief`` weight (heat or cold)",
        None,
        (0.0, 3.0),
    ),
}
"""Levers of tonight's treatment that belong to no one mechanism: name -> (what its size
means, the Params field naming its default time constant or None, (lowest, highest) size
an intervention may give). A mechanism declares its own in ``LEVERS`` (same form, the field
in its own Params)."""
TREATMENT_STATIC = ("tx_start", "tx_adherence", "tx_halflife", "tx_nightly")
"""Per-patient treatment plan (``sim.model.treatment``): the first night it acts (inf:
untreated), the chance of taking it at the start, the half-life of that chance (nights; inf:
no decay), 1.0 if taking it is decided night by night (else once per patient); then, per
lever, ``tx_size_<lever>`` and ``tx_tau_<lever>`` (nights to build up; 0: at once)."""

GENERIC_DRAWS = {
    "day": {"hot": 0, "exertion": 1, "unaccustomed": 2, "alcohol": 3},
    "static": {
        "bedtime": 0,
        **{f"word_{q}": 6 + i for i, q in enumerate(QUALITIES)},
        **{f"notice_{f}": 6 + len(QUALITIES) + i for i, f in enumerate(FLAGS)},
    },
    "night": {
        "legs": 0,
        "position": 1,
        "bedtime": 2,
        "in_bed": 3,
        "sleep": 4,
        "flag": 5,  # 5 .. 5 + len(FLAGS) - 1: one per diary flag
        "quality": 11,
        "location": 12,
        "side": 13,
        "slot": 16,  # slot s uses slot + SLOT_UNIFORMS * s + k
    },
}
"""Counter indices of the driver's own draws in the streams ``night.day`` (per patient-day),
``night.static`` (per patient, once) and ``night.night`` (per patient-night)."""
STREAMS = {
    "day": "night.day",
    "static": "night.static",
    "night": "night.night",
    "report": "night.report",
}
RESERVED = {"night": range(5, 16)}
"""Indices a driver uses as a block (the flags), besides the named ones."""

S = C = D = DAY_DRAW = STATIC_DRAW = NIGHT_DRAW = None
LEVERS: dict[str, tuple[str, str | None, tuple[float, float], str | None]] = {}
"""Every lever, in layout order: name -> (meaning of its size, Params field of its default
time constant, (lowest, highest) size, owning mechanism or None for the driver's)."""
STATIC_FIELDS: tuple[str, ...] = ()
CARRY_FIELDS: tuple[str, ...] = ()
DAY_FIELDS: tuple[str, ...] = ()
STATIC_UNIFORMS = 0
"""Uniforms per patient in ``night.static`` (one past the highest declared index)."""
DAY_UNIFORMS = len(GENERIC_DRAWS["day"])
"""The day's uniforms (the driver's: hot, exertion, unaccustomed, alcohol), indices 0 .. 3
of ``night.day``; a mechanism's day draws are standard normals, numbered from here."""
DAY_NORMALS = 0
"""Standard normals of the day (every mechanism's day draw), indices ``DAY_UNIFORMS ..``."""
DAY_NUMBERS = 0
"""Numbers of a patient-day: the driver draws them all at once (``night_state.day_numbers``)
into a row ``z`` indexed by ``DAY_DRAW``, which the day hooks read."""


def _layout(kind: str, generic: tuple[str, ...], modules) -> tuple[str, ...]:
    names = list(generic)
    owner = dict.fromkeys(generic, "the driver")
    for m in modules:
        for name in getattr(m, kind, ()):
            if name in owner:
                raise ValueError(
                    f"{kind} field {name!r} of mechanism {m.NAME!r} is already declared by "
                    f"{owner[name]}"
                )
            owner[name] = f"mechanism {m.NAME!r}"
            names.append(name)
    return tuple(names)


def _draws(stream: str, modules) -> dict[str, int]:
    out = dict(GENERIC_DRAWS[stream])
    owner = {i: "the driver" for i in out.values()}
    for i in RESERVED.get(stream, ()):
        owner.setdefault(i, "the driver")
    for m in modules:
        for name, index in getattr(m, "DRAWS", {}).get(stream, {}).items():
            if name in out:
                raise ValueError(f"draw {stream}.{name} of mechanism {m.NAME!r} is declared twice")
            if index in owner:
                raise ValueError(
                    f"draw {stream}.{name} of mechanism {m.NAME!r} reuses counter index {index} "
                    f"of {owner[index]}"
                )
            owner[index] = f"mechanism {m.NAME!r}"
            out[name] = index
    return out


def _named(name: str, fields) -> tuple:
    fields = dict(fields) if isinstance(fields, dict) else {f: i for i, f in enumerate(fields)}
    return namedtuple(name, list(fields))(*fields.values())


def _levers(modules) -> dict[str, tuple[str, str | None, tuple[float, float], str | None]]:
    out = {name: (doc, tau, bounds, None) for name, (doc, tau, bounds) in GENERIC_LEVERS.items()}
    for m in modules:
        for name, (doc, tau, bounds) in getattr(m, "LEVERS", {}).items():
            if name in out:
                raise ValueError(f"lever {name!r} of mechanism {m.NAME!r} is declared twice")
            out[name] = (doc, tau, bounds, m.NAME)
    return out


def build(modules) -> None:
    """Lay out the state and draws of ``modules`` (the registry, in order)."""
    global S, C, D, DAY_DRAW, STATIC_DRAW, NIGHT_DRAW, LEVERS
    global STATIC_FIELDS, CARRY_FIELDS, DAY_FIELDS, STATIC_UNIFORMS
    global DAY_NORMALS, DAY_NUMBERS
    LEVERS = _levers(modules)
    plan = TREATMENT_STATIC + tuple(
        f"tx_{kind}_{name}" for name in LEVERS for kind in ("size", "tau")
    )
    STATIC_FIELDS = _layout("STATIC", GENERIC_STATIC, modules) + plan
    CARRY_FIELDS = _layout("CARRY", GENERIC_CARRY, modules)
    DAY_FIELDS = _layout("DAY", GENERIC_DAY, modules) + tuple(f"tx_{name}" for name in LEVERS)
    S = _named("Static", STATIC_FIELDS)
    C = _named("Carry", CARRY_FIELDS)
    D = _named("Day", DAY_FIELDS)
    day, static, night = (_draws(k, modules) for k in ("day", "static", "night"))
    DAY_DRAW = _named("DayDraws", day)
    STATIC_DRAW = _named("StaticDraws", static)
    NIGHT_DRAW = _named("NightDraws", night)
    STATIC_UNIFORMS = max(static.values()) + 1
    normals = sorted(i for name, i in day.items() if name not in GENERIC_DRAWS["day"])
    if normals != list(range(DAY_UNIFORMS, DAY_UNIFORMS + len(normals))):
        raise ValueError(
            f"the mechanisms' day draws (standard normals) must take the indices "
            f"{DAY_UNIFORMS}, {DAY_UNIFORMS + 1}, ... of night.day without gaps: {normals}"
        )
    DAY_NORMALS = len(normals)
    DAY_NUMBERS = DAY_UNIFORMS + DAY_NORMALS


__all__ = ["build", "S", "C", "D", "DAY_DRAW", "STATIC_DRAW", "NIGHT_DRAW"]
