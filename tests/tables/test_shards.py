"""Shard ranges: whole RNG blocks, bounded size, balanced over workers."""

from __future__ import annotations

import pytest

from sim.rng import BLOCK
from sim.tables.shards import shard_ranges


@pytest.mark.parametrize("n", [1, 100, BLOCK, 3 * BLOCK + 5, 70_000, 1_000_000])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_shards_cover_the_cohort_in_whole_blocks(n: int, workers: int) -> None:
    ranges = shard_ranges(n, 65536, workers)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert all(lo % BLOCK == 0 and 0 < hi - lo <= 65536 for lo, hi in ranges)


def test_shards_are_balanced_over_workers() -> None:
    """1,000,000 patients: one worker gets 15 full shards and a short one; two workers get
    16 shards whose sizes differ by one block at most (no worker waits on a lone shard)."""
    single = [hi - lo for lo, hi in shard_ranges(1_000_000, 65536, 1)]
    assert len(single) == 16 and min(single) < 20_000
    sizes = [hi - lo for lo, hi in shard_ranges(1_000_000, 65536, 2)]
    assert len(sizes) % 2 == 0 and max(sizes) - min(sizes) <= BLOCK


def test_shard_size_must_be_whole_blocks() -> None:
    with pytest.raises(ValueError, match="multiple"):
        shard_ranges(1000, 5000)
