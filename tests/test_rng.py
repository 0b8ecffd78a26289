"""Named common random streams: a patient's draws depend only on (seed, id, stream, call)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import rng
from sim.rng import BLOCK, ShardStreams, counter_key, stream_key


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


# ------------------------------------------------------------------ the Philox generator
# Random123's tests/kat_vectors (DEShawResearch/random123), "philox4x32 10" lines:
# counter (4 words), key (2 words), expected output (4 words).
PHILOX4X32_10_KAT = (
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (
        (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
        (0xFFFFFFFF, 0xFFFFFFFF),
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
)


@pytest.mark.parametrize(("counter", "key", "expected"), PHILOX4X32_10_KAT)
def test_philox_matches_the_random123_known_answers(counter, key, expected) -> None:
    assert tuple(int(w) for w in rng.philox4x32(*counter, *key)) == expected


def _old_splitmix_bits(key: int, patient, night: int, index) -> np.ndarray:
    """The generator before Philox: SplitMix64's finaliser of key + counter * golden."""
    golden = np.uint64(0x9E3779B97F4A7C15)
    c = (np.asarray(patient, dtype=np.uint64) << np.uint64(22)) | np.uint64(night << 10)
    c = c | np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(key) + c * golden
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@pytest.mark.parametrize("shift", [1, 1 << 10, 1 << 22])
def test_keys_a_multiple_of_the_old_increment_apart_do_not_give_shifted_copies(shift) -> None:
    """Keys ``shift * golden`` apart: the old hash gives the same numbers one index, night
    or patient along (a shifted copy); Philox gives unrelated numbers."""
    golden = 0x9E3779B97F4A7C15
    a = int(counter_key(5, "night.day"))
    b = (a + shift * golden) % 2**64
    patients, index = np.arange(2000)[:, None], np.arange(8)[None, :]
    night = 40
    d_patient, d_night, d_index = shift >> 22, (shift >> 10) & 0xFFF, shift & 0x3FF
    old_b = _old_splitmix_bits(b, patients, night, index)
    old_a = _old_splitmix_bits(a, patients + d_patient, night + d_night, index + d_index)
    np.testing.assert_array_equal(old_b, old_a)  # the flaw: a copy of stream a, shifted

    def new(key, night):
        return rng.uniforms(np.uint64(key), np.arange(2000 + d_patient), night, 8 + d_index)

    new_b = new(b, night)[:2000, :8]
    new_a = new(a, night + d_night)[d_patient : 2000 + d_patient, d_index : 8 + d_index]
    assert np.sum(new_b == new_a) == 0
    assert abs(np.corrcoef(new_b.ravel(), new_a.ravel())[0, 1]) < 0.03  # SE 0.004


def test_philox_uniforms_range_and_moments() -> None:
    """2,000,000 uniforms: inside (0, 1), mean and variance within 6 SE of U(0, 1)'s, and
    the extreme words map strictly inside the interval."""
    u = rng.uniforms(counter_key(2, "test.uniform"), np.arange(500_000), night=9, k=4).ravel()
    assert 0.0 < u.min() and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 6 * np.sqrt(1 / 12 / u.size)
    assert abs(u.var() - 1 / 12) < 6 * np.sqrt(1 / 180 / u.size)
    assert rng._unit32(np.uint64(0)) == 2.0**-33
    assert rng._unit32(np.uint64(2**32 - 1)) == 1.0 - 2.0**-33


def test_array_draws_equal_the_scalar_draws() -> None:
    """The block-sharing fills give ``uniform_at`` / ``normal_at`` number by number, from any
    first index; uniforms and normals of one stream differ."""
    key = counter_key(8, "night.night")
    ids = np.array([0, 3, 8191, 8192, 2**31 - 1, 2**40 + 5])
    for first in (0, 1, 2, 3, 5):
        u = rng.uniforms(key, ids, 17, 7, first=first)
        z = rng.normals(key, ids, 17, 7, first=first)
        for i, pid in enumerate(ids):
            for j in range(7):
                assert u[i, j] == rng.uniform_at(key, pid, 17, first + j)
                assert z[i, j] == rng.normal_at(key, pid, 17, first + j)
            four = rng.uniforms4_at(key, pid, 17, first)
            assert four == tuple(rng.uniform_at(key, pid, 17, first + j) for j in range(4))
    streams = ShardStreams(4, 0, 3000)  # more than one chunk of patients
    uu, zz = streams.uniform("s", 6), streams.normal("s", 5)
    key = counter_key(4, "block/s")
    ref_u = rng.uniforms(key, np.arange(3000), 0, 6).astype(np.float32)
    np.testing.assert_array_equal(uu, ref_u)
    ref_z = rng.normals(key, np.arange(3000), 1, 5).astype(np.float32)  # the second call
    np.testing.assert_array_equal(zz, ref_z)
    assert not np.isin(rng.uniforms(key, ids, 0, 4), rng.normals(key, ids, 0, 4)).any()


def test_counter_keys_of_the_model_streams_are_distinct() -> None:
    names = ["night.day", "night.night", "test.normal"] + [f"block/s{i}" for i in range(50)]
    keys = {int(counter_key(s, name)) for s in (0, 1, -1, 2**64) for name in names}
    assert len(keys) == 4 * len(names)


@pytest.mark.parametrize(
    ("n_uniform", "first_normal", "n_normal"), [(4, 4, 5), (2, 2, 3), (5, 1, 2)]
)
def test_draw_nights_equals_the_scalar_draws(n_uniform, first_normal, n_normal) -> None:
    """The SIMD fill over nights gives ``uniform_at`` / ``normal_at`` bit for bit."""
    key = counter_key(6, "night.day")
    words = np.empty((4, 40), dtype=np.uint64)
    for pid in (0, 77, 2**33 + 1):
        out = np.empty((n_uniform + n_normal, 37))
        rng.draw_nights(key, pid, 3, n_uniform, first_normal, n_normal, words, out)
        for j in range(37):
            for i in range(n_uniform):
                assert out[i, j] == rng.uniform_at(key, pid, 3 + j, i)
            for m in range(n_normal):
                assert out[n_uniform + m, j] == rng.normal_at(key, pid, 3 + j, first_normal + m)


def test_night_and_span_helpers_equal_the_scalar_draws() -> None:
    """``uniform_nights``, ``uniform_span_nights``, ``uniforms_into`` and
    ``normal_words_nights`` + ``normal_from`` give ``uniform_at`` / ``normal_at`` bit for bit,
    from any first index (block boundaries crossed)."""
    key = counter_key(9, "night.night")
    words = np.empty((4, 40), dtype=np.uint64)
    for pid in (0, 5, 2**33 + 7):
        for first in (0, 1, 3, 4, 6):
            span = np.empty((7, 29))
            rng.uniform_span_nights(key, pid, 11, first, words, span)
            one = np.empty(29)
            rng.uniform_nights(key, pid, 11, first, words, one)
            h = np.empty(29, dtype=np.uint64)
            rng.normal_words_nights(key, pid, 11, first, words, h)
            into = np.empty(9)
            rng.uniforms_into(key, pid, 11, first, words, into)
            for i in range(9):
                assert into[i] == rng.uniform_at(key, pid, 11, first + i)
            for j in range(29):
                night = 11 + j
                assert one[j] == rng.uniform_at(key, pid, night, first)
                for i in range(7):
                    assert span[i, j] == rng.uniform_at(key, pid, night, first + i)
                z = rng.normal_from(h[j], key, pid, night, first)
                assert z == rng.normal_at(key, pid, night, first)
