"""The schema is the contract: generated tables match it column for column."""

from __future__ import annotations

from sim.tables.schema import TABLES, observed_columns, polars_schema, truth_columns


def test_patients_frame_matches_the_schema(make_patients) -> None:
    df = make_patients("cohort.cause_mix=balanced", "cohort.n=18000", "cohort.seed=4")
    assert dict(df.schema) == polars_schema("patients")


def test_ground_truth_is_flagged() -> None:
    truth = set(truth_columns("patients"))
    for name in ("primary_cause", "contributing_causes", "urgency", "culprit_drug", "abi_true"):
        assert name in truth, name
    for name in ("patient_id", "age", "sex", "on_statin", "statin_start_day"):
        assert name not in truth, name


def test_every_column_is_described_once() -> None:
    for table, cols in TABLES.items():
        names = [c.name for c in cols]
        assert len(names) == len(set(names)), f"duplicate column in {table}"
        assert set(truth_columns(table)) | set(observed_columns(table)) == set(names)
        for col in cols:
            assert col.unit.strip(), f"{table}.{col.name} has no unit"
            assert col.description.strip(), f"{table}.{col.name} has no description"


def test_enum_codes_with_nulls_survive_a_round_trip() -> None:
    """Codes of every width (-1 = null) become an Enum that pickles (as shard results
    travel between processes) and writes back the same labels."""
    import pickle

    import numpy as np
    import polars as pl

    from sim.tables.schema import _enum_series, columns

    quality = next(c for c in columns("nights") if c.name == "quality")
    labels = [None, quality.categories[0], quality.categories[-1], None]
    for dtype in (np.int8, np.int16, np.int64):
        codes = np.array([-1, 0, len(quality.categories) - 1, -1], dtype=dtype)
        series = _enum_series(quality, codes)
        assert series.to_list() == labels
        frame = pickle.loads(pickle.dumps(pl.DataFrame([series])))
        assert frame["quality"].to_list() == labels
