"""``python -m experiments.teach``: a teaching dataset, ready to hand out.

Usage::

    cfg = compose_config(["teaching=intro", "cohort.n=300"], config_name="teach")
    result = teach(cfg, Path("class/week1"))

Validate -> check ``out`` -> simulate -> add the preset's observation noise -> re-map ids
and split (``sim.teaching.dataset``) -> score (``sim.teaching.solutions``) -> write, through
``sim.tables.output`` (temporary folder, manifest, atomic swap; ``overwrite=true`` replaces
only a folder of ours)::

    out/student/      patients, nights, measurements (.parquet, .csv), students.duckdb,
                      datacard.md, data-dictionary.md, casebook/ (sim.teaching.casebook),
                      datapackage.json (Frictionless v2), croissant.json (Croissant 1.0
                      + RAI)
    out/instructor/   answer_key, patients, nights, measurements (.parquet, .csv; every
                      column), solutions.md, casebook/ (the same pages with the answers)
    out/manifest.json
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.config import validate, validate_teaching
from sim.evaluation.benchmark import validate_benchmark
from sim.evaluation.noise import add_observation_noise
from sim.pipeline import config_digest, simulate_cohort
from sim.tables.output import output_dir
from sim.teaching.card import datacard_markdown, student_dictionary
from sim.teaching.casebook import write_casebook
from sim.teaching.dataset import TeachingTables, split_for_teaching, write_tables
from sim.teaching.package import write_descriptors
from sim.teaching.solutions import score_dataset, solutions_markdown


@dataclass
class TeachResult:
    """What ``teach`` wrote."""

    out: Path
    preset: str
    n_patients: int
    nights: int
    headline: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def teaching_tables(cfg: DictConfig, *, timings: dict[str, float] | None = None) -> TeachingTables:
    """The split tables of ``cfg``'s teaching dataset, as ``teach`` writes them: simulate,
    add the preset's observation noise, re-map the ids and split; ``timings`` (if given)
    gets ``simulate_s`` and ``split_s``."""
    cohort, teaching = validate(cfg), validate_teaching(cfg)
    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    tables = simulate_cohort(cfg)
    timings["simulate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    nights, measurements = add_observation_noise(
        tables.nights, tables.measurements, cfg.noise, seed=cohort.seed
    )
    split = split_for_teaching(
        tables.patients,
        nights,
        measurements,
        seed=cohort.seed + teaching.id_seed,
        truth_nights=tables.nights,
        truth_measurements=tables.measurements,
    )
    timings["split_s"] = time.perf_counter() - t0
    return split


def teach(cfg: DictConfig, out: str | Path) -> TeachResult:
    """Build the teaching dataset of ``cfg`` under ``out`` (see the module docstring)."""
    cohort, _, _ = validate_benchmark(cfg)  # cohort, benchmark, classifier, noise keys
    teaching = validate_teaching(cfg)
    overwrite = bool(cfg.get("overwrite", False))
    digest = config_digest(cfg)
    timings: dict[str, float] = {}
    # The folder is claimed (checks, lock, temporary folder) before the work, so a refused
    # or unwritable ``out`` costs nothing and an interrupted run leaves nothing behind.
    with output_dir(out, tool="teach", config=cfg, overwrite=overwrite, digest=digest) as run:
        split = teaching_tables(cfg, timings=timings)

        t0 = time.perf_counter()
        solutions = score_dataset(
            cfg,
            split.instructor["patients"],
            split.student["nights"],
            split.student["measurements"],
        )
        headline = solutions.headline()
        timings["solutions_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        student_dir, instructor_dir = run.tmp / "student", run.tmp / "instructor"
        rows = write_tables(split.student, student_dir)
        rows_i = write_tables(split.instructor, instructor_dir)
        (student_dir / "datacard.md").write_text(
            datacard_markdown(
                teaching=teaching,
                cohort=cohort,
                cfg=cfg,
                student=split.student,
                answers=split.instructor["answer_key"],
                headline=headline,
            ),
            encoding="utf-8",
        )
        (student_dir / "data-dictionary.md").write_text(
            student_dictionary(split.student), encoding="utf-8"
        )
        write_casebook(
            split.student,
            split.instructor,
            student_dir,
            instructor_dir,
            cases=teaching.casebook.cases,
            draw=teaching.casebook.draw,
            seed=cohort.seed + teaching.id_seed,
            title=teaching.title,
            nights=cohort.nights,
        )
        # Last in student/: the descriptors give the sizes and digests of the files above.
        write_descriptors(
            split.student,
            student_dir,
            cfg=cfg,
            teaching=teaching,
            cohort=cohort,
            answers=split.instructor["answer_key"],
        )
        (instructor_dir / "solutions.md").write_text(
            solutions_markdown(solutions, teaching=teaching, seed=cohort.seed, digest=digest),
            encoding="utf-8",
        )
        timings["write_s"] = time.perf_counter() - t0
        run.record(
            tables={
                **{f"student/{k}": v for k, v in rows.items()},
                **{f"instructor/{k}": v for k, v in rows_i.items()},
            },
            timings=timings,
            seed=cohort.seed,
            preset=teaching.name,
            achievable=headline,
        )
        out = run.out
    return TeachResult(
        out=out,
        preset=teaching.name,
        n_patients=cohort.n,
        nights=cohort.nights,
        headline=headline,
        timings=timings,
    )
