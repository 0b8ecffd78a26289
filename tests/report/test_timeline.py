"""``sim.report.timeline``: the report section draws one timeline per primary cause."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sim.config import compose_config, validate
from sim.model.population import PopulationModel
from sim.report.timeline import timeline_section
from sim.rng import ShardStreams
from sim.tables.schema import to_frame

BALANCED = ["cohort.n=600", "cohort.nights=7", "cohort.seed=4", "cohort=balanced"]


def _cfg(*overrides: str):
    return compose_config([*BALANCED, *overrides], config_name="timeline")


def test_timeline_section_draws_one_timeline_per_cause(tmp_path: Path) -> None:
    cfg = _cfg()
    cohort = validate(cfg)
    cols = PopulationModel(cfg.model, cohort).sample(ShardStreams(cohort.seed, 0, cohort.n))
    patients = to_frame("patients", cols)
    section = timeline_section(cfg, patients, nights=3)
    causes = set(patients["primary_cause"].cast(pl.String))
    assert set(section.figures) == {f"timeline_{c}.png" for c in causes}
    path = tmp_path / "rls.png"
    section.figures["timeline_rls.png"](path)
    assert path.stat().st_size > 10_000
