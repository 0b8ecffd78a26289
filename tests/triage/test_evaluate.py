"""Triage metrics: Wilson intervals, confusion matrices, urgency and rule tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sim.config import LABELS
from sim.triage.evaluate import (
    cause_metrics,
    confusion_matrix,
    evaluate_decisions,
    evaluate_rule_set,
    rule_metrics,
    urgency_metrics,
    wilson_interval,
)
from sim.triage.rules import load_shipped, parse_rule_set


def test_wilson_interval_known_values() -> None:
    # Wilson (1927) / Newcombe (1998) method 3: 8/10 -> 0.4902-0.9433; 0/10 -> 0-0.2775;
    # 81/263 -> 0.2553-0.3662 (Newcombe's worked example).
    lo, hi = wilson_interval(np.array([8, 0, 81]), np.array([10, 10, 263]))
    np.testing.assert_allclose(lo, [0.4902, 0.0, 0.2553], atol=5e-5)
    np.testing.assert_allclose(hi, [0.9433, 0.2775, 0.3662], atol=5e-5)
    lo, hi = wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_confusion_matrix_sums_and_layout() -> None:
    rng = np.random.default_rng(3)
    truth = rng.choice(LABELS, size=500)
    decided = np.where(rng.uniform(size=500) < 0.7, truth, rng.choice(LABELS, size=500))
    cm = confusion_matrix(truth, decided)
    assert cm["truth"].to_list() == list(LABELS)
    assert cm.columns == ["truth", *LABELS]
    counts = cm.select(LABELS).to_numpy()
    assert counts.sum() == 500
    for i, label in enumerate(LABELS):
        assert counts[i].sum() == (truth == label).sum()
        assert counts[:, i].sum() == (decided == label).sum()
        assert counts[i, i] == ((truth == label) & (decided == label)).sum()


def test_cause_metrics_one_vs_rest() -> None:
    truth = ["rls"] * 8 + ["pad"] * 2 + ["none"] * 10
    decided = ["rls"] * 6 + ["none"] * 2 + ["pad", "rls"] + ["none"] * 9 + ["rls"]
    m = (
        cause_metrics(confusion_matrix(truth, decided))
        .filter(pl.col("cause") == "rls")
        .row(0, named=True)
    )
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (6, 2, 2, 10)
    assert m["sensitivity"] == pytest.approx(6 / 8)
    assert m["specificity"] == pytest.approx(10 / 12)
    assert m["ppv"] == pytest.approx(6 / 8)
    assert m["npv"] == pytest.approx(10 / 12)
    lo, hi = wilson_interval(6, 8)
    assert (m["sensitivity_lo"], m["sensitivity_hi"]) == pytest.approx((float(lo), float(hi)))
    empty = cause_metrics(confusion_matrix(truth, decided)).filter(pl.col("cause") == "nerve")
    assert np.isnan(empty["sensitivity"][0]) and empty["specificity"][0] == 1.0


def test_urgency_under_and_over_triage() -> None:
    truth = ["urgent", "urgent", "urgent", "routine", "routine", "self_care", "self_care"]
    decided = ["urgent", "routine", "self_care", "urgent", "self_care", "routine", "self_care"]
    u = {r["measure"]: r for r in urgency_metrics(truth, decided).iter_rows(named=True)}
    assert (u["urgent_under_triage"]["count"], u["urgent_under_triage"]["of"]) == (2, 3)
    assert u["urgent_under_triage"]["rate"] == pytest.approx(2 / 3)
    assert (u["under_triage"]["count"], u["under_triage"]["of"]) == (3, 7)
    assert (u["over_triage"]["count"], u["over_triage"]["of"]) == (2, 7)
    assert (u["urgent_over_triage"]["count"], u["urgent_over_triage"]["of"]) == (1, 4)


def test_rule_coverage_and_precision() -> None:
    rs = parse_rule_set(
        {
            "rules": [
                {"name": "a", "when": "abi < 0.4", "cause": "pad", "urgency": "urgent"},
                {"name": "b", "when": "abi < 0.9", "cause": "pad", "urgency": "routine"},
                {"name": "never", "when": "abi < 0", "cause": "pad", "urgency": "routine"},
            ],
            "default": {"cause": "none", "urgency": "self_care"},
        },
        name="t",
    )
    fired = ["a", "a", "b", "b", "b", "default"]
    truth = ["pad", "cramps", "pad", "pad", "nerve", "none"]
    urgency = ["urgent", "routine", "urgent", "routine", "routine", "self_care"]
    table = rule_metrics(rs, fired, truth, urgency)
    assert table["rule"].to_list() == ["a", "b", "never", "default"]
    assert table["n_fired"].to_list() == [2, 3, 0, 1]
    assert table["coverage"].to_list() == pytest.approx([2 / 6, 3 / 6, 0, 1 / 6])
    assert table["precision"].to_list()[:2] == pytest.approx([1 / 2, 2 / 3])
    assert np.isnan(table["precision"][2])
    assert table["urgent_missed"].to_list() == [0, 1, 0, 0]
    assert table["commonest_wrong_cause"].to_list() == ["cramps", "nerve", None, None]


def test_evaluate_decisions_joins_truth_by_patient() -> None:
    rs = parse_rule_set(
        {
            "rules": [{"name": "a", "when": "abi < 0.4", "cause": "pad", "urgency": "urgent"}],
            "default": {"cause": "none", "urgency": "self_care"},
        },
        name="t",
    )
    decisions = pl.DataFrame(
        {
            "patient_id": [2, 1],
            "rule": ["a", "default"],
            "cause": ["pad", "none"],
            "urgency": ["urgent", "self_care"],
        }
    )
    truth = pl.DataFrame(
        {"patient_id": [1, 2], "primary_cause": ["rls", "pad"], "urgency": ["routine", "urgent"]}
    )
    ev = evaluate_decisions(rs, decisions, truth)
    assert ev.accuracy() == 0.5
    assert ev.urgent_under_triage() == (0, 1, 0.0)
    assert int(ev.confusion.select(LABELS).to_numpy().sum()) == 2
    with pytest.raises(ValueError, match="patient_id mismatch"):
        evaluate_decisions(rs, decisions, truth.head(1))


def test_clinical_pathway_misses_fewer_urgent_patients_than_symptoms_only(small_cohort) -> None:
    # Statistical check on the shared cohort (presenting, n=3000, seed 11, about 60 urgent
    # patients). Tolerance: the clinical pathway misses at most 10% of urgent patients and
    # no more than the diary-only set, which cannot see potassium. Measured at n=20000
    # (seeds 11, 12): 6.4% and 7.6% (diary only 37% and 35%). It was about 2.4% before
    # co-conditions: now a patient whose nights look like sciatica or cramps can have an
    # urgent low potassium or sodium from a co-condition, and no rule sees a lab that was
    # not ordered.
    # Accuracy above 0.53 (always saying "cramps", the largest class, scores 0.447 here):
    # measured 0.60 once patients had their own words and noted features on their own
    # share of nights (0.7+ when every diary said "crawling" and noted every urge), 0.553
    # with the PAD spectrum and venous disease, 0.550 (0.546 at n=20000) with lumbar
    # stenosis and the PAD patients who sleep with the leg hanging down (issue 13's
    # look-alikes; their ABI is often not ordered, 7 of the 24 urgent patients missed at
    # n=20000, 6.2%).
    clinical = evaluate_rule_set(
        load_shipped("clinical_pathway"), small_cohort.features, small_cohort.patients
    )
    diary = evaluate_rule_set(
        load_shipped("symptoms_only"), small_cohort.features, small_cohort.patients
    )
    c_missed, c_urgent, c_rate = clinical.urgent_under_triage()
    d_missed, d_urgent, _ = diary.urgent_under_triage()
    assert c_urgent == d_urgent >= 30
    assert c_rate <= 0.10
    assert c_missed <= d_missed
    assert clinical.accuracy() > 0.53
