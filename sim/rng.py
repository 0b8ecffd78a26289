"""Named common random streams.

Usage::

    streams = ShardStreams(seed=7, start=0, stop=20000)
    u = streams.uniform("population.demography", 3)   # (20000, 3) float32 in (0, 1)

A patient's draws depend only on (seed, patient id, named stream, call index), never on
cohort size, shard layout, or what happened to another patient or arm:

- patient ids are cut into fixed blocks of ``BLOCK``; each (seed, stream, block) owns one
  PCG64 generator seeded through ``numpy.random.SeedSequence``;
- every call draws a full block (``BLOCK`` x k) whatever the number of patients actually
  simulated in it, so consumption is fixed and the i-th call of a stream always sees the
  same numbers (the engines call each stream once per night with a fixed k);
- shards are whole blocks, so 1 shard and 100 shards produce the same numbers.

Only uniforms are drawn; distributions are made by inverse CDF in ``sim.model.distributions``
so that a patient's value never depends on another patient's parameters.

These block streams serve per-patient draws (population, static night draws, measurements,
the event engine's nights). The compiled night model draws its nightly numbers from
counter-based streams instead (``sim.model.jit.uniform_at``: a hash of (seed, stream,
patient, night, index)), which keep the same contract without drawing whole blocks.
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK = 8192
"""Patients per RNG block. Shards must be whole blocks."""

_TINY = np.float32(2.0**-25)


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


def block_generator(seed: int, stream: str, block: int) -> np.random.Generator:
    """The generator that owns (seed, stream, block)."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, stream_key(stream), block]))
    )


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
        self._blocks = range(self.start // BLOCK, (self.stop - 1) // BLOCK + 1)
        self._generators: dict[str, list[np.random.Generator]] = {}

    def _gens(self, stream: str) -> list[np.random.Generator]:
        gens = self._generators.get(stream)
        if gens is None:
            gens = [block_generator(self.seed, stream, b) for b in self._blocks]
            self._generators[stream] = gens
        return gens

    def uniform(self, stream: str, k: int = 1) -> np.ndarray:
        """Next (n, k) float32 uniforms of a stream, strictly inside (0, 1)."""
        gens = self._gens(stream)
        out = np.empty((len(gens) * BLOCK, k), dtype=np.float32)
        for i, gen in enumerate(gens):
            gen.random(dtype=np.float32, out=out[i * BLOCK : (i + 1) * BLOCK])
        out = out[: self.n]
        # float32 uniforms can be exactly 0; inverse CDFs need the open interval.
        np.maximum(out, _TINY, out=out)
        return out

    def normal(self, stream: str, k: int = 1) -> np.ndarray:
        """Next (n, k) float32 standard normals of a stream (ziggurat; a full block per call).

        The ziggurat consumes a variable number of raw draws, but only as a function of the
        generator's own state, never of any patient's parameters, so the contract holds.
        """
        gens = self._gens(stream)
        out = np.empty((len(gens) * BLOCK, k), dtype=np.float32)
        for i, gen in enumerate(gens):
            gen.standard_normal(dtype=np.float32, out=out[i * BLOCK : (i + 1) * BLOCK])
        return out[: self.n]
