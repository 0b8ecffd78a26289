"""Shared fixtures.

Usage::

    def test_something(make_patients):
        df = make_patients("cohort.n=2000", "cohort.seed=3")

``make_patients`` caches by overrides for the whole session, so tests that ask for the same
cohort share one simulation (keep cached cohorts small; large ones belong in a
module-scoped fixture).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from tests.helpers import simulate_patients


@pytest.fixture(scope="session")
def make_patients() -> Callable[..., pl.DataFrame]:
    cache: dict[tuple[str, ...], pl.DataFrame] = {}

    def make(*overrides: str) -> pl.DataFrame:
        if overrides not in cache:
            cache[overrides] = simulate_patients(*overrides)
        return cache[overrides]

    return make
