"""Night timelines: some patients' nights as the event engine lived them (for teaching).

Usage::

    from sim.timeline import simulate_timelines
    lived = simulate_timelines(cfg, [17], nights=7)      # event engine, just these patients

    python -m experiments.timeline patient_id=17 nights=7 out=DIR   # PNG + its event log

A patient's draws depend only on (seed, patient id, night, stream), so the patient looks the
same here as in a full cohort generated with the same config (``cohort`` and ``model``):
only the patients of the id's RNG block up to that id are simulated, and only ``nights``
nights (the first ones of the diary). ``sim.report.timeline`` draws them (``draw_timeline``,
``timeline_section``); ``sim.runs.timeline`` is the command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import polars as pl
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig

from sim.config import LABELS, ConfigError, RunConfig, validate
from sim.engines import run_engine
from sim.model.population import PopulationModel
from sim.rng import BLOCK, ShardStreams
from sim.tables.schema import to_frame

MAX_NIGHTS = 28
"""Longest timeline drawn (four weeks still read as one figure)."""
CANDIDATES_PER_CAUSE = 20
"""For the report, the most symptomatic of the first this many patients of a cause is shown."""


# ------------------------------------------------------------------ config (Hydra)
@dataclass
class TimelineRunConfig(RunConfig):
    """``python -m experiments.timeline``: the cohort and model of a run, plus whom to draw."""

    patient_id: Any = 17
    """Patient to draw (0 .. cohort.n - 1): the same patient as in a generated cohort."""
    nights: Any = 7
    """Nights drawn, from the first (1 .. min(cohort.nights, 28))."""
    out: str = "outputs/timeline"
    """Output folder: ``timeline.png`` and the patient's ``events``, ``nights`` and
    ``patients`` tables (written atomically)."""


ConfigStore.instance().store(name="base_timeline_run", node=TimelineRunConfig)


def integer_setting(value: Any, key: str, lo: int, hi: int) -> int:
    """``value`` as an integer in [lo, hi], or a ConfigError naming ``key``."""
    try:
        number = float(value)
        ok = not isinstance(value, bool) and math.isfinite(number) and number == int(number)
    except (TypeError, ValueError):
        ok = False
    if not ok or not lo <= int(number) <= hi:
        raise ConfigError(f"{key}={value!r} is invalid: expected an integer in {lo}..{hi}")
    return int(number)


# ------------------------------------------------------------------ simulate
@dataclass
class Timelines:
    """What the event engine did to some patients: their rows of the three tables."""

    patients: pl.DataFrame
    nights: pl.DataFrame
    events: pl.DataFrame


def simulate_timelines(cfg: DictConfig, patient_ids: list[int], *, nights: int) -> Timelines:
    """Simulate the first ``nights`` nights of ``patient_ids`` with the event engine."""
    cohort = validate(cfg)
    nights = integer_setting(nights, "nights", 1, min(cohort.nights, MAX_NIGHTS))
    ids = sorted({integer_setting(i, "patient_id", 0, cohort.n - 1) for i in patient_ids})
    parts = []
    for block in sorted({i // BLOCK for i in ids}):
        wanted = [i for i in ids if i // BLOCK == block]
        streams = ShardStreams(cohort.seed, block * BLOCK, wanted[-1] + 1)
        cols = PopulationModel(cfg.model, cohort).sample(streams)
        result = run_engine("events", cols, cfg.model, streams, nights=nights)
        keep = pl.col("patient_id").is_in(wanted)
        parts.append(
            (
                to_frame("patients", cols).filter(keep),
                result.nights.filter(keep),
                result.events.filter(keep),
            )
        )
    return Timelines(*(pl.concat([p[k] for p in parts]) for k in range(3)))


# ------------------------------------------------------------------ the report's choice
def choose_patients(patients: pl.DataFrame, lived: Timelines | None = None) -> dict[str, int]:
    """One patient per primary cause: the most symptomatic of the first candidates
    (``lived`` gives their nights; without it, the first patient of each cause)."""
    chosen = {}
    for cause in LABELS:
        ids = (
            patients.filter(pl.col("primary_cause") == cause)
            .sort("patient_id")["patient_id"]
            .head(CANDIDATES_PER_CAUSE)
            .to_list()
        )
        if not ids:
            continue
        if lived is None or cause == "none":
            chosen[cause] = ids[0]
            continue
        symptomatic = (
            lived.nights.filter(pl.col("patient_id").is_in(ids))
            .group_by("patient_id")
            .agg((pl.col("n_episodes") > 0).sum().alias("nights"))
            .sort(["nights", "patient_id"], descending=[True, False])
        )
        chosen[cause] = int(symptomatic["patient_id"][0])
    return chosen
