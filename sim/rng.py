"""Named common random streams.

Usage::

    streams = ShardStreams(seed=7, start=0, stop=20000)
    u = streams.uniform("population.demography", 3)   # (20000, 3) float32 in (0, 1)

A patient's draws depend only on (seed, patient id, named stream, call index), never on
cohort size, shard layout, or what happened to another patient or arm:

- each number is a hash of (seed, stream, patient id, call index, column): the
  counter-based generator of the night model (``sim.model.jit.uniform_at``, SplitMix64)
  under the stream name ``block/<stream>``; a stream counts its calls, so the i-th call of
  a stream always sees the same numbers (the engines call each stream once per night with a
  fixed k), whatever else was drawn before;
- shards are whole blocks of ``BLOCK`` patients (the unit the shard cutters work in), and 1
  shard or 100 produce the same numbers: a patient's draws never depend on its neighbours.

Only uniforms are drawn for the population; distributions are made by inverse CDF in
``sim.model.distributions`` so that a patient's value never depends on another patient's
parameters. (Until session 3 each (stream, block) owned a PCG64 generator; hashing is
about 3x faster here and needs no generator state.)
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.model.jit import INDEX_BITS, NIGHT_BITS, njit, normal_at, uniform_at
from sim.model.jit import stream_key as counter_key

BLOCK = 8192
"""Patients per RNG block. Shards must be whole blocks."""

CALLS = 1 << NIGHT_BITS
"""Calls a stream may take per shard (the engines call a stream at most once a night)."""
WIDTH = 1 << INDEX_BITS
"""Numbers per patient a call may take."""

_TINY = np.float32(2.0**-25)
_BELOW_ONE = np.float32(1.0 - 2.0**-24)


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


@njit
def _fill(normal, key, start, call, out):
    """Row i, column j of ``out``: number j of patient ``start + i``'s call ``call``."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            if normal:
                out[i, j] = normal_at(key, start + i, call, j)
            else:
                # float32 rounding must not reach 0 or 1: inverse CDFs need the open interval.
                u = uniform_at(key, start + i, call, j)
                out[i, j] = min(max(u, _TINY), _BELOW_ONE)


class ShardStreams:
    """The named streams of the patients ``start <= id < stop`` (``start`` block-aligned)."""

    def __init__(self, seed: int, start: int, stop: int) -> None:
        if start % BLOCK:
            raise ValueError(f"shard start {start} is not a multiple of BLOCK={BLOCK}")
        if stop <= start:
            raise ValueError("empty shard")
        self.seed = int(seed)
        self.start = int(start)
        self.stop = int(stop)
        self.n = self.stop - self.start
        self._calls: dict[str, int] = {}

    def _next(self, stream: str, k: int) -> tuple[np.uint64, int]:
        """The stream's key and the index of this call (the calls of a stream are counted)."""
        call = self._calls.get(stream, 0)
        if call >= CALLS or not 0 < k <= WIDTH:
            raise ValueError(
                f"stream {stream!r}: call {call} of {k} numbers; a stream holds "
                f"{CALLS} calls of 1..{WIDTH} numbers per patient"
            )
        self._calls[stream] = call + 1
        return counter_key(self.seed, "block/" + stream), call

    def uniform(self, stream: str, k: int = 1) -> np.ndarray:
        """Next (n, k) float32 uniforms of a stream, strictly inside (0, 1)."""
        key, call = self._next(stream, k)
        out = np.empty((self.n, k), dtype=np.float32)
        _fill(False, key, self.start, call, out)
        return out

    def normal(self, stream: str, k: int = 1) -> np.ndarray:
        """Next (n, k) float32 standard normals of a stream (the counter-based ziggurat)."""
        key, call = self._next(stream, k)
        out = np.empty((self.n, k), dtype=np.float32)
        _fill(True, key, self.start, call, out)
        return out
