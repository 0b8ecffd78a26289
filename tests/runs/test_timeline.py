"""``sim.runs.timeline``: one patient drawn and written safely; bad input named in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sim.config import ConfigError, compose_config
from sim.runs.timeline import write_timeline

ROOT = Path(__file__).resolve().parents[2]
BALANCED = ["cohort.n=600", "cohort.nights=7", "cohort.seed=4", "cohort=balanced"]


def _cfg(*overrides: str):
    return compose_config([*BALANCED, *overrides], config_name="timeline")


def test_write_timeline_writes_the_png_and_the_patients_tables(tmp_path: Path) -> None:
    result = write_timeline(_cfg("patient_id=5", "nights=4"), tmp_path / "tl")
    out = tmp_path / "tl"
    assert result.patient_id == 5 and result.nights == 4
    assert (out / "timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    events = pl.read_parquet(out / "events.parquet")
    assert events["patient_id"].unique().to_list() == [5]
    assert sorted(events["night"].unique().to_list()) == [0, 1, 2, 3]
    assert pl.read_parquet(out / "nights.parquet").height == 4
    assert [p.name for p in tmp_path.iterdir()] == ["tl"]  # no temporary folder left


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("patient_id=600", "patient_id"),
        ("patient_id=-1", "patient_id"),
        ("patient_id=abc", "patient_id"),
        ("nights=0", "nights"),
        ("nights=8", "nights"),
    ],
)
def test_bad_patient_or_nights_name_the_key(tmp_path: Path, override: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}="):
        write_timeline(_cfg(override), tmp_path / "tl")
    assert not (tmp_path / "tl").exists()


def test_the_command_reports_a_bad_patient_in_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.timeline",
            "patient_id=999999",
            f"out={tmp_path / 'x'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: patient_id=999999 is invalid"), (
        run.stderr
    )
    assert not (tmp_path / "x").exists()
