"""Shared fixtures of the casebook tests: one small teaching dataset, split, not scored.

Usage::

    def test_something(teaching_tables, casebook):
        student, instructor = teaching_tables.student, teaching_tables.instructor
        page = (casebook.student / "index.html").read_text()

``teaching_tables`` is the ``standard`` preset (reference noise, so some diary nights are
not filled in) at 300 patients x 14 nights, seed 0, with every cause and controls in equal
shares (``cohort.cause_mix=balanced``: in the presenting shares critical-ischaemia PAD is
0.2%, so 300 patients rarely hold one), split by
``sim.runs.teach.teaching_tables`` as ``python -m experiments.teach`` splits it; ``casebook`` is its casebook written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.config import compose_config
from sim.runs.teach import teaching_tables as split_teaching_tables
from sim.teaching.casebook import FOLDER, write_casebook
from sim.teaching.dataset import TeachingTables

OVERRIDES = ["teaching=standard", "cohort.n=300", "cohort.nights=14", "cohort.cause_mix=balanced"]
NIGHTS = 14
CASES = 12
TITLE = 'Casebook test <&> "quotes"'
"""With characters that must be escaped."""


@dataclass
class Casebook:
    ids: list[int]
    seed: int
    student: Path
    instructor: Path


@pytest.fixture(scope="session")
def teaching_tables() -> TeachingTables:
    return split_teaching_tables(compose_config(OVERRIDES, config_name="teach"))


def build_casebook(
    tables: TeachingTables,
    root: Path,
    *,
    cases: int = CASES,
    seed: int = 0,
    draw: str = "uniform",
) -> Casebook:
    ids = write_casebook(
        tables.student,
        tables.instructor,
        root / "student",
        root / "instructor",
        cases=cases,
        seed=seed,
        draw=draw,
        title=TITLE,
        nights=NIGHTS,
    )
    return Casebook(ids, seed, root / "student" / FOLDER, root / "instructor" / FOLDER)


@pytest.fixture(scope="session")
def casebook(teaching_tables, tmp_path_factory) -> Casebook:
    return build_casebook(teaching_tables, tmp_path_factory.mktemp("casebook"))
