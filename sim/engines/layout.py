"""The ``nights`` columns as the engines hold them, laid out from the table schema.

Usage::

    from sim.engines.layout import diary_buffers, diary_columns
    out = diary_buffers(rows)              # DiaryBuffers: column matrices by dtype + indices
    # ... compiled code writes rows (sim.model.diary.write_row) ...
    columns = diary_columns(out)           # {name: (rows,) array} for schema.to_frame

The schema (``sim.tables.schema``) is the one list of the ``nights`` columns. Its columns are
grouped by storage (float32; int8 and the coded categories; int16; bool), one matrix per
group with a row per column, so compiled code writes a patient-night as one index per
column and copies runs of rows at a time. ``patient_id`` and ``night`` are the engines'
index columns, filled outside compiled code. The indices the model writes by name
(``cols.onset_min``) and the ones it writes by mechanism (each one's ``SEVERITY`` and
``DIARY`` columns, the flags) are derived here.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import polars as pl

from sim.model import state
from sim.model.mechanisms import REGISTRY
from sim.model.symptoms import FLAGS
from sim.tables.schema import columns

INDEX_COLUMNS = ("patient_id", "night")
_GROUPS = (("f32", np.float32), ("i8", np.int8), ("i16", np.int16), ("b", np.bool_))


def _group(col) -> str:
    if col.categories is not None or col.dtype == pl.Int8:
        return "i8"
    if col.dtype == pl.Float32:
        return "f32"
    if col.dtype == pl.Int16:
        return "i16"
    if col.dtype == pl.Boolean:
        return "b"
    raise TypeError(f"nights column {col.name!r}: no engine storage for {col.dtype}")


GROUP_COLUMNS: dict[str, tuple[str, ...]] = {g: () for g, _ in _GROUPS}
for _col in columns("nights"):
    if _col.name not in INDEX_COLUMNS:
        _g = _group(_col)
        GROUP_COLUMNS[_g] = (*GROUP_COLUMNS[_g], _col.name)
DTYPES = dict(_GROUPS)

_INDEX = {name: i for cols in GROUP_COLUMNS.values() for i, name in enumerate(cols)}
Cols = namedtuple("Cols", list(_INDEX))
COLS = Cols(**_INDEX)
"""Each column's row in its group's matrix."""
FLAG_COLUMNS = np.array([_INDEX[f] for f in FLAGS], dtype=np.int64)
SEVERITY_COLUMNS = np.array(
    [_INDEX[m.SEVERITY] if hasattr(m, "SEVERITY") else -1 for m in REGISTRY], dtype=np.int64
)
"""Per mechanism code: the float32 column of its latent drive tonight, or -1."""
DAY_COPIES = np.array(
    [
        (_INDEX[column], getattr(state.D, field))
        for m in REGISTRY
        for column, field in getattr(m, "DIARY", {}).items()
    ],
    dtype=np.int64,
).reshape(-1, 2)
"""(float32 column, tonight's state field): the truth columns each mechanism copies."""

DiaryBuffers = namedtuple(
    "DiaryBuffers", ["cols", "f32", "i8", "i16", "b", "day_copies", "severity", "flags"]
)


def _check() -> None:
    for m in REGISTRY:
        names = [getattr(m, "SEVERITY", None), *getattr(m, "DIARY", {})]
        for name in filter(None, names):
            if name not in GROUP_COLUMNS["f32"]:
                raise ValueError(
                    f"mechanism {m.NAME!r} reports {name!r}, which is not a float32 column of "
                    "the nights schema (sim.tables.schema)"
                )


_check()


def diary_buffers(rows: int) -> DiaryBuffers:
    """Empty column matrices for ``rows`` patient-nights."""
    mats = {g: np.empty((len(GROUP_COLUMNS[g]), rows), dtype=DTYPES[g]) for g, _ in _GROUPS}
    return DiaryBuffers(
        COLS, **mats, day_copies=DAY_COPIES, severity=SEVERITY_COLUMNS, flags=FLAG_COLUMNS
    )


def diary_columns(out: DiaryBuffers) -> dict[str, np.ndarray]:
    """The buffers as one array per column (views of the matrices' rows)."""
    cols: dict[str, np.ndarray] = {}
    for g, _ in _GROUPS:
        cols.update(zip(GROUP_COLUMNS[g], getattr(out, g), strict=True))
    return cols
