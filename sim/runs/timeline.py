"""``python -m experiments.timeline``: one patient's nights as a PNG, with its tables.

Usage::

    result = write_timeline(compose_config(["patient_id=17"], config_name="timeline"), Path("tl"))

Validates the patient and nights, checks the output folder before the work
(``preflight``), simulates the patient (``sim.timeline``), then writes ``timeline.png``
(``sim.report.timeline``) and the ``events``, ``nights`` and ``patients`` tables atomically
with a manifest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig

from sim.config import validate
from sim.report.timeline import draw_timeline
from sim.tables.io import write_parquet
from sim.tables.output import output_dir, preflight
from sim.timeline import MAX_NIGHTS, integer_setting, simulate_timelines


@dataclass
class TimelineResult:
    out: Path
    patient_id: int
    nights: int
    seconds: float


def write_timeline(cfg: DictConfig, out: Path) -> TimelineResult:
    """``python -m experiments.timeline``: draw one patient, write the PNG and its tables."""
    t0 = time.perf_counter()
    cohort = validate(cfg)
    overwrite = bool(cfg.get("overwrite", False))
    out = preflight(out, overwrite=overwrite)
    patient_id = integer_setting(cfg.patient_id, "patient_id", 0, cohort.n - 1)
    nights = integer_setting(cfg.nights, "nights", 1, min(cohort.nights, MAX_NIGHTS))
    lived = simulate_timelines(cfg, [patient_id], nights=nights)
    with output_dir(out, tool="timeline", config=cfg, overwrite=overwrite) as run:
        tmp = run.tmp
        draw_timeline(lived, patient_id, tmp / "timeline.png")
        for name in ("events", "nights", "patients"):
            write_parquet(getattr(lived, name), tmp / f"{name}.parquet")
        run.record(
            tables={n: getattr(lived, n).height for n in ("events", "nights", "patients")},
            seed=cohort.seed,
            patient_id=patient_id,
        )
    return TimelineResult(out, patient_id, nights, time.perf_counter() - t0)
