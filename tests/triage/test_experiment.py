"""End to end: the triage experiment on a small cohort, its files, the report section, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sim.config import LABELS, ConfigError, compose_config
from sim.pipeline import simulate_cohort
from sim.report import Report, Section
from sim.report_triage import triage_section
from sim.triage import evaluate_rule_set, load_shipped
from sim.triage.experiment import run_triage

REPO = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def test_run_writes_report_tables_and_figures(tmp_path: Path) -> None:
    cfg = compose_config(
        ["triage=[clinical_pathway,symptoms_only]", "cohort.n=1200", "cohort.seed=5"],
        config_name="triage",
    )
    run = run_triage(cfg, tmp_path / "out")
    out = run.out
    assert [ev.name for ev in run.evaluations] == ["clinical_pathway", "symptoms_only"]
    assert sorted(p.name for p in out.iterdir()) == [
        "config.yaml",
        "decisions.parquet",
        "figures",
        "manifest.json",
        "report.md",
        "tables",
    ]
    report = (out / "report.md").read_text()
    for text in ("clinical_pathway", "symptoms_only", "Sensitivity and specificity", "urgent"):
        assert text in report
    for name in ("clinical_pathway", "symptoms_only"):
        figure = out / "figures" / f"triage_confusion_{name}.png"
        assert figure.read_bytes()[:8] == PNG
        assert f"figures/triage_confusion_{name}.png" in report
        causes = pl.read_csv(out / "tables" / f"{name}_causes.csv")
        assert causes["cause"].to_list() == list(LABELS)
        assert causes["n_true"].sum() == 1200
        confusion = pl.read_csv(out / "tables" / f"{name}_confusion.csv")
        assert confusion.select(LABELS).sum_horizontal().sum() == 1200
        rules = pl.read_csv(out / "tables" / f"{name}_rules.csv")
        assert rules["n_fired"].sum() == 1200
        assert rules["rule"].to_list()[-1] == "default"
        assert (out / "tables" / f"{name}_urgency.csv").exists()
    summary = pl.read_csv(out / "tables" / "summary.csv")
    assert summary["rule_set"].to_list() == ["clinical_pathway", "symptoms_only"]
    decisions = pl.read_parquet(out / "decisions.parquet")
    assert decisions.height == 2 * 1200
    assert {"rule_set", "patient_id", "rule", "cause", "urgency", "true_cause"} <= set(
        decisions.columns
    )


def test_window_is_checked(tmp_path: Path) -> None:
    cfg = compose_config(["cohort.n=100", "window=40"], config_name="triage")
    with pytest.raises(ConfigError, match="window=40 is invalid"):
        run_triage(cfg, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_triage_section_for_the_demo_report(tmp_path: Path) -> None:
    # The demo report's cohort: the general population (conf/generate.yaml), small here.
    sim = simulate_cohort(compose_config(["cohort.n=400", "cohort.seed=2"]))
    section = triage_section(sim.patients, sim.nights.lazy(), sim.measurements)
    assert isinstance(section, Section)
    assert set(section.figures) == {
        "triage_confusion_clinical_pathway.png",
        "triage_confusion_symptoms_only.png",
    }
    report = Report("demo")
    report.add_section(section)
    path = report.write(tmp_path)
    assert "Triage rules against ground truth" in path.read_text()
    assert (tmp_path / "figures" / "triage_confusion_symptoms_only.png").exists()


def test_clinical_pathway_misses_fewer_urgent_patients_than_symptoms_only(small_cohort) -> None:
    # Statistical check on the shared cohort (presenting, n=3000, seed 11, about 50 urgent
    # patients). Tolerance: the clinical pathway misses at most 6% of urgent patients (about
    # 2.4% at n=20000) and no more than the diary-only set, which cannot see potassium.
    clinical = evaluate_rule_set(
        load_shipped("clinical_pathway"), small_cohort.features, small_cohort.patients
    )
    diary = evaluate_rule_set(
        load_shipped("symptoms_only"), small_cohort.features, small_cohort.patients
    )
    c_missed, c_urgent, c_rate = clinical.urgent_under_triage()
    d_missed, d_urgent, _ = diary.urgent_under_triage()
    assert c_urgent == d_urgent >= 30
    assert c_rate <= 0.06
    assert c_missed <= d_missed
    assert clinical.accuracy() > 0.7


def test_cli_compares_two_rule_sets(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.triage",
            "triage=[clinical_pathway,symptoms_only]",
            "cohort.n=300",
            "out=res",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("clinical_pathway: accuracy ")
    assert lines[1].startswith("symptoms_only: accuracy ")
    assert (tmp_path / "res" / "tables" / "summary.csv").exists()
