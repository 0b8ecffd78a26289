"""Config composition and validation: presets compose; bad values give one clear line.

The cases here are checked in-process (composing a config costs about 0.4 s); the cases of
the issue (cohort.n=-1, cohort.n=abc, an unknown population, a mix not summing to 1, an
unknown cause, a probability above 1, an unwritable out) run through the real command in
``tests/test_cli.py``.
"""

from __future__ import annotations

import pytest

from sim.config import ConfigError, compose_config, validate


@pytest.mark.parametrize("preset", ["default", "presenting", "balanced"])
def test_cohort_presets_validate(preset: str) -> None:
    cohort = validate(compose_config([f"cohort={preset}"]))
    assert cohort.n > 0 and cohort.population in ("general", "presenting")


def test_mapping_mix_is_parsed() -> None:
    cohort = validate(compose_config(["cohort.cause_mix={rls:0.5,none:0.5}"]))
    assert cohort.cause_mix == {"rls": 0.5, "none": 0.5}


@pytest.mark.parametrize(
    ("override", "key", "allowed"),
    [
        ("cohort.n=2.5", "cohort.n", "integer >= 1"),
        ("cohort.nights=0", "cohort.nights", "integer >= 1"),
        ("cohort.seed=-1", "cohort.seed", "integer >= 0"),
        ("cohort.cause_mix=skewed", "cohort.cause_mix", "balanced"),
        ("cohort.cause_mix={rls:1.5,pad:-0.5}", "cohort.cause_mix.rls", "[0, 1]"),
        ("cohort.age_min=60", "cohort.age_min", "age_min <= age_max"),
        ("cohort.age_max=99", "cohort.age_max", "<= 95"),
        ("cohort.shard_size=10000", "cohort.shard_size", "multiple of 8192"),
        ("cohort.presenting_none_share=1.2", "cohort.presenting_none_share", "[0, 1]"),
        ("engine.workers=-3", "engine.workers", "integer >= 0"),
        (
            "model.prevalence.pad_symptomatic_share=1.5",
            "model.prevalence.pad_symptomatic_share",
            "[0, 1]",
        ),
        (
            "model.prevalence.pad_abi_knots=[[18,0.1],[95,1.2]]",
            "model.prevalence.pad_abi_knots",
            "[0, 1]",
        ),
        (
            "model.prevalence.secondary_cramp_prob.pad=2",
            "model.prevalence.secondary_cramp_prob.pad",
            "[0, 1]",
        ),
        ("cohort.nights=99999", "cohort.nights", "at most 3650"),
        ("model.night.cramps.duration_shape=-1", "model.night.cramps.duration_shape", "> 0"),
        ("model.night.rls.shape_min=0", "model.night.rls.shape_min", "> 0"),
        ("model.night.background_rate=-1", "model.night.background_rate", ">= 0"),
        ("model.night.rls.urge_to_move=2", "model.night.rls.urge_to_move", "[0, 1]"),
        ("model.night.wake_threshold=20", "model.night.wake_threshold", "between 1 and 10"),
        ("model.measurements.slr_sensitivity=1.5", "model.measurements.slr_sensitivity", "[0, 1]"),
        (
            "model.latent.abi_pad_symptomatic_range=[0.9,0.2]",
            "model.latent.abi_pad_symptomatic_range",
            "low < high",
        ),
        ("model.day.hot_spell_start_prob=7", "model.day.hot_spell_start_prob", "[0, 1]"),
        ("model.day.doms_kernel=[0.5,-1]", "model.day.doms_kernel", "weights >= 0"),
        ("model.day.doms_kernel=[]", "model.day.doms_kernel", "1 to 62"),
        (
            "model.prevalence.fatigue_knots=[[40,0.1],[20,0.1]]",
            "model.prevalence.fatigue_knots",
            "increasing ages",
        ),
        (
            "model.comorbidity.cause_odds_ratios.pad.smoking=0",
            "model.comorbidity.cause_odds_ratios.pad.smoking",
            "> 0",
        ),
    ],
)
def test_bad_value_names_key_and_what_is_allowed(override: str, key: str, allowed: str) -> None:
    overrides = [override]
    if override.startswith("cohort.age_min"):
        overrides.append("cohort.age_max=50")
    with pytest.raises(ConfigError) as err:
        validate(compose_config(overrides))
    message = str(err.value)
    assert "\n" not in message
    assert key in message and allowed in message, message
