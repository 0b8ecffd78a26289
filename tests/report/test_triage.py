"""``sim.report.triage``: the triage section of the demo report."""

from __future__ import annotations

from pathlib import Path

from sim.config import compose_config
from sim.pipeline import simulate_cohort
from sim.report import Report, Section
from sim.report.triage import triage_section


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
