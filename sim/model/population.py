"""Who the patients are: demographics, risk factors, medications, causes and latent physiology.

Usage::

    model = PopulationModel(cfg.model, cohort)        # builds the age x sex x cause table
    columns = model.sample(ShardStreams(seed, 0, 5000))  # dict of numpy arrays, one per column

The generative order is cause-first, so every cause mix is sampled exactly:

1. A joint table J[age, sex, cause] of the general adult population is built from the
   calibrated curves (``PrevalenceParams``): P(age, sex) x P(primary cause | age, sex).
2. A patient's primary cause is drawn from the requested mix (the table's own marginal for
   ``population``; the symptomatic part plus a none share for ``presenting``; ``balanced``
   or a mapping), then age and sex from J[:, :, cause].
3. Comorbidities and lifestyle follow from age and sex, shifted by cause-specific odds
   ratios; medications follow from comorbidities, and a medication cause forces its
   culprit drug (most users are *not* harmed by their drug).
4. Contributing causes and latent physiology (ABI, electrolytes, ferritin, restless-legs
   drive, cramp rate, nerve compression, exertion and hydration habits) follow from the
   cause, and the urgency a perfect triage would give follows from them.

Calibration targets hold by construction of the table and are checked on samples by
``tests/model/test_calibration.py``.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from sim.config import CAUSES, LABELS, PAD_SPECTRUM, WALKING_PAIN, Cohort, ConfigError
from sim.model import burden
from sim.model import distributions as dist
from sim.model import reference as ref
from sim.model.causes import CAUSE_CODE, NONE, urgency
from sim.model.mechanisms import CODE as MECHANISM_CODE
from sim.model.mechanisms.medication import DIURETICS, DRUGS, RLS_DRUGS
from sim.rng import ShardStreams

AGES = np.arange(18, 96)
DIURETIC_CODES = [DRUGS.index(d) for d in DIURETICS]
RLS_DRUG_CODES = [DRUGS.index(d) for d in RLS_DRUGS]
DRUG_INDICATION = {
    "statin": "hypercholesterolaemia",
    "thiazide": "hypertension",
    "loop_diuretic": "ckd",
    "potassium_sparing": "hypertension",
    "ssri": "depression",
    "mirtazapine": "depression",
    "bisphosphonate": "osteoporosis",
}
COMORBIDITIES = (
    "diabetes",
    "hypertension",
    "hypercholesterolaemia",
    "depression",
    "osteoporosis",
    "ckd",
    "hypothyroidism",
    "iron_deficiency",
    "disc_disease",
)
LIFESTYLE_FLAGS = ("smoking", "heavy_alcohol", "family_history_rls")
ACTIVITY_LEVELS = ("low", "moderate", "high")
FLUID_HABITS = ("low", "normal", "high")
SIDES = ("left", "right")
NERVE_SITES = ("lumbar_root", "peroneal")
PAD_STAGES = ("none", *PAD_SPECTRUM)
"""Codes of ``pad_stage``: none (ABI above 0.90), then the PAD spectrum."""
PAD_STAGE_CODE = {stage: i for i, stage in enumerate(PAD_STAGES)}
ELECTROLYTE_KINDS = (
    "potassium",
    "magnesium",
    "sodium",
    "calcium",
    "potassium_high",
    "calcium_high",
    "sodium_high",
)


@dataclass
class _Curves:
    """Per-age (78,) and per-sex (2,) probability tables built once from the config."""

    age_sex_weight: np.ndarray  # (78, 2) P(age, sex)
    cause_given_cell: np.ndarray  # (78, 2, 11) P(primary cause | age, sex)
    drug_given_cell: np.ndarray  # (78, 2, 7) P(on drug | age, sex) in the background
    asymptomatic_low_abi: np.ndarray  # (78, 2) P(ABI <= 0.9 | age, sex, not PAD cause)
    neuropathy_given_diabetes: np.ndarray  # (78, 2) P(painful diabetic neuropathy | diabetes)
    neuropathy_share_of_nerve: np.ndarray  # (78, 2) P(neuropathy | nerve primary cause)


def _sex_curve(knots: list, female_or: float, female_is_base: bool = False) -> np.ndarray:
    """(78, 2) table [men, women] from an age curve and an odds ratio for the other sex."""
    base = dist.piecewise_linear(AGES, knots)
    other = dist.with_odds_ratio(base, female_or)
    return np.stack([other, base] if female_is_base else [base, other], axis=1)


def _both_sexes(knots: list) -> np.ndarray:
    base = dist.piecewise_linear(AGES, knots)
    return np.stack([base, base], axis=1)


class PopulationModel:
    """Samples the ``patients`` columns of a shard from the model config."""

    def __init__(self, model_cfg, cohort: Cohort) -> None:
        self.p = model_cfg
        self.cohort = cohort
        self.curves = self._build_curves()
        self.mix = self._cause_mix()

    # ---------------------------------------------------------------- calibrated tables
    def comorbidity_table(self, name: str) -> np.ndarray:
        """Background (78, 2) prevalence of a comorbidity or lifestyle flag."""
        c = self.p.comorbidity
        tables = {
            "diabetes": lambda: _both_sexes(c.diabetes_knots),
            "hypertension": lambda: _both_sexes(c.hypertension_knots),
            "hypercholesterolaemia": lambda: _both_sexes(c.hypercholesterolaemia_knots),
            "depression": lambda: _sex_curve(c.depression_knots, c.depression_female_or),
            "osteoporosis": lambda: _sex_curve(
                c.osteoporosis_women_knots, c.osteoporosis_male_or, female_is_base=True
            ),
            "ckd": lambda: _both_sexes(c.ckd_knots),
            "hypothyroidism": lambda: _sex_curve(
                c.hypothyroidism_women_knots, c.hypothyroidism_male_or, female_is_base=True
            ),
            "iron_deficiency": lambda: _sex_curve(
                c.iron_deficiency_women_knots, c.iron_deficiency_male_or, female_is_base=True
            ),
            "disc_disease": lambda: _both_sexes(c.disc_disease_knots),
            "smoking": lambda: _both_sexes(c.smoking_knots),
            "heavy_alcohol": lambda: _both_sexes(c.heavy_alcohol_knots),
            "family_history_rls": lambda: np.full((len(AGES), 2), c.family_history_rls),
        }
        return tables[name]()

    def _build_curves(self) -> _Curves:
        demo, prev, med = self.p.demography, self.p.prevalence, self.p.medication
        weight = np.where(
            AGES <= demo.age_plateau_until,
            1.0,
            np.exp(-(AGES - demo.age_plateau_until) / demo.age_decline_years),
        )
        female = np.interp(AGES, [18, 95], [demo.female_share_young, demo.female_share_old])
        age_sex = np.stack([weight * (1 - female), weight * female], axis=1)
        in_range = (AGES >= self.cohort.age_min) & (AGES <= self.cohort.age_max)
        age_sex = age_sex * in_range[:, None]
        age_sex /= age_sex.sum()

        drug = np.stack(
            [self.comorbidity_table(DRUG_INDICATION[d]) * med.treat_prob[d] for d in DRUGS],
            axis=2,
        )
        causal = np.array([med.causal_prob[d] for d in DRUGS])
        p = np.zeros((len(AGES), 2, len(LABELS)))
        code = CAUSE_CODE
        p[:, :, code["rls"]] = _sex_curve(prev.rls_men_knots, prev.rls_female_odds_ratio)
        p[:, :, code["venous"]] = _sex_curve(prev.venous_men_knots, prev.venous_female_odds_ratio)
        abi_low = _both_sexes(prev.pad_abi_knots)
        critical = prev.pad_spectrum_shares["critical"]
        p[:, :, code["pad"]] = abi_low * critical
        p[:, :, code["stenosis"]] = _both_sexes(prev.stenosis_knots)
        p[:, :, code["fatigue"]] = _both_sexes(prev.fatigue_knots)
        p[:, :, code["dehydration"]] = _both_sexes(prev.dehydration_knots)
        p[:, :, code["nerve"]] = _both_sexes(prev.nerve_knots)
        p[:, :, code["electrolyte"]] = _both_sexes(prev.electrolyte_knots)
        p[:, :, code["medication"]] = (drug * causal).sum(axis=2)
        secondary = self._secondary_cramp_given_cell(drug * causal)
        cramps_any = _both_sexes(prev.cramps_any_knots)
        cramps_primary = cramps_any - (p * secondary).sum(axis=2)
        if (cramps_primary < 0).any():
            age = AGES[np.argwhere(cramps_primary < 0)[0][0]]
            raise ConfigError(
                "model.prevalence.cramps_any_knots is too low for the secondary cramps "
                f"of other causes at age {age}: raise it or lower secondary_cramp_prob"
            )
        p[:, :, code["cramps"]] = cramps_primary
        none = 1.0 - p.sum(axis=2)
        if (none < 0).any():
            age = AGES[np.argwhere(none < 0)[0][0]]
            raise ConfigError(
                f"model.prevalence curves sum above 1 at age {age}: lower some cause prevalences"
            )
        # Painful diabetic neuropathy: a person with diabetes whose only condition it would
        # be has it as the primary cause (nerve, no compression), so it comes out of the
        # share with no cause; with another cause it is a co-condition (_co_conditions).
        neuropathy = _sex_curve(
            [[18, prev.painful_neuropathy_given_diabetes]],
            prev.painful_neuropathy_female_odds_ratio,
        )
        # So does one in whom it outweighs their other cause (the rule of primary_cause):
        # ``neuropathy_heavier_share`` of them, moved from that cause to nerve.
        diabetic = neuropathy * self.comorbidity_table("diabetes")
        heavier = diabetic * prev.neuropathy_heavier_share
        others = [c for c in range(len(LABELS)) if c not in (NONE, CAUSE_CODE["nerve"])]
        moved = (p[:, :, others] * heavier[:, :, None]).sum(axis=2)
        p[:, :, others] *= 1 - heavier[:, :, None]
        only = diabetic * none + moved
        p[:, :, CAUSE_CODE["nerve"]] += only
        p[:, :, NONE] = none - diabetic * none
        share = only / p[:, :, CAUSE_CODE["nerve"]]
        asympt = abi_low * (1 - critical) / (1 - abi_low * critical)
        return _Curves(age_sex, p, drug, asympt, neuropathy, share)

    def _secondary_cramp_given_cell(self, drug_causal: np.ndarray) -> np.ndarray:
        """(78, 2, len(LABELS)) probability that cramps contribute, given the primary cause."""
        out = np.zeros((len(AGES), 2, len(LABELS)))
        for cause, prob in self.p.prevalence.secondary_cramp_prob.items():
            if cause not in CAUSE_CODE or cause in ("cramps", "none"):
                raise ConfigError(
                    f"model.prevalence.secondary_cramp_prob.{cause} is an unknown cause: "
                    f"expected one of {', '.join(c for c in CAUSES if c != 'cramps')}"
                )
            out[:, :, CAUSE_CODE[cause]] = prob
        # A diuretic culprit adds cramps with diuretic_cramp_prob on top of the base probability.
        total = drug_causal.sum(axis=2)
        diuretic = drug_causal[:, :, DIURETIC_CODES].sum(axis=2)
        share = np.divide(diuretic, total, out=np.zeros_like(total), where=total > 0)
        base = out[:, :, CAUSE_CODE["medication"]]
        extra = self.p.prevalence.diuretic_cramp_prob
        out[:, :, CAUSE_CODE["medication"]] = base + (1 - base) * share * extra
        return out

    def _cause_mix(self) -> np.ndarray:
        """Shares of primary causes (len(LABELS),) for the requested population and mix."""
        joint = self.curves.age_sex_weight[:, :, None] * self.curves.cause_given_cell
        natural = joint.sum(axis=(0, 1))
        mix = self.cohort.cause_mix
        if isinstance(mix, dict):
            return np.array([mix.get(c, 0.0) for c in LABELS])
        if mix == "balanced":
            return np.full(len(LABELS), 1.0 / len(LABELS))
        if self.cohort.population == "general":
            return natural
        symptomatic = natural.copy()
        symptomatic[NONE] = 0.0
        symptomatic *= (1 - self.cohort.presenting_none_share) / symptomatic.sum()
        symptomatic[NONE] = self.cohort.presenting_none_share
        return symptomatic

    def natural_mix(self) -> dict[str, float]:
        """Primary-cause shares of the general population (the calibrated marginal)."""
        joint = self.curves.age_sex_weight[:, :, None] * self.curves.cause_given_cell
        return dict(zip(LABELS, joint.sum(axis=(0, 1)).tolist(), strict=True))

    # ---------------------------------------------------------------- sampling
    def sample(self, streams: ShardStreams) -> dict[str, np.ndarray]:
        """All patient columns for the shard's patients, as numpy arrays.

        Drawn again with the same numbers: the first draw finds each co-condition's
        symptom burden (``sim.model.burden``), the next, of the patients who lose one,
        keeps only the co-conditions milder than the primary cause's chain
        (``_milder_than_primary``), and so on while a drop makes a kept one heavier
        (a row loses at least one condition a round, so it ends; two rounds in practice)."""
        first = _Draws(streams)
        cols, co, chain = self._sample(first, None)
        keep = self._milder_than_primary(cols, co, chain, streams)
        if keep is None:
            return cols
        # Only the patients who lose a co-condition change: draw them again alone, with the
        # numbers of the first draw, and put their rows in place. A dropped co-condition
        # can lower the chain's burden (a dehydration no longer there excited the primary's
        # cramps), so a kept one may now outweigh it: drop that one too, until none does
        # (a fixed point; dropping only ever removes, so it ends).
        changed = ~np.logical_and.reduce(list(keep.values()))
        for _ in range(len(keep) + 1):  # each round drops at least one condition of a row
            rows = np.flatnonzero(changed)
            if rows.size == 0:
                return cols
            again, _, _ = self._sample(
                _Draws(streams, rows, first.record), {c: k[rows] for c, k in keep.items()}
            )
            for name, values in again.items():
                cols[name][rows] = values
            # Only the patients drawn again changed: the next round is theirs alone.
            more = self._milder_than_primary(cols, co, chain, streams, changed)
            if more is None:
                return cols
            changed = np.logical_or.reduce([keep[c] & ~more[c] for c in keep])
            keep = {c: keep[c] & more[c] for c in keep}
        raise AssertionError("the primary-cause rule found no fixed point")  # cannot happen

    def _milder_than_primary(
        self, cols, co, chain, streams, among=None
    ) -> dict[str, np.ndarray] | None:
        """Which co-conditions to keep: the rule of ``primary_cause``.

        The primary cause is the root of the chain of causes that carries the most
        symptom burden: its chain (the primary and what it causes, ``chain``) has more
        burden (expected episodes a night times their intensity) than any co-condition of
        the patient's own risks (with what that one causes: a harmful drug's electrolyte
        loss or restless legs). A drawn
        co-condition with as much burden or more would itself have been the primary, so
        for a patient sampled with this primary it is not there: dropping it is the exact
        conditional of drawing every condition from its own risks and naming the heaviest
        chain's root primary. Burden: ``sim.model.burden.expected_rates``. ``among``: only
        these patients' (bool mask; None: all), the others keep everything."""
        # Anything active beyond the primary's chain came from a co-condition.
        has_co = np.logical_or.reduce([cols[f"active_{c}"] & ~chain[c] for c in CAUSES])
        if among is not None:
            has_co &= among
        rows = np.flatnonzero(has_co)
        if rows.size == 0:
            return None
        rates = burden.expected_rates(cols, self.p, streams, rows)
        rate = {c: rates[:, MECHANISM_CODE[c]] for c in CAUSES}
        chain_rate = sum(np.where(chain[c][rows], rate[c], 0.0) for c in CAUSES)
        culprit = cols["culprit_drug"][rows]
        drug_rate = (
            rate["medication"]
            + np.where(
                np.isin(culprit, DIURETIC_CODES) & ~chain["electrolyte"][rows],
                rate["electrolyte"],
                0.0,
            )
            + np.where(np.isin(culprit, RLS_DRUG_CODES) & ~chain["rls"][rows], rate["rls"], 0.0)
        )
        keep = {}
        for c in (*CO_CONDITIONS, "neuropathy"):
            mech = "nerve" if c == "neuropathy" else c
            own = drug_rate if c == "medication" else rate[mech]
            # Only a condition the patient has beyond the chain can be dropped.
            extra = cols[f"active_{mech}"][rows] & ~chain[mech][rows]
            keep[c] = np.ones(len(has_co), dtype=bool)
            keep[c][rows] = ~extra | (own < chain_rate)
        return keep

    def _sample(self, streams: ShardStreams, keep) -> tuple[dict, dict, dict]:
        """The patient columns, the co-conditions drawn and the primary's chain; ``keep``:
        which co-conditions survive the primary-cause rule (None: all)."""
        n = streams.n
        cols: dict[str, np.ndarray] = {"patient_id": streams.patient_id}
        u = _named_draws(streams, "population.cause", ("cause", "cell", "neuropathy"))
        primary = dist.categorical(u.cause, self.mix)
        cell_probs = self.curves.age_sex_weight[:, :, None] * self.curves.cause_given_cell
        cell_probs = cell_probs.reshape(len(AGES) * 2, len(LABELS))
        cell = np.empty(n, dtype=np.int64)
        for code in np.unique(primary):
            rows = primary == code
            weights = cell_probs[:, code]
            if weights.sum() <= 0:
                raise ConfigError(
                    f"cohort.cause_mix asks for {LABELS[code]!r} but no age in "
                    f"[{self.cohort.age_min}, {self.cohort.age_max}] has that cause"
                )
            cell[rows] = dist.categorical(u.cell[rows], weights)
        age_idx, female = np.divmod(cell, 2)
        female = female.astype(bool)
        cols["age"] = AGES[age_idx].astype(np.int8)
        cols["sex"] = np.where(female, 1, 0).astype(np.int8)  # 0 male, 1 female
        cols["primary_cause"] = primary.astype(np.int8)
        # Painful diabetic neuropathy as the primary cause (its diabetes is then certain).
        neuropathy = (primary == CAUSE_CODE["nerve"]) & (
            u.neuropathy < self.curves.neuropathy_share_of_nerve[age_idx, female.astype(int)]
        )
        habits = self._risk_factors(streams, cols, age_idx, female, primary, neuropathy)
        co = self._co_conditions(streams, cols, age_idx, female, primary, keep)
        co["neuropathy_primary"] = neuropathy
        self._habits(cols, habits, primary, co)
        self._medications(streams, cols, age_idx, female, primary, co)
        chain = self._contributing(streams, cols, primary, co)
        self._latent(streams, cols, age_idx, female, primary, co)
        return cols, co, chain

    def _risk_factors(self, streams, cols, age_idx, female, primary, neuropathy):
        names = COMORBIDITIES + LIFESTYLE_FLAGS
        u = _named_draws(
            streams, "population.risk_factors", (*names, "bmi", "activity", "fluid", "alcohol")
        )
        lat = self.p.latent
        odds = self.p.comorbidity.cause_odds_ratios
        for cause in odds:
            if cause not in CAUSE_CODE:
                raise ConfigError(
                    f"model.comorbidity.cause_odds_ratios.{cause} is an unknown cause: "
                    f"expected one of {', '.join(LABELS)}"
                )
            for factor in odds[cause]:
                if factor not in names:
                    raise ConfigError(
                        f"model.comorbidity.cause_odds_ratios.{cause}.{factor} is unknown: "
                        f"expected one of {', '.join(names)}"
                    )
        sex = female.astype(int)
        for name in names:
            # The probability is a function of (age, sex, primary cause): computed once per
            # cell of that small table, then looked up for every patient.
            log_or = np.zeros(len(LABELS))
            for cause, factors in odds.items():
                if name in factors:
                    log_or[CAUSE_CODE[cause]] = np.log(factors[name])
            base = self.comorbidity_table(name)
            cell_p = dist.expit(dist.logit(base)[:, :, None] + log_or)
            cols[name] = dist.bernoulli(getattr(u, name), cell_p[age_idx, sex, primary])
        cols["diabetes"] = cols["diabetes"] | neuropathy
        age = cols["age"].astype(np.float64)
        cols["bmi_kg_m2"] = np.clip(
            dist.normal(
                u.bmi,
                lat.bmi_mean_kg_m2
                + lat.bmi_slope_per_year * (age - 18)
                + lat.bmi_diabetes_kg_m2 * cols["diabetes"],
                lat.bmi_sd_kg_m2,
            ),
            *lat.bmi_range,
        ).astype(np.float32)
        cols["alcohol_units_week"] = np.where(
            cols["heavy_alcohol"],
            dist.lognormal(
                u.alcohol, lat.alcohol_units_heavy_median, lat.alcohol_units_heavy_log_sd
            ),
            dist.lognormal(u.alcohol, lat.alcohol_units_median, lat.alcohol_units_log_sd),
        ).astype(np.float32)
        return u.activity, u.fluid

    def _co_conditions(
        self, streams, cols, age_idx, female, primary, keep
    ) -> dict[str, np.ndarray]:
        """Conditions a patient has besides the primary cause, each from its own risk model.

        A patient with any cause may also have each other condition of ``CO_CONDITIONS``
        with that cause's own probability at their age and sex (its prevalence curve, the
        one the primary-cause table uses), shifted by their risk factors with the cause's
        odds ratios (``model.comorbidity.cause_odds_ratios``: an odds ratio is the same in
        either direction) and scaled by ``co_condition_relative_risk``. So conditions
        co-occur as often as their risks say, independently of which one is primary.

        A co-condition keeps its cause's own severity; one heavier than the primary's chain
        is not kept (the rule of ``primary_cause``, ``_milder_than_primary``). PAD is drawn
        among the patient's low ABI (``_latent``) and a harmful drug among the drugs they
        take (``_medications``); cramps contribute through ``secondary_cramp_prob``.
        Controls (``none``) have no condition at all. ``keep``: the co-conditions milder
        than the primary (``_milder_than_primary``; None: all that are drawn).
        """
        u = _named_draws(streams, "population.co_conditions", CO_CONDITION_DRAWS)
        prev = self.p.prevalence
        odds = self.p.comorbidity.cause_odds_ratios
        sex = female.astype(int)
        out = {}
        for cause in CO_CONDITIONS:
            code = CAUSE_CODE[cause]
            eligible = (primary != NONE) & (primary != code)
            if keep is not None:
                eligible &= keep[cause]
            if cause in ("pad", "medication"):
                out[cause] = eligible  # drawn where the condition's own state is drawn
                continue
            logit = dist.logit(self.curves.cause_given_cell[age_idx, sex, code])
            for factor, ratio in odds.get(cause, {}).items():
                logit = logit + np.log(ratio) * cols[factor]
            p = np.clip(prev.co_condition_relative_risk * dist.expit(logit), 0.0, 1.0)
            out[cause] = eligible & (getattr(u, cause) < p)
        # Painful diabetic neuropathy with another cause primary (Abbott 2011).
        neuropathy = self.curves.neuropathy_given_diabetes[age_idx, sex]
        out["neuropathy"] = (
            (primary != NONE)
            & (primary != CAUSE_CODE["nerve"])
            & cols["diabetes"]
            & (u.neuropathy < np.clip(prev.co_condition_relative_risk * neuropathy, 0, 1))
        )
        if keep is not None:
            out["neuropathy"] &= keep["neuropathy"]
        out["u"] = u
        return out

    def _habits(self, cols, draws, primary, co) -> None:
        """Activity level and fluid habit: exertion-driven fatigue needs activity, and
        dehydration a low intake, whether the condition is primary or a co-condition."""
        u_activity, u_fluid = draws
        lat = self.p.latent
        age = cols["age"].astype(np.float64)
        # Activity level: fatigue patients are the active ones (exertion-driven DOMS).
        fatigue = (primary == CAUSE_CODE["fatigue"]) | co["fatigue"]
        young_until, old_from = lat.activity_age_range
        young = np.clip((old_from - age) / (old_from - young_until), 0, 1)
        p_high = np.where(
            fatigue,
            lat.activity_high_prob_fatigue,
            lat.activity_high_prob + lat.activity_high_prob_young_extra * young,
        )
        p_low = np.where(
            fatigue,
            lat.activity_low_prob_fatigue,
            lat.activity_low_prob + lat.activity_low_prob_old_extra * (1 - young),
        )
        level = np.where(u_activity < p_high, 2, np.where(u_activity > 1 - p_low, 0, 1))
        cols["activity_level"] = level.astype(np.int8)
        dehydrated = (primary == CAUSE_CODE["dehydration"]) | co["dehydration"]
        p_low_fluid = np.where(
            dehydrated,
            lat.low_fluid_prob_dehydration,
            lat.low_fluid_prob
            + lat.low_fluid_prob_elderly_extra * (age > lat.low_fluid_elderly_age),
        )
        p_high_fluid = np.where(dehydrated, lat.high_fluid_prob_dehydration, lat.high_fluid_prob)
        fluid = np.where(u_fluid < p_low_fluid, 0, np.where(u_fluid > 1 - p_high_fluid, 2, 1))
        cols["fluid_intake_habit"] = fluid.astype(np.int8)

    def _medications(self, streams, cols, age_idx, female, primary, co) -> None:
        med = self.p.medication
        u = _named_draws(
            streams,
            "population.medications",
            (
                *(f"{d}_{k}" for d in DRUGS for k in ("on", "recent", "start", "dose")),
                "culprit",
                *(f"{d}_harm" for d in DRUGS),
            ),
        )
        is_med = primary == CAUSE_CODE["medication"]
        causal = np.array([med.causal_prob[d] for d in DRUGS])
        weights = self.curves.drug_given_cell[age_idx, female.astype(int)] * causal
        culprit = np.where(is_med, dist.categorical(u.culprit, weights), -1)
        users = {}
        for j, drug in enumerate(DRUGS):
            forced = culprit == j
            indication = DRUG_INDICATION[drug]
            cols[indication] = cols[indication] | forced
            users[drug] = forced | (
                cols[indication] & (getattr(u, f"{drug}_on") < med.treat_prob[drug])
            )
        # A co-condition: another cause is primary and one of the drugs the patient takes
        # harms them too (each with its causal probability; the first such drug in DRUGS
        # order is the culprit). Its start falls in the culprit window like a primary's.
        harm_rr = self.p.prevalence.co_condition_relative_risk
        for j, drug in enumerate(DRUGS):
            harmed = (
                co["medication"]
                & (culprit < 0)
                & users[drug]
                & (getattr(u, f"{drug}_harm") < min(1.0, harm_rr * med.causal_prob[drug]))
            )
            culprit = np.where(harmed, j, culprit)
        cols["culprit_drug"] = culprit.astype(np.int8)
        n = len(primary)
        # Start days are drawn over a fixed horizon, never over cohort.nights: a longer
        # diary must not move the drugs (and so the nights) of the first ones.
        horizon = int(med.start_horizon_days)
        for j, drug in enumerate(DRUGS):
            forced = culprit == j
            on = users[drug]
            # Start day and dose of the users only (the others get 0 and null).
            rows = np.flatnonzero(on)
            u_recent, u_start, u_dose = (
                getattr(u, f"{drug}_{k}")[rows] for k in ("recent", "start", "dose")
            )
            # Most users started long ago; some recently. A culprit started when its effect
            # could show before the horizon (timing per drug from DOMAIN.md).
            start = np.where(
                u_recent < med.recent_start_share,
                dist.uniform(u_start, med.recent_start_from_day, horizon),
                dist.uniform(u_start, med.long_term_start_from_day, med.recent_start_from_day),
            )
            lo, hi = med.culprit_start_window_days[drug]
            hi = min(hi, horizon - 1)
            if drug == "statin":
                # Myalgia must be able to begin before the horizon even at the longest delay.
                hi = min(hi, horizon - 1 - int(self.p.mechanisms.medication.statin_onset_days[1]))
                lo = min(lo, hi - 1)
            start = np.where(forced[rows], dist.uniform(u_start, lo, max(lo + 1, hi)), start)
            levels = np.array(med.dose_mg[drug], dtype=np.float32)
            dose = levels[np.minimum((u_dose * len(levels)).astype(int), len(levels) - 1)]
            cols[f"on_{drug}"] = on
            cols[f"{drug}_start_day"] = np.zeros(n, dtype=np.int16)
            cols[f"{drug}_start_day"][rows] = np.floor(start)
            cols[f"{drug}_dose_mg"] = np.full(n, np.nan, dtype=np.float32)
            cols[f"{drug}_dose_mg"][rows] = dose

    def _contributing(self, streams, cols, primary, co) -> dict[str, np.ndarray]:
        """Multi-label active causes (bool per cause): the primary cause, the co-conditions
        of the patient's own risks, and what a cause causes (a harmful diuretic lowers
        potassium and magnesium, an SSRI brings restless legs, dehydration shifts
        electrolytes, and most causes bring cramps). When one cause
        causes another, the root is the primary (the rule of ``primary_cause``)."""
        u = _named_draws(streams, "population.contributing", CONTRIBUTING_DRAWS)
        prev = self.p.prevalence
        code = CAUSE_CODE
        active = {c: primary == code[c] for c in CAUSES}
        for c in CO_CONDITIONS:
            if c not in ("pad", "medication"):
                active[c] |= co[c]
        culprit = cols["culprit_drug"]
        active["medication"] |= culprit >= 0
        diuretic = np.isin(culprit, DIURETIC_CODES)
        rls_drug = np.isin(culprit, RLS_DRUG_CODES)
        # Cramps as a contributing cause, with the exact probabilities the calibration used.
        p_cramp = np.zeros(len(primary))
        for cause, prob in self.p.prevalence.secondary_cramp_prob.items():
            p_cramp[primary == code[cause]] = prob
        med_rows = primary == code["medication"]
        p_cramp[med_rows & diuretic] += (
            1 - p_cramp[med_rows & diuretic]
        ) * prev.diuretic_cramp_prob
        # The primary's chain: the primary and what it causes.
        chain = {c: primary == code[c] for c in CAUSES}
        chain["cramps"] |= u.secondary_cramps < p_cramp
        chain["electrolyte"] |= med_rows & diuretic
        chain["rls"] |= med_rows & rls_drug
        chain["electrolyte"] |= (primary == code["dehydration"]) & (
            u.dehydration_electrolyte < prev.dehydration_electrolyte_prob
        )
        # A co-condition's harmful drug causes the same (its cramps excepted: the cramps
        # calibration counts diuretic cramps of a primary culprit only).
        active["electrolyte"] |= diuretic
        active["rls"] |= rls_drug
        active["nerve"] |= co["neuropathy"]
        for c in CAUSES:
            active[c] |= chain[c]
            cols[f"active_{c}"] = active[c]
        return chain

    def _latent(self, streams, cols, age_idx, female, primary, co) -> None:
        lat = self.p.latent
        prev = self.p.prevalence
        n = len(primary)
        u = _named_draws(streams, "population.latent", LATENT_DRAWS)
        code = CAUSE_CODE
        age = cols["age"].astype(np.float64)

        # Vascular: brachial pressure, ABI, ankle pressure.
        sbp = dist.normal(
            u.brachial_sbp,
            lat.brachial_sbp_mean_mmhg + lat.brachial_sbp_hypertension_mmhg * cols["hypertension"],
            lat.brachial_sbp_sd_mmhg,
        )
        # The PAD spectrum (DOMAIN.md): of the people whose ABI is 0.90 or less, those with
        # critical ischaemia (ankle below 50 mmHg) have rest pain at night (``pad`` is a
        # cause: the primary one, or a co-condition of another); the others are
        # asymptomatic, or have atypical exertional leg pain or claudication by day.
        pad_primary = primary == code["pad"]
        low_abi = ~pad_primary & (
            u.asymptomatic_low_abi < self.curves.asymptomatic_low_abi[age_idx, female.astype(int)]
        )
        spectrum = prev.pad_spectrum_shares
        co_pad = (
            co["pad"]
            & low_abi
            & (co["u"].pad < min(1.0, prev.co_condition_relative_risk * spectrum["critical"]))
        )
        critical = pad_primary | co_pad
        low_abi &= ~co_pad
        ankle_critical = dist.uniform(u.abi, *lat.critical_ankle_mmhg_range)
        lo, hi = lat.abi_pad_range
        abi_pad = lo + (hi - lo) * dist.kumaraswamy(u.abi, *lat.abi_pad_shape)
        abi_normal = np.clip(
            dist.normal(u.abi, lat.abi_normal_mean, lat.abi_normal_sd),
            ref.ABI_NORMAL_LOW,
            ref.ABI_NONCOMPRESSIBLE,
        )
        stiff = (cols["diabetes"] | cols["ckd"]) & (
            u.noncompressible < lat.abi_noncompressible_prob_diabetes_ckd
        )
        slo, shi = lat.abi_noncompressible_range
        abi_normal = np.where(stiff, dist.uniform(u.noncompressible_abi, slo, shi), abi_normal)
        abi = np.where(critical, ankle_critical / sbp, np.where(low_abi, abi_pad, abi_normal))
        cols["active_pad"] = cols["active_pad"] | co_pad
        milder = np.array([spectrum[k] for k in PAD_SPECTRUM[:-1]])
        stage = np.where(critical, PAD_STAGE_CODE["critical"], 0).astype(np.int8)
        if low_abi.any():  # none when every low ABI is critical (``critical`` 1)
            stage[low_abi] = 1 + dist.categorical(u.pad_stage[low_abi], milder)
        cols["pad_stage"] = stage
        cols["brachial_sbp_mmhg"] = sbp.astype(np.float32)
        cols["abi_true"] = abi.astype(np.float32)
        cols["ankle_sbp_mmhg"] = (abi * sbp).astype(np.float32)
        cols["arterial_stenosis"] = np.clip(1 - abi / 1.1, 0, 1).astype(np.float32)

        # Electrolytes: background, then the electrolyte cause's deficit, then diuretic effects.
        older = np.clip((age - 50) / 10, 0, None)
        k = np.clip(
            dist.normal(u.potassium, lat.potassium_mean_mmol_l, lat.potassium_sd_mmol_l),
            *lat.potassium_baseline_range,
        )
        mg = np.clip(
            dist.normal(
                u.magnesium,
                lat.magnesium_mean_mmol_l + lat.magnesium_age_slope_per_decade * older,
                lat.magnesium_sd_mmol_l,
            ),
            *lat.magnesium_baseline_range,
        )
        ca = np.clip(
            dist.normal(u.calcium, lat.calcium_mean_mmol_l, lat.calcium_sd_mmol_l),
            *lat.calcium_baseline_range,
        )
        na = np.clip(
            dist.normal(
                u.sodium,
                lat.sodium_mean_mmol_l + lat.sodium_age_slope_per_decade * older,
                lat.sodium_sd_mmol_l,
            ),
            *lat.sodium_baseline_range,
        )
        elec_primary = primary == code["electrolyte"]
        # A culprit diuretic lowers electrolytes only once taken (sim.model.night_state), so
        # its patients get no baseline deficit; dehydration's electrolyte shift does.
        diuretic_culprit = np.isin(cols["culprit_drug"], DIURETIC_CODES)
        elec_any = cols["active_electrolyte"] & ~elec_primary & ~diuretic_culprit
        kind_shares = lat.electrolyte_deficit_kind_shares
        kind = dist.categorical(u.deficit_kind, [kind_shares[name] for name in ELECTROLYTE_KINDS])
        severe = elec_primary & (u.deficit_severe < lat.electrolyte_severe_share)
        deficit = elec_primary | elec_any

        def band(value, code, mild, worse=None):
            """``value`` where the kind is not ``code``; else a uniform draw on ``mild``, or
            on ``worse`` for the severe (when the kind has a severe band)."""
            drawn = dist.uniform(u.deficit_value, *mild)
            if worse is not None:
                drawn = np.where(severe, dist.uniform(u.deficit_value, *worse), drawn)
            return np.where(deficit & (kind == code), drawn, value)

        # Kind codes are ELECTROLYTE_KINDS' order: four low values, then high K, Ca and Na.
        k = band(k, 0, lat.potassium_deficit_range, lat.potassium_deficit_severe_range)
        mg = band(mg, 1, lat.magnesium_deficit_range)
        na = band(na, 2, lat.sodium_deficit_range, lat.sodium_deficit_severe_range)
        ca = band(ca, 3, lat.calcium_deficit_range)
        k = band(k, 4, lat.potassium_excess_range, lat.potassium_excess_severe_range)
        ca = band(ca, 5, lat.calcium_excess_range, lat.calcium_excess_severe_range)
        na = band(na, 6, lat.sodium_excess_range, lat.sodium_excess_severe_range)
        # Severe electrolyte patients with a magnesium or calcium deficit also lose potassium.
        k = np.where(
            severe & ((kind == 1) | (kind == 3)),
            dist.uniform(u.deficit_potassium, *lat.potassium_deficit_severe_range),
            k,
        )
        cols["potassium_base_mmol_l"] = k.astype(np.float32)
        cols["magnesium_base_mmol_l"] = mg.astype(np.float32)
        cols["calcium_base_mmol_l"] = ca.astype(np.float32)
        cols["sodium_base_mmol_l"] = na.astype(np.float32)
        culprit = cols["culprit_drug"]
        drop = np.zeros(n)
        thiazide_like = np.isin(culprit, [DRUGS.index("thiazide"), DRUGS.index("loop_diuretic")])
        # Steady-state fall in potassium on a culprit diuretic: lands mostly in 2.7-3.4 mmol/L.
        drop = np.where(
            thiazide_like,
            np.clip(
                k - dist.uniform(u.diuretic_potassium, *lat.diuretic_potassium_target_range),
                lat.diuretic_potassium_min_drop_mmol_l,
                None,
            ),
            drop,
        )
        cols["diuretic_potassium_drop_mmol_l"] = drop.astype(np.float32)
        na_drop = np.where(
            culprit == DRUGS.index("potassium_sparing"),
            np.clip(
                na - dist.uniform(u.diuretic_sodium, *lat.potassium_sparing_sodium_target_range),
                lat.potassium_sparing_sodium_min_drop_mmol_l,
                None,
            ),
            0.0,
        )
        cols["diuretic_sodium_drop_mmol_l"] = na_drop.astype(np.float32)

        # Iron and restless legs.
        median = np.where(
            female & (age < 50), lat.ferritin_median_women_ug_l, lat.ferritin_median_men_ug_l
        )
        median = np.where(cols["iron_deficiency"], lat.ferritin_median_iron_deficient_ug_l, median)
        cols["ferritin_ug_l"] = np.clip(
            dist.lognormal(u.ferritin, median, lat.ferritin_log_sd), *lat.ferritin_range
        )
        rls = cols["active_rls"]
        # Intrinsic drive only for restless legs as the root; a culprit SSRI or mirtazapine
        # supplies the drive of drug-induced restless legs (sim.model.physiology.neurological).
        intrinsic = (primary == code["rls"]) | co["rls"]
        cols["rls_severity"] = _where(
            intrinsic, lambda r: dist.kumaraswamy(u.rls_severity[r], *lat.rls_severity_shape), 0
        )
        cols["rls_peak_clock_h"] = _where(
            rls,
            lambda r: dist.normal(u.rls_peak[r], lat.rls_peak_clock_h, lat.rls_peak_sd_h),
            np.nan,
        )

        # Cramps: weekly rate in sufferers (40% above 3 a week, 6% daily).
        cramps = cols["active_cramps"]
        cols["cramp_weekly_rate"] = _where(
            cramps,
            lambda r: dist.lognormal(
                u.cramp_rate[r], lat.cramp_weekly_rate_median, lat.cramp_weekly_rate_log_sd
            ),
            0,
        )

        # Nerve compression: side, site and severity.
        nerve = cols["active_nerve"]
        # A compression (sciatica, peroneal) unless the nerve cause is painful diabetic
        # neuropathy (symmetric, distal: both feet, no compression).
        compressed = (primary == code["nerve"]) & ~co["neuropathy_primary"]
        neuropathy_only = co["neuropathy_primary"] | (co["neuropathy"] & ~co["nerve"])
        compression = nerve & (compressed | co["nerve"] | (cols["disc_disease"] & ~neuropathy_only))
        cols["nerve_compression"] = compression
        cols["nerve_severity"] = _where(
            nerve, lambda r: dist.kumaraswamy(u.nerve_severity[r], *lat.nerve_severity_shape), 0
        )
        # Codes: side 0 left, 1 right (SIDES); site 0 lumbar root, 1 peroneal (NERVE_SITES).
        right = (u.nerve_side < lat.nerve_right_side_share).astype(np.int8)
        cols["nerve_side"] = np.where(compression, right, -1).astype(np.int8)
        peroneal = (u.nerve_site < lat.nerve_peroneal_share).astype(np.int8)
        cols["nerve_site"] = np.where(compression, peroneal, -1).astype(np.int8)
        # Painless diabetic neuropathy: numb feet without the pain (not a cause).
        painful = nerve & ~compression
        cols["painless_neuropathy"] = (
            cols["diabetes"]
            & ~painful
            & (u.painless_neuropathy < prev.painless_neuropathy_given_diabetes)
        )
        # Lumbar spinal stenosis: its severity.
        stenosis = cols["active_stenosis"]
        cols["stenosis_severity"] = _where(
            stenosis,
            lambda r: dist.kumaraswamy(u.stenosis_severity[r], *lat.stenosis_severity_shape),
            0,
        )
        cols["walking_leg_pain"] = self._walking_history(
            u.walking_pain, stage, compression & (peroneal == 0), stenosis, age
        )

        # Venous disease: its severity; legs that swell by evening (a sign of the record).
        venous = cols["active_venous"]
        cols["venous_severity"] = _where(
            venous, lambda r: dist.kumaraswamy(u.venous_severity[r], *lat.venous_severity_shape), 0
        )
        swelling = dist.piecewise_linear(age, prev.leg_swelling_knots)
        swelling = np.where(venous, np.maximum(swelling, prev.leg_swelling_venous), swelling)
        swelling = np.where(
            stage == PAD_STAGE_CODE["critical"],
            np.maximum(swelling, prev.leg_swelling_critical),
            swelling,
        )
        swelling = np.clip(swelling + prev.leg_swelling_ckd * cols["ckd"], 0, 1)
        cols["leg_swelling"] = u.leg_swelling < swelling

        # Exertion and hydration habits.
        fatigue = cols["active_fatigue"]
        level = cols["activity_level"].astype(np.float64)
        cols["exertion_days_per_week"] = np.clip(
            dist.normal(
                u.exertion_days,
                lat.exertion_days_base
                + lat.exertion_days_per_activity_level * level
                + lat.exertion_days_fatigue_extra * fatigue,
                lat.exertion_days_sd,
            ),
            0,
            7,
        ).astype(np.float32)
        # Hours a day sitting, as the patient reports them (to the half hour): a cramp
        # trigger (sim.model.mechanisms.cramps).
        sitting = dist.normal(
            u.sitting,
            lat.sitting_hours_mean
            - lat.sitting_hours_less_per_activity_level * level
            + lat.sitting_hours_per_decade * (age - 18) / 10,
            lat.sitting_hours_sd,
        )
        cols["sitting_hours_day"] = (
            np.round(2 * np.clip(sitting, *lat.sitting_hours_range)) / 2
        ).astype(np.float32)
        cols["unaccustomed_exertion_prob"] = np.where(
            fatigue,
            dist.uniform(u.unaccustomed, *lat.unaccustomed_exertion_prob_fatigue_range),
            dist.uniform(u.unaccustomed, *lat.unaccustomed_exertion_prob_range),
        ).astype(np.float32)
        habit_mean = np.array([lat.fluid_intake_mean_l[h] for h in FLUID_HABITS])
        habit_mean = habit_mean[cols["fluid_intake_habit"]]
        decline = lat.fluid_intake_decline_l_per_year * np.clip(
            age - lat.fluid_intake_decline_from_age, 0, None
        )
        cols["fluid_intake_l_day"] = np.clip(
            dist.normal(u.fluid_intake, habit_mean - decline, lat.fluid_intake_sd_l),
            *lat.fluid_intake_range,
        ).astype(np.float32)

        # Harmless aches: how often a person has them (mean 1 in the community). Controls
        # who presented (population=presenting, no cause) came with real, non-specific
        # aches, so theirs come from the top of the spread (sim.model.mechanisms.background).
        bg = self.p.mechanisms.background
        presented = (primary == NONE) if self.cohort.population == "presenting" else None
        median = np.full(n, math.exp(-0.5 * bg.propensity_log_sd**2))
        if presented is not None:
            median[presented] = bg.presented_propensity_median
        cols["ache_propensity"] = dist.lognormal(u.ache, median, bg.propensity_log_sd)

        # Steady state on the current drugs; re-evaluated on the visit night's true
        # physiology once the nights are simulated (``urgency_at_visit``).
        cols["urgency"] = urgency_at_visit(
            cols, potassium=k - drop, sodium=na - na_drop, magnesium=mg, calcium=ca
        )

    def _walking_history(self, u, stage, lumbar_root, stenosis, age) -> np.ndarray:
        """The walking history a patient gives (codes of ``WALKING_PAIN``): Edinburgh-style,
        leg pain on walking that is classic claudication (calf, eased within minutes of
        standing still) or atypical. Claudicants give the classic history with the
        questionnaire's sensitivity, people with critical ischaemia often; lumbar spinal
        stenosis gives neurogenic claudication, mostly atypical (eased by sitting) and
        sometimes classic-looking; otherwise atypical exertional pain is common with age
        (arthritis, stenosis, veins) and a classic history is rare (its specificity)."""
        prev = self.p.prevalence
        code = PAD_STAGE_CODE
        atypical = dist.piecewise_linear(age, prev.walking_pain_atypical_knots)
        atypical = np.where(lumbar_root, np.maximum(atypical, prev.walking_pain_nerve), atypical)
        atypical = np.where(stage == code["atypical"], 1.0, atypical)
        claudicant = stage == code["claudication"]
        claudication = np.select(
            [claudicant, stage == code["critical"]],
            [prev.walking_pain_claudication_sensitivity, prev.walking_pain_critical_claudication],
            prev.walking_pain_claudication_false_positive,
        )
        # Neurogenic claudication (stenosis, short of PAD's own claudication).
        look_alike = stenosis & ~claudicant & (stage != code["critical"])
        claudication = np.where(
            look_alike,
            np.maximum(claudication, prev.walking_pain_stenosis_claudication),
            claudication,
        )
        # The rest of a claudicant's answers are atypical; otherwise the background rates,
        # at least the stenosis's atypical share.
        atypical = np.where(claudicant, 1.0, (1 - claudication) * atypical)
        atypical = np.where(look_alike, np.maximum(atypical, prev.walking_pain_stenosis), atypical)
        out = np.zeros(len(u), dtype=np.int8)
        out[u < claudication + atypical] = WALKING_PAIN.index("atypical")
        out[u < claudication] = WALKING_PAIN.index("claudication")
        return out


def urgency_at_visit(
    cols: dict[str, np.ndarray],
    *,
    potassium: np.ndarray,
    sodium: np.ndarray,
    magnesium: np.ndarray,
    calcium: np.ndarray,
) -> np.ndarray:
    """Urgency a perfect triage would give, from the patient's causes, vascular state and
    the true serum electrolytes at the time of the clinic visit (mmol/L)."""
    return urgency(
        primary=cols["primary_cause"],
        pad_active=cols["active_pad"],
        abi=cols["abi_true"],
        ankle_sbp_mmhg=cols["ankle_sbp_mmhg"],
        potassium_mmol_l=potassium,
        sodium_mmol_l=sodium,
        magnesium_mmol_l=magnesium,
        calcium_mmol_l=calcium,
    )


LATENT_DRAWS = (
    "brachial_sbp",
    "asymptomatic_low_abi",
    "abi",
    "noncompressible",
    "noncompressible_abi",
    "potassium",
    "magnesium",
    "calcium",
    "sodium",
    "deficit_kind",
    "deficit_severe",
    "deficit_value",
    "deficit_potassium",
    "diuretic_potassium",
    "diuretic_sodium",
    "ferritin",
    "rls_severity",
    "rls_peak",
    "cramp_rate",
    "nerve_severity",
    "nerve_side",
    "nerve_site",
    "exertion_days",
    "fluid_intake",
    "unaccustomed",
    "ache",
    "pad_stage",
    "walking_pain",
    "venous_severity",
    "leg_swelling",
    "stenosis_severity",
    "sitting",
    "painless_neuropathy",
)
"""The uniforms of ``population.latent``, by name, in counter order."""
CO_CONDITIONS = (
    "rls",
    "pad",
    "fatigue",
    "dehydration",
    "nerve",
    "electrolyte",
    "medication",
    "venous",
    "stenosis",
)
"""Causes a patient may have besides the primary one, each from its own risk model
(``PopulationModel._co_conditions``); cramps have their own ``secondary_cramp_prob``."""
CO_CONDITION_DRAWS = (*CO_CONDITIONS[:8], "neuropathy", *CO_CONDITIONS[8:])
"""The uniforms of ``population.co_conditions``, by name, in counter order (a cause added
later is appended, so that no earlier name's number moves)."""
CONTRIBUTING_DRAWS = ("secondary_cramps", "dehydration_electrolyte")
"""The uniforms of ``population.contributing``, by name, in counter order."""


class _Draws:
    """The population's uniforms of one shard, kept: a second draw of some of its patients
    (``rows``) gives them the numbers of the first (``record``)."""

    def __init__(self, streams: ShardStreams, rows=None, record=None) -> None:
        self.streams = streams
        self.rows = rows
        self.record: dict[tuple[str, int], np.ndarray] = {} if record is None else record
        self.calls: dict[str, int] = {}
        ids = np.arange(streams.start, streams.stop, dtype=np.int64)
        self.patient_id = ids if rows is None else ids[rows]
        self.n = len(self.patient_id)

    def uniform(self, stream: str, k: int) -> np.ndarray:
        call = self.calls.get(stream, 0)
        self.calls[stream] = call + 1
        if (stream, call) not in self.record:
            self.record[stream, call] = self.streams.uniform(stream, k)
        u = self.record[stream, call]
        return u if self.rows is None else u[self.rows]


def _named_draws(streams: ShardStreams, stream: str, names) -> tuple:
    """The next call of ``stream``, one (n,) column of uniforms per name (``u.abi``), the
    i-th name the i-th counter index (so a name never moves another's numbers)."""
    u = streams.uniform(stream, len(names))
    return namedtuple("Draws", names)(*(u[:, i] for i in range(len(names))))


def _where(mask: np.ndarray, draw, fill: float) -> np.ndarray:
    """float32 column: ``draw(rows)`` on the rows of ``mask``, ``fill`` elsewhere (the same
    values as ``np.where(mask, draw(all rows), fill)``, drawn only where they are used)."""
    out = np.full(len(mask), fill, dtype=np.float32)
    rows = np.flatnonzero(mask)
    out[rows] = draw(rows)
    return out
