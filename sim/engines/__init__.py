"""Engines advance time and call the one model; they hold no physiology of their own.

Usage::

    result = run_engine("vectorised", patients, model_cfg, streams, nights=28)
    result.nights          # polars DataFrame in the ``nights`` schema
    result.events          # polars DataFrame in the ``events`` schema, or None

- ``vectorised``: numpy over whole shards, events sampled in aggregate (the workhorse)
- ``events``: simpy, each patient a process in continuous time (the reference semantics)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sim.rng import ShardStreams
from sim.tables.schema import to_frame


@dataclass
class EngineResult:
    nights: pl.DataFrame
    events: pl.DataFrame | None = None


def run_engine(
    name: str, patients: dict[str, np.ndarray], model_cfg, streams: ShardStreams, *, nights: int
) -> EngineResult:
    """Simulate the nights of one shard with the named engine."""
    if name == "vectorised":
        from sim.engines.vectorised import VectorisedNights

        cols = VectorisedNights(patients, model_cfg, streams, nights).run()
        return EngineResult(to_frame("nights", cols))
    if name == "events":
        from sim.engines.events import run_events

        return run_events(patients, model_cfg, streams, nights=nights)
    raise ValueError(f"unknown engine {name!r}")
