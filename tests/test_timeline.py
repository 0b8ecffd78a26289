"""Night timelines: the right patient, the same as in a cohort (drawing: tests/report/,
writing: tests/runs/)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

import sim.timeline as tl
from sim.config import compose_config, validate
from sim.engines import run_engine
from sim.model.population import PopulationModel
from sim.rng import ShardStreams

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
