"""A seeded baseline summary that every change must reproduce, or knowingly update.

The summary of a small general-population cohort (n=3000, seed 11, cause mix as calibrated)
is stored in ``tests/baseline/population_baseline.json``: primary-cause and urgency counts,
active-mechanism counts, drug-user counts and key means. Counts must match exactly, means to
1e-6. A change to the population model, its config defaults or the random streams shows up
here first.

When a change is intended, regenerate the file, review the diff and commit it with the
change::

    UPDATE_BASELINE=1 .venv/bin/pytest tests/test_baseline.py

(the test then rewrites the file and is reported as skipped).

A second summary does the same for the nights of both engines
(``tests/baseline/nights_baseline.json``: a presenting cohort, n=1500 x 14 nights with the
vectorised engine and n=600 x 7 with the event engine, seed 11): symptomatic nights, counts
of cramps, awakenings and episodes, the dominant mechanisms, flag counts and mean diary
values. A change to the night model, a mechanism, the diary or the nightly streams shows up
there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from sim.config import CAUSES, LABELS, compose_config
from sim.model.causes import URGENCIES
from sim.model.population import DRUGS
from sim.model.symptoms import FLAGS, MECHANISMS
from sim.pipeline import simulate_cohort
from tests.helpers import simulate_patients

BASELINE = Path(__file__).resolve().parent / "baseline" / "population_baseline.json"
NIGHTS_BASELINE = BASELINE.with_name("nights_baseline.json")
NIGHTS_RUNS = {
    "vectorised": ("cohort.n=1500", "cohort.nights=14", "cohort.seed=11"),
    "events": ("cohort.n=600", "cohort.nights=7", "cohort.seed=11", "engine.name=events"),
}
NIGHT_MEANS = (
    "pain_score",
    "onset_min",
    "duration_min",
    "sleep_efficiency",
    "bedtime_h",
    "time_in_bed_min",
    "potassium_mmol_l",
    "hydration_deficit_l",
    "fatigue_load",
    "rls_drive",
    "ischaemia",
    "drug_effect",
)
OVERRIDES = ("cohort.n=3000", "cohort.seed=11", "cohort.population=general")
FLOAT_TOLERANCE = 1e-6
MEANS = (
    "age",
    "bmi_kg_m2",
    "abi_true",
    "potassium_base_mmol_l",
    "sodium_base_mmol_l",
    "magnesium_base_mmol_l",
    "ferritin_ug_l",
    "cramp_weekly_rate",
    "alcohol_units_week",
)


def summarise(patients: pl.DataFrame) -> dict:
    """The baseline summary of a patients table (plain JSON types)."""

    def counts(column: str, labels: tuple[str, ...]) -> dict[str, int]:
        found = dict(patients[column].cast(pl.String).value_counts().iter_rows())
        return {label: int(found.get(label, 0)) for label in labels}

    return {
        "overrides": list(OVERRIDES),
        "n": patients.height,
        "primary_cause": counts("primary_cause", LABELS),
        "urgency": counts("urgency", URGENCIES),
        "active": {c: int(patients[f"active_{c}"].sum()) for c in CAUSES},
        "on_drug": {d: int(patients[f"on_{d}"].sum()) for d in DRUGS},
        "culprit_drug": counts("culprit_drug", DRUGS),
        "women": int((patients["sex"] == "female").sum()),
        "share_women": float((patients["sex"] == "female").mean()),
        "mean": {name: float(patients[name].mean()) for name in MEANS},
        "abi_le_0_90": int((patients["abi_true"] <= 0.90).sum()),
    }


def _compare(expected, actual, path: str = "") -> list[str]:
    """Differences between two summaries: ints and strings exact, floats to 1e-6."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        diffs = [f"{path}.{k}: missing" for k in expected.keys() - actual.keys()]
        diffs += [f"{path}.{k}: new" for k in actual.keys() - expected.keys()]
        for key in expected.keys() & actual.keys():
            diffs += _compare(expected[key], actual[key], f"{path}.{key}")
        return diffs
    if isinstance(expected, float) or isinstance(actual, float):
        if abs(float(expected) - float(actual)) > FLOAT_TOLERANCE:
            return [f"{path}: baseline {expected!r}, now {actual!r}"]
        return []
    return [] if expected == actual else [f"{path}: baseline {expected!r}, now {actual!r}"]


def test_population_reproduces_the_baseline() -> None:
    """n=3000, seed 11, general population: counts exact, means to 1e-6."""
    summary = summarise(simulate_patients(*OVERRIDES))
    if os.environ.get("UPDATE_BASELINE"):
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        BASELINE.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"rewrote {BASELINE.name}: review the diff and commit it")
    assert BASELINE.exists(), "no baseline: run UPDATE_BASELINE=1 pytest tests/test_baseline.py"
    expected = json.loads(BASELINE.read_text())
    diffs = _compare(expected, summary)
    assert not diffs, (
        "the population differs from tests/baseline/population_baseline.json:\n  "
        + "\n  ".join(sorted(diffs))
        + "\nif the change is intended: UPDATE_BASELINE=1 pytest tests/test_baseline.py"
    )


def summarise_nights(nights: pl.DataFrame) -> dict:
    """The nights baseline summary of one engine's ``nights`` table (plain JSON types)."""
    symptomatic = nights.filter(pl.col("n_episodes") > 0)
    found = dict(symptomatic["dominant_mechanism"].cast(pl.String).value_counts().iter_rows())
    return {
        "rows": nights.height,
        "symptomatic_nights": symptomatic.height,
        "episodes": int(nights["n_episodes"].cast(pl.Int64).sum()),
        "cramps": int(nights["cramp_count"].cast(pl.Int64).sum()),
        "awakenings": int(nights["awakenings"].cast(pl.Int64).sum()),
        "dominant_mechanism": {m: int(found.get(m, 0)) for m in MECHANISMS},
        "flags": {f: int(nights[f].sum()) for f in FLAGS},
        "mean": {name: float(nights[name].cast(pl.Float64).mean()) for name in NIGHT_MEANS},
    }


def test_nights_of_both_engines_reproduce_the_baseline() -> None:
    """Presenting cohorts, seed 11 (sizes in ``NIGHTS_RUNS``): counts exact, means to 1e-6."""
    summary = {}
    for engine, overrides in NIGHTS_RUNS.items():
        cfg = compose_config([*overrides, "cohort.population=presenting"])
        summary[engine] = {
            "overrides": [*overrides, "cohort.population=presenting"],
            **summarise_nights(simulate_cohort(cfg).nights),
        }
    if os.environ.get("UPDATE_BASELINE"):
        NIGHTS_BASELINE.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        pytest.skip(f"rewrote {NIGHTS_BASELINE.name}: review the diff and commit it")
    expected = json.loads(NIGHTS_BASELINE.read_text())
    diffs = _compare(expected, summary)
    assert not diffs, (
        "the nights differ from tests/baseline/nights_baseline.json:\n  "
        + "\n  ".join(sorted(diffs))
        + "\nif the change is intended: UPDATE_BASELINE=1 pytest tests/test_baseline.py"
    )


def test_comparison_catches_a_change() -> None:
    """The comparison itself is strict: one count or a 1e-5 shift in a mean is a failure."""
    summary = {"n": 3000, "mean": {"age": 45.0}, "primary_cause": {"rls": 100}}
    assert _compare(summary, json.loads(json.dumps(summary))) == []
    assert _compare(summary, {**summary, "n": 3001}) == [".n: baseline 3000, now 3001"]
    shifted = {**summary, "mean": {"age": 45.00001}}
    assert len(_compare(summary, shifted)) == 1
    assert len(_compare(summary, {**summary, "mean": {"age": 45.0000001}})) == 0
