"""RuleSetClassifier: scikit-learn's estimator checks and the polars/numpy input contract."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sim.triage import RuleSetClassifier
from sim.triage.rules import Rule, RuleSet, load_shipped, parse_rule_set

GENERIC = RuleSet(
    name="generic",
    rules=(Rule("x0_positive", "x0 > 0", 1, "routine"),),
    default_cause=0,
    default_urgency="self_care",
)
"""A rule set over scikit-learn's test data (columns x0, x1, ...) with labels 0 and 1."""

EXPECTED_FAILED_CHECKS = {
    "check_classifiers_classes": (
        "A rule set outputs its own fixed labels (here 0 and 1), so classes_ is the union of "
        "those and the labels of y; the check fits string labels ('one', 'two') and [-1, 1] "
        "and expects classes_ to be exactly unique(y), which a fixed rule set cannot give "
        "(string labels against numeric rules raise a ValueError saying so)."
    ),
}
"""Checks that do not apply, with the reason. scikit-learn skips two more by itself:
check_classifier_data_not_an_array needs pandas (not a dependency: the estimator takes polars,
tested below) and check_array_api_input needs SCIPY_ARRAY_API. The accuracy threshold of
check_classifiers_train is waived by the ``poor_score`` tag: fixed rules are not fitted to y."""


@parametrize_with_checks(
    [RuleSetClassifier(rule_set=GENERIC)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_estimator_checks(estimator, check) -> None:
    check(estimator)


RULES = parse_rule_set(
    {
        "rules": [
            {"name": "cli", "when": "abi < 0.40", "cause": "pad", "urgency": "urgent"},
            {
                "name": "rls",
                "when": "frac_urge_to_move >= 0.5 AND frac_relief_by_movement >= 0.5",
                "cause": "rls",
                "urgency": "routine",
            },
        ],
        "default": {"cause": "none", "urgency": "self_care"},
    },
    name="tiny",
)
X = pl.DataFrame(
    {
        "patient_id": [1, 2, 3, 4],
        "abi": [0.3, 1.1, None, float("nan")],
        "frac_urge_to_move": [0.9, 0.9, 0.1, 0.8],
        "frac_relief_by_movement": [0.9, 0.6, 0.9, None],
    }
)


def test_polars_input_predicts_causes_urgency_and_rules() -> None:
    clf = RuleSetClassifier(rule_set=RULES).fit(X, ["pad", "rls", "cramps", "none"])
    assert clf.classes_.tolist() == ["cramps", "none", "pad", "rls"]
    assert clf.feature_names_in_.tolist() == X.columns
    assert clf.n_features_in_ == 4
    assert clf.predict(X).tolist() == ["pad", "rls", "none", "none"]
    assert clf.predict_urgency(X).tolist() == ["urgent", "routine", "self_care", "self_care"]
    assert clf.predict_rule(X).tolist() == ["cli", "rls", "default", "default"]
    proba = clf.predict_proba(X)
    assert proba.shape == (4, 4) and np.all(proba.sum(axis=1) == 1)
    assert clf.classes_[proba.argmax(axis=1)].tolist() == clf.predict(X).tolist()
    table = clf.triage(X)
    assert table.columns == ["rule", "cause", "urgency"]
    assert clf.score(X, ["pad", "rls", "cramps", "none"]) == 0.75


def test_column_order_and_extra_columns_do_not_matter() -> None:
    clf = RuleSetClassifier(rule_set=RULES).fit(X)
    shuffled = X.select(reversed(X.columns)).with_columns(pl.lit(1).alias("extra"))
    assert clf.predict(shuffled).tolist() == clf.predict(X).tolist()


def test_numpy_input_with_feature_names() -> None:
    names = ["abi", "frac_urge_to_move", "frac_relief_by_movement"]
    array = X.select(names).to_numpy()
    clf = RuleSetClassifier(rule_set=RULES, feature_names=names).fit(array)
    assert clf.predict(array).tolist() == ["pad", "rls", "none", "none"]
    assert not hasattr(clf, "feature_names_in_")
    with pytest.raises(ValueError, match="X has 2 columns but feature_names has 3 names"):
        RuleSetClassifier(rule_set=RULES, feature_names=names).fit(array[:, :2])


def test_missing_feature_is_named() -> None:
    with pytest.raises(ValueError, match="rule 'rls': feature 'frac_relief_by_movement' is not"):
        RuleSetClassifier(rule_set=RULES).fit(X.drop("frac_relief_by_movement"))
    with pytest.raises(ValueError, match="rule 'cli': feature 'abi' is not a column of X"):
        RuleSetClassifier(rule_set=RULES).fit(np.zeros((3, 3)))


def test_without_y_classes_are_the_rule_causes() -> None:
    clf = RuleSetClassifier(rule_set=RULES).fit(X)
    assert clf.classes_.tolist() == ["none", "pad", "rls"]


def test_rule_set_given_by_name_path_or_mapping(tmp_path) -> None:
    by_name = RuleSetClassifier().fit(
        pl.DataFrame({n: [0.0] for n in _features("clinical_pathway")})
    )
    assert by_name.rule_set_.name == "clinical_pathway"
    path = tmp_path / "mine.yaml"
    path.write_text(
        "rules:\n  - {name: cli, when: 'abi < 0.4', cause: pad, urgency: urgent}\n"
        "default: {cause: none, urgency: self_care}\n"
    )
    assert RuleSetClassifier(rule_set=str(path)).fit(X).predict(X).tolist()[0] == "pad"
    mapping = {
        "rules": [{"name": "cli", "when": "abi < 0.4", "cause": "pad", "urgency": "urgent"}],
        "default": {"cause": "none", "urgency": "self_care"},
    }
    assert RuleSetClassifier(rule_set=mapping).fit(X).predict(X).tolist()[0] == "pad"


def _features(name: str) -> tuple[str, ...]:
    return load_shipped(name).features()


def test_clone_and_params() -> None:
    clf = RuleSetClassifier(rule_set="symptoms_only", feature_names=None)
    assert clf.get_params() == {"rule_set": "symptoms_only", "feature_names": None}
    assert clone(clf).get_params() == clf.get_params()


def test_shipped_rule_set_on_real_features(small_cohort) -> None:
    X_real = small_cohort.features
    y = small_cohort.patients.sort("patient_id")["primary_cause"].cast(pl.String)
    clf = RuleSetClassifier(rule_set="clinical_pathway").fit(X_real, y)
    assert set(clf.classes_) >= set(y.unique())
    assert 0.5 < clf.score(X_real, y) <= 1.0
    assert set(clf.predict_urgency(X_real)) <= {"urgent", "routine", "self_care"}
