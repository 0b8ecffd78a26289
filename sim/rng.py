"""Named common random streams and the counter-based generator behind them.

Usage::

    streams = ShardStreams(seed=7, start=0, stop=20000)
    u = streams.uniform("population.demography", 3)   # (20000, 3) float32 in (0, 1)

    key = counter_key(seed, "night.day")               # compiled code, scalars:
    u = uniform_at(key, patient_id, night, index)      # float64 in (0, 1)
    z = normal_at(key, patient_id, night, index)       # standard normal (ziggurat)

A patient's draws depend only on (seed, patient id, named stream, call or night, index),
never on cohort size, shard layout, or what happened to another patient or arm.

**The generator** is Philox-4x32-10 (Salmon, Moraes, Dror and Shaw 2011, "Parallel random
numbers: as easy as 1, 2, 3"; the Random123 library's known-answer vectors are in the
tests): a keyed bijection of a 128-bit counter, ten rounds of 32x32->64-bit multiplies.

- The 64-bit **key** is a BLAKE2b hash of (seed, stream name): ``counter_key``.
- The 128-bit **counter** is four 32-bit words: the index group, the night (or call), the
  patient id's low 32 bits, and its next 16 bits beside a 16-bit *domain* (0 uniforms,
  1 normals, 2 + r the ziggurat's r-th retry).

Two streams have different keys, so their numbers are unrelated for every counter: unlike
the SplitMix64 hash of ``key + counter * golden`` used before issue 12, which is linear in
the counter (two keys that differ by a multiple of the increment give shifted copies of one
sequence), no pair of streams can overlap.

One Philox call gives four 32-bit words. ``uniform_at(index)`` is word ``index % 4`` of
block ``index // 4`` (domain 0) as ``(w + 0.5) / 2**32``: a double strictly inside (0, 1),
from 2**-33 to 1 - 2**-33, so four consecutive indices cost one call (compiled callers that
use consecutive constant indices share it; the array fills below share it explicitly).
``normal_at(index)`` is a 256-layer ziggurat (Marsaglia and Tsang 2000) on 64 bits, words
``2 (index % 2)`` and ``2 (index % 2) + 1`` of block ``index // 2`` (domain 1): 8 bits of
layer, a sign bit and a 52-bit magnitude; 99% of draws end there, the rest (wedges and the
tail beyond ``ZIGGURAT_R``) take further blocks of the same (patient, night, index) in
domains 2, 3, ... Uniforms and normals of one stream never share bits.

**Named streams of a shard** (population, static night draws, measurements, the event
engine): ``ShardStreams`` counts the calls of each named stream; number j of call c for a
patient is ``uniform_at`` (or ``normal_at``) under the key of ``block/<stream>`` with
night = c and index = j, as float32 strictly inside (0, 1). A stream counts its calls, so
the i-th call of a stream always sees the same numbers (the engines call each stream once
per night with a fixed k), whatever else was drawn before. Shards are whole blocks of
``BLOCK`` patients (the unit the shard cutters work in), and 1 shard or 100 produce the
same numbers: a patient's draws never depend on its neighbours.

Only uniforms are drawn for the population; distributions are made by inverse CDF in
``sim.model.distributions`` so that a patient's value never depends on another patient's
parameters. (Until session 3 each (stream, block) owned a PCG64 generator; hashing is
about 3x faster here and needs no generator state.)

This module imports nothing from ``sim`` but ``sim.jit`` (numba settings and cache); the
model re-exports the generator from ``sim.model.jit``.
"""

from __future__ import annotations

import hashlib
import math
import zlib

import numba
import numpy as np

from sim.jit import njit

BLOCK = 8192
"""Patients per RNG block. Shards must be whole blocks."""

NIGHT_BITS = 12
"""Nights (or calls) the engines and streams use: 0..4095 (``cohort.nights`` is at most
3650). The counter holds 32 bits; this is the supported range the callers check."""
INDEX_BITS = 10
"""Draw indices per (stream, patient, night) the callers use: 0..1023 (the counter holds
32 bits of index group)."""
PATIENT_BITS = 48
"""Patient ids the counter holds: 0 .. 2**48 - 1."""

CALLS = 1 << NIGHT_BITS
"""Calls a stream may take per shard (the engines call a stream at most once a night)."""
WIDTH = 1 << INDEX_BITS
"""Numbers per patient a call may take."""

_TINY = np.float32(2.0**-25)
_BELOW_ONE = np.float32(1.0 - 2.0**-24)


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of registration order)."""
    return zlib.crc32(name.encode("utf-8"))


def counter_key(seed: int, stream: str) -> np.uint64:
    """The 64-bit Philox key of (seed, named stream): BLAKE2b of both (every bit of the
    seed counts, negative and huge seeds included). ``sim.model.jit.stream_key``."""
    text = f"{int(seed)}\x00{stream}".encode()
    digest = hashlib.blake2b(text, digest_size=8, person=b"sim.rng.philox").digest()
    return np.uint64(int.from_bytes(digest, "little"))


# ------------------------------------------------------------------ Philox-4x32-10
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW16 = np.uint64(0xFFFF)
_S32 = np.uint64(32)
_S16 = np.uint64(16)
_S12 = np.uint64(12)
_S8 = np.uint64(8)
_MASK8 = np.uint64(0xFF)
_MASK52 = np.uint64(0x000FFFFFFFFFFFFF)
_ONE = np.uint64(1)
_TO_UNIT32 = 2.0**-32
_TO_UNIT52 = 2.0**-52
_UNIFORM = 0
_NORMAL = 1
_RETRY = 2
_MAX_RETRIES = 4096


@njit
def philox4x32(c0, c1, c2, c3, k0, k1):
    """Philox-4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1): four 32-bit
    words (each argument and result a 32-bit value held in a uint64), as Random123's
    ``philox4x32_R(10, ctr, key)``."""
    c0 = np.uint64(c0) & _LOW32
    c1 = np.uint64(c1) & _LOW32
    c2 = np.uint64(c2) & _LOW32
    c3 = np.uint64(c3) & _LOW32
    k0 = np.uint64(k0) & _LOW32
    k1 = np.uint64(k1) & _LOW32
    for _ in range(10):
        p0 = _PHILOX_M0 * c0
        p1 = _PHILOX_M1 * c2
        c0, c1, c2, c3 = (p1 >> _S32) ^ c1 ^ k0, p1 & _LOW32, (p0 >> _S32) ^ c3 ^ k1, p0 & _LOW32
        k0 = (k0 + _PHILOX_W0) & _LOW32
        k1 = (k1 + _PHILOX_W1) & _LOW32
    return c0, c1, c2, c3


@njit
def _block(key, patient, night, group, domain):
    """The four words of (key, patient, night, index group, domain)."""
    key = np.uint64(key)
    pid = np.uint64(patient)
    high = ((pid >> _S32) & _LOW16) | (np.uint64(domain) << _S16)
    return philox4x32(group, night, pid & _LOW32, high, key & _LOW32, key >> _S32)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="never")
def _retry_block(key, patient, night, index, retry):
    """``_block`` for the ziggurat's rare retries, kept out of line so that the callers'
    hot loops do not carry inlined copies of Philox for them."""
    return _block(key, patient, night, index, _RETRY + retry)


@njit
def _unit32(w) -> float:
    """A 32-bit word as a double strictly inside (0, 1): (w + 0.5) / 2**32."""
    return (float(np.int64(w)) + 0.5) * _TO_UNIT32


@njit
def _unit52(h) -> float:
    """The top 52 bits of a 64-bit ``h`` as a double strictly inside (0, 1)."""
    return (float(np.int64(h >> _S12)) + 0.5) * _TO_UNIT52


@njit
def uniform_at(key, patient: int, night: int, index: int) -> float:
    """The ``index``-th uniform in (0, 1) of (stream ``key``, patient, night): word
    ``index % 4`` of the Philox block ``index // 4``."""
    w = _block(key, patient, night, index >> 2, _UNIFORM)
    return _unit32(w[index & 3])


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marsaglia and Tsang's (2000) 256-layer ziggurat for the standard normal, with
    52-bit magnitudes (the layout of numpy's legacy generator)."""
    m = 2.0**52
    dn = tn = ZIGGURAT_R
    vn = 0.00492867323399
    k = np.zeros(256, dtype=np.uint64)
    w = np.zeros(256)
    f = np.zeros(256)
    q = vn / math.exp(-0.5 * dn * dn)
    k[0] = np.uint64((dn / q) * m)
    w[0] = q / m
    w[255] = dn / m
    f[0] = 1.0
    f[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(vn / dn + math.exp(-0.5 * dn * dn)))
        k[i + 1] = np.uint64((dn / tn) * m)
        tn = dn
        f[i] = math.exp(-0.5 * dn * dn)
        w[i] = dn / m
    return k, w, f


ZIGGURAT_R = 3.6541528853610088
_ZK, _ZW, _ZF = _ziggurat_tables()


@njit
def _ziggurat(h, key, patient, night, index) -> float:
    """The ziggurat normal whose first try is the 64-bit ``h``; retries take the blocks
    of (key, patient, night, index) in domains 2, 3, ... (two 64-bit halves each: a wedge
    test and the next try, or the tail's two uniforms)."""
    x = 0.0
    retry = 0
    while retry < _MAX_RETRIES:
        layer = int(h & _MASK8)
        sign = (h >> _S8) & _ONE
        magnitude = (h >> _S12) & _MASK52
        x = float(np.int64(magnitude)) * _ZW[layer]
        if sign:
            x = -x
        if magnitude < _ZK[layer]:
            return x
        w = _retry_block(key, patient, night, index, retry)
        retry += 1
        if layer == 0:
            while retry < _MAX_RETRIES:
                xx = -math.log1p(-_unit52((w[0] << _S32) | w[1])) / ZIGGURAT_R
                yy = -math.log1p(-_unit52((w[2] << _S32) | w[3]))
                if yy + yy > xx * xx:
                    return -(ZIGGURAT_R + xx) if sign else ZIGGURAT_R + xx
                w = _retry_block(key, patient, night, index, retry)
                retry += 1
            return x
        u = _unit52((w[0] << _S32) | w[1])
        if (_ZF[layer - 1] - _ZF[layer]) * u + _ZF[layer] < math.exp(-0.5 * x * x):
            return x
        h = (w[2] << _S32) | w[3]
    return x


@njit
def uniforms4_at(key, patient: int, night: int, first: int):
    """Uniforms ``first .. first + 3`` of (stream ``key``, patient, night), as four
    ``uniform_at`` calls would give them, from the two blocks they span (computed side by
    side, so the processor overlaps them)."""
    g = first >> 2
    a = _block(key, patient, night, g, _UNIFORM)
    b = _block(key, patient, night, g + 1, _UNIFORM)
    off = first & 3
    return (
        _unit32(a[off]),
        _unit32(a[off + 1] if off < 3 else b[off - 3]),
        _unit32(a[off + 2] if off < 2 else b[off - 2]),
        _unit32(a[3] if off == 0 else b[off - 1]),
    )


@njit
def uniforms_into(key, patient: int, night: int, first: int, words, out):
    """``out[j]`` = ``uniform_at(key, patient, night, first + j)`` for every j, bit for bit,
    with one Philox block per four consecutive indices (not one per number), the blocks
    computed side by side (``group_words``; ``words``: C-contiguous (4, >= blocks) uint64
    scratch, best ``scratch_words(blocks)``)."""
    k = out.shape[0]
    g0 = first >> 2
    scratch = _scratch(words, ((first + k - 1) >> 2) - g0 + 1)
    group_words(key, patient, night, g0, _UNIFORM, scratch)
    for j in range(k):
        i = (first & 3) + j
        out[j] = _unit32(scratch[i & 3, i >> 2])


@njit
def normal_at(key, patient: int, night: int, index: int) -> float:
    """The standard normal of (stream ``key``, patient, night, index), by the ziggurat on
    words ``2 (index % 2)``, ``2 (index % 2) + 1`` of the normals' block ``index // 2``."""
    w = _block(key, patient, night, index >> 1, _NORMAL)
    if index & 1:
        h = (w[2] << _S32) | w[3]
    else:
        h = (w[0] << _S32) | w[1]
    return _ziggurat(h, key, patient, night, index)


SIMD_LANES = 8
"""Blocks ``block_words`` computes side by side (eight 64-bit lanes of AVX-512). It computes
whole multiples of them when the scratch has room (``scratch_words``): the vector loop then
has no scalar remainder, which cost as much as the vector part (28 nights took as long as
48, 2.4 ns a block against 1.4). The extra blocks are never read, and a counter-based
number does not depend on which others are computed."""


@njit
def _padded(m):
    return (m + SIMD_LANES - 1) // SIMD_LANES * SIMD_LANES


@njit
def scratch_words(m):
    """Scratch for ``m`` nights (or patients) of Philox blocks: (4, ``m`` rounded up to whole
    ``SIMD_LANES``) uint64."""
    return np.empty((4, _padded(m)), dtype=np.uint64)


@njit
def _scratch(words, m):
    """A C-contiguous (4, p) array on the first ``4 p`` elements of the C-contiguous scratch
    ``words``, p: ``m`` rounded up to whole ``SIMD_LANES`` if ``words`` has room, else ``m``.
    A slice ``words[:, :m]`` has strides numba does not know (layout A), and stores through
    it keep LLVM from vectorising ``block_words``: 9.4 ns a block against 2.0 in a
    micro-benchmark of 28 nights. Scratch of exactly that shape is returned as it is
    (a reshape calls numba's run-time helper: about 1% of the kernel's time in perf)."""
    p = min(_padded(m), words.size // 4)
    if words.shape[1] == p:
        return words
    return words.reshape(words.size)[: 4 * p].reshape((4, p))


@njit
def _block_run(key, patient, night, group, domain, d_patient, d_night, d_group, words):
    """``words[w, j]`` = word w of the block (key, ``patient + j d_patient``, ``night + j
    d_night``, index group ``group + j d_group``, domain) for every column j: a run of
    blocks whose counters step along one axis, a loop numba compiles to SIMD multiplies
    (several blocks at once; ~1.4 ns a block in whole vectors against ~10-14 ns for one
    block alone), when ``words`` is C-contiguous (``_scratch``)."""
    for j in range(words.shape[1]):
        w = _block(key, patient + j * d_patient, night + j * d_night, group + j * d_group, domain)
        words[0, j] = w[0]
        words[1, j] = w[1]
        words[2, j] = w[2]
        words[3, j] = w[3]


@njit
def block_words(key, patient, night0, group, domain, words):
    """``words[w, j]`` = word w of the block (key, patient, night ``night0 + j``, index group,
    domain) for every column j: one patient's block over consecutive nights."""
    _block_run(key, patient, night0, group, domain, 0, 1, 0, words)


@njit
def group_words(key, patient, night, group0, domain, words):
    """``words[w, g]`` = word w of the block (key, patient, night, index group ``group0 + g``,
    domain) for every column g: consecutive index groups of one patient-night."""
    _block_run(key, patient, night, group0, domain, 0, 0, 1, words)


@njit
def uniform_nights(key, patient, night0, index, words, out):
    """``out[j]`` = ``uniform_at(key, patient, night0 + j, index)`` for every j, bit for bit,
    by ``block_words`` (``words``: (4, >= len(out)) uint64 scratch)."""
    scratch = _scratch(words, out.shape[0])
    block_words(key, patient, night0, index >> 2, _UNIFORM, scratch)
    word = index & 3
    for j in range(out.shape[0]):
        out[j] = _unit32(scratch[word, j])


@njit
def uniform_span_nights(key, patient, night0, first, words, out):
    """``out[i, j]`` = ``uniform_at(key, patient, night0 + j, first + i)`` for every number i
    and night j, bit for bit: consecutive indices of one patient over consecutive nights,
    one ``block_words`` per index group (``words``: (4, >= out.shape[1]) uint64 scratch).
    Nights run along the rows, so that the words are converted in SIMD loops too."""
    k, nights = out.shape
    scratch = _scratch(words, nights)
    for g in range(first >> 2, ((first + k - 1) >> 2) + 1):
        block_words(key, patient, night0, g, _UNIFORM, scratch)
        for w in range(4):
            i = 4 * g + w - first
            if 0 <= i < k:
                for j in range(nights):
                    out[i, j] = _unit32(scratch[w, j])


@njit
def normal_words_nights(key, patient, night0, index, words, out):
    """``out[j]``: the 64-bit first try of ``normal_at(key, patient, night0 + j, index)`` for
    every j (uint64), for ``normal_from``: the block computed in a SIMD loop, the ziggurat
    only for the nights that use the number."""
    scratch = _scratch(words, out.shape[0])
    block_words(key, patient, night0, index >> 1, _NORMAL, scratch)
    half = index & 1
    for j in range(out.shape[0]):
        out[j] = (scratch[2 * half, j] << _S32) | scratch[2 * half + 1, j]


@njit
def normal_from(h, key, patient: int, night: int, index: int) -> float:
    """``normal_at(key, patient, night, index)``, bit for bit, from its first try ``h``
    (``normal_words_nights``)."""
    return _ziggurat(h, key, patient, night, index)


@njit
def draw_nights(key, patient, night0, n_uniform, first_normal, n_normal, words, out):
    """One patient's numbers over ``out.shape[1]`` consecutive nights from ``night0``:
    ``out[i, j]`` = ``uniform_at(key, patient, night0 + j, i)`` for ``i < n_uniform``, then
    ``out[n_uniform + m, j]`` = ``normal_at(key, patient, night0 + j, first_normal + m)`` for
    ``m < n_normal``; bit-identical to those calls, with the Philox blocks computed by
    ``block_words`` (``words``: scratch of shape (4, >= out.shape[1])). Nights run along the
    rows (a night's numbers are the column ``out[:, j]``), so that the uniforms are converted
    in SIMD loops."""
    nights = out.shape[1]
    scratch = _scratch(words, nights)
    for g in range((n_uniform + 3) >> 2):
        block_words(key, patient, night0, g, _UNIFORM, scratch)
        for w in range(min(4, n_uniform - 4 * g)):
            for j in range(nights):
                out[4 * g + w, j] = _unit32(scratch[w, j])
    last = first_normal + n_normal - 1
    for g in range(first_normal >> 1, (last >> 1) + 1):
        block_words(key, patient, night0, g, _NORMAL, scratch)
        for half in range(2):
            index = 2 * g + half
            if first_normal <= index <= last:
                col = n_uniform + index - first_normal
                for j in range(nights):
                    h = (scratch[2 * half, j] << _S32) | scratch[2 * half + 1, j]
                    out[col, j] = _ziggurat(h, key, patient, night0 + j, index)


@njit
def _row(normal, key, patient, night, first, out, i):
    """Numbers ``first ..`` of (key, patient, night) into ``out[i]``, one Philox block per
    four uniforms (or two normals)."""
    k = out.shape[1]
    j = 0
    while j < k:
        index = first + j
        if normal:
            w = _block(key, patient, night, index >> 1, _NORMAL)
            for half in range(index & 1, 2):
                if j >= k:
                    break
                h = (w[2 * half] << _S32) | w[2 * half + 1]
                out[i, j] = _ziggurat(h, key, patient, night, first + j)
                j += 1
        else:
            w = _block(key, patient, night, index >> 2, _UNIFORM)
            for word in range(index & 3, 4):
                if j >= k:
                    break
                out[i, j] = _unit32(w[word])
                j += 1


@njit
def _draws(normal, key, patients, night, first, out):
    for i in range(len(patients)):
        _row(normal, key, patients[i], night, first, out, i)


def _draw_array(normal: bool, key, patients, night: int, k: int, first: int) -> np.ndarray:
    out = np.empty((len(patients), k))
    ids = np.asarray(patients, dtype=np.int64)
    _draws(normal, np.uint64(key), ids, int(night), int(first), out)
    return out


def normals(key: np.uint64, patients: np.ndarray, night: int, k: int, first: int = 0):
    """(n, k) float64 standard normals ``first .. first + k - 1`` of each patient's night
    (equal to ``normal_at`` number by number)."""
    return _draw_array(True, key, patients, night, k, first)


def uniforms(key: np.uint64, patients: np.ndarray, night: int, k: int, first: int = 0):
    """(n, k) float64 uniforms ``first .. first + k - 1`` of each patient's night (equal to
    ``uniform_at`` number by number)."""
    return _draw_array(False, key, patients, night, k, first)


@njit
def _patient_words(key, start, call, group, domain, words):
    """``words[w, i]`` = word w of the block (key, patient ``start + i``, call, group,
    domain): consecutive patients."""
    _block_run(key, start, call, group, domain, 1, 0, 0, words)


_FILL_CHUNK = 1024


@njit
def _fill(normal, key, start, call, out):
    """Row i, column j of ``out``: number j of patient ``start + i``'s call ``call``
    (``uniform_at`` / ``normal_at`` bit for bit, then float32), patients a chunk at a time."""
    n, k = out.shape
    words = np.empty((4, _FILL_CHUNK), dtype=np.uint64)
    for lo in range(0, n, _FILL_CHUNK):
        m = min(_FILL_CHUNK, n - lo)
        scratch = _scratch(words, m)
        if normal:
            for g in range((k + 1) >> 1):
                _patient_words(key, start + lo, call, g, _NORMAL, scratch)
                for half in range(min(2, k - 2 * g)):
                    j = 2 * g + half
                    for i in range(m):
                        h = (scratch[2 * half, i] << _S32) | scratch[2 * half + 1, i]
                        out[lo + i, j] = _ziggurat(h, key, start + lo + i, call, j)
        else:
            for g in range((k + 3) >> 2):
                _patient_words(key, start + lo, call, g, _UNIFORM, scratch)
                for word in range(min(4, k - 4 * g)):
                    for i in range(m):
                        # float32 rounding must not reach 0 or 1: inverse CDFs need the
                        # open interval.
                        u = min(max(_unit32(scratch[word, i]), _TINY), _BELOW_ONE)
                        out[lo + i, 4 * g + word] = u


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

    def fork(self) -> ShardStreams:
        """A copy at the same calls: it gives the numbers this one would give next, and
        its calls are not counted here."""
        other = ShardStreams(self.seed, self.start, self.stop)
        other._calls = dict(self._calls)
        return other

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
