"""The student and instructor tables of a teaching dataset.

Usage::

    tables = split_for_teaching(patients, nights, measurements, seed=7)
    tables.student      # {"patients", "nights", "measurements"}: observed columns only
    tables.instructor   # {"answer_key", "patients", "nights", "measurements"}: the truth
    write_tables(tables.student, folder)          # <name>.parquet and <name>.csv

Patient ids are re-mapped by a seeded random permutation before anything is written, and
every table is sorted by the new id (then night), so neither the id nor the row order says
anything about the cause: the simulator numbers patients in the order it draws them, which
is not guaranteed to be independent of their cause. Truth columns are the ones the schema
marks (``sim.tables.schema.truth_columns``); the instructor tables keep every column, with
the same new ids, so the two copies join.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from sim.tables.io import write_parquet
from sim.tables.schema import truth_columns

STUDENT_TABLES = ("patients", "nights", "measurements")
ANSWER_COLUMNS = ("patient_id", "primary_cause", "contributing_causes", "urgency")
ID_STREAM = 0x7EAC4
"""Mixed into the permutation's seed, so it shares no stream with the simulation."""
LIST_SEPARATOR = ";"
"""How a list cell (``contributing_causes``) is written in CSV, which has no lists."""


@dataclass
class TeachingTables:
    """The two copies of a teaching dataset, keyed by table name."""

    student: dict[str, pl.DataFrame]
    instructor: dict[str, pl.DataFrame]
    id_map: pl.DataFrame
    """``simulated_id`` -> ``patient_id`` (the id students see). Not written: the
    instructor's tables carry only the new id, like the students'."""


def id_permutation(patient_ids: np.ndarray, *, seed: int) -> pl.DataFrame:
    """A seeded random one-to-one map of the simulated ids to new ids 0..n-1."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, ID_STREAM])))
    ids = np.sort(np.asarray(patient_ids))
    new = rng.permutation(len(ids)).astype(np.int32)
    return pl.DataFrame({"simulated_id": ids.astype(np.int32), "patient_id": new})


def remap(frame: pl.DataFrame, id_map: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``patient_id`` replaced by the new id, sorted by it (then night)."""
    out = frame.with_columns(
        pl.col("patient_id").replace_strict(
            id_map["simulated_id"], id_map["patient_id"], return_dtype=pl.Int32
        )
    )
    keys = [k for k in ("patient_id", "night") if k in out.columns]
    return out.sort(keys)


def without_truth(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """``frame`` without the schema's truth columns of ``table``."""
    return frame.drop([c for c in truth_columns(table) if c in frame.columns])


def answer_key(patients: pl.DataFrame) -> pl.DataFrame:
    """The answers: patient_id, primary_cause, contributing_causes, urgency."""
    return patients.select(ANSWER_COLUMNS).sort("patient_id")


def split_for_teaching(
    patients: pl.DataFrame,
    nights: pl.DataFrame,
    measurements: pl.DataFrame,
    *,
    seed: int,
    truth_nights: pl.DataFrame | None = None,
    truth_measurements: pl.DataFrame | None = None,
) -> TeachingTables:
    """Re-map ids and split into the student copy (observed columns of ``patients``,
    ``nights``, ``measurements``: the tables as reported, with any observation noise) and
    the instructor copy (answer key and every column; ``truth_nights`` and
    ``truth_measurements`` are the simulator's own values, when noise was added)."""
    id_map = id_permutation(patients["patient_id"].to_numpy(), seed=seed)
    observed = {"patients": patients, "nights": nights, "measurements": measurements}
    student = {name: remap(without_truth(f, name), id_map) for name, f in observed.items()}
    full_patients = remap(patients, id_map)
    instructor = {
        "answer_key": answer_key(full_patients),
        "patients": full_patients,
        "nights": remap(truth_nights if truth_nights is not None else nights, id_map),
        "measurements": remap(
            truth_measurements if truth_measurements is not None else measurements, id_map
        ),
    }
    return TeachingTables(student=student, instructor=instructor, id_map=id_map)


def csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with list columns joined by ``LIST_SEPARATOR`` (CSV has no lists)."""
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(LIST_SEPARATOR) for c in lists
    )


def write_tables(tables: dict[str, pl.DataFrame], folder: Path) -> dict[str, int]:
    """Write every table as ``<name>.parquet`` and ``<name>.csv``; returns rows by table."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_parquet(frame, folder / f"{name}.parquet")
        csv_ready(frame).write_csv(folder / f"{name}.csv")
    return {name: frame.height for name, frame in tables.items()}


__all__ = [
    "ANSWER_COLUMNS",
    "STUDENT_TABLES",
    "TeachingTables",
    "answer_key",
    "csv_ready",
    "id_permutation",
    "remap",
    "split_for_teaching",
    "without_truth",
    "write_tables",
]
