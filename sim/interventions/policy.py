"""Triage-then-treat: a rule set's decisions mapped to interventions, judged by outcomes.

Usage::

    policy = policy_from_config(cfg.policy, nights=28, model=cfg.model)
    result = run_policy(cfg, policy)
    result.table          # one row per strategy: effect on symptomatic nights, NNT, ...

A policy (``conf/policy/``) names a triage rule set (``conf/triage/``) and the intervention
each decided cause gets (``treat``; ``treat_urgent`` overrides it for an urgent decision;
a cause left out, or mapped to null, gets nothing)::

    triage_then_treat:
      rule_set: clinical_pathway
      start_night: 7
      treat: {rls: dopamine_agonist, cramps: stretching, ...}
      treat_urgent: {pad: revascularisation}

The patients keep a diary for the nights before ``start_night`` and see the clinic on the
last of them (``measurements.visit_night = start_night - 1``); the rule set decides from
that baseline diary and those tests (``patient_features(window=start_night)``), and the
chosen intervention starts the next night. The same patients are then lived under:

- ``policy``: each patient treated by the rule set's decision;
- ``perfect_triage``: each treated by the same map applied to the true primary cause and
  urgency (what the rule set would be worth if it were always right);
- ``everyone_<intervention>``: every patient given the same intervention, for each one the
  policy uses (treating everyone the same way);

each against the untreated control with the paired estimates of ``estimates``. So a rule
set's value is measured in patient outcomes, not only in accuracy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from omegaconf import DictConfig, OmegaConf

from sim.config import LABELS, ConfigError
from sim.evaluation.features import patient_features
from sim.interventions.estimates import (
    ALL,
    compare,
    patient_outcomes,
)
from sim.interventions.plan import TreatmentPlan
from sim.interventions.spec import Intervention, load_shipped, shipped_interventions
from sim.pipeline import simulate_cohort
from sim.triage.evaluate import evaluate_rule_set
from sim.triage.rules import RuleSet
from sim.triage.rules import load_shipped as load_rule_set

KEYS = ("description", "rule_set", "start_night", "treat", "treat_urgent")
POLICY, PERFECT = "policy", "perfect_triage"


@dataclass(frozen=True)
class Policy:
    name: str
    rule_set: RuleSet
    start_night: int
    interventions: dict[str, Intervention]
    """Every intervention the policy uses, by name, starting at ``start_night``."""
    treat: dict[str, str | None]
    treat_urgent: dict[str, str | None] = field(default_factory=dict)
    description: str = ""

    def choose(self, causes: np.ndarray, urgencies: np.ndarray) -> np.ndarray:
        """The intervention name each (cause, urgency) gets, or None."""
        out = []
        for cause, urgency in zip(causes, urgencies, strict=True):
            name = self.treat.get(cause)
            if urgency == "urgent" and cause in self.treat_urgent:
                name = self.treat_urgent[cause]
            out.append(name)
        return np.array(out, dtype=object)


def _map(node: Any, where: str, names: tuple[str, ...]) -> dict[str, str | None]:
    if node is None:
        return {}
    if not isinstance(node, dict):
        raise ConfigError(f"{where} must map causes to interventions")
    out = {}
    for cause, name in node.items():
        if cause not in LABELS:
            raise ConfigError(f"{where}.{cause} is not a cause; allowed: {', '.join(LABELS)}")
        if name is not None and name not in names:
            raise ConfigError(
                f"{where}.{cause}={name!r} is not a shipped intervention; allowed: "
                f"{', '.join(names)}"
            )
        out[cause] = name
    return out


def policy_from_config(node: Any, *, nights: int, model: Any) -> Policy:
    """The one policy block of ``cfg.policy``, validated (``ConfigError`` naming the key)."""
    if isinstance(node, DictConfig):
        node = OmegaConf.to_container(node, resolve=True)
    if not isinstance(node, dict) or len(node) != 1:
        raise ConfigError("policy must hold one policy, e.g. policy=triage_then_treat")
    ((name, body),) = node.items()
    where = f"policy.{name}"
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a mapping with keys {', '.join(KEYS)}")
    unknown = sorted(set(body) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]} is not a key; allowed: {', '.join(KEYS)}")
    try:
        rule_set = load_rule_set(str(body.get("rule_set", "")))
    except ConfigError as exc:
        raise ConfigError(f"{where}.rule_set: {exc}") from None
    start = body.get("start_night", 7)
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start < nights:
        raise ConfigError(
            f"{where}.start_night={start!r} is invalid: expected a whole night from 1 (the "
            f"triage needs a baseline night) to {nights - 1} (cohort.nights={nights})"
        )
    names = shipped_interventions()
    treat = _map(body.get("treat"), f"{where}.treat", names)
    urgent = _map(body.get("treat_urgent"), f"{where}.treat_urgent", names)
    used = sorted({n for n in (*treat.values(), *urgent.values()) if n is not None})
    if not used:
        raise ConfigError(f"{where}.treat must give at least one cause an intervention")
    items = {n: load_shipped(n, nights=nights, model=model, start_night=start) for n in used}
    return Policy(
        name=str(name),
        rule_set=rule_set,
        start_night=start,
        interventions=items,
        treat=treat,
        treat_urgent=urgent,
        description=str(body.get("description", "")),
    )


def policy_config(cfg: DictConfig, policy: Policy) -> DictConfig:
    """``cfg`` with the clinic visit on the last baseline night."""
    out = OmegaConf.create(OmegaConf.to_container(cfg, resolve=False))
    out.measurements.visit_night = policy.start_night - 1
    return out


@dataclass
class PolicyResult:
    policy: Policy
    decisions: pl.DataFrame
    """Per patient: decided cause and urgency, true ones, and the intervention each strategy
    gives (``policy``, ``perfect_triage``)."""
    effects: pl.DataFrame
    """Per strategy x group x outcome (``estimates.paired_effects``, against the control)."""
    nnt: pl.DataFrame
    table: pl.DataFrame
    """One row per strategy: its effect on everyone and the share treated as their true
    cause calls for."""
    nights: dict[str, pl.DataFrame] = field(default_factory=dict)
    """The ``nights`` of the control and of the policy arm."""
    seconds: dict[str, float] = field(default_factory=dict)


def _plan(policy: Policy, chosen: np.ndarray, patient_id: np.ndarray) -> TreatmentPlan:
    names = sorted(policy.interventions)
    index = {n: i for i, n in enumerate(names)}
    codes = np.full(int(patient_id.max()) + 1, -1, dtype=np.int64)
    codes[patient_id] = [index[c] if c is not None else -1 for c in chosen]
    return TreatmentPlan([policy.interventions[n] for n in names], by_patient=codes)


def run_policy(cfg: DictConfig, policy: Policy) -> PolicyResult:
    """Triage on the baseline, then live the strategies on the same patients."""
    cfg = policy_config(cfg, policy)
    t0 = time.perf_counter()
    control = simulate_cohort(cfg)
    seconds = {"control": time.perf_counter() - t0}
    patients = control.patients
    features = patient_features(
        patients, control.nights, control.measurements, window=policy.start_night
    )
    truth = patients.select("patient_id", "primary_cause", "urgency")
    decided = evaluate_rule_set(policy.rule_set, features, truth).decisions
    decided = decided.sort("patient_id")
    ids = decided.get_column("patient_id").to_numpy().astype(np.int64)
    true = truth.sort("patient_id")
    chosen = {
        POLICY: policy.choose(
            decided.get_column("cause").cast(pl.Utf8).to_numpy(),
            decided.get_column("urgency").cast(pl.Utf8).to_numpy(),
        ),
        PERFECT: policy.choose(
            true.get_column("primary_cause").cast(pl.Utf8).to_numpy(),
            true.get_column("urgency").cast(pl.Utf8).to_numpy(),
        ),
    }
    plans = {k: _plan(policy, v, ids) for k, v in chosen.items()}
    for name, item in policy.interventions.items():
        plans[f"everyone_{name}"] = TreatmentPlan.everyone(item)
    base = patient_outcomes(control.nights, policy.start_night)
    effect_rows, nnt_rows, table_rows = [], [], []
    kept = {"control": control.nights}
    for strategy, plan in plans.items():
        t = time.perf_counter()
        arm = simulate_cohort(cfg, treatment=plan)
        seconds[strategy] = time.perf_counter() - t
        if strategy == POLICY:
            kept[POLICY] = arm.nights
        outcomes = patient_outcomes(arm.nights, policy.start_night)
        effects, nnt = compare(base, outcomes, patients, strategy=strategy)
        effect_rows.append(effects)
        nnt_rows.append(nnt)
        given = (
            chosen[strategy]
            if strategy in chosen
            else np.array([strategy.removeprefix("everyone_")] * len(ids), dtype=object)
        )
        right = np.array([g == p for g, p in zip(given, chosen[PERFECT], strict=True)])
        row = {"strategy": strategy, "treated": float(np.mean([g is not None for g in given]))}
        row["as_true_cause_calls_for"] = float(right.mean())
        for outcome in ("symptomatic_nights", "mean_pain"):
            r = effects.filter((pl.col("group") == ALL) & (pl.col("outcome") == outcome))
            r = r.row(0, named=True)
            row[f"{outcome}_effect"] = r["effect"]
            row[f"{outcome}_ci_low"] = r["ci_low"]
            row[f"{outcome}_ci_high"] = r["ci_high"]
        row["nnt"] = nnt.filter(pl.col("group") == ALL).row(0, named=True)["nnt"]
        table_rows.append(row)
    decisions = decided.select(
        "patient_id",
        pl.col("cause").alias("decided_cause"),
        pl.col("urgency").alias("decided_urgency"),
    ).join(
        true.rename({"primary_cause": "true_cause", "urgency": "true_urgency"}),
        on="patient_id",
    )
    decisions = decisions.with_columns(
        pl.Series(POLICY, list(chosen[POLICY]), dtype=pl.Utf8),
        pl.Series(PERFECT, list(chosen[PERFECT]), dtype=pl.Utf8),
    )
    return PolicyResult(
        policy=policy,
        decisions=decisions,
        effects=pl.concat(effect_rows),
        nnt=pl.concat(nnt_rows),
        table=pl.DataFrame(table_rows),
        nights=kept,
        seconds=seconds,
    )


__all__ = ["Policy", "PolicyResult", "policy_from_config", "run_policy", "POLICY", "PERFECT"]
