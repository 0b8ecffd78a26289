"""The mechanisms of the model, one file each, and the registry that drives them.

Usage::

    from sim.model.mechanisms import REGISTRY, CODE
    pad = REGISTRY[CODE["pad"]]          # the module sim.model.mechanisms.pad

A mechanism is a module that declares, for one cause (or the background aches everyone
has): its parameters (``Params``, a dataclass registered into the config tree at
``model.mechanisms.<NAME>``), the per-patient constants it reads (``STATIC`` and a
``static`` builder), the state it carries from day to day and writes for tonight (``CARRY``,
``DAY`` and a compiled ``day`` update), its compiled rate law (``rate``: tonight's episode
rate, mean intensity, circadian offset and latent drive), its episode attributes
(``Params``' tables, plus patient-specific ``VARIANTS`` picked by ``attributes``), and what
it reports in the diary (``SEVERITY``: the truth column of its drive; ``DIARY``: truth
columns copied from tonight's state). ``sim.model.mechanisms.base`` lists every hook with
its signature; only ``NAME``, ``Params`` and ``rate`` are required.

The generic drivers run over this registry: ``sim.model.night_state`` (the days),
``sim.model.symptoms`` (the nights), ``sim.model.dispatch`` (the compiled calls by
mechanism code). A mechanism's code is its position here (background 0, then the causes
in ``sim.config.CAUSES`` order), which the tables use for ``dominant_mechanism``.

To add one: write ``sim/model/mechanisms/<name>.py`` and add its name to ``REGISTRY`` below,
one line (docs/architecture.md, "Add a cause").
"""

from __future__ import annotations

import importlib

from sim import config
from sim.model import state

REGISTRY = tuple(
    importlib.import_module(f"{__name__}.{name}")
    for name in (
        "background",
        "rls",
        "pad",
        "cramps",
        "fatigue",
        "dehydration",
        "nerve",
        "medication",
        "electrolyte",
        "venous",
        "stenosis",
    )
)
"""Every mechanism, in code order."""

NAMES = tuple(m.NAME for m in REGISTRY)
CODE = {name: i for i, name in enumerate(NAMES)}
BY_NAME = dict(zip(NAMES, REGISTRY, strict=True))
DAY_ORDER = tuple(sorted((m for m in REGISTRY if hasattr(m, "day")), key=lambda m: m.DAY_ORDER))
"""Mechanisms with a day update, in the order the day runs them (``DAY_ORDER``: lower first,
so a mechanism reads what those before it wrote tonight)."""


def variant_offsets() -> dict[str, tuple[int, int, int]]:
    """Where each mechanism's ``VARIANTS`` start in the quality, location and side tables,
    counted from the end of the mechanisms' own rows (``symptoms.MechanismTable``)."""
    out = {}
    q = loc = side = 0
    for m in REGISTRY:
        variants = getattr(m, "VARIANTS", {})
        out[m.NAME] = (q, loc, side)
        q += len(variants.get("quality", ()))
        loc += len(variants.get("location", ()))
        side += len(variants.get("side", ()))
    return out


def flag_variant_offsets() -> dict[str, int]:
    """Where each mechanism's ``FLAG_VARIANTS`` start in the flag table, counted from the
    end of the mechanisms' own rows (``symptoms.MechanismTable.flag_table``)."""
    out, k = {}, 0
    for m in REGISTRY:
        out[m.NAME] = k
        k += len(getattr(m, "FLAG_VARIANTS", ()))
    return out


def _check() -> None:
    if len(set(NAMES)) != len(NAMES):
        raise ValueError(f"mechanism names repeat: {NAMES}")
    for m in REGISTRY:
        for hook in ("NAME", "Params", "rate"):
            if not hasattr(m, hook):
                raise ValueError(f"mechanism module {m.__name__} has no {hook}")
        if not issubclass(m.Params, config.MechanismParams):
            raise ValueError(f"{m.__name__}.Params must subclass sim.config.MechanismParams")


_check()
state.build(REGISTRY)
for _m in REGISTRY:
    config.register_mechanism(_m.NAME, _m.Params)

__all__ = [
    "REGISTRY",
    "NAMES",
    "CODE",
    "BY_NAME",
    "DAY_ORDER",
    "variant_offsets",
    "flag_variant_offsets",
]
