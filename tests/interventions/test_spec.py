"""Interventions as data (sim/interventions/spec.py): every bad value is one clear line."""

from __future__ import annotations

import math

import pytest

from sim.config import ConfigError, compose_config
from sim.interventions.spec import interventions_from_config, parse_intervention
from sim.model import state

NIGHTS = 28


@pytest.fixture(scope="module")
def model():
    return compose_config([], config_name="intervene").model


def test_every_shipped_intervention_is_valid_and_names_its_source(model):
    cfg = compose_config(
        [
            "intervention=[hydration,exercise,stretching,magnesium,heat_cold,elevation,"
            "review_drug,stop_statin,switch_statin,stop_diuretic,stop_ssri,potassium,iron,"
            "dopamine_agonist,supervised_exercise,revascularisation,placebo]"
        ],
        config_name="intervene",
    )
    items = interventions_from_config(cfg.intervention, nights=NIGHTS, model=cfg.model)
    assert len(items) == 17
    for item in items:
        assert item.source and item.description, item.name
        assert set(item.onset_nights) == set(item.effects)


def test_a_stopped_drug_fades_over_its_own_time_constant(model):
    item = parse_intervention(
        "x", {"effects": {"stop_statin": 1.0, "stop_diuretic": 1.0}}, nights=NIGHTS, model=model
    )
    q = model.mechanisms.medication
    assert item.onset_nights == {
        "stop_statin": q.statin_offset_days,
        "stop_diuretic": q.diuretic_onset_days,
    }


def test_plan_values_cover_every_lever(model):
    item = parse_intervention(
        "x", {"effects": {"cramp_rate": 0.3}, "start_night": 3}, nights=NIGHTS, model=model
    )
    plan = item.plan_values()
    assert plan["tx_start"] == 3.0 and plan["tx_halflife"] == math.inf
    assert plan["tx_size_cramp_rate"] == 0.3
    assert all(f"tx_size_{lever}" in plan for lever in state.LEVERS)


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"effects": {"warp": 1.0}}, "intervention.x.effects.warp is not a lever; allowed: "),
        ({"effects": {"cramp_rate": 1.5}}, "intervention.x.effects.cramp_rate=1.5 is invalid"),
        ({"effects": {"cramp_rate": "a lot"}}, "effects.cramp_rate='a lot' is invalid"),
        ({"effects": {}}, "intervention.x.effects must map at least one lever"),
        ({"effects": {"cramp_rate": 0.3}, "adherence": 1.2}, "adherence=1.2 is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "adherence": -0.1}, "adherence=-0.1 is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "start_night": 28}, "start_night=28 is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "start_night": -1}, "start_night=-1 is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "start_night": 2.5}, "start_night=2.5 is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "kind": "magic"}, "kind='magic' is invalid"),
        ({"effects": {"cramp_rate": 0.3}, "colour": "red"}, "intervention.x.colour is not a key"),
        ({"effects": {"cramp_rate": 0.3}, "nightly": "yes"}, "nightly='yes' is invalid"),
        (
            {"effects": {"cramp_rate": 0.3}, "onset_nights": {"fluid_l": 2}},
            "onset_nights.fluid_l names no lever of intervention.x.effects",
        ),
        (
            {"effects": {"cramp_rate": 0.3}, "adherence_halflife_nights": 0},
            "adherence_halflife_nights=0 is invalid",
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_key(model, node, message):
    with pytest.raises(ConfigError) as err:
        parse_intervention("x", node, nights=NIGHTS, model=model)
    text = str(err.value)
    assert message in text and "\n" not in text


def test_no_intervention_is_an_error(model):
    with pytest.raises(ConfigError, match="intervention is empty"):
        interventions_from_config({}, nights=NIGHTS, model=model)
