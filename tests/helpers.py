"""Test helpers shared by several test modules (fixtures live in conftest.py).

Usage::

    from tests.helpers import simulate_patients
    df = simulate_patients("cohort.n=2000", "cohort.seed=3")

This is the one place that turns Hydra overrides into a patients DataFrame; adapt it here if
the pipeline's API changes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl

from sim.config import compose_config
from sim.pipeline import simulate_cohort


def simulate_patients(*overrides: str) -> pl.DataFrame:
    """The patients table of the config composed from ``overrides`` (no nights, no files)."""
    return simulate_cohort(compose_config(list(overrides)), with_nights=False).patients


REPO = Path(__file__).resolve().parents[1]


def run_experiment(
    name: str, *args: str, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess:
    """``python -m experiments.<name> ARGS`` from ``cwd`` with a bare environment (this
    checkout's code, no Hydra full errors), its output captured."""
    return subprocess.run(
        [sys.executable, "-m", f"experiments.{name}", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HYDRA_FULL_ERROR": "0"},
        timeout=timeout,
    )


def run_triage_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m experiments.triage ARGS`` (``run_experiment``)."""
    return run_experiment("triage", *args, cwd=cwd)
