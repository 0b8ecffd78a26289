"""``python -m experiments.intervene`` (sim/runs/intervene.py): the written run, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from sim.config import ConfigError, compose_config
from sim.runs.intervene import intervene
from tests.helpers import run_experiment


def test_run_writes_report_tables_outcomes_and_manifest(tmp_path: Path) -> None:
    cfg = compose_config(
        ["intervention=[stretching,iron]", "placebo_arm=true", "cohort.n=600"],
        config_name="intervene",
    )
    run = intervene(cfg, tmp_path / "out")
    out = run.out
    report = (out / "report.md").read_text()
    assert "## Interventions" in report and "placebo vs control" in report
    assert (out / "figures" / "interventions_by_cause.png").stat().st_size > 5000
    effects = pl.read_csv(out / "tables" / "effects.csv")
    assert set(effects["comparison"]) == {
        "treated_vs_control",
        "placebo_vs_control",
        "treated_vs_placebo",
    }
    assert set(effects["intervention"]) == {"stretching", "iron"}
    outcomes = pl.read_parquet(out / "outcomes.parquet")
    # Two interventions x (control, treated, placebo) x 600 patients.
    assert outcomes.height == 2 * 3 * 600
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == "intervene"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("intervention.stretching.adherence=1.5", "intervention.stretching.adherence=1.5 is"),
        ("intervention.stretching.start_night=28", "intervention.stretching.start_night=28 is"),
        ("+intervention.stretching.effects.warp=1", "intervention.stretching.effects.warp is not"),
        ("intervention.stretching.effects.cramp_rate=2", "effects.cramp_rate=2 is invalid"),
    ],
)
def test_bad_values_stop_the_run_before_anything_is_written(
    tmp_path: Path, override: str, message: str
) -> None:
    cfg = compose_config(["cohort.n=50", override], config_name="intervene")
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("'", ".")):
        intervene(cfg, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_sweep_writes_its_jobs_and_one_comparison(tmp_path: Path) -> None:
    """``-m intervention=stretching,magnesium``: a folder per job, one comparison table."""
    done = run_experiment(
        "intervene",
        "-m",
        "intervention=stretching,magnesium",
        "cohort.n=300",
        "out=sweep",
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "magnesium: symptomatic nights" in done.stdout
    jobs = sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.is_dir())
    assert jobs == ["cohort.n=300,intervention=magnesium", "cohort.n=300,intervention=stretching"]
    for job in jobs:
        assert (tmp_path / "sweep" / job / "manifest.json").exists()
    comparison = pl.read_csv(tmp_path / "sweep" / "comparison.csv")
    assert set(comparison["intervention"]) == {"stretching", "magnesium"}
    assert set(comparison["job"]) == set(jobs)
    assert "| magnesium |" in (tmp_path / "sweep" / "comparison.md").read_text()


def test_an_unknown_intervention_is_one_line(tmp_path: Path) -> None:
    bad = run_experiment("intervene", "intervention=levitation", "out=bad", cwd=tmp_path)
    assert bad.returncode != 0
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "levitation" in lines[0], bad.stderr
    assert not (tmp_path / "bad").exists()


def test_the_comparison_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    """A ``comparison.csv`` of the user's own in the sweep folder is left as it was."""
    from sim.runs.intervene import write_comparison
    from sim.tables.output import OutputError

    job = tmp_path / "intervention=x" / "tables"
    job.mkdir(parents=True)
    (job / "effects.csv").write_text("intervention,comparison,group\nx,treated_vs_control,all\n")
    (job / "summary.csv").write_text("intervention,kind\nx,tip\n")
    theirs = tmp_path / "comparison.csv"
    theirs.write_text("my own notes\n")
    with pytest.raises(OutputError, match="is not a sweep comparison this tool wrote"):
        write_comparison(tmp_path)
    assert theirs.read_text() == "my own notes\n"
    assert not (tmp_path / "comparison.md").exists()
    theirs.unlink()
    assert write_comparison(tmp_path) == theirs  # ours now, so a second sweep may replace it
    assert write_comparison(tmp_path) == theirs
