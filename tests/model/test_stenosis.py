"""Lumbar spinal stenosis in the population (issue 13, item 4; DOMAIN.md "Neuropathy, spinal
stenosis, venous disease").

- Stenosis patients (cause_mix stenosis only, 3,000, seed 8): the walking history is
  neurogenic claudication, mostly atypical for the Edinburgh questionnaire (0.75 +- 0.05,
  eased by sitting, not by standing still) and sometimes classic-looking (0.12 +- 0.04: a
  look-alike of vascular claudication); with the look-alike removed
  (``walking_pain_stenosis`` and ``..._claudication`` 0) only the background's atypical
  pain of their age remains (below 0.25).
- General population (50,000, seed 6): stenosis is a disease of older adults, at least 4
  times as common as a contributing cause at 70 and over as below 50.
"""

from __future__ import annotations

import polars as pl

from tests.helpers import simulate_patients

ONLY = ("cohort.population=presenting", "cohort.seed=8", "cohort.n=3000")


def _walking(*extra: str) -> dict[str, float]:
    p = simulate_patients(*ONLY, "cohort.cause_mix={stenosis:1.0}", *extra)
    counts = p["walking_leg_pain"].cast(pl.String).value_counts()
    return {k: v / p.height for k, v in counts.iter_rows()}


def test_stenosis_walking_history_is_mostly_atypical_and_sometimes_classic() -> None:
    shares = _walking()
    assert abs(shares["atypical"] - 0.75) <= 0.05, shares
    assert abs(shares["claudication"] - 0.12) <= 0.04, shares


def test_without_the_look_alike_only_the_background_walking_pain_remains() -> None:
    shares = _walking(
        "model.prevalence.walking_pain_stenosis=0",
        "model.prevalence.walking_pain_stenosis_claudication=0",
    )
    assert shares.get("atypical", 0.0) < 0.25 and shares.get("claudication", 0.0) < 0.03


def test_stenosis_is_a_disease_of_older_adults() -> None:
    p = simulate_patients("cohort.population=general", "cohort.seed=6", "cohort.n=50000")
    young = p.filter(pl.col("age") < 50)["active_stenosis"].mean()
    old = p.filter(pl.col("age") >= 70)["active_stenosis"].mean()
    assert old >= 4 * young and old > 0.01, (young, old)
