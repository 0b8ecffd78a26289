"""The oracle's extra inputs: each patient's latent truth parameters as features.

Usage::

    Z = latent_features(patients)               # patient_id + latent_abi_true, latent_ferritin_ug_l, ...
    Z = latent_features(patients, exclude=("rls_severity",))    # withhold more

The oracle model is the same estimator family as an ordinary model, given these columns as
well as the observed features: its score is an upper bound that shows how much of the
difficulty is the observation (diaries, noisy and missing tests), not the model.

What the oracle sees: every truth column of ``patients`` (the physiology: true ankle-brachial
index and ankle pressure, stenosis, baseline electrolytes and the falls a culprit diuretic
causes, ferritin, restless-legs severity and peak hour, cramp rate, nerve compression,
severity, side and site, exertion habits, true fluid intake, brachial pressure), prefixed
``latent_`` so it never shares a name with an observed column (``ferritin_ug_l`` is both a
truth column of patients and a measurement). Booleans become 0/1, categories one-hot.

What it never sees (``LABEL_ENCODINGS``): the label itself and the annotations derived from
it by construction: ``primary_cause``, ``contributing_causes`` and its one-hots
``active_<cause>`` (the primary cause is always among them), ``urgency`` (a function of the
cause and labs) and ``culprit_drug`` (always there with the medication cause). Since
co-conditions come from their own risks, no other parameter identifies the primary cause
on its own (``rls_severity`` is above 0 for restless legs as a co-condition too,
``unaccustomed_exertion_prob`` takes the fatigue range for co-condition fatigue too; the
predictive check of ``sim.evaluation.leakage`` enforces it,
tests/evaluation/test_leakage.py). Other physiology is zero unless its mechanism is active
(``cramp_weekly_rate``, ``nerve_severity``, the diuretic falls) but is shared by several
primary causes, so the oracle effectively knows which mechanisms are active; what remains
hard for it is which active mechanism is the root. Nightly latent states (serum values, hydration, drug effect, the night's dominant
mechanism) are not given: the per-patient parameters already determine them up to noise,
and ``dominant_mechanism`` is a per-night label.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from sim.config import CAUSES
from sim.tables.schema import columns

LABEL_ENCODINGS: tuple[str, ...] = (
    "primary_cause",
    "contributing_causes",
    *(f"active_{c}" for c in CAUSES),
    "urgency",
    "culprit_drug",
)
"""Truth columns that encode the label by construction; always withheld from the oracle."""
PREFIX = "latent_"


def latent_columns(exclude: Iterable[str] = ()) -> list[str]:
    """Names of the patients truth columns the oracle may use."""
    withheld = set(LABEL_ENCODINGS) | set(exclude)
    return [c.name for c in columns("patients") if c.truth and c.name not in withheld]


def latent_features(patients: pl.DataFrame, *, exclude: Iterable[str] = ()) -> pl.DataFrame:
    """One row per patient: ``patient_id`` and the latent parameters as numeric features."""
    schema = {c.name: c for c in columns("patients")}
    exprs: list[pl.Expr] = []
    for name in latent_columns(exclude):
        col = schema[name]
        if col.categories is not None:
            exprs += [
                (pl.col(name) == value)
                .fill_null(False)
                .cast(pl.Int8)
                .alias(f"{PREFIX}{name}_{value}")
                for value in col.categories
            ]
        else:
            exprs.append(pl.col(name).cast(pl.Float64).alias(f"{PREFIX}{name}"))
    return patients.select("patient_id", *exprs).sort("patient_id")
