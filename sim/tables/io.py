"""Parquet writing and reading with the project's settings.

Usage::

    write_parquet(df, run.tmp / "patients.parquet")   # inside sim.tables.output.output_dir
    nights = read_table("runs/a", "nights")             # one file or every part of a table

Output folders themselves (manifest, lock, refusal rules) are ``sim.tables.output``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sim.tables.output import INCOMPLETE, OutputError

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "statistics": False}
"""Fast to write, still compact: zstd level 1, no column statistics."""


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write one table (or part) with the project's Parquet settings."""
    df.write_parquet(path, **PARQUET_OPTIONS)


def read_table(out: str | Path, table: str, *, unfinished: bool = False) -> pl.DataFrame:
    """Read a table written by ``generate``: ``out/table.parquet`` or ``out/table/*.parquet``.

    The temporary folder of a run (marked ``.incomplete``) is refused, unless ``unfinished``
    (the run reading what it has just written)."""
    base = Path(out)
    if not unfinished and (base / INCOMPLETE).exists():
        raise FileNotFoundError(f"{base} is the unfinished output of a run that was stopped")
    single = base / f"{table}.parquet"
    if single.exists():
        return pl.read_parquet(single)
    parts = sorted((base / table).glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"no table {table!r} under {base}")
    return pl.concat([pl.read_parquet(p) for p in parts])


__all__ = ["PARQUET_OPTIONS", "OutputError", "read_table", "write_parquet"]
