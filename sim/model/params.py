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


def _mechanism_tuples() -> tuple[tuple[str, type, list], ...]:
    """One named tuple class per registered mechanism, made a module attribute (``PadP``):
    numba's disk cache pickles argument types by reference, so a class it cannot find by
    name would make every process compile the model again."""
    out = []
    for name in mechanism_names():
        fields = _fields(MECHANISM_PARAMS[name], skip=_TABLE_FIELDS)
        type_name = "".join(part.title() for part in name.split("_")) + "P"
        kind = namedtuple(type_name, [f for f, _ in fields])
        globals()[type_name] = kind
        out.append((name, kind, fields))
    return tuple(out)


_MECHANISM_KINDS = _mechanism_tuples()
MechP = namedtuple("MechP", [name for name, _, _ in _MECHANISM_KINDS])
"""Every mechanism's numbers: ``mp.<mechanism>.<parameter>``."""


def mechanism_params(cfg) -> tuple:
    """``model.mechanisms`` (DictConfig, dict of blocks, or of dataclasses) as a ``MechP``:
    one named tuple per mechanism, ``mp.<mechanism>.<parameter>``."""
    if isinstance(cfg, MechP):
        return cfg
    return MechP(*(_params(cfg[name], kind, fields) for name, kind, fields in _MECHANISM_KINDS))
