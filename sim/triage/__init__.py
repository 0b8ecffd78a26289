"""Triage rules written in config, as scikit-learn classifiers, scored against ground truth.

Usage::

    from sim.triage import RuleSetClassifier, evaluate_rule_set, load_shipped
    clf = RuleSetClassifier(rule_set="clinical_pathway").fit(features)
    result = evaluate_rule_set(load_shipped("clinical_pathway"), features, patients)

- ``rules``: rule sets (YAML, ordered rules over features), loading and validation;
- ``condition``: the ``when`` language, parsed by our own parser (never by an SQL engine);
- ``estimator``: ``RuleSetClassifier``, a rule set behind the scikit-learn classifier API;
- ``evaluate``: per-cause sensitivity, specificity, PPV, NPV with Wilson intervals, confusion
  matrices, under- and over-triage, each rule's coverage and precision.

The ``python -m experiments.triage`` run (simulate, evaluate, write) is ``sim.runs.triage``,
its report section ``sim.report.triage``.
"""

from sim.triage.estimator import RuleSetClassifier
from sim.triage.evaluate import TriageEvaluation, evaluate_rule_set, wilson_interval
from sim.triage.rules import (
    Rule,
    RuleSet,
    load_rule_set,
    load_shipped,
    parse_rule_set,
    rule_sets_from_config,
)

__all__ = [
    "Rule",
    "RuleSet",
    "RuleSetClassifier",
    "TriageEvaluation",
    "evaluate_rule_set",
    "load_rule_set",
    "load_shipped",
    "parse_rule_set",
    "rule_sets_from_config",
    "wilson_interval",
]
