"""How patients report (issue 13, item 3): their own words, and what they note.

- ``vocabulary``: of 28,572 patients per sensation (seed 0) the share with their own word
  is ``own_word_prob`` within 0.013, and their words follow ``own_words`` within 0.026
  (about 5 standard errors each).
- ``notice``: each patient's share lies between ``notice_prob_min`` and 1.
- In the diary (presenting 8,000 x 28, seed 5): "crawling" and the urge to move no longer
  give restless legs away. One-vs-rest AUC of the share of symptomatic nights called
  crawling: < 0.90 with the reporting (measured 0.78), > 0.95 without it (own_word_prob=0,
  notice_prob_min=1: 0.98); of the share of symptomatic nights with an urge noted: < 0.95
  (0.89), and > 0.96 without it (0.98).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sim.config import ReportingParams, compose_config
from sim.evaluation import difficulty as dfy
from sim.evaluation.features import patient_features
from sim.model import reporting
from sim.pipeline import simulate_cohort

BASE = ["cohort.population=presenting", "cohort.seed=5", "cohort.n=8000", "cohort.nights=28"]
OFF = ["model.reporting.own_word_prob=0", "model.reporting.notice_prob_min=1"]


def test_vocabulary_shares() -> None:
    params = ReportingParams()
    cfg = {"own_word_prob": params.own_word_prob, "own_words": params.own_words}
    u = np.random.default_rng(0).random((28_572, 7))
    words = reporting.vocabulary(u, cfg).astype(int)
    for i, q in enumerate(reporting.QUALITIES):
        own = words[:, i] != i
        assert abs(own.mean() - params.own_word_prob) < 0.013, q
        for word, share in params.own_words[q].items():
            got = (words[own, i] == reporting.QUALITIES.index(word)).mean()
            assert abs(got - share) < 0.026, (q, word, got)


def test_no_own_words_is_the_common_word() -> None:
    cfg = {"own_word_prob": 0.0, "own_words": ReportingParams().own_words}
    u = np.random.default_rng(1).random((1000, 7))
    assert (reporting.vocabulary(u, cfg) == np.arange(7)).all()


def test_notice_shares_lie_in_their_range() -> None:
    u = np.random.default_rng(2).random((1000, 6))
    shares = reporting.notice(u, {"notice_prob_min": 0.3})
    assert shares.min() >= 0.3 and shares.max() <= 1.0 and shares.std() > 0.15


def _rls_auc(feature: str, *overrides: str) -> float:
    r = simulate_cohort(compose_config([*BASE, *overrides]))
    features = patient_features(r.patients, r.nights, r.measurements).sort("patient_id")
    labels = r.patients.sort("patient_id")["primary_cause"].cast(pl.String).to_numpy()
    values = features[feature].to_numpy().astype(np.float64)
    auc, _ = dfy.auc_both_ways(values, labels == "rls")
    return auc


@pytest.mark.parametrize(
    ("feature", "with_reporting", "without"),
    [("frac_quality_crawling", 0.90, 0.95), ("frac_urge_to_move", 0.95, 0.96)],
)
def test_reporting_hides_the_give_aways(feature, with_reporting, without) -> None:
    assert _rls_auc(feature) < with_reporting
    assert _rls_auc(feature, *OFF) > without
