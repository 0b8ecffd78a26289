"""Models of the benchmark, built from ``conf/classifier/`` entries.

Usage::

    specs = model_specs(cfg.classifier)                  # validated, in config order
    estimator = build_estimator(specs[0], seed=0)        # an unfitted scikit-learn estimator
    specs = model_specs(load_classifiers(["logistic", "oracle"]))   # without Hydra

Families and what wraps them:

- ``dummy``: ``DummyClassifier`` (``strategy`` prior, most_frequent or stratified);
- ``logistic``: median imputation, standard scaling, multinomial ``LogisticRegression``;
- ``random_forest``: median imputation, ``RandomForestClassifier``;
- ``hist_gradient_boosting``: ``HistGradientBoostingClassifier`` (missing values native);
- ``knn``: median imputation, standard scaling, ``KNeighborsClassifier``;
- ``triage``: ``sim.triage.RuleSetClassifier`` (issue 5), imported only when asked for; it
  receives the features as a polars DataFrame with their names, the others a float array.

``random_state`` is set from the benchmark seed for every estimator that has one, unless
the config gives it. A model whose code is not there yet raises ``ModelUnavailable``; the
benchmark skips it and says why in the leaderboard.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sim.config import CONF_DIR, ClassifierConfig, ConfigError

FAMILIES = (
    "dummy",
    "logistic",
    "random_forest",
    "hist_gradient_boosting",
    "knn",
    "triage",
)
FEATURE_SETS = ("observed", "observed+latent")
FRAME_FAMILIES = frozenset({"triage"})
"""Families that take the features as a named polars DataFrame instead of an array."""
PATIENT_ONLY_FAMILIES = frozenset({"triage"})
"""Families that only make sense on per-patient aggregates (rules name patient features)."""


class ModelUnavailable(RuntimeError):
    """A configured model cannot be built yet (its module is missing); it is skipped."""


@dataclass(frozen=True)
class ModelSpec:
    """One validated model of the benchmark."""

    key: str
    family: str
    label: str
    params: dict = field(default_factory=dict)
    features: str = "observed"
    latent_exclude: tuple[str, ...] = ()

    @property
    def is_oracle(self) -> bool:
        return self.features == "observed+latent"

    @property
    def takes_frame(self) -> bool:
        return self.family in FRAME_FAMILIES

    @property
    def report_family(self) -> str:
        """Family for reports: the oracle counts as its own family."""
        return "oracle" if self.is_oracle else self.family


def model_specs(classifiers: Mapping[str, Any] | DictConfig) -> list[ModelSpec]:
    """Validate the ``classifier`` config node (name -> entry) into model specs."""
    if OmegaConf.is_config(classifiers):
        classifiers = OmegaConf.to_container(classifiers, resolve=True)
    if not classifiers:
        raise ConfigError("classifier is empty: choose at least one, e.g. classifier=[logistic]")
    specs = []
    for key, entry in classifiers.items():
        entry = dict(entry)
        family = entry.get("family")
        if family not in FAMILIES:
            raise ConfigError(
                f"classifier.{key}.family={family!r} is invalid: expected one of {', '.join(FAMILIES)}"
            )
        features = entry.get("features", "observed")
        if features not in FEATURE_SETS:
            raise ConfigError(
                f"classifier.{key}.features={features!r} is invalid: "
                f"expected one of {', '.join(FEATURE_SETS)}"
            )
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"classifier.{key}.params={params!r} is invalid: expected a mapping")
        specs.append(
            ModelSpec(
                key=str(key),
                family=family,
                label=str(entry.get("label") or key),
                params=dict(params),
                features=features,
                latent_exclude=tuple(entry.get("latent_exclude") or ()),
            )
        )
    return specs


def load_classifiers(names: Iterable[str]) -> dict[str, Any]:
    """The entries of ``conf/classifier/<name>.yaml`` for each name, merged (no Hydra)."""
    schema = OmegaConf.structured(ClassifierConfig)
    out: dict[str, Any] = {}
    for name in names:
        path = CONF_DIR / "classifier" / f"{name}.yaml"
        if not path.exists():
            available = sorted(p.stem for p in path.parent.glob("*.yaml"))
            raise ConfigError(
                f"classifier={name!r} is invalid: expected one of {', '.join(available)}"
            )
        for key, entry in OmegaConf.load(path).items():
            out[str(key)] = OmegaConf.to_container(OmegaConf.merge(schema, entry))
    return out


def triage_estimator(params: Mapping[str, Any]) -> BaseEstimator:
    """The hook to ``sim.triage``: ``RuleSetClassifier(**params)``, imported lazily.

    ``params`` come from ``conf/classifier/triage.yaml`` (``rule_set: clinical_pathway``).
    The estimator is fitted with ``fit(X, y)`` and asked ``predict_proba(X)`` where ``X`` is
    the patient features as a polars DataFrame (names as in docs/features.md) and ``y`` the
    primary causes as strings; its ``classes_`` are cause names.
    """
    try:
        module = importlib.import_module("sim.triage")
        rule_set_classifier = module.RuleSetClassifier
    except (ImportError, AttributeError) as exc:
        raise ModelUnavailable(
            f"sim.triage.RuleSetClassifier is not available yet ({exc})"
        ) from None
    try:
        return rule_set_classifier(**params)
    except TypeError as exc:
        raise ModelUnavailable(
            f"sim.triage.RuleSetClassifier(**{dict(params)}) failed ({exc}); "
            "adapt sim.evaluation.classifiers.triage_estimator"
        ) from None


def _imputed(*steps: tuple[str, Any]) -> Pipeline:
    # keep_empty_features: a feature missing for a whole training fold is kept (as 0) quietly
    impute = SimpleImputer(strategy="median", keep_empty_features=True)
    return Pipeline([("impute", impute), *steps])


def build_estimator(spec: ModelSpec, *, seed: int = 0) -> BaseEstimator:
    """An unfitted estimator for ``spec`` (``ModelUnavailable`` if its code is missing)."""
    params = dict(spec.params)
    if spec.family == "triage":
        return triage_estimator(params)
    makers = {
        "dummy": lambda p: DummyClassifier(**p),
        "logistic": lambda p: _imputed(
            ("scale", StandardScaler()), ("model", LogisticRegression(**p))
        ),
        "random_forest": lambda p: _imputed(("model", RandomForestClassifier(**p))),
        "hist_gradient_boosting": lambda p: HistGradientBoostingClassifier(**p),
        "knn": lambda p: _imputed(
            ("scale", StandardScaler()), ("model", KNeighborsClassifier(**p))
        ),
    }
    try:
        estimator = makers[spec.family](params)
        steps = [s for _, s in estimator.steps] if isinstance(estimator, Pipeline) else [estimator]
        for step in steps:
            step._validate_params()  # scikit-learn's own check of names and values
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"classifier.{spec.key}.params is invalid: {exc}") from None
    seeded = {
        name: seed
        for name in estimator.get_params()
        if name.split("__")[-1] == "random_state" and "random_state" not in params
    }
    return estimator.set_params(**seeded)
