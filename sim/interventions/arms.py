"""Paired arms: the same patients lived again, with and without an intervention.

Usage::

    trial = run_trial(cfg, interventions, placebo_expectation=0.2, placebo_arm=True)
    trial.effects        # per intervention x comparison x group x outcome (``estimates``)
    trial.nnt            # per intervention x comparison x group
    trial.outcomes       # per intervention x arm x patient

Every arm is the same cohort config (same seed, patients and streams: common random
numbers, DESIGN.md); an arm differs from the control only in its treatment plan, and the
plan acts only through the model's levers from its start night. So a zero-size intervention
gives the control's tables bit for bit, and the nights before the start are the control's
in every arm (tests/interventions). The control arm is simulated once and shared.

With ``placebo_arm`` each intervention gets a placebo arm (the expectation effect alone,
on the same schedule and adherence) and its treated arm is blinded (the same expectation
added), so ``treated - placebo`` is the specific effect and ``placebo - control`` the
placebo response.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import polars as pl
from omegaconf import DictConfig

from sim.interventions.estimates import compare, patient_outcomes
from sim.interventions.plan import TreatmentPlan
from sim.interventions.spec import Intervention
from sim.pipeline import ShardResult, simulate_cohort

CONTROL, TREATED, PLACEBO = "control", "treated", "placebo"


@dataclass
class Trial:
    """The arms' per-patient outcomes and the estimates of every comparison."""

    interventions: list[Intervention]
    patients: pl.DataFrame
    control: ShardResult
    arms: dict[tuple[str, str], ShardResult]
    """(intervention, arm) -> that arm's tables (``treated``, and ``placebo`` if asked)."""
    outcomes: pl.DataFrame
    effects: pl.DataFrame
    nnt: pl.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def placebo_of(item: Intervention, expectation: float) -> Intervention:
    """The placebo of ``item``: its schedule and adherence, the expectation effect only."""
    return replace(
        item,
        name=f"{item.name}_placebo",
        kind="placebo",
        effects={"expectation": expectation},
        onset_nights={"expectation": 0.0},
        description=f"Placebo of {item.name}: expectation only.",
    )


def comparisons(placebo_arm: bool) -> list[tuple[str, str, str]]:
    """(name, arm, against) of each comparison reported."""
    out = [("treated_vs_control", TREATED, CONTROL)]
    if placebo_arm:
        out += [("placebo_vs_control", PLACEBO, CONTROL), ("treated_vs_placebo", TREATED, PLACEBO)]
    return out


def run_trial(
    cfg: DictConfig,
    interventions: list[Intervention],
    *,
    placebo_expectation: float = 0.0,
    placebo_arm: bool = False,
) -> Trial:
    """Simulate the control arm once and each intervention's arms; estimate the effects."""
    t0 = time.perf_counter()
    control = simulate_cohort(cfg)
    seconds = {CONTROL: time.perf_counter() - t0}
    patients = control.patients
    arms: dict[tuple[str, str], ShardResult] = {}
    outcome_rows, effect_rows, nnt_rows = [], [], []
    control_outcomes: dict[int, pl.DataFrame] = {}  # by start night: most share one
    for item in interventions:
        plans = {TREATED: item}
        if placebo_arm:
            plans = {
                TREATED: item.with_expectation(placebo_expectation),
                PLACEBO: placebo_of(item, placebo_expectation),
            }
        if item.start_night not in control_outcomes:
            control_outcomes[item.start_night] = patient_outcomes(control.nights, item.start_night)
        outcomes = {CONTROL: control_outcomes[item.start_night]}
        for arm, plan in plans.items():
            t = time.perf_counter()
            result = simulate_cohort(cfg, treatment=TreatmentPlan.everyone(plan))
            seconds[f"{item.name}/{arm}"] = time.perf_counter() - t
            arms[(item.name, arm)] = result
            outcomes[arm] = patient_outcomes(result.nights, item.start_night)
        for arm, table in outcomes.items():
            outcome_rows.append(
                table.select(
                    pl.lit(item.name).alias("intervention"), pl.lit(arm).alias("arm"), pl.all()
                )
            )
        for name, arm, against in comparisons(placebo_arm):
            effects, nnt = compare(
                outcomes[against], outcomes[arm], patients, intervention=item.name, comparison=name
            )
            effect_rows.append(effects)
            nnt_rows.append(nnt)
    return Trial(
        interventions=list(interventions),
        patients=patients,
        control=control,
        arms=arms,
        outcomes=pl.concat(outcome_rows),
        effects=pl.concat(effect_rows),
        nnt=pl.concat(nnt_rows),
        seconds=seconds,
    )


__all__ = ["Trial", "run_trial", "placebo_of", "comparisons", "CONTROL", "TREATED", "PLACEBO"]
