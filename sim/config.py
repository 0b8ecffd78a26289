"""Structured configuration: one dataclass per Hydra config group, registered in a ConfigStore.

Usage::

    from sim.config import compose_config
    cfg = compose_config(["cohort.n=1000", "cohort.population=presenting"])
    cohort = sim.config.validate(cfg)

Every model parameter lives here with a docstring giving its meaning, unit and source
(a DOMAIN.md citation, or "assumption"). YAML files under ``conf/`` select presets; the
defaults below are the calibrated model.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

CAUSES: tuple[str, ...] = (
    "rls",
    "pad",
    "cramps",
    "fatigue",
    "dehydration",
    "nerve",
    "medication",
    "electrolyte",
    "venous",
    "stenosis",
)
"""The root causes, in a fixed order used for codes and plots (the article's eight, then
chronic venous disease and lumbar spinal stenosis, issue 13)."""

LABELS: tuple[str, ...] = (*CAUSES, "none")
"""Every value ``primary_cause`` can take."""

POPULATIONS = ("general", "presenting")
ENGINES = ("vectorised", "events")
MEASUREMENT_ORDERS = ("clinic", "all")
MAX_NIGHTS = 3650
"""Longest diary (10 years): night numbers and drug start days are 16-bit in the tables."""
MAX_PATIENTS = 2**31 - 1
"""Largest cohort: patient ids 0..n-1 are 32-bit signed integers in the tables."""
BLOCK = 8192
"""Patients per RNG block (``sim.rng``); shards are whole blocks, so ``cohort.shard_size``
must be a multiple. Lives here, at the bottom of the layers, so validation needs no RNG."""
MAX_PATIENT_NIGHTS = 2**32 - 1
"""Largest ``cohort.n * cohort.nights``: the rows polars can index in one frame (its
standard build counts rows in 32 bits), as ``read_table(out, "nights")`` and
``simulate_cohort`` hold the whole nights table."""
MIX_PRESETS = ("population", "balanced")
CONF_DIR = Path(__file__).resolve().parent.parent / "conf"


class Params(dict):
    """A plain (resolved, validated) config block with attribute access: ``p.day.fluid_need_l``.

    Shard workers read parameters millions of times; an OmegaConf node costs microseconds
    per read and building one from a dict costs about 0.1 s, a ``Params`` neither.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def of(cls, value: Any) -> Any:
        """``value`` with every nested dict turned into ``Params`` (lists kept as lists)."""
        if isinstance(value, dict):
            return cls({k: cls.of(v) for k, v in value.items()})
        if isinstance(value, list):
            return [cls.of(v) for v in value]
        return value


class ConfigError(ValueError):
    """A user-facing configuration problem: the message names the key and what is allowed."""


# --------------------------------------------------------------------------------------
# cohort/
# --------------------------------------------------------------------------------------
@dataclass
class CohortConfig:
    """Who is simulated and for how long."""

    n: Any = 5000
    """Number of patients (positive integer)."""
    nights: Any = 28
    """Nights of diary per patient (positive integer)."""
    seed: Any = 0
    """Master seed; same config and seed give bit-identical output."""
    population: str = "general"
    """``general`` (adults as in the community) or ``presenting`` (people who consult with
    nocturnal leg pain; all have a cause except ``presenting_none_share``)."""
    cause_mix: Any = "population"
    """``population`` (as calibrated), ``balanced`` (equal shares over the ten causes and
    none) or a mapping cause -> share that sums to 1."""
    presenting_none_share: float = 0.08
    """Share of presenting patients with no identifiable cause (harmless aches).
    Assumption: a small residual group in primary-care series."""
    age_min: Any = 18
    """Youngest age in years (inclusive, at least 18)."""
    age_max: Any = 95
    """Oldest age in years (inclusive, at most 95)."""
    shard_size: Any = 65536
    """Patients per shard (a multiple of the RNG block size, 8192). Memory is bounded by
    the shard, not the cohort."""


# --------------------------------------------------------------------------------------
# model/: every model parameter, grouped by concept
# --------------------------------------------------------------------------------------
@dataclass
class DemographyParams:
    """Age and sex structure of the adult population."""

    age_plateau_until: float = 58.0
    """Age (years) up to which each year of age has equal weight. Assumption, shaped like a
    high-income population pyramid."""
    age_decline_years: float = 16.0
    """e-folding (years) of the population weight above the plateau. Assumption."""
    female_share_young: float = 0.50
    """Share of women at age 18. Assumption (census-like)."""
    female_share_old: float = 0.62
    """Share of women at age 95. Assumption (women live longer)."""


PAD_SPECTRUM = ("asymptomatic", "atypical", "claudication", "critical")
"""Stages of PAD among people with ABI <= 0.90 (``pad_stage`` adds ``none``)."""
WALKING_PAIN = ("none", "atypical", "claudication")
"""Answers of the walking history (``walking_leg_pain``, Edinburgh-style)."""


@dataclass
class PrevalenceParams:
    """Primary-cause prevalence in the general adult population by age and sex.

    Curves are piecewise linear in age through ``(age, value)`` knots.
    """

    rls_men_knots: list = field(
        default_factory=lambda: [[18, 0.014], [40, 0.022], [60, 0.030], [80, 0.038], [95, 0.040]]
    )
    """Men's share with restless legs as root cause (clinically relevant, weekly symptoms).
    Calibrated so that all-adult weekly prevalence is near 5% (Allen 2005, REST) and rises
    with age (Berger 2004)."""
    rls_female_odds_ratio: float = 2.0
    """Odds ratio women vs men for restless legs (Berger 2004: about 2x). **target** 1.5-2.5."""
    pad_abi_knots: list = field(
        default_factory=lambda: [
            [18, 0.004],
            [30, 0.012],
            [40, 0.035],
            [47, 0.0535],
            [52, 0.060],
            [57, 0.069],
            [62, 0.080],
            [67, 0.094],
            [72, 0.112],
            [77, 0.135],
            [82, 0.160],
            [87, 0.186],
            [95, 0.200],
        ]
    )
    """Prevalence of ABI <= 0.90 by age (both sexes). Fowkes 2013, high-income countries:
    5.3-5.4% at 45-49 and 18.4-18.8% at 85-89; the bands between are interpolated
    (assumption: smooth rise), below 45 extrapolated downwards (assumption)."""
    pad_spectrum_shares: dict = field(
        default_factory=lambda: {
            "asymptomatic": 0.36,
            "atypical": 0.45,
            "claudication": 0.177,
            "critical": 0.013,
        }
    )
    """The PAD spectrum: shares of people with ABI <= 0.90 who are asymptomatic, have
    atypical exertional leg pain, classic intermittent claudication, or critical
    limb-threatening ischaemia (TASC II 2007, ACC/AHA: 20-50%, 40-50%, 10-35%, 1-2%).
    Only critical ischaemia (ankle below 50 mmHg) hurts at night (``pad`` as a cause);
    ``critical`` is the share the primary-cause curve uses, and critical ischaemia as a
    co-condition of another cause adds to it (measured 1.5% of ABI <= 0.90 in the general
    population, tests/model/test_pad_spectrum.py). The other stages are a daytime walking
    history (``walking_leg_pain``), not a night symptom."""
    venous_men_knots: list = field(
        default_factory=lambda: [[18, 0.006], [40, 0.015], [60, 0.03], [80, 0.045], [95, 0.05]]
    )
    """Men's share whose night leg aches come from chronic venous disease (its cause).
    Assumption, chosen well below the share with venous disease: in the Bonn Vein Study
    (Rabe 2003) 14% had varicose veins, 13% oedema and 3.6% skin changes, most of them
    without night pain; rising with age as venous disease does."""
    venous_female_odds_ratio: float = 1.4
    """Odds ratio women vs men for symptomatic venous disease (leg heaviness and aching are
    reported more by women, Edinburgh Vein Study). Assumption on the size."""
    stenosis_knots: list = field(
        default_factory=lambda: [
            [18, 0.0005],
            [40, 0.003],
            [50, 0.008],
            [60, 0.016],
            [70, 0.026],
            [80, 0.034],
            [95, 0.038],
        ]
    )
    """Share whose night leg aches come from lumbar spinal stenosis (its cause), both sexes.
    Assumption, chosen well below the share with symptomatic stenosis (about 9% of adults
    over 40 in the Wakayama Spine Study, Ishimoto 2012, rising with age), most of whom
    have neurogenic claudication by day without night pain."""
    walking_pain_stenosis: float = 0.75
    """Share of people with lumbar spinal stenosis (the cause) with leg pain on walking
    that the questionnaire calls atypical (eased by sitting or bending forward, not by
    standing still: neurogenic claudication). Assumption."""
    walking_pain_stenosis_claudication: float = 0.12
    """Share of people with lumbar spinal stenosis (the cause) whose walking pain meets the
    classic claudication criteria (calf pain eased within minutes of standing still):
    neurogenic claudication mimicking vascular claudication; with ``walking_pain_stenosis``
    at most 1 (the rest give no walking history). Assumption."""
    leg_swelling_knots: list = field(
        default_factory=lambda: [[18, 0.03], [60, 0.08], [80, 0.15], [95, 0.2]]
    )
    """Share with legs that swell by evening without venous disease (heart failure, drugs,
    obesity, standing) by age. Assumption."""
    leg_swelling_venous: float = 0.7
    """Share of people with symptomatic venous disease whose legs swell by evening
    (oedema, CEAP C3, is common in symptomatic disease). Assumption."""
    leg_swelling_ckd: float = 0.25
    """Added share with chronic kidney disease (fluid retention). Assumption."""
    leg_swelling_critical: float = 0.4
    """Share with critical ischaemia whose foot swells (they sleep with it hanging down).
    Assumption."""
    walking_pain_atypical_knots: list = field(
        default_factory=lambda: [[18, 0.03], [50, 0.07], [70, 0.13], [95, 0.18]]
    )
    """Share of people without PAD with atypical exertional leg pain (pain on walking
    that is not classic claudication: arthritis, spinal stenosis, venous disease) by age.
    Assumption."""
    walking_pain_claudication_false_positive: float = 0.007
    """Share of people without claudicating PAD who still give a classic claudication
    history (the Edinburgh Claudication Questionnaire's specificity 99.3%, Leng & Fowkes
    1992)."""
    walking_pain_claudication_sensitivity: float = 0.91
    """Share of people with claudication who give the classic history (the Edinburgh
    questionnaire's sensitivity 91.3%, Leng & Fowkes 1992); the rest give an atypical one."""
    walking_pain_critical_claudication: float = 0.6
    """Share of people with critical ischaemia who give a claudication history; the rest
    walk too little to claudicate or have no warning stage (diabetes, neuropathy).
    Assumption."""
    walking_pain_nerve: float = 0.35
    """Share of people with a compressed lumbar nerve root with leg pain on walking
    (atypical for claudication). Assumption."""
    cramps_any_knots: list = field(
        default_factory=lambda: [
            [18, 0.10],
            [35, 0.17],
            [50, 0.27],
            [60, 0.33],
            [70, 0.41],
            [80, 0.50],
            [88, 0.57],
            [95, 0.60],
        ]
    )
    """Prevalence of nocturnal leg cramps from any mechanism by age. UK survey: 37% of
    over-50s, 54% of over-80s, no clear sex difference. **target**."""
    fatigue_knots: list = field(
        default_factory=lambda: [[18, 0.060], [40, 0.045], [60, 0.030], [80, 0.018], [95, 0.012]]
    )
    """Share whose night aches are exertion-related muscle fatigue (DOMS). Assumption:
    commoner in the young and active."""
    dehydration_knots: list = field(
        default_factory=lambda: [[18, 0.010], [50, 0.014], [70, 0.028], [95, 0.050]]
    )
    """Share whose night aches follow dehydration. Assumption: elderly with low thirst."""
    nerve_knots: list = field(
        default_factory=lambda: [[18, 0.012], [45, 0.035], [60, 0.040], [95, 0.030]]
    )
    """Share with nerve compression (sciatica, peroneal) as the cause. Assumption: peaks in
    middle age with lumbar disc disease."""
    electrolyte_knots: list = field(
        default_factory=lambda: [[18, 0.004], [50, 0.008], [70, 0.018], [95, 0.035]]
    )
    """Share with a non-drug electrolyte imbalance (kidney, alcohol, gut losses) as the
    cause. Assumption; older outpatients: low sodium 11.2%, low magnesium 9.1%, mostly
    without leg symptoms."""
    secondary_cramp_prob: dict = field(
        default_factory=lambda: {
            "pad": 0.55,
            "electrolyte": 0.75,
            "medication": 0.35,
            "dehydration": 0.55,
            "fatigue": 0.30,
            "nerve": 0.20,
            "rls": 0.15,
            "venous": 0.25,
            "stenosis": 0.35,
        }
    )
    """Probability that cramps contribute when another cause is primary. Assumption,
    ordered by the DOMAIN.md mechanisms (PAD cramps odds ratio 2.9; diuretic and
    electrolyte cramps)."""
    diuretic_cramp_prob: float = 0.8
    """Probability that a patient whose diuretic is the cause also has cramps, on top of
    ``secondary_cramp_prob.medication``. Assumption (the low K and Mg excite motor nerves,
    DOMAIN.md)."""
    dehydration_electrolyte_prob: float = 0.25
    """Probability that dehydration as the cause shifts electrolytes enough to contribute.
    Assumption."""
    painful_neuropathy_given_diabetes: float = 0.21
    """Share of people with diabetes who have painful diabetic neuropathy (Abbott 2011: 21%
    in a community cohort of 15,692; **target** 21% +- 5 points). Those whose only condition
    it would be have it as their primary cause (``nerve``, no compression); others have it
    as a co-condition. Men's share; women's from the odds ratio below. Measured with the
    burden rule (general population, 50,000, seed 6): 19.6% of people with diabetes (women
    21.3%, men 17.3%)."""
    painful_neuropathy_female_odds_ratio: float = 1.5
    """Odds ratio women vs men for painful diabetic neuropathy (Abbott 2011: 1.5)."""
    painless_neuropathy_given_diabetes: float = 0.25
    """Share of people with diabetes but no painful neuropathy whose feet are numb from a
    painless diabetic neuropathy (``painless_neuropathy``, truth). Assumption: neuropathy
    is found in about half of people with diabetes and most of it does not hurt (Abbott
    2011: 21% painful). Their numb feet are noted on nights with leg pain of any cause
    (``model.mechanisms.nerve.painless_numbness_per_night``), a look-alike of nerve
    compression and painful neuropathy (DOMAIN.md: numbness is not owned by one cause)."""
    neuropathy_heavier_share: float = 0.8
    """Share of people with diabetes, painful neuropathy and another cause in whom the
    neuropathy carries more burden than that cause, so that it is their primary cause (the
    rule of ``primary_cause``). Measured: with neuropathy drawn as a co-condition from its
    own risk, the burden rule drops about 80% of them (general population, seed 6). The
    primary cause table moves that share from the other causes to nerve, so that about 21%
    of people with diabetes have it (tests/model/test_co_conditions.py)."""
    co_condition_relative_risk: float = 1.0
    """How likely a patient with one cause is to have another as a co-condition, relative
    to that cause's own probability at their age, sex and risk factors (its prevalence
    curve here, shifted by ``comorbidity.cause_odds_ratios``; for PAD, the symptomatic share
    of a low ABI; for a drug, its ``medication.causal_prob``). 1 means the conditions are
    independent given those risks; 0 leaves only the causal links. Assumption: 1."""


@dataclass
class ComorbidityParams:
    """Background prevalence of comorbidities and lifestyle by age and sex, and the odds
    ratios that tie them to each cause (all assumptions unless a source is named)."""

    diabetes_knots: list = field(
        default_factory=lambda: [[18, 0.01], [40, 0.05], [60, 0.14], [75, 0.21], [95, 0.20]]
    )
    """Diabetes prevalence by age. Assumption (high-income adult figures)."""
    hypertension_knots: list = field(
        default_factory=lambda: [[18, 0.04], [40, 0.18], [60, 0.45], [75, 0.65], [95, 0.72]]
    )
    """Hypertension prevalence by age. Assumption."""
    hypercholesterolaemia_knots: list = field(
        default_factory=lambda: [[18, 0.04], [40, 0.20], [60, 0.42], [75, 0.52], [95, 0.45]]
    )
    """Treated-range hypercholesterolaemia by age. Assumption."""
    depression_knots: list = field(default_factory=lambda: [[18, 0.10], [50, 0.09], [95, 0.08]])
    """Depression prevalence by age (men; women x ``depression_female_or``). Assumption."""
    depression_female_or: float = 1.8
    """Odds ratio women vs men for depression. Assumption."""
    osteoporosis_women_knots: list = field(
        default_factory=lambda: [[18, 0.002], [50, 0.03], [65, 0.12], [80, 0.30], [95, 0.40]]
    )
    """Osteoporosis in women by age (men x ``osteoporosis_male_or``). Assumption."""
    osteoporosis_male_or: float = 0.25
    """Odds ratio men vs women for osteoporosis. Assumption."""
    ckd_knots: list = field(
        default_factory=lambda: [[18, 0.01], [40, 0.03], [60, 0.10], [80, 0.28], [95, 0.35]]
    )
    """Chronic kidney disease (stage 3+) by age. Assumption."""
    hypothyroidism_women_knots: list = field(
        default_factory=lambda: [[18, 0.02], [50, 0.06], [95, 0.10]]
    )
    """Hypothyroidism in women by age (men x ``hypothyroidism_male_or``). Assumption."""
    hypothyroidism_male_or: float = 0.2
    """Odds ratio men vs women for hypothyroidism. Assumption."""
    iron_deficiency_women_knots: list = field(
        default_factory=lambda: [[18, 0.12], [48, 0.10], [55, 0.04], [95, 0.05]]
    )
    """Iron deficiency in women by age (men x ``iron_deficiency_male_or``). Assumption."""
    iron_deficiency_male_or: float = 0.25
    """Odds ratio men vs women for iron deficiency. Assumption."""
    disc_disease_knots: list = field(
        default_factory=lambda: [[18, 0.03], [40, 0.10], [60, 0.18], [95, 0.20]]
    )
    """Symptomatic lumbar disc disease by age. Assumption."""
    smoking_knots: list = field(
        default_factory=lambda: [[18, 0.16], [45, 0.18], [70, 0.10], [95, 0.04]]
    )
    """Current smoking by age. Assumption."""
    heavy_alcohol_knots: list = field(default_factory=lambda: [[18, 0.09], [50, 0.08], [95, 0.03]])
    """Heavy alcohol use (over 14 units a week) by age. Assumption."""
    family_history_rls: float = 0.12
    """Background share with a first-degree relative with restless legs. Assumption."""
    cause_odds_ratios: dict = field(
        default_factory=lambda: {
            "pad": {
                "smoking": 3.0,
                "diabetes": 2.0,
                "hypertension": 1.5,
                "hypercholesterolaemia": 1.6,
                "ckd": 1.6,
            },
            "rls": {"iron_deficiency": 3.5, "family_history_rls": 5.0, "ckd": 1.8},
            "nerve": {"disc_disease": 12.0, "diabetes": 1.6},
            "electrolyte": {"ckd": 3.5, "heavy_alcohol": 3.0},
            "dehydration": {"heavy_alcohol": 2.0, "ckd": 1.4},
            "cramps": {"hypothyroidism": 1.4},
            "stenosis": {"disc_disease": 3.0},
        }
    )
    """Odds ratio of each risk factor given the primary cause, relative to the background
    (Fowkes 2013 names smoking and diabetes as the main PAD risks; family history common in
    RLS; disc disease in sciatica). Values are assumptions."""


@dataclass
class MedicationParams:
    """Who takes which drug, and how often the drug is the cause of the night pain."""

    treat_prob: dict = field(
        default_factory=lambda: {
            "statin": 0.60,
            "thiazide": 0.28,
            "loop_diuretic": 0.25,
            "potassium_sparing": 0.05,
            "ssri": 0.45,
            "mirtazapine": 0.08,
            "bisphosphonate": 0.45,
        }
    )
    """Probability a patient with the indication takes the drug (statin: hypercholesterol-
    aemia; thiazide and potassium-sparing: hypertension; loop diuretic: kidney disease;
    SSRI and mirtazapine: depression; bisphosphonate: osteoporosis). Assumption."""
    causal_prob: dict = field(
        default_factory=lambda: {
            "statin": 0.03,
            "thiazide": 0.07,
            "loop_diuretic": 0.08,
            "potassium_sparing": 0.06,
            "ssri": 0.09,
            "mirtazapine": 0.28,
            "bisphosphonate": 0.05,
        }
    )
    """Probability that a user's nocturnal leg pain is caused by the drug. SSRI 9% and
    mirtazapine 28% (Rottach 2008); statin 3%, so that about 1 in 15 statin users with
    night pain has it from the statin (CTT 2022; about 45% of statin users have a cause,
    checked in tests/model/test_calibration.py); thiazide from 12.6% hypokalaemia
    (Rodenburg 2014) of whom about half cramp (assumption); loop and potassium-sparing
    diuretics from sequence ratios (Garrison 2012; assumption); bisphosphonate from the
    19.9% vs 4.7% musculoskeletal excess after zoledronic acid, diluted by oral users
    (assumption)."""
    recent_start_share: float = 0.12
    """Share of non-causal users who started the drug recently (from
    ``recent_start_from_day`` to ``start_horizon_days``), so a recent start is a clue, not
    a giveaway. Assumption."""
    recent_start_from_day: float = -60
    """Earliest start day of a recent start (days; day 0 = the first diary night); the other
    users started between ``long_term_start_from_day`` and this day. Assumption."""
    long_term_start_from_day: float = -3650
    """Earliest start day of a long-term user (days; about ten years before). Assumption."""
    culprit_start_window_days: dict = field(
        default_factory=lambda: {
            "statin": [-42, -7],
            "thiazide": [-10, 10],
            "loop_diuretic": [-10, 10],
            "potassium_sparing": [-10, 10],
            "ssri": [-5, 14],
            "mirtazapine": [-5, 14],
            "bisphosphonate": [-3, 18],
        }
    )
    """Start-day window (uniform, days; day 0 = the first diary night) of a drug that is the
    cause, so that its effect shows in the diary: statin myalgia 4-6 weeks after the start,
    diuretic potassium falls over days, SSRI restless legs in the first days, the
    bisphosphonate acute-phase reaction after a dose (DOMAIN.md); the windows themselves
    are assumptions, cut at ``start_horizon_days``."""
    start_horizon_days: Any = 28
    """Drugs start before this day (day 0 = the first diary night): recent starts fall in
    [``recent_start_from_day``, horizon) and a culprit starts so that its effect can begin
    before the horizon.
    A fixed number, not ``cohort.nights``, so that a patient's first nights do not depend
    on the diary length (docs/how-to-generate.md). Assumption: 28, the default four-week
    diary; in a shorter diary some drugs start after its last night, in a longer one none
    start after the horizon."""
    dose_mg: dict = field(
        default_factory=lambda: {
            "statin": [10.0, 20.0, 40.0, 80.0],
            "thiazide": [12.5, 25.0],
            "loop_diuretic": [20.0, 40.0, 80.0],
            "potassium_sparing": [25.0, 50.0],
            "ssri": [10.0, 20.0, 40.0],
            "mirtazapine": [15.0, 30.0],
            "bisphosphonate": [5.0, 70.0],
        }
    )
    """Dose levels (mg; bisphosphonate 5 mg = yearly zoledronic acid infusion, 70 mg =
    weekly oral alendronate), drawn with equal weight. Assumption."""


@dataclass
class LatentParams:
    """Per-patient latent physiology (ground truth) given cause and risk factors."""

    brachial_sbp_mean_mmhg: float = 128.0
    """Mean brachial systolic pressure (mmHg) without hypertension. Assumption."""
    brachial_sbp_hypertension_mmhg: float = 14.0
    """Added systolic pressure (mmHg) with hypertension. Assumption."""
    brachial_sbp_sd_mmhg: float = 12.0
    """Between-person SD of systolic pressure (mmHg). Assumption."""
    abi_normal_mean: float = 1.10
    """Mean ABI without PAD (AHA/ACC 2016 normal band 1.00-1.40)."""
    abi_normal_sd: float = 0.07
    """SD of ABI without PAD. Assumption."""
    abi_noncompressible_prob_diabetes_ckd: float = 0.06
    """Chance of ABI above 1.40 (non-compressible) with diabetes or kidney disease.
    Assumption."""
    abi_pad_range: list = field(default_factory=lambda: [0.30, 0.90])
    """ABI range of PAD short of critical ischaemia, drawn with ``abi_pad_shape``. A few
    (3%) have an ankle pressure below 50 mmHg without rest pain: haemodynamics and symptoms
    do not match one to one (collaterals, inactivity, a neuropathy that masks the pain), so
    a very low ABI does not by itself make critical ischaemia. Assumption."""
    abi_pad_shape: list = field(default_factory=lambda: [2.0, 1.2])
    """Kumaraswamy(a, b) shape on ``abi_pad_range``: most between 0.6 and 0.9. Assumption."""
    critical_ankle_mmhg_range: list = field(default_factory=lambda: [20.0, 50.0])
    """Ankle systolic pressure (mmHg, uniform) in critical limb ischaemia: below the 50 mmHg
    rest-pain limit (DOMAIN.md). Assumption for the lower end."""
    abi_noncompressible_range: list = field(default_factory=lambda: [1.41, 1.7])
    """ABI range of non-compressible arteries (uniform; above the 1.40 limit, AHA/ACC
    2016). Assumption."""
    potassium_mean_mmol_l: float = 4.2
    """Mean serum potassium (normal 3.5-5.0 mmol/L)."""
    potassium_sd_mmol_l: float = 0.28
    """Between-person SD of potassium. Assumption."""
    magnesium_mean_mmol_l: float = 0.84
    """Mean serum magnesium (normal 0.70-1.00 mmol/L)."""
    magnesium_sd_mmol_l: float = 0.075
    """Between-person SD of magnesium; with the age shift gives about 9% low in older
    outpatients (DOMAIN.md 9.1%)."""
    magnesium_age_slope_per_decade: float = -0.012
    """Change in mean magnesium per decade above 50 (mmol/L). Assumption."""
    calcium_mean_mmol_l: float = 2.35
    """Mean total calcium (normal 2.1-2.6 mmol/L)."""
    calcium_sd_mmol_l: float = 0.08
    """Between-person SD of calcium. Assumption."""
    sodium_mean_mmol_l: float = 140.0
    """Mean serum sodium (normal 135-145 mmol/L)."""
    sodium_sd_mmol_l: float = 2.4
    """Between-person SD of sodium. Assumption."""
    sodium_age_slope_per_decade: float = -0.6
    """Change in mean sodium per decade above 50 (mmol/L); with the SD gives about 11% low
    in older outpatients (DOMAIN.md 11.2%)."""
    potassium_baseline_range: list = field(default_factory=lambda: [3.1, 5.4])
    """Clip of the background baseline potassium (mmol/L). Assumption."""
    magnesium_baseline_range: list = field(default_factory=lambda: [0.52, 1.15])
    """Clip of the background baseline magnesium (mmol/L). Assumption."""
    calcium_baseline_range: list = field(default_factory=lambda: [2.02, 2.7])
    """Clip of the background baseline total calcium (mmol/L). Assumption."""
    sodium_baseline_range: list = field(default_factory=lambda: [126, 148])
    """Clip of the background baseline sodium (mmol/L). Assumption."""
    electrolyte_severe_share: float = 0.12
    """Share of electrolyte-cause patients whose imbalance is in the urgent band (K < 3.0,
    Na <= 120, K >= 6.0, Na >= 150 or Ca >= 3.0). Assumption."""
    electrolyte_deficit_kind_shares: dict = field(
        default_factory=lambda: {
            "potassium": 0.31,
            "magnesium": 0.27,
            "sodium": 0.19,
            "calcium": 0.08,
            "potassium_high": 0.08,
            "calcium_high": 0.04,
            "sodium_high": 0.03,
        }
    )
    """Which electrolyte is out of range in a patient with an electrolyte imbalance (shares
    summing to 1): low potassium, magnesium, sodium or calcium, or high potassium (kidney
    disease, drugs that keep potassium), calcium (hyperparathyroidism, malignancy) or
    sodium (water loss without enough drinking: old age, a poor sense of thirst).
    Assumption (older outpatients: low sodium 11.2%, low magnesium 9.1%, DOMAIN.md;
    thiazides and alcohol lower potassium; the high values are the rarer)."""
    potassium_excess_range: list = field(default_factory=lambda: [5.1, 5.95])
    """Baseline potassium of a high-potassium imbalance, mild to moderate (uniform,
    mmol/L; above the 5.0 limit, DOMAIN.md). Assumption."""
    potassium_excess_severe_range: list = field(default_factory=lambda: [6.0, 6.8])
    """Baseline potassium of a severe one (urgent at 6.0 or more, DOMAIN.md). Assumption."""
    calcium_excess_range: list = field(default_factory=lambda: [2.65, 2.95])
    """Baseline total calcium of a high-calcium imbalance (uniform, mmol/L; above 2.6,
    DOMAIN.md). Assumption."""
    calcium_excess_severe_range: list = field(default_factory=lambda: [3.0, 3.4])
    """Baseline total calcium of a severe one (urgent at 3.0 or more, DOMAIN.md).
    Assumption."""
    potassium_deficit_range: list = field(default_factory=lambda: [3.0, 3.45])
    """Baseline potassium of a low-potassium deficit, mild to moderate (uniform, mmol/L;
    DOMAIN.md mild band 3.0-3.4). Assumption."""
    potassium_deficit_severe_range: list = field(default_factory=lambda: [2.5, 2.95])
    """Baseline potassium of a severe deficit (uniform, mmol/L; urgent below 3.0,
    DOMAIN.md); severe magnesium and calcium deficits bring it too. Assumption."""
    magnesium_deficit_range: list = field(default_factory=lambda: [0.42, 0.68])
    """Baseline magnesium of a low-magnesium deficit (uniform, mmol/L; low below 0.70,
    DOMAIN.md). Assumption."""
    sodium_deficit_range: list = field(default_factory=lambda: [124, 134])
    """Baseline sodium of a low-sodium deficit, mild to moderate (uniform, mmol/L;
    DOMAIN.md bands 121-134). Assumption."""
    sodium_deficit_severe_range: list = field(default_factory=lambda: [116, 120.5])
    """Baseline sodium of a severe deficit (uniform, mmol/L; urgent at 120 or less,
    DOMAIN.md). Assumption."""
    sodium_excess_range: list = field(default_factory=lambda: [145.5, 149.5])
    """Baseline sodium of a high-sodium imbalance, mild (uniform, mmol/L; above the 145
    limit, DOMAIN.md). Assumption."""
    sodium_excess_severe_range: list = field(default_factory=lambda: [150.0, 157.0])
    """Baseline sodium of a severe one (urgent at 150 or more, DOMAIN.md). Assumption."""
    calcium_deficit_range: list = field(default_factory=lambda: [1.8, 2.08])
    """Baseline total calcium of a low-calcium deficit (uniform, mmol/L; low below 2.1,
    DOMAIN.md). Assumption."""
    diuretic_potassium_target_range: list = field(default_factory=lambda: [2.7, 3.45])
    """Steady-state potassium on a culprit thiazide or loop diuretic (uniform, mmol/L):
    mostly in 2.7-3.4. Assumption (thiazide hypokalaemia, Rodenburg 2014)."""
    diuretic_potassium_min_drop_mmol_l: float = 0.3
    """Smallest steady-state potassium fall on a culprit thiazide or loop diuretic
    (mmol/L). Assumption."""
    potassium_sparing_sodium_target_range: list = field(default_factory=lambda: [124, 133])
    """Steady-state sodium on a culprit potassium-sparing diuretic (uniform, mmol/L).
    Assumption."""
    potassium_sparing_sodium_min_drop_mmol_l: float = 3.0
    """Smallest steady-state sodium fall on a culprit potassium-sparing diuretic (mmol/L).
    Assumption."""
    ferritin_median_men_ug_l: float = 120.0
    """Median ferritin in men (ug/L). Assumption."""
    ferritin_median_women_ug_l: float = 70.0
    """Median ferritin in women (ug/L). Assumption."""
    ferritin_median_iron_deficient_ug_l: float = 18.0
    """Median ferritin with iron deficiency (ug/L). Assumption."""
    ferritin_log_sd: float = 0.55
    """SD of log ferritin. Assumption."""
    ferritin_range: list = field(default_factory=lambda: [3, 1500])
    """Clip of ferritin (ug/L). Assumption."""
    rls_severity_shape: list = field(default_factory=lambda: [2.3, 3.0])
    """Kumaraswamy(a, b) shape of the intrinsic restless-legs severity (0..1) of patients
    with restless legs as the root cause (mean about 0.4). Assumption."""
    rls_peak_clock_h: float = 0.5
    """Clock hour of the restless-legs circadian peak (DOMAIN.md: midnight to 1 am)."""
    rls_peak_sd_h: float = 0.6
    """Between-person SD of the peak clock hour. Assumption."""
    cramp_weekly_rate_median: float = 1.7
    """Median baseline cramp nights a week in sufferers (before tonight's excitability and
    other mechanisms' cramps). Calibrated by simulation so that sufferers' diaries show
    more than 3 cramp nights a week in 40% and daily cramps in 6% (DOMAIN.md); checked by
    tests/model/test_nights_signatures.py."""
    cramp_weekly_rate_log_sd: float = 0.65
    """SD of the log baseline weekly cramp rate in sufferers (see above)."""
    venous_severity_shape: list = field(default_factory=lambda: [2.0, 2.5])
    """Kumaraswamy(a, b) shape of venous-disease severity (0-1) in people with the cause.
    Assumption."""
    stenosis_severity_shape: list = field(default_factory=lambda: [2.0, 2.5])
    """Kumaraswamy(a, b) shape of lumbar spinal stenosis severity (0-1) in people with the
    cause. Assumption."""
    nerve_severity_shape: list = field(default_factory=lambda: [1.9, 2.9])
    """Kumaraswamy(a, b) shape of nerve-compression or neuropathy severity (0..1).
    Assumption."""
    nerve_right_side_share: float = 0.5
    """Share of compressions on the right side (the rest on the left). Assumption."""
    nerve_peroneal_share: float = 0.25
    """Share of compressions at the peroneal nerve (the rest at a lumbar root, sciatica).
    Assumption."""
    bmi_mean_kg_m2: float = 25.5
    """Mean body-mass index at age 18 without diabetes (kg/m2). Assumption."""
    bmi_slope_per_year: float = 0.05
    """Rise in mean BMI per year of age above 18 (kg/m2). Assumption."""
    bmi_diabetes_kg_m2: float = 2.5
    """Added mean BMI with diabetes (kg/m2). Assumption."""
    bmi_sd_kg_m2: float = 4.5
    """Between-person SD of BMI (kg/m2). Assumption."""
    bmi_range: list = field(default_factory=lambda: [16, 55])
    """Clip of BMI (kg/m2). Assumption."""
    activity_high_prob: float = 0.12
    """Chance of a high activity level at age ``activity_age_range[1]`` and above (not a
    fatigue patient). Assumption."""
    activity_high_prob_young_extra: float = 0.15
    """Added chance of high activity at age ``activity_age_range[0]`` and below (linear
    between). Assumption."""
    activity_low_prob: float = 0.20
    """Chance of a low activity level at age ``activity_age_range[0]`` and below (not a
    fatigue patient). Assumption."""
    activity_low_prob_old_extra: float = 0.25
    """Added chance of low activity at age ``activity_age_range[1]`` and above (linear
    between). Assumption."""
    activity_age_range: list = field(default_factory=lambda: [20, 70])
    """Ages (years) between which activity falls from young to old levels. Assumption."""
    activity_high_prob_fatigue: float = 0.65
    """Chance of high activity for a fatigue (exertion) patient. Assumption: the active are
    the ones with DOMS."""
    activity_low_prob_fatigue: float = 0.05
    """Chance of low activity for a fatigue patient. Assumption."""
    low_fluid_prob: float = 0.12
    """Chance of a low fluid-intake habit (not a dehydration patient). Assumption."""
    low_fluid_prob_elderly_extra: float = 0.10
    """Added chance of a low fluid habit above ``low_fluid_elderly_age`` (low thirst in the
    elderly, DOMAIN.md). Assumption."""
    low_fluid_elderly_age: float = 70.0
    """Age (years) above which the low-fluid habit is commoner. Assumption."""
    high_fluid_prob: float = 0.20
    """Chance of a high fluid-intake habit (not a dehydration patient). Assumption."""
    low_fluid_prob_dehydration: float = 0.65
    """Chance of a low fluid habit for a dehydration patient. Assumption."""
    high_fluid_prob_dehydration: float = 0.03
    """Chance of a high fluid habit for a dehydration patient. Assumption."""
    fluid_intake_mean_l: dict = field(
        default_factory=lambda: {"low": 1.35, "normal": 2.2, "high": 2.8}
    )
    """Mean daily drinking (L/day) by fluid-intake habit. Assumption."""
    fluid_intake_decline_l_per_year: float = 0.01
    """Fall in daily drinking per year of age above ``fluid_intake_decline_from_age``
    (L/day). Assumption (low thirst in the elderly)."""
    fluid_intake_decline_from_age: float = 60.0
    """Age (years) from which daily drinking declines. Assumption."""
    fluid_intake_sd_l: float = 0.25
    """Between-person SD of daily drinking within a habit (L/day). Assumption."""
    fluid_intake_range: list = field(default_factory=lambda: [0.5, 4.0])
    """Clip of usual daily drinking (L/day). Assumption."""
    alcohol_units_median: float = 3.0
    """Median alcohol units a week of other adults (lognormal). Assumption."""
    alcohol_units_log_sd: float = 0.9
    """SD of log weekly units of other adults. Assumption."""
    alcohol_units_heavy_median: float = 24.0
    """Median alcohol units a week of heavy drinkers (over 14; lognormal). Assumption."""
    alcohol_units_heavy_log_sd: float = 0.35
    """SD of log weekly units of heavy drinkers. Assumption."""
    exertion_days_base: float = 0.6
    """Mean exertion days a week at a low activity level (not a fatigue patient).
    Assumption."""
    exertion_days_per_activity_level: float = 1.4
    """Added exertion days a week per activity level (low 0, moderate 1, high 2).
    Assumption."""
    exertion_days_fatigue_extra: float = 1.0
    """Added exertion days a week for a fatigue patient. Assumption."""
    exertion_days_sd: float = 0.7
    """Between-person SD of exertion days a week. Assumption."""
    sitting_hours_mean: float = 8.0
    """Mean hours a day spent sitting at age 18 and a low activity level (adults sit about
    8 hours a day, more with age). Assumption."""
    sitting_hours_less_per_activity_level: float = 1.0
    """Fewer sitting hours a day per activity level (low 0, moderate 1, high 2).
    Assumption."""
    sitting_hours_per_decade: float = 0.25
    """Added sitting hours a day per decade of age above 18. Assumption."""
    sitting_hours_sd: float = 2.0
    """Between-person SD of sitting hours a day. Assumption."""
    sitting_hours_range: list = field(default_factory=lambda: [1.0, 16.0])
    """Clip of sitting hours a day. Assumption."""
    unaccustomed_exertion_prob_range: list = field(default_factory=lambda: [0.02, 0.15])
    """Chance that an exertion day is unaccustomed (uniform per patient). Assumption."""
    unaccustomed_exertion_prob_fatigue_range: list = field(default_factory=lambda: [0.35, 0.8])
    """The same for fatigue patients, whose exertion is often unaccustomed (DOMS follows
    heavy or unaccustomed exertion, DOMAIN.md). Assumption."""


@dataclass
class DayParams:
    """The day of every patient: weather and drinking days (each mechanism's own day
    physiology is in its block of ``model.mechanisms``)."""

    hot_spell_start_prob: float = 0.03
    """Daily chance a hot spell starts. Assumption."""
    hot_spell_continue_prob: float = 0.7
    """Daily chance a hot spell goes on. Assumption (spells of about 3 days)."""
    alcohol_days_per_week_heavy: float = 4.0
    """Drinking days a week of heavy drinkers (the rest: ``alcohol_days_per_week_light``)."""
    alcohol_days_per_week_light: float = 1.2
    """Drinking days a week of other adults. Assumption."""


@dataclass
class MechanismParams:
    """One within-night symptom mechanism: episode process and episode attributes."""

    shape: str = "uniform"
    """Intensity over minutes since lying down: ``uniform``, ``ramp`` (rises over
    ``shape_min`` then flat: PAD perfusion falls lying flat), ``decay`` (e-folding
    ``shape_min``: aches noticed on lying down) or ``circadian`` (Gaussian in clock time
    around the patient's peak, SD ``shape_min`` minutes: restless legs)."""
    shape_min: float = 60.0
    """Time scale of the shape (minutes)."""
    pain_mean: float = 4.0
    """Mean episode intensity (0-10)."""
    pain_sd: float = 1.5
    """SD of episode intensity."""
    duration_shape: float = 2.0
    """Gamma shape of episode duration."""
    duration_scale_min: float = 10.0
    """Gamma scale of episode duration (minutes)."""
    quality: dict = field(default_factory=lambda: {"aching": 1.0})
    """Probability of each pain quality."""
    location: dict = field(default_factory=lambda: {"calf": 1.0})
    """Probability of each location."""
    side: dict = field(default_factory=lambda: {"both": 0.75, "left": 0.125, "right": 0.125})
    """Probability of each side (mechanisms with a patient side override this)."""
    urge_to_move: float = 0.05
    """Chance an episode brings an urge to move."""
    relief_by_movement: float = 0.2
    """Chance an episode is relieved by walking, stretching or moving."""
    relief_by_dangling: float = 0.02
    """Chance an episode is relieved by hanging the leg over the bed edge."""
    worse_with_elevation: float = 0.01
    """Chance the patient notes it is worse with the legs raised."""
    cramp: float = 0.0
    """Chance an episode is a true cramp (counted in ``cramp_count``)."""
    palpable_hardening: float = 0.02
    """Chance of a palpable hard muscle."""
    numbness_tingling: float = 0.03
    """Chance of numbness or tingling."""


_MECHANISM_PARAMS: dict[str, type] = {}
"""Each mechanism's parameter dataclass by name, in registry order (filled by
``sim.model.mechanisms``, which every import of ``sim`` loads first)."""


def register_mechanism(name: str, params: type) -> None:
    """Register a mechanism's parameters into the config tree at ``model.mechanisms.<name>``.

    Called by the mechanism registry (``sim.model.mechanisms``) for each of its modules: the
    config knows the shape of a mechanism block (``MechanismParams``), the model says which
    mechanisms there are and what else each block holds.
    """
    if not (dataclasses.is_dataclass(params) and issubclass(params, MechanismParams)):
        raise TypeError(f"mechanism {name!r}: its Params must subclass MechanismParams")
    _MECHANISM_PARAMS[name] = params


def mechanism_names() -> tuple[str, ...]:
    """The registered mechanisms, in code order."""
    return tuple(_MECHANISM_PARAMS)


def mechanism_defaults() -> dict[str, Any]:
    """Every registered mechanism's block at its defaults (dataclass instances)."""
    if not _MECHANISM_PARAMS:
        raise RuntimeError("no mechanism is registered: import sim.model.mechanisms first")
    return {name: cls() for name, cls in _MECHANISM_PARAMS.items()}


@dataclass
class NightParams:
    """The night of every patient: bedtime, time in bed, posture, waking, sleep efficiency
    (each mechanism's rate law and episodes are in its block of ``model.mechanisms``)."""

    bedtime_mean_h: float = 23.0
    """Mean clock hour of lying down (23.0 = 11 pm). Assumption."""
    bedtime_between_sd_h: float = 0.7
    """Between-person SD of usual bedtime (hours). Assumption."""
    bedtime_within_sd_h: float = 0.45
    """Night-to-night SD of bedtime (hours). Assumption."""
    time_in_bed_mean_h: float = 7.6
    """Mean hours in bed (DESIGN.md: up 6-9 hours later)."""
    time_in_bed_sd_h: float = 0.6
    """SD of hours in bed."""
    time_in_bed_h_range: list = field(default_factory=lambda: [5.0, 10.5])
    """Clip of tonight's hours in bed. Assumption."""
    wake_threshold: float = 5.0
    """Episode intensity (0-10) above which an episode wakes the patient. Assumption."""
    legs_elevated_prob: float = 0.12
    """Chance a patient sleeps with legs raised on a night (PAD worse). Assumption."""
    nerve_bad_position_prob: float = 0.5
    """Chance of a night spent in a provoking position. Assumption."""
    sleep_efficiency_mean: float = 0.9
    """Sleep efficiency of an undisturbed night. Assumption."""
    sleep_efficiency_sd: float = 0.035
    """Night-to-night SD of sleep efficiency. Assumption."""
    sleep_efficiency_range: list = field(default_factory=lambda: [0.3, 0.99])
    """Clip of a night's sleep efficiency (after the costs below). Assumption."""
    sleep_cost_per_awakening: float = 0.035
    """Efficiency lost per awakening. Assumption."""
    sleep_cost_symptom_share: float = 0.25
    """Efficiency lost per unit of the night spent with symptoms. Assumption."""
    sleep_latency_mean_min: float = 15.0
    """Mean minutes from lying down to falling asleep (exponential), event engine only.
    Assumption; it only places the ``fall_asleep`` event and changes no diary column."""
    behaviour_delay_share_range: list = field(default_factory=lambda: [0.1, 0.5])
    """The behaviour answering an episode starts after this share of the episode (uniform),
    event engine only. Assumption; it only places the behaviour event and changes no diary
    column."""


@dataclass
class ReportingParams:
    """How patients put their nights into words (DOMAIN.md look-alikes: patients describe the
    same sensation in different words; "crawling", "pulling", "aching" and "burning" are
    not owned by one cause)."""

    own_word_prob: float = 0.35
    """Chance a patient has their own word for a sensation instead of the common one, drawn
    once per patient and sensation (so their diary says it the same way every night).
    Assumption."""
    own_words: dict = field(
        default_factory=lambda: {
            "aching": {"throbbing": 0.4, "cramping": 0.3, "burning": 0.3},
            "cramping": {"aching": 0.6, "throbbing": 0.4},
            "crawling": {"tingling": 0.45, "aching": 0.35, "throbbing": 0.2},
            "burning": {"tingling": 0.5, "aching": 0.5},
            "tingling": {"crawling": 0.4, "burning": 0.3, "shooting": 0.3},
            "throbbing": {"aching": 0.7, "cramping": 0.3},
            "shooting": {"burning": 0.4, "tingling": 0.3, "aching": 0.3},
        }
    )
    """For each sensation (a diary quality), the words a patient with their own word uses
    instead, with their shares (neighbouring sensations: a creeping discomfort called
    tingling or an ache; pins and needles called crawling or burning). A patient who calls
    a sensation "tingling" also ticks numbness or tingling. Assumption."""
    notice_prob_min: float = 0.3
    """How often a patient notes a feature of their night when they have it (an urge to
    move, relief by moving, by hanging the leg down, worse raised, a hard muscle, numbness):
    uniform between this and 1, drawn once per patient and feature, so some note every urge
    and some few of them (1: everyone notes everything). Assumption (people differ in what
    they notice and write down)."""


@dataclass
class MeasurementParams:
    """Clinic tests: noise and who gets tested."""

    abi_sd: float = 0.06
    """ABI measurement error SD against imaging (DOMAIN.md: imperfect; assumption)."""
    abi_noncompressible_sd: float = 0.05
    """ABI measurement error SD above the non-compressible limit (1.40). Assumption."""
    abi_reported_range: list = field(default_factory=lambda: [0.1, 2.0])
    """Clip of a measured ABI. Assumption (what a Doppler reading can give)."""
    lab_cv: dict = field(
        default_factory=lambda: {
            "potassium": 0.03,
            "magnesium": 0.04,
            "calcium": 0.02,
            "sodium": 0.008,
            "ferritin": 0.08,
            "ck": 0.10,
            "osmolality": 0.01,
        }
    )
    """Analytical coefficient of variation of each lab test. Assumption."""
    ck_median_u_l: float = 110.0
    """Median creatine kinase (U/L); statin myalgia usually normal CK (DOMAIN.md)."""
    ck_log_sd: float = 0.35
    """Between-person SD of log CK. Assumption."""
    ck_fatigue_gain: float = 2.5
    """CK multiplier gain per unit of fatigue load on the visit night (exertion raises CK).
    Assumption."""
    ck_hypothyroidism_factor: float = 1.6
    """CK multiplier with hypothyroidism. Assumption."""
    ck_statin_gain: float = 0.3
    """CK multiplier gain on a statin (usually normal CK even with myalgia, DOMAIN.md).
    Assumption."""
    slr_sensitivity: float = 0.92
    """Straight-leg raise sensitivity for disc herniation (van der Windt 2010)."""
    slr_specificity: float = 0.28
    """Straight-leg raise specificity (van der Windt 2010)."""
    ncs_sensitivity: float = 0.8
    """Nerve conduction study sensitivity for compression or neuropathy. Assumption."""
    ncs_specificity: float = 0.9
    """Nerve conduction study specificity. Assumption."""
    order_base: dict = field(
        default_factory=lambda: {
            "abi": 0.15,
            "electrolytes": 0.45,
            "ferritin": 0.2,
            "ck": 0.15,
            "osmolality": 0.15,
            "slr": 0.3,
            "nerve_conduction": 0.05,
            "sleep_study": 0.02,
        }
    )
    """Chance a test is ordered with nothing in the diary pointing to it (order=clinic)."""
    order_indicated: dict = field(
        default_factory=lambda: {
            "abi": 0.95,
            "electrolytes": 0.95,
            "ferritin": 0.8,
            "ck": 0.7,
            "osmolality": 0.6,
            "slr": 0.9,
            "nerve_conduction": 0.35,
            "sleep_study": 0.25,
        }
    )
    """Chance a test is ordered when the diary or history points to it (order=clinic; the
    diary's pointers are ``order_indication_share``):
    ABI for dangling relief, elevation or age over 65 with smoking or diabetes;
    electrolytes for cramps or diuretics; ferritin for an urge to move; CK for a statin;
    osmolality for hot or low-intake days; SLR and nerve conduction for numbness or
    shooting pain; a sleep study (leg movements) for an urge to move on most nights (rarely:
    restless legs is diagnosed from the history). Assumption: a clinic nearly always orders the ABI and the electrolytes the
    history points to (0.95); at 0.85, untested hypokalaemia that looks like idiopathic
    cramps made up most urgent patients a triage could not see."""
    order_indication_share: dict = field(
        default_factory=lambda: {
            "abi": 0.15,
            "electrolytes": 0.15,
            "ferritin": 0.3,
            "ck": 0.2,
            "osmolality": 0.3,
            "slr": 0.2,
            "nerve_conduction": 0.3,
            "sleep_study": 0.5,
        }
    )
    """Share of diary nights (up to the visit) with the test's sign from which the diary
    points to the test (order=clinic): ABI, relief by dangling or worse with elevation;
    electrolytes, a cramp; ferritin, an urge to move; CK, any symptoms (statin users);
    osmolality, a hot or exertion day; SLR and nerve conduction, numbness or a neuropathic
    quality; sleep study, an urge to move. Assumption."""
    plm_median_per_h: float = 1.5
    """Median periodic limb movements in sleep per hour at age 18 without restless legs
    (lognormal). Assumption."""
    plm_age_log_slope_per_year: float = 0.0224
    """Rise of log PLM index per year of age (about 6 an hour at 80: common in older adults,
    DOMAIN.md: not specific to restless legs). Assumption."""
    plm_log_sd: float = 1.0
    """Between-person SD of the log PLM index. Assumption."""
    plm_rls_factor: float = 3.0
    """PLM index multiplier with restless legs at no intrinsic severity (drug-induced);
    ``plm_rls_severity_factor`` adds with severity. Chosen so that about 85% of people with
    restless legs have 5 or more an hour (80% in polysomnography series, Montplaisir 1997).
    Assumption on the sizes."""
    plm_rls_severity_factor: float = 7.0
    """Added PLM index multiplier per unit of restless-legs severity. Assumption."""
    plm_night_log_sd: float = 0.35
    """Night-to-night variability of the measured PLM index (log SD): one study night
    measures the patient's rate with this spread. Assumption."""
    abi_indication_age: float = 65.0
    """Age (years) from which smoking or diabetes alone points to an ABI (order=clinic).
    Assumption."""


@dataclass
class ModelConfig:
    """Every model parameter, one dataclass per concept."""

    demography: DemographyParams = field(default_factory=DemographyParams)
    prevalence: PrevalenceParams = field(default_factory=PrevalenceParams)
    comorbidity: ComorbidityParams = field(default_factory=ComorbidityParams)
    medication: MedicationParams = field(default_factory=MedicationParams)
    latent: LatentParams = field(default_factory=LatentParams)
    day: DayParams = field(default_factory=DayParams)
    night: NightParams = field(default_factory=NightParams)
    reporting: ReportingParams = field(default_factory=ReportingParams)
    mechanisms: Any = field(default_factory=mechanism_defaults)
    """One block per mechanism (``sim.model.mechanisms``): its episodes (``MechanismParams``)
    and the numbers of its own laws, e.g. ``model.mechanisms.pad.rate_ischaemia``."""
    measurements: MeasurementParams = field(default_factory=MeasurementParams)


# --------------------------------------------------------------------------------------
# engine/
# --------------------------------------------------------------------------------------
@dataclass
class EngineConfig:
    """Which engine advances time."""

    name: str = "vectorised"
    """``vectorised`` (numpy, whole shards at once) or ``events`` (simpy, per patient)."""

    workers: Any = 1
    """Processes for shards (1 = in-process; 0 = all cores)."""


@dataclass
class MeasurementsConfig:
    """The clinic visit (the ``measurements`` table)."""

    order: str = "clinic"
    """``clinic`` (tests ordered as a clinician would, from the diary and history) or
    ``all`` (every test for everyone)."""
    visit_night: Any = -1
    """Night whose physiology the visit's blood tests reflect (-1 = the last night)."""


@dataclass
class DistConfig:
    """Where ``generate``'s shards run (``dist=local`` or ``dist=dask``; sim.tables.dist)."""

    name: str = "local"
    """``local``: this machine, ``engine.workers`` processes; ``dask``: Dask distributed."""
    address: Any = None
    """``dask``: a running scheduler, ``tcp://host:port``; null starts a LocalCluster here."""
    workers: Any = 2
    """``dask`` LocalCluster: worker processes of one thread each (0 = all cores)."""
    retries: Any = 2
    """Times a shard that failed is tried again before the run fails."""


@dataclass
class RunConfig:
    """Top-level config of every experiment."""

    cohort: CohortConfig = field(default_factory=CohortConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    measurements: MeasurementsConfig = field(default_factory=MeasurementsConfig)
    out: str = "outputs/${now:%Y-%m-%d_%H-%M-%S}"
    """Output folder; created atomically (written under a temporary name, then renamed)."""
    overwrite: bool = False
    """Replace an existing ``out`` (only one that holds this tool's ``manifest.json``)."""
    resume: bool = False
    """Keep the shards that a killed run of the same config proved complete (checksums in
    its journal) and simulate only the rest (``generate``)."""
    dist: DistConfig = field(default_factory=DistConfig)


def register_configs() -> None:
    """Register the structured configs so YAML files under conf/ are type-checked."""
    cs = ConfigStore.instance()
    cs.store(name="base_run", node=RunConfig)
    cs.store(group="cohort", name="base_cohort", node=CohortConfig)
    cs.store(group="engine", name="base_engine", node=EngineConfig)
    cs.store(group="dist", name="base_dist", node=DistConfig)
    cs.store(group="model", name="base_model", node=ModelConfig)


def compose_config(overrides: list[str] | None = None, config_name: str = "generate") -> DictConfig:
    """Compose a config with Hydra's compose API (for tests and notebooks)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_all()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(config_name=config_name, overrides=list(overrides or []))
    GlobalHydra.instance().clear()
    return cfg


# --------------------------------------------------------------------------------------
# validation: one clear line naming the key and what is allowed
# --------------------------------------------------------------------------------------
def _positive_int(value: Any, key: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` written in digits: a bool (an int in Python) or a float
    (1e15, 5000.0, nan) is refused, as a float cannot hold every id exactly."""
    expected = f"expected an integer >= {minimum}"
    if isinstance(value, float):
        expected += " (in digits, without a decimal point or exponent)"
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            pass
    if number is None or number < minimum:
        raise ConfigError(f"{key}={value!r} is invalid: {expected}")
    return number


def parse_cause_mix(mix: Any, key: str = "cohort.cause_mix") -> str | dict[str, float]:
    """Check a cause mix: a preset name or a mapping cause -> share summing to 1."""
    if isinstance(mix, str):
        if mix not in MIX_PRESETS:
            raise ConfigError(
                f"{key}={mix!r} is invalid: expected one of {', '.join(MIX_PRESETS)} "
                f"or a mapping of causes ({', '.join(LABELS)}) to shares summing to 1"
            )
        return mix
    if OmegaConf.is_config(mix):
        mix = OmegaConf.to_container(mix, resolve=True)
    if not isinstance(mix, dict) or not mix:
        raise ConfigError(f"{key}={mix!r} is invalid: expected a preset name or a mapping")
    shares: dict[str, float] = {}
    for cause, share in mix.items():
        if cause not in LABELS:
            raise ConfigError(
                f"{key}.{cause} is an unknown cause: expected one of {', '.join(LABELS)}"
            )
        value = _number(share, f"{key}.{cause}", "a share in [0, 1]")
        if not (0.0 <= value <= 1.0):
            raise ConfigError(f"{key}.{cause}={share!r} is invalid: expected a share in [0, 1]")
        shares[cause] = value
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ConfigError(f"{key} shares sum to {total:.6g}: they must sum to 1")
    return shares


def _check_probability(value: Any, key: str) -> None:
    p = _number(value, key, "a probability in [0, 1]")
    if not (0.0 <= p <= 1.0):
        raise ConfigError(f"{key}={value!r} is invalid: expected a probability in [0, 1]")


_MECHANISM_PROBABILITIES = (
    "urge_to_move",
    "relief_by_movement",
    "relief_by_dangling",
    "worse_with_elevation",
    "cramp",
    "palpable_hardening",
    "numbness_tingling",
)
_MECHANISM_POSITIVE = ("shape_min", "pain_sd", "duration_shape", "duration_scale_min")
_PROBABILITY_NAMES = (
    "sensory_share",
    "dependent_sleeper_share",
    "dependent_worse_with_elevation",
    "dependent_relief_by_dangling",
    "dependent_relief_by_movement",
    "neuropathy_worse_with_elevation",
    "painless_numbness_per_night",
    "painless_neuropathy_given_diabetes",
    "walking_pain_stenosis",
    "walking_pain_stenosis_claudication",
    "numbness_without_sensory",
    "neuropathy_relief_by_movement",
    "walking_pain_claudication_false_positive",
    "walking_pain_claudication_sensitivity",
    "walking_pain_critical_claudication",
    "walking_pain_nerve",
    "leg_swelling_venous",
    "leg_swelling_ckd",
    "leg_swelling_critical",
    "own_word_prob",
    "neuropathy_heavier_share",
    "notice_prob_min",
    "recent_start_share",
    "family_history_rls",
    "deficit_carryover",
    "deficit_carryover_elderly_extra",
    "oral_bisphosphonate_strength",
    "accustomed_fatigue",
    "electrolyte_severe_share",
    "nerve_right_side_share",
    "nerve_peroneal_share",
    "abi_noncompressible_prob_diabetes_ckd",
    "female_share_young",
    "female_share_old",
    "slr_sensitivity",
    "slr_specificity",
    "ncs_sensitivity",
    "ncs_specificity",
    "sleep_efficiency_mean",
)
_PROBABILITY_TABLES = (
    "pad_spectrum_shares",
    "order_indication_share",
    "electrolyte_deficit_kind_shares",
    "secondary_cramp_prob",
    "treat_prob",
    "causal_prob",
    "order_base",
    "order_indicated",
)


def _number(value: Any, key: str, expected: str = "a number") -> float:
    """``value`` as a finite float. Booleans are refused explicitly (``True`` is an int in
    Python, so ``share=true`` would pass as 1), and so are strings, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key}={value!r} is invalid: expected {expected}")
    x = float(value)
    if not math.isfinite(x):
        finite = "a finite number" if expected == "a number" else expected
        raise ConfigError(f"{key}={value!r} is invalid: expected {finite}")
    return x


def _check_numbers(node: Any, key: str) -> None:
    """Every model parameter, in every table and list, is a finite number (the mechanism
    ``shape`` names aside); ``_check_parameter`` then checks the ranges."""
    if OmegaConf.is_dict(node):
        for name in node:
            if name != "shape":
                _check_numbers(node[name], f"{key}.{name}")
    elif OmegaConf.is_list(node):
        for i, item in enumerate(node):
            _check_numbers(item, f"{key}[{i}]")
    else:
        _number(node, key)


_POSITIVE_NAMES = (
    "plm_median_per_h",
    "sleep_latency_mean_min",
    "excitability_max",
    "ischaemia_free_ankle_mmhg",
    "bmi_sd_kg_m2",
    "fluid_intake_sd_l",
    "alcohol_units_heavy_log_sd",
)
"""Scalar parameters that must be > 0 (a scale, a cap, a divisor)."""
_POSITIVE_TABLES = ("full_deficit", "full_excess", "fluid_intake_mean_l")
"""Mapping parameters whose every value must be > 0 (divisors)."""
_SHARE_RANGES = (
    "sleep_efficiency_range",
    "behaviour_delay_share_range",
    "unaccustomed_exertion_prob_range",
    "unaccustomed_exertion_prob_fatigue_range",
)
"""``[low, high]`` parameters that are shares of something, so within [0, 1]."""
_ORDERED_PAIRS = (
    ("medication", "long_term_start_from_day", "recent_start_from_day"),
    (
        "mechanisms.dehydration",
        "deficit_carryover_elderly_from_age",
        "deficit_carryover_elderly_full_age",
    ),
    ("mechanisms.pad", "ischaemia_full_ankle_mmhg", "ischaemia_free_ankle_mmhg"),
)
"""(group, lower, upper): two parameters where the first must be below the second."""

_FIXED_KEY_TABLES = (
    "order_indication_share",
    "culprit_start_window_days",
    "full_deficit",
    "full_excess",
    "fluid_intake_mean_l",
    "electrolyte_deficit_kind_shares",
    "pad_spectrum_shares",
    "treat_prob",
    "causal_prob",
    "dose_mg",
    "secondary_cramp_prob",
    "day_sd",
    "lab_cv",
    "order_base",
    "order_indicated",
)
"""Mapping parameters whose keys are those of their default (drugs, electrolytes, tests):
another key would be ignored, so it is refused."""


def _unknown_key(key: str, known: list[str], where: str) -> str:
    """One line: the unknown key, the closest valid one, and the valid ones (or where they
    are declared, when there are many)."""
    section, _, name = key.rpartition(".")
    line = f"{key} is an unknown key"
    closest = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    if closest:
        line += f": did you mean {f'{section}.' if section else ''}{closest[0]}?"
    if len(known) <= 12:
        return f"{line} (expected one of {', '.join(known)})"
    return f"{line} (expected a field of {where} in sim/config.py)"


def _check_keys(node: Any, path: str = "") -> None:
    """Refuse keys that no dataclass field (or fixed table) declares, at every depth.

    Struct mode stops ``cohort.nn=5``, but Hydra's ``+cohort.nn=5`` adds the key anyway, and
    nothing would read it: a typo would silently run the default.
    """
    kind = OmegaConf.get_type(node)
    fields = {f.name: f for f in dataclasses.fields(kind)} if dataclasses.is_dataclass(kind) else {}
    for key in node:
        name = f"{path}.{key}" if path else str(key)
        if fields and key not in fields:
            raise ConfigError(_unknown_key(name, list(fields), kind.__name__))
        if OmegaConf.is_missing(node, key) or OmegaConf.is_interpolation(node, key):
            continue
        child = node[key]
        if not OmegaConf.is_dict(child):
            continue
        if name == "model.mechanisms":
            for mechanism in child:
                if mechanism not in _MECHANISM_PARAMS:
                    raise ConfigError(
                        _unknown_key(f"{name}.{mechanism}", list(_MECHANISM_PARAMS), "model")
                    )
        if key in _FIXED_KEY_TABLES and key in fields:
            known = list(fields[key].default_factory())
            for label in child:
                if label not in known:
                    raise ConfigError(
                        _unknown_key(f"{name}.{label}", known, f"{kind.__name__}.{key}")
                    )
        _check_keys(child, name)


def _check_model(model: Any) -> None:
    """Every model parameter has a meaningful value: probabilities in [0, 1], rates, scales
    and odds ratios positive, knots increasing in age, ranges ordered."""
    _check_numbers(model, "model")
    for group_name in model:
        group = model[group_name]
        for name in group:
            _check_parameter(group_name, name, group[name])
    for drug, window in model.medication.culprit_start_window_days.items():
        lo, hi = (_number(v, f"model.medication.culprit_start_window_days.{drug}") for v in window)
        if not lo < hi:
            raise ConfigError(
                f"model.medication.culprit_start_window_days.{drug}={list(window)!r} is invalid: "
                "expected [low, high] with low < high"
            )
    prev = model.prevalence
    walking = float(prev.walking_pain_stenosis) + float(prev.walking_pain_stenosis_claudication)
    if walking > 1:
        raise ConfigError(
            "model.prevalence.walking_pain_stenosis + walking_pain_stenosis_claudication = "
            f"{walking:.6g} is invalid: expected at most 1 (shares of one walking history)"
        )
    words = model.reporting.own_words
    for sensation, table in words.items():
        key = f"model.reporting.own_words.{sensation}"
        for word in table:
            if word not in words or word == sensation:
                raise ConfigError(
                    f"{key}.{word} is invalid: expected another sensation of "
                    f"model.reporting.own_words ({', '.join(w for w in words if w != sensation)})"
                )
        _check_shares(table, key, sum_to_one=True)
    for group_name, lower, upper in _ORDERED_PAIRS:
        group = OmegaConf.select(model, group_name)
        if group is None:
            continue
        lo, hi = group[lower], group[upper]
        if not lo < hi:
            raise ConfigError(
                f"model.{group_name}.{lower}={lo!r} is invalid: expected below "
                f"model.{group_name}.{upper}={hi!r}"
            )


def _check_shares(table: Any, key: str, *, sum_to_one: bool) -> None:
    """Every entry of ``table`` (label -> probability) in [0, 1]; summing to 1 if asked."""
    for label, prob in table.items():
        _check_probability(prob, f"{key}.{label}")
    if sum_to_one and not math.isclose(sum(table.values()), 1.0):
        raise ConfigError(f"{key} shares sum to {sum(table.values()):.6g}: they must sum to 1")


def _check_parameter(group_name: str, name: str, value: Any) -> None:
    key = f"model.{group_name}.{name}"
    if OmegaConf.is_dict(value) and "shape" in value and "quality" in value:
        for field_name in _MECHANISM_PROBABILITIES:
            _check_probability(value[field_name], f"{key}.{field_name}")
        for field_name in _MECHANISM_POSITIVE:
            if _number(value[field_name], f"{key}.{field_name}") <= 0:
                raise ConfigError(
                    f"{key}.{field_name}={value[field_name]!r} is invalid: expected > 0"
                )
        pain = _number(value.pain_mean, f"{key}.pain_mean")
        if not 0 <= pain <= 10:
            raise ConfigError(f"{key}.pain_mean={pain!r} is invalid: expected 0-10")
        for table in ("quality", "location", "side"):
            for label, prob in value[table].items():
                _check_probability(prob, f"{key}.{table}.{label}")
        episode = {f.name for f in dataclasses.fields(MechanismParams)}
        for field_name in value:
            if field_name not in episode:
                _check_parameter(f"{group_name}.{name}", field_name, value[field_name])
        return
    if name in _PROBABILITY_TABLES:
        _check_shares(value, key, sum_to_one=name.endswith("_shares"))
        return
    if name == "cause_odds_ratios":
        for cause, factors in value.items():
            for factor, ratio in factors.items():
                if _number(ratio, f"{key}.{cause}.{factor}") <= 0:
                    raise ConfigError(f"{key}.{cause}.{factor}={ratio!r} is invalid: expected > 0")
        return
    if name.endswith("_knots"):
        ages = [_number(k[0], key) for k in value]
        if len(value) < 1 or any(b <= a for a, b in zip(ages, ages[1:], strict=False)):
            raise ConfigError(f"{key} is invalid: expected [age, value] knots with increasing ages")
        for knot in value:
            _check_probability(knot[1], key)
        return
    if name.endswith(("_range", "_days")) and OmegaConf.is_list(value):
        lo, hi = (_number(v, key) for v in value)
        if not lo < hi:
            raise ConfigError(
                f"{key}={list(value)!r} is invalid: expected [low, high] with low < high"
            )
        if name in _SHARE_RANGES and not (0.0 <= lo and hi <= 1.0):
            raise ConfigError(f"{key}={list(value)!r} is invalid: expected shares in [0, 1]")
        return
    if name.endswith("_shape") and OmegaConf.is_list(value):
        for i, x in enumerate(value):
            if _number(x, f"{key}[{i}]") <= 0:
                raise ConfigError(f"{key}[{i}]={x!r} is invalid: expected > 0")
        return
    if name in _POSITIVE_TABLES:
        for label, x in value.items():
            if _number(x, f"{key}.{label}") <= 0:
                raise ConfigError(f"{key}.{label}={x!r} is invalid: expected > 0")
        return
    if name == "start_horizon_days":
        if _positive_int(value, key) > MAX_NIGHTS:
            raise ConfigError(f"{key}={value!r} is invalid: expected at most {MAX_NIGHTS}")
        return
    if name == "doms_kernel":
        weights = [_number(v, key) for v in value]
        if not 1 <= len(weights) <= 62 or min(weights) < 0:
            raise ConfigError(
                f"{key} is invalid: expected 1 to 62 weights >= 0 (nights 0, 1, ... after exertion)"
            )
        return
    if OmegaConf.is_config(value):
        return  # structured tables checked where they are used (dose lists, lab CVs)
    x = _number(value, key)
    if name in _PROBABILITY_NAMES or name.endswith("_prob"):
        _check_probability(x, key)
    elif name in _POSITIVE_NAMES and x <= 0:
        raise ConfigError(f"{key}={x!r} is invalid: expected > 0")
    elif name == "wake_threshold" and not 1 < x < 10:
        raise ConfigError(f"{key}={x!r} is invalid: expected between 1 and 10 (the pain scale)")
    elif (
        name.endswith(("_sd", "_sd_h", "_sd_mmhg", "_sd_mmol_l", "_log_sd", "_or"))
        or "odds_ratio" in name
    ) and x <= 0:
        raise ConfigError(f"{key}={x!r} is invalid: expected > 0")
    elif x < 0 and not name.endswith(("_slope_per_decade", "_from_day")):
        raise ConfigError(f"{key}={x!r} is invalid: expected >= 0")


@dataclass(frozen=True)
class Cohort:
    """A validated cohort specification (plain Python values)."""

    n: int
    nights: int
    seed: int
    population: str
    cause_mix: str | dict[str, float]
    presenting_none_share: float
    age_min: int
    age_max: int
    shard_size: int


def validate(cfg: DictConfig) -> Cohort:
    """Validate a composed config; raise ConfigError with one line naming the bad key."""
    _check_keys(cfg)
    c = cfg.cohort
    n = _positive_int(c.n, "cohort.n")
    if n > MAX_PATIENTS:
        raise ConfigError(
            f"cohort.n={n} is invalid: expected at most {MAX_PATIENTS} (32-bit patient ids)"
        )
    nights = _positive_int(c.nights, "cohort.nights")
    if nights > MAX_NIGHTS:
        raise ConfigError(f"cohort.nights={nights} is invalid: expected at most {MAX_NIGHTS}")
    if n * nights > MAX_PATIENT_NIGHTS:
        raise ConfigError(
            f"cohort.n={n} with cohort.nights={nights} is invalid: expected "
            f"cohort.n * cohort.nights <= {MAX_PATIENT_NIGHTS} (rows of the nights table)"
        )
    seed = _positive_int(c.seed, "cohort.seed", minimum=0)
    if c.population not in POPULATIONS:
        raise ConfigError(
            f"cohort.population={c.population!r} is invalid: expected one of {', '.join(POPULATIONS)}"
        )
    mix = parse_cause_mix(c.cause_mix)
    _check_probability(c.presenting_none_share, "cohort.presenting_none_share")
    if c.population == "presenting" and mix == "population" and float(c.presenting_none_share) >= 1:
        raise ConfigError(
            "cohort.presenting_none_share=1 is invalid with cohort.population=presenting: "
            "expected a share below 1 (the rest are patients with a cause)"
        )
    age_min = _positive_int(c.age_min, "cohort.age_min", minimum=18)
    age_max = _positive_int(c.age_max, "cohort.age_max", minimum=18)
    if age_max > 95 or age_min > age_max:
        raise ConfigError(
            f"cohort.age_min={age_min}, cohort.age_max={age_max} is invalid: "
            "expected 18 <= age_min <= age_max <= 95"
        )
    shard = _positive_int(c.shard_size, "cohort.shard_size", minimum=BLOCK)
    if shard % BLOCK:
        raise ConfigError(f"cohort.shard_size={shard} is invalid: expected a multiple of {BLOCK}")
    if "engine" in cfg and cfg.engine.name not in ENGINES:
        raise ConfigError(
            f"engine.name={cfg.engine.name!r} is invalid: expected one of {', '.join(ENGINES)}"
        )
    if "engine" in cfg:
        _positive_int(cfg.engine.workers, "engine.workers", minimum=0)
    if "model" in cfg:
        _check_model(cfg.model)
    if "measurements" in cfg:
        if cfg.measurements.order not in MEASUREMENT_ORDERS:
            raise ConfigError(
                f"measurements.order={cfg.measurements.order!r} is invalid: "
                f"expected one of {', '.join(MEASUREMENT_ORDERS)}"
            )
        visit = _positive_int(cfg.measurements.visit_night, "measurements.visit_night", minimum=-1)
        if visit >= nights:
            raise ConfigError(
                f"measurements.visit_night={visit} is invalid: expected -1 or 0..{nights - 1}"
            )
    return Cohort(
        n=n,
        nights=nights,
        seed=seed,
        population=str(c.population),
        cause_mix=mix,
        presenting_none_share=float(c.presenting_none_share),
        age_min=age_min,
        age_max=age_max,
        shard_size=shard,
    )


# --------------------------------------------------------------------------------------
# The classifier benchmark (sim.evaluation): classifier/, noise/, benchmark, curves
# --------------------------------------------------------------------------------------
@dataclass
class ClassifierConfig:
    """One model of the benchmark; each file under ``conf/classifier/`` holds one or more,
    keyed by name (the name shown in the leaderboard)."""

    family: str = "logistic"
    """``dummy``, ``logistic``, ``random_forest``, ``hist_gradient_boosting``, ``knn`` or
    ``triage`` (the rule sets of ``sim.triage``); see ``sim.evaluation.classifiers``."""
    label: str = ""
    """Human-readable name for reports (the key when empty)."""
    params: dict = field(default_factory=dict)
    """Keyword arguments of the family's estimator, with scikit-learn's names."""
    features: str = "observed"
    """``observed`` (what a clinic sees) or ``observed+latent`` (the oracle: also the latent
    truth parameters; see ``sim.evaluation.latent``)."""
    latent_exclude: list = field(default_factory=list)
    """Truth columns withheld from an oracle beyond the label encodings that are always
    withheld (``sim.evaluation.latent.LABEL_ENCODINGS``)."""


@dataclass
class NoiseConfig:
    """Observation noise added to the observed tables before features are built
    (``sim.evaluation.noise``). Each scale is its value at ``level`` 1; every one is an
    assumption."""

    level: float = 0.0
    """Multiplier of every component below (0 = the simulator's own output)."""
    measurement_cv: float = 0.05
    """Log-scale SD of the multiplicative error of continuous clinic tests."""
    test_flip_prob: float = 0.05
    """Chance a straight-leg raise or nerve conduction result is wrong."""
    diary_flag_flip_prob: float = 0.05
    """Chance a yes/no diary answer is misreported on a symptomatic night."""
    category_swap_prob: float = 0.05
    """Chance the quality, location or side of a symptomatic night is misreported."""
    pain_sd: float = 1.0
    """SD of the error in reported pain (points, 0-10 scale) on symptomatic nights."""
    onset_sd_min: float = 15.0
    """SD of the error in reported onset (minutes after lying down)."""
    missing_night_prob: float = 0.10
    """Chance a diary night after the first is not filled in."""


@dataclass
class BenchmarkConfig:
    """How models are compared (``python -m experiments.benchmark``)."""

    folds: Any = 5
    """Cross-validation folds (StratifiedGroupKFold by patient; at least 2)."""
    level: str = "patient"
    """``patient`` (one row per patient: aggregates over the window) or ``night`` (one row
    per patient-night; folds still keep each patient's nights together)."""
    window: Any = None
    """Diary nights used (the first ``window``; null = all ``cohort.nights``)."""
    seed: Any = 0
    """Seed of the fold assignment and of the models' own randomness."""
    calibration_bins: Any = 15
    """Equal-width confidence bins of the expected calibration error."""
    progress: bool = True
    """Show a progress bar (tqdm, on stderr)."""
    n_jobs: Any = 2
    """Folds fitted at once, in separate processes (0 = one per core). Each fit runs on one
    thread: on a busy 2-core machine OpenMP models (gradient boosting) slow down tenfold when
    their threads compete, while one-thread fits in parallel processes do not."""


@dataclass
class CurvesConfig:
    """The learning-curve grid of ``python -m experiments.learning_curves``: one curve per
    axis, the other axes held at their reference (largest size, longest diary, no noise,
    ``cohort.cause_mix``)."""

    sizes: list = field(default_factory=lambda: [500, 1000, 2000, 5000, 10000, 20000])
    """Cohort sizes of the score-vs-patients curve (at the longest diary)."""
    nights: list = field(default_factory=lambda: [1, 3, 7, 14, 28])
    """Diary lengths of the score-vs-nights curve (at ``n_reference`` patients)."""
    noise_levels: list = field(default_factory=lambda: [0.0, 0.5, 1.0, 2.0])
    """Noise levels of the score-vs-noise curve (at ``n_reference`` patients)."""
    cause_mixes: list = field(default_factory=lambda: ["population", "balanced"])
    """Cause mixes compared (at ``n_reference`` patients)."""
    n_reference: Any = 5000
    """Cohort size of the nights, noise and cause-mix curves."""
    folds: Any = 3
    """Cross-validation folds of every curve point (fewer than the benchmark's: many runs)."""
    from_dir: Any = None
    """Instead of running the grid, collect the ``leaderboard.csv`` of every benchmark run
    under this folder (a multirun) and draw the curves from them."""


@dataclass
class BenchmarkRunConfig(RunConfig):
    """Top-level config of the classifier benchmark and the learning curves."""

    benchmark: BenchmarkConfig = field(default_factory=BenchmarkConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    classifier: dict[str, ClassifierConfig] = field(default_factory=dict)
    curves: CurvesConfig = field(default_factory=CurvesConfig)


def register_benchmark_configs() -> None:
    cs = ConfigStore.instance()
    cs.store(name="base_benchmark", node=BenchmarkRunConfig)
    cs.store(group="noise", name="base_noise", node=NoiseConfig)


# --------------------------------------------------------------------------------------
# The triage experiment (sim.triage): triage/ rule sets
# --------------------------------------------------------------------------------------
@dataclass
class TriageRunConfig(RunConfig):
    """Top-level config of ``python -m experiments.triage`` (``conf/triage.yaml``)."""

    triage: dict[str, Any] = field(default_factory=dict)
    """Rule sets to evaluate, keyed by name: each file under ``conf/triage/`` adds its own
    (``triage=clinical_pathway``; several side by side with
    ``triage=[clinical_pathway,symptoms_only]``), and ``triage=file triage.path=FILE`` adds
    the rule file at ``path``. Rules are validated by ``sim.triage.rules``, not here."""
    window: Any = None
    """Diary nights summarised into features (the first ``window``; null = all nights)."""


def register_triage_configs() -> None:
    ConfigStore.instance().store(name="base_triage_run", node=TriageRunConfig)


# --------------------------------------------------------------------------------------
# The intervention experiment (sim.interventions): intervention/ and policy/ definitions
# --------------------------------------------------------------------------------------
@dataclass
class InterventionFields:
    """The keys of an intervention trial (``intervene`` and the demo's section)."""

    intervention: dict[str, Any] = field(default_factory=dict)
    """Interventions to test, keyed by name: each file under ``conf/intervention/`` adds its
    own (``intervention=stretching``; several in one comparison with
    ``intervention=[stretching,magnesium]``). Validated by ``sim.interventions.spec``."""
    placebo_arm: bool = False
    """Add a placebo arm (the expectation effect alone) and blind the treated arms: they get
    the same expectation effect, so treated against placebo is the specific effect."""
    placebo: dict[str, Any] = field(default_factory=dict)
    """The placebo whose expectation effect the placebo arms use (``conf/intervention/
    placebo.yaml``, loaded here by the defaults list)."""
    policy: Any = None
    """A triage-then-treat policy (``conf/policy/``): a rule set's decisions mapped to
    interventions, against perfect triage and treating everyone alike; null = none."""


@dataclass
class InterveneRunConfig(RunConfig, InterventionFields):
    """Top-level config of ``python -m experiments.intervene`` (``conf/intervene.yaml``)."""


# --------------------------------------------------------------------------------------
# The demo (make demo): every capability on one cohort
# --------------------------------------------------------------------------------------
@dataclass
class DemoConfig:
    """What the demo report adds to the generated cohort."""

    calibration_n: Any = 400_000
    """General-population patients sampled for the calibration table (patients only)."""
    calibration_seed: Any = 2024
    """Seed of that sample."""


@dataclass
class DemoRunConfig(BenchmarkRunConfig, InterventionFields):
    """Top-level config of ``python -m experiments.demo`` (``conf/demo.yaml``)."""

    demo: DemoConfig = field(default_factory=DemoConfig)


# --------------------------------------------------------------------------------------
# Teaching datasets (sim.teaching): teaching/ presets
# --------------------------------------------------------------------------------------
TEACHING_TASKS = ("cause", "urgency")
CASEBOOK_DRAWS = ("uniform", "balanced")


@dataclass
class CasebookConfig:
    """The HTML casebook of a teaching dataset (``sim.teaching.casebook``)."""

    cases: Any = 12
    """Patients given a case page, chosen by the seeded ``draw``; 0 writes no casebook."""
    draw: str = "uniform"
    """How the cases are chosen: ``uniform`` (a seeded draw that reads only the patient
    ids, so being a case says nothing about the cause) or ``balanced`` (a round robin over
    the primary causes present: every cause gets a case, so being a case is evidence of
    a rare cause; only when students do not also classify the tables)."""


@dataclass
class TeachingConfig:
    """A teaching preset (``conf/teaching/<name>.yaml``): what the dataset is for. The
    preset file also sets the cohort, measurements and noise keys it needs."""

    name: str = "standard"
    """The preset's name, shown in the data card and the solutions."""
    title: str = ""
    """One-line title of the dataset (the data card's heading)."""
    card: str = ""
    """The preset's purpose in a few sentences: who it is for and what students should
    find (the data card's motivation)."""
    task: str = "cause"
    """What students predict: ``cause`` (the primary cause) or ``urgency`` (urgent,
    routine or self care); the solutions lead with that score."""
    id_seed: Any = 0
    """Added to ``cohort.seed`` to seed the permutation that re-maps patient ids, so id
    order carries no cause."""
    casebook: CasebookConfig = field(default_factory=CasebookConfig)
    """The case pages of ``student/casebook`` and ``instructor/casebook``."""


@dataclass
class TeachRunConfig(BenchmarkRunConfig):
    """Top-level config of ``python -m experiments.teach`` (``conf/teach.yaml``)."""

    teaching: TeachingConfig = field(default_factory=TeachingConfig)


def validate_teaching(cfg: DictConfig) -> TeachingConfig:
    """Check the ``teaching`` node; ConfigError naming the bad key."""
    t = cfg.teaching
    if not str(t.name).strip():
        raise ConfigError("teaching.name is empty: expected the preset's name")
    if not str(t.card).strip():
        raise ConfigError("teaching.card is empty: expected the preset's purpose in words")
    if t.task not in TEACHING_TASKS:
        raise ConfigError(
            f"teaching.task={t.task!r} is invalid: expected one of {', '.join(TEACHING_TASKS)}"
        )
    id_seed = _positive_int(t.id_seed, "teaching.id_seed", minimum=0)
    casebook = t.get("casebook") or {}
    cases = _positive_int(
        casebook.get("cases", CasebookConfig.cases), "teaching.casebook.cases", minimum=0
    )
    draw = casebook.get("draw", CasebookConfig.draw)
    if draw not in CASEBOOK_DRAWS:
        raise ConfigError(
            f"teaching.casebook.draw={draw!r} is invalid: expected one of "
            f"{', '.join(CASEBOOK_DRAWS)}"
        )
    return TeachingConfig(
        name=str(t.name),
        title=str(t.title or t.name),
        card=" ".join(str(t.card).split()),
        task=str(t.task),
        id_seed=id_seed,
        casebook=CasebookConfig(cases=cases, draw=str(draw)),
    )


_REGISTERED = False


def register_all() -> None:
    """Register every structured config with Hydra's ConfigStore (once per process).

    Not done at import: it costs about 0.4 s, which every shard worker would pay.
    ``compose_config`` and ``sim.cli.launch`` call it.
    """
    global _REGISTERED
    if _REGISTERED:
        return
    register_configs()
    register_benchmark_configs()
    register_triage_configs()
    ConfigStore.instance().store(name="base_demo_run", node=DemoRunConfig)
    ConfigStore.instance().store(name="base_teach_run", node=TeachRunConfig)
    ConfigStore.instance().store(name="base_intervene_run", node=InterveneRunConfig)
    _REGISTERED = True
