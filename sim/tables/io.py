"""Atomic output folders and Parquet writing.

Usage::

    with atomic_output_dir("runs/a") as tmp:      # everything is written under a temporary name
        write_parquet(df, tmp / "patients.parquet")
    # on success runs/a is replaced in one rename; on error nothing is left behind

An unwritable or invalid destination raises ``OutputError`` before any work is done.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "statistics": False}
"""Fast to write, still compact: zstd level 1, no column statistics."""


class OutputError(OSError):
    """The output folder cannot be written; the message names the ``out`` key."""


def check_writable(out: Path, key: str = "out") -> Path:
    """Resolve ``out`` and make sure its parent can take a new folder."""
    out = Path(out).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{key}={out} is invalid: it exists and is not a folder")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{key}={out} is not writable: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{key}={out} is not writable: no write permission on {parent}")
    return out


@contextlib.contextmanager
def atomic_output_dir(out: str | Path, key: str = "out") -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` only if the block succeeds."""
    out = check_writable(Path(out), key)
    tag = uuid.uuid4().hex[:8]
    tmp = out.parent / f".{out.name}.tmp-{tag}"
    try:
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{key}={out} is not writable: {exc.strerror or exc}") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{tag}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write one table (or part) with the project's Parquet settings."""
    df.write_parquet(path, **PARQUET_OPTIONS)


def read_table(out: str | Path, table: str) -> pl.DataFrame:
    """Read a table written by ``generate``: ``out/table.parquet`` or ``out/table/*.parquet``."""
    base = Path(out)
    single = base / f"{table}.parquet"
    if single.exists():
        return pl.read_parquet(single)
    parts = sorted((base / table).glob("part-*.parquet"))
    if not parts:
        raise FileNotFoundError(f"no table {table!r} under {base}")
    return pl.concat([pl.read_parquet(p) for p in parts])
