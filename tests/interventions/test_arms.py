"""Paired arms (sim/interventions/arms.py, sim/model/treatment.py): common random numbers
make arms differ only where and when an intervention acts, in both engines."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sim.config import compose_config
from sim.interventions.plan import TreatmentPlan
from sim.interventions.spec import parse_intervention
from sim.model import state, treatment
from sim.pipeline import simulate_cohort

START = 9


def _cfg(engine: str, n: int = 400):
    return compose_config(
        [f"engine={engine}", f"cohort.n={n}", "cohort.seed=21"], config_name="intervene"
    )


def _item(cfg, effects, **extra):
    node = {"effects": effects, "start_night": START, **extra}
    return parse_intervention("x", node, nights=int(cfg.cohort.nights), model=cfg.model)


EVERY_LEVER_ZERO = {lever: 0.0 for lever in state.LEVERS}
EVERY_LEVER_ON = {
    "expectation": 0.2,
    "elevation": 0.5,
    "pain_relief": 1.0,
    "dopamine": 0.3,
    "exercise": 0.2,
    "ferritin_ug_l": 200.0,
    "ankle_mmhg": 40.0,
    "cramp_rate": 0.4,
    "conditioning": 0.4,
    "fluid_l": 1.0,
    "stop_statin": 1.0,
    "stop_diuretic": 1.0,
    "stop_ssri": 1.0,
    "potassium_mmol_l": 0.4,
    "magnesium_mmol_l": 0.1,
    "compression": 0.4,
}


def test_every_lever_is_exercised_here():
    """A lever added to the model must be added to these tests."""
    assert set(EVERY_LEVER_ON) == set(state.LEVERS) == set(EVERY_LEVER_ZERO)


@pytest.fixture(scope="module", params=["vectorised", "events"])
def arms(request):
    """Control, an intervention of size 0 on every lever, and every lever on (seed 21,
    400 presenting patients x 28 nights, starting at night 9)."""
    cfg = _cfg(request.param)
    zero = _item(cfg, EVERY_LEVER_ZERO)
    on = _item(cfg, EVERY_LEVER_ON, nightly=True, adherence=0.7)
    return (
        simulate_cohort(cfg),
        simulate_cohort(cfg, treatment=TreatmentPlan.everyone(zero)),
        simulate_cohort(cfg, treatment=TreatmentPlan.everyone(on)),
    )


def _same(a, b) -> bool:
    return a.equals(b)


def test_an_intervention_of_size_zero_gives_the_control_bit_for_bit(arms):
    control, zero, _ = arms
    for table in ("patients", "measurements", "nights", "events"):
        a, b = getattr(control, table), getattr(zero, table)
        assert (a is None and b is None) or _same(a, b), table


def test_nights_before_the_start_are_the_controls_and_after_it_they_differ(arms):
    control, _, on = arms
    before = pl.col("night") < START
    assert _same(control.nights.filter(before), on.nights.filter(before))
    # Who the patients are does not change; urgency is judged at the visit (the last
    # night), after the treatment has acted, so it may.
    assert _same(control.patients.drop("urgency"), on.patients.drop("urgency"))
    after_c, after_t = control.nights.filter(~before), on.nights.filter(~before)
    changed = (
        after_c.select("pain_score", "cramp_count", "potassium_mmol_l").to_numpy()
        != after_t.select("pain_score", "cramp_count", "potassium_mmol_l").to_numpy()
    ).any(axis=1)
    # Every lever is on for 70% of the nights after the start: most nights change.
    assert changed.mean() > 0.3
    if control.events is not None:
        ev = pl.col("night") < START
        assert _same(control.events.filter(ev), on.events.filter(ev))


def test_the_treated_arm_has_fewer_symptoms_in_both_engines(arms):
    control, _, on = arms
    after = pl.col("night") >= START
    c = control.nights.filter(after).select(pl.col("pain_score").cast(pl.Float64).mean()).item()
    t = on.nights.filter(after).select(pl.col("pain_score").cast(pl.Float64).mean()).item()
    # Seed 21, 400 x 19 treated nights: the expectation lever alone removes 20% of the
    # episodes; with the rest, mean worst pain falls by more than 10%.
    assert t < 0.9 * c, (t, c)


def test_a_plan_by_patient_treats_only_its_patients():
    cfg = _cfg("vectorised", n=300)
    item = _item(cfg, {"cramp_rate": 0.9, "expectation": 0.5})
    codes = np.where(np.arange(300) % 2 == 0, 0, -1)
    control = simulate_cohort(cfg)
    mixed = simulate_cohort(cfg, treatment=TreatmentPlan([item], by_patient=codes))
    odd = pl.col("patient_id") % 2 == 1
    assert _same(control.nights.filter(odd), mixed.nights.filter(odd))
    assert not _same(control.nights.filter(~odd), mixed.nights.filter(~odd))


def test_adherence_decays_with_its_half_life_night_by_night():
    """``treatment.taken``: seed-free counter draws, 20,000 patients; the share taking it on
    night start + h is adherence / 2 (tolerance 0.015, about 4 SE)."""
    s = np.zeros(len(state.STATIC_FIELDS))
    for name, value in treatment.untreated(1).items():
        s[getattr(state.S, name)] = value[0]
    s[state.S.tx_start], s[state.S.tx_adherence] = 5.0, 0.8
    s[state.S.tx_halflife], s[state.S.tx_nightly] = 10.0, 1.0
    key = np.uint64(12345)
    share = np.mean([treatment.taken(15, p, key, s) for p in range(20000)])
    assert share == pytest.approx(0.4, abs=0.015)
    assert not any(treatment.taken(4, p, key, s) for p in range(200))
    # Once for the course: the same patient decides the same on every night.
    s[state.S.tx_nightly] = 0.0
    s[state.S.tx_halflife] = np.inf
    for p in range(50):
        assert len({treatment.taken(d, p, key, s) for d in range(5, 25)}) == 1
