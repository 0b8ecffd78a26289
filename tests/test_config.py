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
            "model.prevalence.pad_spectrum_shares.critical=1.5",
            "model.prevalence.pad_spectrum_shares.critical",
            "[0, 1]",
        ),
        (
            "model.prevalence.pad_spectrum_shares.critical=0.5",
            "model.prevalence.pad_spectrum_shares",
            "sum to 1",
        ),
        (
            "+model.prevalence.pad_spectrum_shares.mild=0.0",
            "model.prevalence.pad_spectrum_shares.mild",
            "is an unknown key (expected one of asymptomatic, atypical, claudication, critical)",
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
        (
            "model.prevalence.co_condition_relative_risk=-1",
            "model.prevalence.co_condition_relative_risk",
            ">= 0",
        ),
        ("model.reporting.own_word_prob=1.5", "model.reporting.own_word_prob", "[0, 1]"),
        ("model.reporting.notice_prob_min=-0.1", "model.reporting.notice_prob_min", "[0, 1]"),
        (
            "+model.reporting.own_words.aching.crawly=0",
            "model.reporting.own_words.aching.crawly",
            "another sensation",
        ),
        (
            "model.reporting.own_words.aching={throbbing:0.5}",
            "model.reporting.own_words.aching",
            "sum to 1",
        ),
        ("cohort.nights=99999", "cohort.nights", "at most 3650"),
        (
            "model.mechanisms.cramps.duration_shape=-1",
            "model.mechanisms.cramps.duration_shape",
            "> 0",
        ),
        ("model.mechanisms.rls.shape_min=0", "model.mechanisms.rls.shape_min", "> 0"),
        ("model.mechanisms.background.rate=-1", "model.mechanisms.background.rate", ">= 0"),
        ("model.mechanisms.rls.urge_to_move=2", "model.mechanisms.rls.urge_to_move", "[0, 1]"),
        ("model.night.wake_threshold=20", "model.night.wake_threshold", "between 1 and 10"),
        ("model.measurements.slr_sensitivity=1.5", "model.measurements.slr_sensitivity", "[0, 1]"),
        (
            "model.latent.abi_pad_range=[0.9,0.2]",
            "model.latent.abi_pad_range",
            "low < high",
        ),
        ("model.day.hot_spell_start_prob=7", "model.day.hot_spell_start_prob", "[0, 1]"),
        (
            "model.mechanisms.fatigue.doms_kernel=[0.5,-1]",
            "model.mechanisms.fatigue.doms_kernel",
            "weights >= 0",
        ),
        (
            "model.mechanisms.fatigue.doms_kernel=[]",
            "model.mechanisms.fatigue.doms_kernel",
            "1 to 62",
        ),
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
        # Size limits: 32-bit patient ids, and a nights table polars can index.
        ("cohort.n=1e15", "cohort.n", "integer >= 1 (in digits"),
        ("cohort.n=5000.0", "cohort.n", "integer >= 1 (in digits"),
        ("cohort.n=3000000000", "cohort.n", "at most 2147483647"),
        ("cohort.n=200000000", "cohort.n * cohort.nights", "<= 4294967295"),
        # Booleans are ints in Python: refused wherever a number is expected.
        ("cohort.cause_mix={rls:true,none:0}", "cohort.cause_mix.rls", "share in [0, 1]"),
        (
            "model.medication.treat_prob.statin=true",
            "model.medication.treat_prob.statin",
            "expected a number",
        ),
        (
            "model.comorbidity.cause_odds_ratios.pad.smoking=true",
            "model.comorbidity.cause_odds_ratios.pad.smoking",
            "a number",
        ),
        (
            "model.medication.dose_mg.statin=[10,true]",
            "model.medication.dose_mg.statin[1]",
            "number",
        ),
        ("model.measurements.lab_cv.ck=inf", "model.measurements.lab_cv.ck", "a finite number"),
        (
            "model.prevalence.fatigue_knots=[[18,nan],[95,0.1]]",
            "model.prevalence.fatigue_knots[0][1]",
            "a finite number",
        ),
        ("model.mechanisms.rls.pain_mean=nan", "model.mechanisms.rls.pain_mean", "a finite number"),
        # The drug-start horizon (a fixed number of days, not the diary length).
        ("model.medication.start_horizon_days=0", "start_horizon_days", "integer >= 1"),
        ("model.medication.start_horizon_days=2.5", "start_horizon_days", "integer >= 1"),
        ("model.medication.start_horizon_days=9999", "start_horizon_days", "at most 3650"),
        # Constants that moved into config (issue 12 item 6).
        ("model.night.sleep_latency_mean_min=0", "model.night.sleep_latency_mean_min", "> 0"),
        (
            "model.night.behaviour_delay_share_range=[0.5,0.1]",
            "model.night.behaviour_delay_share_range",
            "low < high",
        ),
        (
            "model.night.behaviour_delay_share_range=[0.1,1.5]",
            "model.night.behaviour_delay_share_range",
            "shares in [0, 1]",
        ),
        (
            "model.mechanisms.electrolyte.full_deficit.sodium=0",
            "model.mechanisms.electrolyte.full_deficit.sodium",
            "> 0",
        ),
        (
            "model.mechanisms.electrolyte.excitability_max=0",
            "model.mechanisms.electrolyte.excitability_max",
            "> 0",
        ),
        (
            "model.mechanisms.pad.ischaemia_full_ankle_mmhg=120",
            "model.mechanisms.pad.ischaemia_full_ankle_mmhg",
            "below model.mechanisms.pad.ischaemia_free_ankle_mmhg",
        ),
        (
            "model.mechanisms.dehydration.deficit_carryover_elderly_from_age=85",
            "model.mechanisms.dehydration.deficit_carryover_elderly_from_age",
            "below model.mechanisms.dehydration.deficit_carryover_elderly_full_age",
        ),
        (
            "model.mechanisms.pad.pain_ischaemia_boost=-1",
            "model.mechanisms.pad.pain_ischaemia_boost",
            ">= 0",
        ),
        (
            "model.mechanisms.electrolyte.alcohol_potassium_drop_mmol_l=-0.1",
            "model.mechanisms.electrolyte.alcohol_potassium_drop_mmol_l",
            ">= 0",
        ),
        (
            "model.night.sleep_efficiency_range=[0.3,1.2]",
            "model.night.sleep_efficiency_range",
            "shares in [0, 1]",
        ),
        (
            "model.latent.electrolyte_deficit_kind_shares.sodium=0.5",
            "model.latent.electrolyte_deficit_kind_shares",
            "must sum to 1",
        ),
        ("model.latent.rls_severity_shape=[0,3]", "model.latent.rls_severity_shape[0]", "> 0"),
        (
            "model.latent.unaccustomed_exertion_prob_range=[0.2,1.5]",
            "model.latent.unaccustomed_exertion_prob_range",
            "shares in [0, 1]",
        ),
        ("model.latent.bmi_sd_kg_m2=0", "model.latent.bmi_sd_kg_m2", "> 0"),
        (
            "model.latent.fluid_intake_mean_l.low=0",
            "model.latent.fluid_intake_mean_l.low",
            "> 0",
        ),
        (
            "model.medication.culprit_start_window_days.statin=[-7,-42]",
            "model.medication.culprit_start_window_days.statin",
            "low < high",
        ),
        (
            "model.medication.recent_start_from_day=-5000",
            "model.medication.long_term_start_from_day",
            "below model.medication.recent_start_from_day",
        ),
        (
            "model.measurements.order_indication_share.abi=1.5",
            "model.measurements.order_indication_share.abi",
            "[0, 1]",
        ),
        ("model.measurements.ck_log_sd=0", "model.measurements.ck_log_sd", "> 0"),
        ("model.measurements.plm_median_per_h=0", "model.measurements.plm_median_per_h", "> 0"),
        (
            "model.mechanisms.pad.dependent_sleeper_share=1.5",
            "model.mechanisms.pad.dependent_sleeper_share",
            "[0, 1]",
        ),
        (
            "model.prevalence.walking_pain_stenosis=0.95",
            "model.prevalence.walking_pain_stenosis",
            "at most 1",
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


@pytest.mark.parametrize(
    "key",
    [
        "cohort.n",
        "cohort.nights",
        "cohort.seed",
        "cohort.age_min",
        "cohort.age_max",
        "cohort.shard_size",
        "engine.workers",
        "measurements.visit_night",
        "cohort.presenting_none_share",
        "model.prevalence.secondary_cramp_prob.pad",
        "model.mechanisms.medication.drug_ramp_days",
    ],
)
@pytest.mark.parametrize("value", ["true", "nan", "inf", "-inf"])
def test_numbers_refuse_booleans_nan_and_infinity(key: str, value: str) -> None:
    """Every numeric key validate reads: a boolean, NaN or an infinity is one line naming
    the key. (Keys typed float refuse a boolean when Hydra composes, before validate.)"""
    from hydra.errors import ConfigCompositionException

    try:
        cfg = compose_config([f"{key}={value}"])
    except ConfigCompositionException:
        assert value == "true" and key in (
            "cohort.presenting_none_share",
            "model.mechanisms.medication.drug_ramp_days",
        )
        return
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{key}=") and "expected" in message, message


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("+cohort.nn=5", "cohort.nn is an unknown key: did you mean cohort.n? (expected one of n,"),
        ("+engine.wrokers=2", "engine.wrokers is an unknown key: did you mean engine.workers?"),
        ("+measurements.visit=3", "did you mean measurements.visit_night?"),
        (
            "+model.mechanisms.medication.drug_ramp_day=3",
            "did you mean model.mechanisms.medication.drug_ramp_days?",
        ),
        ("+model.mechanisms.rlss.rate=1", "model.mechanisms.rlss is an unknown key: did you mean"),
        ("+model.mechanisms.rls.pain_means=3", "did you mean model.mechanisms.rls.pain_mean?"),
        ("+model.nigth.rls=3", "did you mean model.night?"),
        (
            "+model.medication.treat_prob.statins=0.3",
            "did you mean model.medication.treat_prob.statin?",
        ),
        ("+outt=x", "outt is an unknown key: did you mean out?"),
        (
            "+model.mechanisms.electrolyte.full_deficit.zinc=1",
            "model.mechanisms.electrolyte.full_deficit.zinc is an unknown key",
        ),
        (
            "+model.mechanisms.rls.zzz=1",
            "model.mechanisms.rls.zzz is an unknown key (expected a field of",
        ),
    ],
)
def test_unknown_key_names_it_and_the_closest_valid_one(override: str, message: str) -> None:
    """A key added with ``+`` that no config field declares would be ignored: refused."""
    with pytest.raises(ConfigError) as err:
        validate(compose_config([override]))
    assert "\n" not in str(err.value) and message in str(err.value), str(err.value)


@pytest.mark.parametrize(
    ("config_name", "overrides"),
    [
        ("generate", ["engine=events"]),
        ("triage", ["triage=[clinical_pathway,symptoms_only]"]),
        ("benchmark", ["noise=high"]),
        ("learning_curves", []),
        ("demo", []),
        ("timeline", []),
        ("intervene", ["policy=symptoms_then_treat", "placebo_arm=true"]),
    ],
)
def test_every_shipped_config_has_only_known_keys(config_name: str, overrides: list[str]) -> None:
    """The key check accepts every file under conf/ (the classifier and triage tables are
    open in their names; a classifier entry takes the fields of ClassifierConfig)."""
    import sim.timeline  # noqa: F401  (registers the timeline's structured config)

    validate(compose_config(overrides, config_name=config_name))


def test_the_rng_block_is_the_configs_block() -> None:
    """``cohort.shard_size`` is checked against ``sim.config.BLOCK`` (config imports no RNG);
    the streams cut blocks of ``sim.rng.BLOCK``: one number."""
    import sim.config
    import sim.rng

    assert sim.rng.BLOCK == sim.config.BLOCK
