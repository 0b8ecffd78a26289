"""Model parameters as flat named tuples that compiled model functions can read.

Usage::

    day_p = day_params(cfg.model.day)          # DayP: day_p.fluid_need_l, day_p.doms_kernel
    night_p = night_params(cfg.model.night)    # NightP: night_p.wake_threshold, ...

The config's dataclasses stay the documentation and the validation of every parameter;
these tuples carry their values into numba code: numbers as floats, lists as tuples, and
dicts flattened to ``<name>_<key>`` (``electrolyte_day_sd_potassium``). Per-mechanism
parameters (``model.night.<mechanism>``) travel as arrays in ``symptoms.MechanismTable``.
"""

from __future__ import annotations

import dataclasses
from collections import namedtuple

from sim.config import DayParams, MechanismParams, NightParams


def _fields(cls) -> list[tuple[str, object]]:
    out = []
    for f in dataclasses.fields(cls):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if isinstance(default, MechanismParams):
            continue
        if isinstance(default, dict):
            out.extend((f"{f.name}_{k}", (f.name, k)) for k in default)
        else:
            out.append((f.name, (f.name, None)))
    return out


_DAY_FIELDS = _fields(DayParams)
_NIGHT_FIELDS = _fields(NightParams)
DayP = namedtuple("DayP", [name for name, _ in _DAY_FIELDS])
NightP = namedtuple("NightP", [name for name, _ in _NIGHT_FIELDS])


def _value(cfg, path: tuple[str, str | None]):
    name, key = path
    value = cfg[name] if key is None else cfg[name][key]
    if isinstance(value, list | tuple) or hasattr(value, "__len__") and not isinstance(value, str):
        return tuple(float(v) for v in value)
    return float(value)


def _params(cfg, kind, fields):
    if isinstance(cfg, kind):
        return cfg
    if dataclasses.is_dataclass(cfg):
        cfg = dataclasses.asdict(cfg)
    return kind(*(_value(cfg, path) for _, path in fields))


def day_params(cfg) -> DayP:
    """``model.day`` (a DictConfig, dict or ``DayParams``) as a ``DayP``."""
    return _params(cfg, DayP, _DAY_FIELDS)


def night_params(cfg) -> NightP:
    """``model.night`` as a ``NightP`` (without the per-mechanism blocks)."""
    return _params(cfg, NightP, _NIGHT_FIELDS)
