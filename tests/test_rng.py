"""Named common random streams: a patient's draws depend only on (seed, id, stream, call)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.rng import BLOCK, ShardStreams, stream_key


def test_same_seed_same_numbers() -> None:
    a = ShardStreams(7, 0, 1000).uniform("s", 3)
    b = ShardStreams(7, 0, 1000).uniform("s", 3)
    assert a.dtype == np.float32 and a.shape == (1000, 3)
    np.testing.assert_array_equal(a, b)


def test_seeds_and_streams_differ() -> None:
    base = ShardStreams(7, 0, 1000).uniform("s")
    assert not np.array_equal(base, ShardStreams(8, 0, 1000).uniform("s"))
    assert not np.array_equal(base, ShardStreams(7, 0, 1000).uniform("t"))


def test_uniforms_are_strictly_inside_the_unit_interval() -> None:
    u = ShardStreams(0, 0, 3 * BLOCK).uniform("s", 8)
    assert u.min() > 0.0 and u.max() < 1.0


def test_stream_order_does_not_matter() -> None:
    """Drawing stream t first does not change stream s (no shared generator)."""
    a = ShardStreams(1, 0, 500)
    b = ShardStreams(1, 0, 500)
    b.uniform("t", 5)
    np.testing.assert_array_equal(a.uniform("s", 2), b.uniform("s", 2))


def test_successive_calls_continue_the_stream() -> None:
    small, large = ShardStreams(1, 0, 500), ShardStreams(1, 0, 4000)
    first, second = small.uniform("s"), small.uniform("s")
    assert not np.array_equal(first, second)
    large.uniform("s")
    np.testing.assert_array_equal(second, large.uniform("s")[:500])


def test_stream_key_is_stable() -> None:
    # crc32 of the name: independent of the process, the registration order and PYTHONHASHSEED.
    assert stream_key("population.cause") == 44241351


def test_unaligned_shard_is_refused() -> None:
    with pytest.raises(ValueError, match="BLOCK"):
        ShardStreams(0, 100, 200)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 3 * BLOCK),
    cut_blocks=st.integers(1, 3),
    calls=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_shard_layout_and_cohort_size_do_not_change_draws(n, cut_blocks, calls, seed) -> None:
    """Two shards cut at any block boundary give the same numbers as one shard, and a
    smaller cohort is a prefix of a larger one, call after call."""
    whole = ShardStreams(seed, 0, 3 * BLOCK + 17)
    small = ShardStreams(seed, 0, n)
    cut = min(cut_blocks * BLOCK, n)
    left = ShardStreams(seed, 0, cut)
    right = ShardStreams(seed, cut, n) if cut < n else None
    for _ in range(calls):
        ref = whole.uniform("s", 2)
        np.testing.assert_array_equal(small.uniform("s", 2), ref[:n])
        parts = [left.uniform("s", 2)] + ([right.uniform("s", 2)] if right else [])
        np.testing.assert_array_equal(np.concatenate(parts), ref[:n])
