"""Interventions as data: what each one pulls, from when, and how faithfully it is taken.

Usage::

    from sim.interventions.spec import interventions_from_config
    items = interventions_from_config(cfg.intervention, nights=28, model=cfg.model)
    items[0].name, items[0].effects            # 'stretching', {'cramp_rate': 0.3}

Each file under ``conf/intervention/`` defines one intervention under its own name::

    stretching:
      description: Stretch the calves for a few minutes before bed.
      kind: tip                   # tip | treatment | placebo
      start_night: 7              # first night it acts (0 .. cohort.nights - 1)
      adherence: 0.8              # chance of taking it at the start (0-1)
      adherence_halflife_nights: 60   # that chance halves every so many nights (null: never)
      nightly: true               # decided night by night (a habit), else once (a course)
      effects: {cramp_rate: 0.3}  # lever -> size (``sim.model.state.LEVERS``)
      onset_nights: {cramp_rate: 10}  # build-up time constant per lever (default: the
                                  # mechanism's own, e.g. a stopped statin's offset, else 0)
      source: why these numbers (DOMAIN.md figure, or "Assumption")

Every value is checked here, before anything is simulated: an unknown key, intervention or
lever, a size outside the lever's range, an adherence outside 0-1, a start night outside
the diary each raise one ``ConfigError`` line naming the key and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.config import CONF_DIR, ConfigError
from sim.model import state

INTERVENTION_CONF_DIR = CONF_DIR / "intervention"

KINDS = ("tip", "treatment", "placebo")
KEYS = (
    "description",
    "kind",
    "start_night",
    "adherence",
    "adherence_halflife_nights",
    "nightly",
    "effects",
    "onset_nights",
    "source",
)


@dataclass(frozen=True)
class Intervention:
    """One intervention, validated; ``onset_nights`` holds every lever of ``effects``."""

    name: str
    description: str
    kind: str
    start_night: int
    adherence: float
    adherence_halflife_nights: float
    nightly: bool
    effects: dict[str, float]
    onset_nights: dict[str, float] = field(default_factory=dict)
    source: str = ""

    def plan_values(self) -> dict[str, float]:
        """The plan columns (``sim.model.treatment.PLAN_FIELDS``) of a patient who gets it."""
        out = {
            "tx_start": float(self.start_night),
            "tx_adherence": self.adherence,
            "tx_halflife": self.adherence_halflife_nights,
            "tx_nightly": 1.0 if self.nightly else 0.0,
        }
        for lever in state.LEVERS:
            out[f"tx_size_{lever}"] = float(self.effects.get(lever, 0.0))
            out[f"tx_tau_{lever}"] = float(self.onset_nights.get(lever, 0.0))
        return out

    def with_expectation(self, size: float, onset: float = 0.0) -> Intervention:
        """The same intervention taken blind: the placebo's expectation effect added."""
        effects = {**self.effects, "expectation": size}
        return replace(
            self, effects=effects, onset_nights={**self.onset_nights, "expectation": onset}
        )


def lever_names() -> tuple[str, ...]:
    return tuple(state.LEVERS)


def _number(value: Any, key: str, lo: float, hi: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key}={value!r} is invalid: expected {what} from {lo:g} to {hi:g}")
    x = float(value)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise ConfigError(f"{key}={value!r} is invalid: expected {what} from {lo:g} to {hi:g}")
    return x


def _default_onset(lever: str, model: Any) -> float:
    _, tau_field, _, owner = state.LEVERS[lever]
    if tau_field is None:
        return 0.0
    return float(model["mechanisms"][owner][tau_field])


def parse_intervention(
    name: str, node: Any, *, nights: int, model: Any, where: str | None = None
) -> Intervention:
    """One ``intervention.<name>`` block as an ``Intervention`` (``ConfigError`` if invalid;
    ``where``: the key named in errors, default ``intervention.<name>``)."""
    where = where or f"intervention.{name}"
    if isinstance(node, DictConfig):
        node = OmegaConf.to_container(node, resolve=True)
    if not isinstance(node, dict):
        raise ConfigError(f"{where} must be a mapping with keys {', '.join(KEYS)}")
    unknown = sorted(set(node) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]} is not a key; allowed: {', '.join(KEYS)}")
    kind = node.get("kind", "tip")
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind={kind!r} is invalid; allowed: {', '.join(KINDS)}")
    start = node.get("start_night", 7)
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start < nights:
        raise ConfigError(
            f"{where}.start_night={start!r} is invalid: expected a whole night from 0 to "
            f"{nights - 1} (cohort.nights={nights})"
        )
    adherence = _number(node.get("adherence", 1.0), f"{where}.adherence", 0.0, 1.0, "a share")
    halflife = node.get("adherence_halflife_nights")
    halflife = (
        math.inf
        if halflife is None
        else _number(halflife, f"{where}.adherence_halflife_nights", 1.0, 1e6, "nights")
    )
    nightly = node.get("nightly", False)
    if not isinstance(nightly, bool):
        raise ConfigError(f"{where}.nightly={nightly!r} is invalid: expected true or false")
    effects = node.get("effects") or {}
    if not isinstance(effects, dict) or not effects:
        raise ConfigError(
            f"{where}.effects must map at least one lever to a size; levers: "
            f"{', '.join(lever_names())}"
        )
    sizes = {}
    for lever, size in effects.items():
        if lever not in state.LEVERS:
            raise ConfigError(
                f"{where}.effects.{lever} is not a lever; allowed: {', '.join(lever_names())}"
            )
        lo, hi = state.LEVERS[lever][2]
        sizes[lever] = _number(size, f"{where}.effects.{lever}", lo, hi, "a size")
    onsets = node.get("onset_nights") or {}
    if not isinstance(onsets, dict):
        raise ConfigError(f"{where}.onset_nights must map levers of effects to nights")
    taus = {}
    for lever in sizes:
        taus[lever] = _default_onset(lever, model)
    for lever, tau in onsets.items():
        if lever not in sizes:
            raise ConfigError(
                f"{where}.onset_nights.{lever} names no lever of {where}.effects; allowed: "
                f"{', '.join(sizes)}"
            )
        taus[lever] = _number(tau, f"{where}.onset_nights.{lever}", 0.0, 1e4, "nights")
    return Intervention(
        name=name,
        description=str(node.get("description", "")),
        kind=kind,
        start_night=start,
        adherence=adherence,
        adherence_halflife_nights=halflife,
        nightly=nightly,
        effects=sizes,
        onset_nights=taus,
        source=str(node.get("source", "")),
    )


def interventions_from_config(node: Any, *, nights: int, model: Any) -> list[Intervention]:
    """Every block of ``cfg.intervention`` (at least one), validated."""
    if node is None or len(node) == 0:
        raise ConfigError(
            "intervention is empty: choose one or more from conf/intervention/, e.g. "
            "intervention=stretching or intervention=[stretching,magnesium]"
        )
    if isinstance(model, DictConfig):
        model = OmegaConf.to_container(model, resolve=True)
    return [parse_intervention(str(k), v, nights=nights, model=model) for k, v in node.items()]


def shipped_interventions() -> tuple[str, ...]:
    """Names of the interventions under conf/intervention/."""
    return tuple(sorted(p.stem for p in INTERVENTION_CONF_DIR.glob("*.yaml")))


def load_shipped(
    name: str, *, nights: int, model: Any, start_night: int | None = None
) -> Intervention:
    """An intervention shipped under conf/intervention/ by name (``ConfigError`` if none),
    starting at ``start_night`` if given (else its own)."""
    names = shipped_interventions()
    if name not in names:
        raise ConfigError(
            f"intervention {name!r} is not shipped: expected one of {', '.join(names)}"
        )
    node = OmegaConf.to_container(OmegaConf.load(INTERVENTION_CONF_DIR / f"{name}.yaml"))[name]
    if start_night is not None:
        node = {**node, "start_night": start_night}
    if isinstance(model, DictConfig):
        model = OmegaConf.to_container(model, resolve=True)
    return parse_intervention(name, node, nights=nights, model=model)


__all__ = [
    "Intervention",
    "KINDS",
    "KEYS",
    "parse_intervention",
    "interventions_from_config",
    "shipped_interventions",
    "load_shipped",
]
