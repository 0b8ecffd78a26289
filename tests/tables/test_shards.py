"""Shard ranges: whole RNG blocks, bounded size, balanced over workers."""

from __future__ import annotations

import functools
import os
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from sim.rng import BLOCK
from sim.tables.shards import map_shards, shard_ranges


@pytest.mark.parametrize("n", [1, 100, BLOCK, 3 * BLOCK + 5, 70_000, 1_000_000])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_shards_cover_the_cohort_in_whole_blocks(n: int, workers: int) -> None:
    ranges = shard_ranges(n, 65536, workers)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert all(lo % BLOCK == 0 and 0 < hi - lo <= 65536 for lo, hi in ranges)


def test_shards_are_balanced_over_workers() -> None:
    """1,000,000 patients: one worker gets 15 full shards and a short one; two workers get
    14 shards whose sizes differ by one block at most, then four of about half that size,
    so both processes finish together (whoever is free takes the next shard)."""
    single = [hi - lo for lo, hi in shard_ranges(1_000_000, 65536, 1)]
    assert len(single) == 16 and min(single) < 20_000
    sizes = [hi - lo for lo, hi in shard_ranges(1_000_000, 65536, 2)]
    full, tail = sizes[:-4], sizes[-4:]
    assert len(full) == 14 and max(full) - min(full) <= BLOCK
    assert max(tail) <= BLOCK * 4 < min(full)


def _shard_sum(bounds: tuple[int, int], marker: str, parent: int, fail: str) -> int:
    """A shard job: the calling process waits until a spawned worker has started a shard,
    so that the worker's part of ``map_shards`` is exercised whatever the timing."""
    if os.getpid() == parent:
        deadline = time.monotonic() + 120
        while not os.path.exists(marker) and time.monotonic() < deadline:
            time.sleep(0.01)
    else:
        open(marker, "a").close()
        if fail == "raise":
            raise ValueError(f"shard {bounds} failed in a worker")
        if fail == "exit":
            os._exit(3)  # the process dies, as when the system kills it
    return sum(range(*bounds))


def test_map_shards_in_order_with_workers(tmp_path) -> None:
    ranges = [(i * 10, i * 10 + 10) for i in range(6)]
    job = functools.partial(
        _shard_sum, marker=str(tmp_path / "started"), parent=os.getpid(), fail=""
    )
    assert map_shards(job, ranges, workers=2) == [sum(range(*r)) for r in ranges]


def test_map_shards_raises_a_worker_error(tmp_path) -> None:
    job = functools.partial(
        _shard_sum, marker=str(tmp_path / "started"), parent=os.getpid(), fail="raise"
    )
    with pytest.raises(ValueError, match="failed in a worker"):
        map_shards(job, [(i, i + 1) for i in range(6)], workers=2)


def test_shard_size_must_be_whole_blocks() -> None:
    with pytest.raises(ValueError, match="multiple"):
        shard_ranges(1000, 5000)


def test_map_shards_raises_when_a_worker_dies(tmp_path) -> None:
    """A worker process that dies is an error here, not a wait for its results."""
    job = functools.partial(
        _shard_sum, marker=str(tmp_path / "started"), parent=os.getpid(), fail="exit"
    )
    with pytest.raises(BrokenProcessPool):
        map_shards(job, [(i, i + 1) for i in range(6)], workers=2)
