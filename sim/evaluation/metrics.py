"""Scores of a multiclass classifier: discrimination, probabilities and calibration.

Usage::

    scores = score_predictions(y_true, proba, labels=("rls", "pad", "none"))
    scores["macro_f1"], scores["recall_rls"], scores["ece"]
    counts = confusion_counts(y_true, y_pred, labels)          # rows true, columns predicted

``proba`` has one column per label, in the order of ``labels``; the prediction is the most
probable label. Discrimination uses scikit-learn (macro-F1, balanced accuracy, per-cause
recall and precision); the multiclass Brier score is the mean over patients of the summed
squared error over classes (0 perfect, 2 worst), as scikit-learn computes it; the expected
calibration error (ECE) is the top-label version with equal-width confidence bins.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn import metrics as skm

PROBABILITY_FLOOR = 1e-15
"""Probabilities are clipped to [floor, 1] before the log loss, so a confident mistake
(one-hot rule sets, stratified dummies) costs about 34.5 nats instead of infinity."""

HEADLINE_METRICS = ("macro_f1", "balanced_accuracy", "log_loss", "brier", "ece")
"""The leaderboard's metrics; lower is better for the last three."""
LOWER_IS_BETTER = frozenset({"log_loss", "brier", "ece"})


def expected_calibration_error(
    y_true: np.ndarray, proba: np.ndarray, labels: Sequence[str], *, bins: int = 15
) -> float:
    """Top-label expected calibration error.

    Patients are binned by the probability of their predicted label (``bins`` equal-width
    bins on [0, 1], the last one closed); ECE is the patient-weighted mean, over bins, of
    |accuracy - mean confidence|.

    Examples
    --------
    >>> y = np.array(["a", "b"]); p = np.array([[0.9, 0.1], [0.6, 0.4]])
    >>> round(expected_calibration_error(y, p, ["a", "b"], bins=10), 3)   # (0.1 + 0.6) / 2
    0.35
    """
    proba = np.asarray(proba, dtype=float)
    confidence = proba.max(axis=1)
    predicted = np.asarray(labels)[proba.argmax(axis=1)]
    correct = (predicted == np.asarray(y_true)).astype(float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    gap = np.abs(
        np.bincount(which, weights=correct, minlength=bins)
        - np.bincount(which, weights=confidence, minlength=bins)
    )
    return float(gap.sum() / max(count.sum(), 1))


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Counts with true labels as rows and predicted labels as columns, in ``labels`` order."""
    return skm.confusion_matrix(y_true, y_pred, labels=list(labels))


def score_predictions(
    y_true: np.ndarray,
    proba: np.ndarray,
    labels: Sequence[str],
    *,
    causes: Sequence[str] | None = None,
    calibration_bins: int = 15,
) -> dict[str, float]:
    """Every benchmark metric for one fold: the headline metrics plus ``recall_<cause>``,
    ``precision_<cause>`` and ``support_<cause>`` for each cause.

    ``labels`` name the columns of ``proba``; ``causes`` (default: all labels) are the ones
    scored and averaged in macro-F1 and balanced accuracy, e.g. the causes present in a
    cohort while a rule set may also predict absent ones (such a prediction is simply wrong).
    A cause never predicted has precision 0 (scikit-learn's ``zero_division=0``); the
    prediction is ``labels[argmax(proba)]``.
    """
    labels = list(labels)
    causes = labels if causes is None else list(causes)
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=float)
    if proba.shape != (len(y_true), len(labels)):
        raise ValueError(f"proba has shape {proba.shape}, expected ({len(y_true)}, {len(labels)})")
    y_pred = np.asarray(labels)[proba.argmax(axis=1)]
    precision, recall, _, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=causes, zero_division=0
    )
    # scikit-learn's probability scores read the columns in sorted label order.
    order = np.argsort(labels)
    sorted_labels = [labels[i] for i in order]
    clipped = np.clip(proba[:, order], PROBABILITY_FLOOR, 1.0)
    clipped /= clipped.sum(axis=1, keepdims=True)
    out = {
        "macro_f1": float(
            skm.f1_score(y_true, y_pred, labels=causes, average="macro", zero_division=0)
        ),
        "balanced_accuracy": float(np.mean(recall[support > 0])),
        "log_loss": float(skm.log_loss(y_true, clipped, labels=sorted_labels)),
        "brier": float(skm.brier_score_loss(y_true, proba[:, order], labels=sorted_labels)),
        "ece": expected_calibration_error(y_true, proba, labels, bins=calibration_bins),
    }
    for label, r, p, s in zip(causes, recall, precision, support, strict=True):
        out[f"recall_{label}"] = float(r)
        out[f"precision_{label}"] = float(p)
        out[f"support_{label}"] = float(s)
    return out
