"""A triage rule set as a scikit-learn classifier, so one evaluation harness serves rules and
learned models alike.

Usage::

    clf = RuleSetClassifier(rule_set="clinical_pathway").fit(X)     # X: polars DataFrame
    clf.predict(X)            # causes
    clf.predict_urgency(X)    # urgent / routine / self_care
    clf.predict_rule(X)       # the rule that decided each row ("default" if none)
    clf.predict_proba(X)      # one-hot over clf.classes_

Input is a polars DataFrame whose columns are feature names (``patient_features``), or a
numpy array with ``feature_names`` (otherwise columns are called ``x0, x1, ...``). Missing
values (null or NaN) follow SQL null semantics: a comparison with them does not match.
``fit`` learns nothing: it resolves the rule set, checks that every feature a rule reads is a
column of X, and records ``classes_`` (the labels of ``y`` together with every cause the rule
set can output).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from sim.triage.rules import RuleSet, nan_to_null, resolve_rule_set


class RuleSetClassifier(ClassifierMixin, BaseEstimator):
    """Ordered triage rules (first match wins) behind the scikit-learn classifier API.

    Parameters
    ----------
    rule_set : RuleSet, str, Path or mapping, default="clinical_pathway"
        A rule set, the name of one shipped under conf/triage/, a path to a rule file, or
        a mapping as in a rule file.
    feature_names : sequence of str, default=None
        Column names of a numpy ``X`` (ignored for DataFrames). Without them the columns
        are ``x0, x1, ...``, or the names seen in ``fit`` when it was given a DataFrame.

    Attributes
    ----------
    rule_set_ : RuleSet
        The resolved, validated rule set.
    classes_ : ndarray
        Sorted labels: those of ``y`` and every cause the rule set can output.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (only when ``X`` was a DataFrame).

    Examples
    --------
    >>> import numpy as np
    >>> from sim.triage.rules import parse_rule_set
    >>> rs = parse_rule_set(
    ...     {"rules": [{"name": "low_abi", "when": "abi < 0.4", "cause": "pad",
    ...                 "urgency": "urgent"}],
    ...      "default": {"cause": "none", "urgency": "self_care"}},
    ...     name="demo", features=["abi"],
    ... )
    >>> clf = RuleSetClassifier(rule_set=rs, feature_names=["abi"]).fit(np.array([[0.3]]))
    >>> clf.predict(np.array([[0.3], [1.1], [np.nan]])).tolist()
    ['pad', 'none', 'none']
    """

    def __init__(
        self,
        rule_set: Any = "clinical_pathway",
        *,
        feature_names: Sequence[str] | None = None,
    ) -> None:
        self.rule_set = rule_set
        self.feature_names = feature_names

    # ------------------------------------------------------------------ input
    def _names_for(self, n_columns: int) -> list[str]:
        if self.feature_names is not None:
            names = [str(n) for n in self.feature_names]
            if len(names) != n_columns:
                raise ValueError(
                    f"X has {n_columns} columns but feature_names has {len(names)} names"
                )
            return names
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is not None and len(fitted) == n_columns:
            return [str(n) for n in fitted]
        return [f"x{i}" for i in range(n_columns)]

    def _frame(self, X: Any, *, reset: bool) -> pl.DataFrame:
        """X as a polars DataFrame with feature-named columns and NaN turned into null."""
        if isinstance(X, pl.LazyFrame):
            X = X.collect()
        if isinstance(X, pl.DataFrame):
            if X.width == 0 or X.height == 0:
                raise ValueError(
                    f"Found array with {X.height} sample(s) and {X.width} feature(s) "
                    "(shape=({X.height}, {X.width})) while a minimum of 1 is required."
                )
            if reset:
                self.n_features_in_ = X.width
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            return nan_to_null(X)
        array = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        if reset and hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        names = self._names_for(array.shape[1])
        return nan_to_null(pl.from_numpy(array, schema=names, orient="row"))

    # ------------------------------------------------------------------ sklearn API
    def fit(self, X: Any, y: Any = None) -> RuleSetClassifier:
        """Resolve and check the rule set against X's columns; record ``classes_``.

        ``y`` is optional: without it ``classes_`` are the rule set's causes.
        """
        rule_set = resolve_rule_set(self.rule_set)
        frame = self._frame(X, reset=True)
        rule_set.check_columns(frame.columns)
        labels = list(rule_set.causes)
        if y is not None:
            # Not validate_data: with X="no_validation" it would drop feature_names_in_.
            y = check_array(column_or_1d(y, warn=True), ensure_2d=False, dtype=None, input_name="y")
            check_classification_targets(y)
            if len(y) != frame.height:
                raise ValueError(
                    f"Found input variables with inconsistent numbers of samples: "
                    f"[{frame.height}, {len(y)}]"
                )
            labels += np.asarray(y).tolist()
        if len({isinstance(label, str) for label in labels}) > 1:
            raise ValueError(
                f"rule set {rule_set.name!r}: its causes {list(rule_set.causes)} and the "
                "labels in y are of different types (text and numbers); they cannot share "
                "classes_"
            )
        classes = np.unique(np.asarray(labels))
        self.rule_set_ = rule_set
        self.classes_ = classes
        return self

    def _decide(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "rule_set_")
        frame = self._frame(X, reset=False)
        return self.rule_set_.decide(frame)

    def predict(self, X: Any) -> np.ndarray:
        """The cause decided for each row."""
        index = self._decide(X)
        causes = [*(r.cause for r in self.rule_set_.rules), self.rule_set_.default_cause]
        position = np.searchsorted(self.classes_, np.asarray(causes, dtype=self.classes_.dtype))
        return self.classes_[position[index]]

    def predict_proba(self, X: Any) -> np.ndarray:
        """One-hot probabilities over ``classes_`` (1 for the decided cause)."""
        labels = self.predict(X)
        return (labels[:, None] == self.classes_[None, :]).astype(np.float64)

    def predict_urgency(self, X: Any) -> np.ndarray:
        """The urgency decided for each row (``urgent``, ``routine`` or ``self_care``)."""
        index = self._decide(X)
        urgencies = [*(r.urgency for r in self.rule_set_.rules), self.rule_set_.default_urgency]
        return np.asarray(urgencies, dtype=object)[index]

    def predict_rule(self, X: Any) -> np.ndarray:
        """The name of the rule that decided each row (``default`` when none matched)."""
        return np.asarray(self.rule_set_.rule_names, dtype=object)[self._decide(X)]

    def triage(self, X: Any) -> pl.DataFrame:
        """All three decisions as a DataFrame: ``rule``, ``cause``, ``urgency``."""
        check_is_fitted(self, "rule_set_")
        return self.rule_set_.apply(self._frame(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        # Fixed rules are not fitted to y, so no training accuracy can be promised.
        tags.classifier_tags.poor_score = True
        return tags


__all__ = ["RuleSet", "RuleSetClassifier"]
