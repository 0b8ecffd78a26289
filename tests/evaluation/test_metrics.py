"""Metrics against scikit-learn and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from sim.evaluation.metrics import (
    confusion_counts,
    expected_calibration_error,
    score_predictions,
)

LABELS = ["rls", "pad", "cramps"]  # deliberately not in sorted order
Y = np.array(["rls", "pad", "cramps", "pad", "rls", "cramps"])
P = np.array(
    [
        [0.7, 0.2, 0.1],  # rls, right, conf 0.7
        [0.1, 0.8, 0.1],  # pad, right, conf 0.8
        [0.3, 0.3, 0.4],  # cramps, right, conf 0.4
        [0.5, 0.4, 0.1],  # predicts rls, wrong, conf 0.5
        [0.2, 0.2, 0.6],  # predicts cramps, wrong, conf 0.6
        [0.05, 0.05, 0.9],  # cramps, right, conf 0.9
    ]
)


def test_scores_by_hand():
    s = score_predictions(Y, P, LABELS, calibration_bins=10)
    # predictions: rls pad cramps rls cramps cramps
    # recall: rls 1/2, pad 1/2, cramps 2/2; precision: rls 1/2, pad 1/1, cramps 2/3
    assert s["recall_rls"] == pytest.approx(0.5)
    assert s["recall_pad"] == pytest.approx(0.5)
    assert s["recall_cramps"] == pytest.approx(1.0)
    assert s["precision_rls"] == pytest.approx(0.5)
    assert s["precision_pad"] == pytest.approx(1.0)
    assert s["precision_cramps"] == pytest.approx(2 / 3)
    assert s["balanced_accuracy"] == pytest.approx((0.5 + 0.5 + 1.0) / 3)
    f1 = [0.5, 2 * 1 * 0.5 / 1.5, 2 * (2 / 3) / (1 + 2 / 3)]
    assert s["macro_f1"] == pytest.approx(np.mean(f1))
    p_true = np.array([0.7, 0.8, 0.4, 0.4, 0.2, 0.9])
    assert s["log_loss"] == pytest.approx(-np.mean(np.log(p_true)))
    onehot = np.array([[LABELS.index(y) == j for j in range(3)] for y in Y], dtype=float)
    assert s["brier"] == pytest.approx(np.mean(((P - onehot) ** 2).sum(axis=1)))
    # ECE, 10 bins: 0.4 -> bin 4 (acc 1), 0.5 -> bin 5 (acc 0), 0.6 -> bin 6 (acc 0),
    # 0.7 -> bin 7 (acc 1), 0.8 -> bin 8 (acc 1), 0.9 -> bin 9 (acc 1); one patient per bin.
    gaps = [abs(1 - 0.4), abs(0 - 0.5), abs(0 - 0.6), abs(1 - 0.7), abs(1 - 0.8), abs(1 - 0.9)]
    assert s["ece"] == pytest.approx(sum(gaps) / 6)
    assert s["support_pad"] == 2


def test_scores_match_sklearn_and_ignore_label_order():
    rng = np.random.default_rng(3)
    labels = ["none", "cramps", "rls", "pad"]
    y = rng.choice(labels, size=400)
    proba = rng.dirichlet(np.ones(4), size=400)
    s = score_predictions(y, proba, labels)
    pred = np.asarray(labels)[proba.argmax(axis=1)]
    assert s["macro_f1"] == pytest.approx(skm.f1_score(y, pred, labels=labels, average="macro"))
    assert s["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    order = np.argsort(labels)
    sorted_labels = sorted(labels)
    assert s["log_loss"] == pytest.approx(skm.log_loss(y, proba[:, order], labels=sorted_labels))
    # The same predictions with the columns permuted give the same scores.
    perm = [2, 0, 3, 1]
    s2 = score_predictions(y, proba[:, perm], [labels[i] for i in perm])
    for key in ("macro_f1", "balanced_accuracy", "log_loss", "brier", "ece"):
        assert s2[key] == pytest.approx(s[key])


def test_ece_perfectly_calibrated_is_zero_and_confident_mistakes_are_one():
    y = np.array(["a", "b", "a", "b"])
    half = np.full((4, 2), 0.5)  # confidence 0.5, predicts "a": right half of the time
    assert expected_calibration_error(y, half, ["a", "b"]) == pytest.approx(0.0)
    wrong = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert expected_calibration_error(y, wrong, ["a", "b"]) == pytest.approx(1.0)


def test_one_hot_mistakes_have_a_finite_log_loss():
    y = np.array(["a", "b"])
    s = score_predictions(y, np.array([[0.0, 1.0], [0.0, 1.0]]), ["a", "b"])
    assert np.isfinite(s["log_loss"]) and s["log_loss"] > 10


def test_confusion_counts_rows_are_truth():
    counts = confusion_counts(
        np.array(["rls", "pad", "pad"]), np.array(["pad", "pad", "rls"]), LABELS
    )
    assert counts.tolist() == [[0, 1, 0], [1, 1, 0], [0, 0, 0]]


def test_predictions_of_an_absent_cause_count_as_wrong():
    y = np.array(["rls", "rls", "none", "none"])
    labels = ["rls", "pad", "none"]  # pad: a column, but no patient has it
    proba = np.eye(3)[[0, 1, 2, 2]]  # the second rls patient is called pad
    s = score_predictions(y, proba, labels, causes=["rls", "none"])
    assert s["recall_rls"] == pytest.approx(0.5)
    assert s["balanced_accuracy"] == pytest.approx(0.75)
    assert s["macro_f1"] == pytest.approx((2 * 0.5 / 1.5 + 1.0) / 2)
    assert "recall_pad" not in s
