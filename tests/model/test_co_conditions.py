"""Causes that overlap (issue 13, item 1): co-conditions from their own risks, and the rule
of ``primary_cause``.

- Every pair of the ten causes co-occurs in a general population of 50,000 (seed 6), at
  least 5 patients a pair; with co-conditions switched off (relative risk 0) pairs vanish.
- The share with two or more active causes rises with age (18-44 < 45-64 < 65-95).
- Painful diabetic neuropathy (active nerve without a compression) in 21% +- 5 points of
  the people with diabetes (DOMAIN.md target; measured 19.6%); none without it
  (``painful_neuropathy_given_diabetes=0``, 20,000: below 2%).
- The rule, on the model's own burden (``sim.model.burden``): in every patient, the
  primary's chain (the primary and what it causes) carries more burden than each
  co-condition.
- The rule, in the nights a user sees (presenting, 8,000 x 28, seed 5): the primary's chain
  is the dominant mechanism on at least as many nights as any co-condition in at least 85% of
  the patients with one (measured 0.91 at 20,000); without the rule (every drawn
  co-condition kept) that share is below 75% (measured 0.55).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl
import pytest
from omegaconf import OmegaConf

from sim.config import CAUSES, Params, compose_config, validate
from sim.evaluation import difficulty as dfy
from sim.model import burden
from sim.model.mechanisms import CODE as MECHANISM_CODE
from sim.model.population import PopulationModel
from sim.pipeline import simulate_cohort
from sim.rng import ShardStreams
from tests.helpers import simulate_patients

GENERAL = ("cohort.population=general", "cohort.seed=6")
PAIRS = list(combinations(CAUSES, 2))
MIN_PAIR = 5
"""Patients a pair needs in 50,000 (the rarest, PAD with dehydration, had 18)."""


@pytest.fixture(scope="module")
def general() -> pl.DataFrame:
    """General population, n=50,000, seed 6 (the issue's cohort)."""
    return simulate_patients(*GENERAL, "cohort.n=50000")


def test_every_pair_of_causes_cooccurs(general) -> None:
    pairs = dfy.cooccurrence(general)
    counts = {(a, b): int(pairs.filter(pl.col("cause") == a)[b].item()) for a, b in PAIRS}
    rare = {pair: k for pair, k in counts.items() if k < MIN_PAIR}
    assert not rare, rare


def test_without_co_conditions_pairs_never_meet() -> None:
    """The check above fails without the mechanism: 20,000 general patients, seed 6."""
    patients = simulate_patients(
        *GENERAL, "cohort.n=20000", "model.prevalence.co_condition_relative_risk=0"
    )
    assert len(dfy.absent_pairs(dfy.cooccurrence(patients))) >= 8


def test_two_or_more_causes_rise_with_age(general) -> None:
    shares = dfy.multimorbidity_by_age(general)["two_or_more"].to_list()
    assert shares == sorted(shares) and shares[-1] > 2 * shares[0], shares


def _neuropathy_share(patients: pl.DataFrame) -> float:
    diabetic = patients.filter(pl.col("diabetes"))
    return float((diabetic["active_nerve"] & ~diabetic["nerve_compression"]).mean())


def test_painful_diabetic_neuropathy_in_a_fifth_of_diabetics(general) -> None:
    assert 0.16 <= _neuropathy_share(general) <= 0.26


def test_without_it_diabetics_have_no_neuropathy() -> None:
    patients = simulate_patients(
        *GENERAL, "cohort.n=20000", "model.prevalence.painful_neuropathy_given_diabetes=0"
    )
    assert _neuropathy_share(patients) < 0.02


def _columns(*overrides: str) -> tuple[dict, Params, ShardStreams]:
    cfg = compose_config(list(overrides))
    cohort = validate(cfg)
    model_cfg = Params.of(OmegaConf.to_container(cfg.model, resolve=True))
    streams = ShardStreams(cohort.seed, 0, cohort.n)
    return PopulationModel(model_cfg, cohort).sample(streams.fork()), model_cfg, streams


def test_primary_chain_outweighs_each_co_condition() -> None:
    """On the model's burden: presenting, 8,000 patients, seed 5. The chain is what the
    same patients have without co-conditions (relative risk 0: the same numbers)."""
    base = ("cohort.population=presenting", "cohort.seed=5", "cohort.n=8000")
    cols, model_cfg, streams = _columns(*base)
    chain, _, _ = _columns(*base, "model.prevalence.co_condition_relative_risk=0")
    rates = burden.expected_rates(cols, model_cfg, streams)
    chain_rate = sum(
        np.where(chain[f"active_{c}"], rates[:, MECHANISM_CODE[c]], 0.0) for c in CAUSES
    )
    co_any = np.zeros(len(chain_rate), dtype=bool)
    for c in CAUSES:
        co = cols[f"active_{c}"] & ~chain[f"active_{c}"]
        co_any |= co
        heavier = co & (rates[:, MECHANISM_CODE[c]] >= chain_rate)
        # A kept co-condition could tip over through another one dropped (a dehydration or
        # a critical ischaemia no longer there changes the cramps it excited): the sampler
        # drops again until none does, so none is heavier (measured 0 of 930 co-conditions;
        # with one round 3 of 120 medication co-conditions were; without the rule about
        # half are heavier).
        assert heavier.sum() == 0, (c, int(heavier.sum()), int(co.sum()))
    assert co_any.sum() > 500


def _dominance_share() -> float:
    """Share of presenting patients (8,000 x 28, seed 5) with a co-condition whose primary
    chain dominates at least as many nights as their heaviest co-condition."""
    base = ["cohort.population=presenting", "cohort.seed=5", "cohort.n=8000"]
    result = simulate_cohort(compose_config([*base, "cohort.nights=28"]))
    chain = simulate_patients(*base, "model.prevalence.co_condition_relative_risk=0")
    p = result.patients
    nights = (
        result.nights.filter(pl.col("dominant_mechanism").is_not_null())
        .group_by("patient_id", "dominant_mechanism")
        .len()
        .pivot(on="dominant_mechanism", index="patient_id", values="len")
    )
    nights = p.select("patient_id").join(nights, on="patient_id", how="left").fill_null(0)
    count = {c: nights[c].to_numpy() if c in nights.columns else 0 for c in CAUSES}
    chain_nights = sum(np.where(chain[f"active_{c}"], count[c], 0) for c in CAUSES)
    co_nights = np.zeros(p.height)
    co_any = np.zeros(p.height, dtype=bool)
    for c in CAUSES:
        co = p[f"active_{c}"].to_numpy() & ~chain[f"active_{c}"].to_numpy()
        co_any |= co
        co_nights = np.maximum(co_nights, np.where(co, count[c], 0))
    return float((chain_nights >= co_nights)[co_any].mean())


def test_primary_chain_dominates_the_nights() -> None:
    assert _dominance_share() >= 0.85


def test_without_the_rule_co_conditions_outweigh_the_primary(monkeypatch) -> None:
    monkeypatch.setattr(PopulationModel, "_milder_than_primary", lambda *a: None)
    assert _dominance_share() < 0.75
