"""Model parameters as flat named tuples that compiled model functions can read.

Usage::

    day_p = day_params(cfg.model.day)              # DayP: day_p.hot_spell_start_prob
    night_p = night_params(cfg.model.night)        # NightP: night_p.wake_threshold, ...
    mp = mechanism_params(cfg.model.mechanisms)    # MechP: mp.pad.rate_ischaemia, ...

The config's dataclasses stay the documentation and the validation of every parameter;
these tuples carry their values into numba code: numbers as floats, lists as tuples, and
dicts flattened to ``<name>_<key>`` (``mp.electrolyte.day_sd_potassium``). A mechanism
block's episode tables (shape name, quality, location and side probabilities) travel as
arrays in ``symptoms.MechanismTable`` instead.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import namedtuple

from sim.config import _MECHANISM_PARAMS as MECHANISM_PARAMS
from sim.config import DayParams, NightParams, mechanism_names

_TABLE_FIELDS = ("shape", "quality", "location", "side")


def _fields(cls, skip=()) -> list[tuple[str, tuple[str, str | None]]]:
    out = []
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
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
    """``model.night`` as a ``NightP``."""
    return _params(cfg, NightP, _NIGHT_FIELDS)


@functools.cache
def _mechanism_kinds() -> tuple[tuple[str, type, list], ...]:
    out = []
    for name in mechanism_names():
        fields = _fields(MECHANISM_PARAMS[name], skip=_TABLE_FIELDS)
        kind = namedtuple(f"{name.title()}P", [f for f, _ in fields])
        out.append((name, kind, fields))
    return tuple(out)


def mechanism_params(cfg) -> tuple:
    """``model.mechanisms`` (DictConfig, dict of blocks, or of dataclasses) as a ``MechP``:
    one named tuple per mechanism, ``mp.<mechanism>.<parameter>``."""
    kinds = _mechanism_kinds()
    mech_p = _mech_p_type(tuple(name for name, _, _ in kinds))
    if isinstance(cfg, mech_p):
        return cfg
    return mech_p(*(_params(cfg[name], kind, fields) for name, kind, fields in kinds))


@functools.cache
def _mech_p_type(names: tuple[str, ...]) -> type:
    return namedtuple("MechP", names)


def mechanism_defaults() -> dict:
    """Every mechanism block at its defaults (dataclass instances)."""
    return {name: MECHANISM_PARAMS[name]() for name in mechanism_names()}
