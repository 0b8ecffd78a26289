"""Parquet writing and reading with the project's settings.

Usage::

    write_parquet(df, run.tmp / "patients.parquet")   # inside sim.tables.output.output_dir
    nights = read_table("runs/a", "nights")             # one file or every part of a table

Output folders themselves (manifest, lock, refusal rules) are ``sim.tables.output``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from sim.tables.output import INCOMPLETE, OutputError

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 1, "statistics": False}
"""Fast to write, still compact: zstd level 1, no column statistics."""


@contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) that arrives inside the block and deliver it at its end.

    Polars' writer threads turn a Ctrl-C into a Rust panic whose backtrace is printed to
    stderr before Python sees the interrupt, so a stopped run printed a dozen lines instead
    of the one ``interrupted:`` line (seen in ``tests/test_signals.py``). While the block
    runs, the signal is only noted; at its end the previous handler is back and the signal
    is raised again, so the run stops as before, just after the write. Only the main thread
    can set handlers; elsewhere, and where SIGINT is ignored (worker processes), the block
    changes nothing."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (
        signal.SIG_IGN,
        None,
    ):
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            signal.raise_signal(signal.SIGINT)


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write one table (or part) with the project's Parquet settings (a Ctrl-C meanwhile
    takes effect when the file is written: ``ctrl_c_deferred``)."""
    with ctrl_c_deferred():
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


__all__ = ["PARQUET_OPTIONS", "OutputError", "ctrl_c_deferred", "read_table", "write_parquet"]
