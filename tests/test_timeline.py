"""Night timelines: the right patient, the same as in a cohort, drawn and written safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import sim.timeline as tl
from sim.config import ConfigError, compose_config, validate
from sim.engines import run_engine
from sim.model.population import PopulationModel
from sim.rng import ShardStreams
from sim.tables.schema import to_frame

ROOT = Path(__file__).resolve().parents[1]
BALANCED = ["cohort.n=600", "cohort.nights=7", "cohort.seed=4", "cohort=balanced"]


def _cfg(*overrides: str):
    return compose_config([*BALANCED, *overrides], config_name="timeline")


def test_a_timeline_patient_is_the_cohorts_patient() -> None:
    cfg = _cfg()
    lived = tl.simulate_timelines(cfg, [17, 321], nights=3)
    cohort = validate(cfg)
    streams = ShardStreams(cohort.seed, 0, cohort.n)
    cols = PopulationModel(cfg.model, cohort).sample(streams)
    full = run_engine("events", cols, cfg.model, streams, nights=cohort.nights)
    keep = pl.col("patient_id").is_in([17, 321]) & (pl.col("night") < 3)
    assert_frame_equal(lived.events, full.events.filter(keep), check_exact=True)
    assert_frame_equal(lived.nights, full.nights.filter(keep), check_exact=True)
    assert lived.patients["patient_id"].to_list() == [17, 321]


def test_write_timeline_writes_the_png_and_the_patients_tables(tmp_path: Path) -> None:
    result = tl.write_timeline(_cfg("patient_id=5", "nights=4"), tmp_path / "tl")
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
        tl.write_timeline(_cfg(override), tmp_path / "tl")
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


def test_timeline_section_draws_one_timeline_per_cause(tmp_path: Path) -> None:
    cfg = _cfg()
    cohort = validate(cfg)
    cols = PopulationModel(cfg.model, cohort).sample(ShardStreams(cohort.seed, 0, cohort.n))
    patients = to_frame("patients", cols)
    section = tl.timeline_section(cfg, patients, nights=3)
    causes = set(patients["primary_cause"].cast(pl.String))
    assert set(section.figures) == {f"timeline_{c}.png" for c in causes}
    path = tmp_path / "rls.png"
    section.figures["timeline_rls.png"](path)
    assert path.stat().st_size > 10_000
