"""Compiling the model: numba settings, scalar special functions and counter-based draws.

Usage::

    from sim.model.jit import njit, ndtri, uniform_at, stream_key

    @njit
    def f(x):                     # a scalar model function, compiled on first call
        return ndtri(x)

    key = stream_key(seed, "night.day")
    u = uniform_at(key, patient_id, night, index)      # in (0, 1), in compiled code too

The model's per-patient-night functions are written once, for scalars, and compiled with
numba. The vectorised engine calls them from one fused loop over patients and nights; the
event engine and the tests call them through small compiled loops over arrays. So both
engines run the same machine code for the same physiology.

Compiled code is cached on disk (``SIM_NUMBA_CACHE``, default ``~/.cache/sim-numba``) in a
folder named by a hash of the ``sim`` sources: numba's own cache only notices edits to the
file of the outermost function, not to the model functions it inlines, so any edit under
``sim/`` starts a fresh cache.

Counter-based draws: the i-th uniform of (seed, stream, patient, night) is a SplitMix64
hash of a 64-bit counter, so a patient's numbers never depend on another patient, on the
shard layout or on how many numbers other mechanisms used (the common-random-numbers
contract of ``sim.rng``), and a night draws only the numbers it needs.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import tempfile
import zlib
from pathlib import Path

import numba
import numpy as np


def _source_hash() -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    """A writable folder for this version of the sources (the temp folder as a fallback)."""
    base = os.environ.get("SIM_NUMBA_CACHE") or str(Path.home() / ".cache" / "sim-numba")
    for root in (Path(base), Path(tempfile.gettempdir()) / f"sim-numba-{os.getuid()}"):
        folder = root / _source_hash()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
            return str(folder)
        except OSError:
            continue
    raise OSError(f"no writable folder for compiled code: set SIM_NUMBA_CACHE (tried {base})")


numba.config.CACHE_DIR = _cache_dir()
njit = functools.partial(numba.njit, cache=True, nogil=True, error_model="numpy", inline="always")
"""``numba.njit`` with the project's settings (disk cache, no GIL, numpy float errors)."""

# ------------------------------------------------------------------ special functions
_A = (
    3.3871328727963666080e0,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0,
    4.63033784615654529590e0,
    5.76949722146069140550e0,
    3.64784832476320460504e0,
    1.27045825245236838258e0,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_D = (
    1.0,
    2.05319162663775882187e0,
    1.67638483018380384940e0,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0,
    5.46378491116411436990e0,
    1.78482653991729133580e0,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


@njit
def _poly(c, x):
    out = c[7]
    for i in range(6, -1, -1):
        out = out * x + c[i]
    return out


@njit
def ndtri(p: float) -> float:
    """Standard normal quantile (Wichura 1988, AS 241 PPND16: about 1e-16 relative)."""
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _poly(_A, r) / _poly(_B, r)
    r = p if q < 0.0 else 1.0 - p
    r = math.sqrt(-math.log(r))
    if r <= 5.0:
        val = _poly(_C, r - 1.6) / _poly(_D, r - 1.6)
    else:
        val = _poly(_E, r - 5.0) / _poly(_F, r - 5.0)
    return -val if q < 0.0 else val


@njit
def ndtr(x: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@njit
def erf(x: float) -> float:
    return math.erf(x)


@njit
def erfinv(y: float) -> float:
    """Inverse error function on (-1, 1)."""
    return ndtri(0.5 * (y + 1.0)) / math.sqrt(2.0)


@njit
def as_float(flag: bool) -> float:
    """1.0 for True, 0.0 for False (numba has no ``float(bool)``)."""
    return 1.0 if flag else 0.0


@njit
def clock_hours(h: float) -> float:
    """``h`` modulo 24, in [0, 24) (Python's ``%`` for a positive divisor, faster)."""
    return h - 24.0 * math.floor(h / 24.0)


@njit
def clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


POISSON_NORMAL_LAMBDA = 400.0
"""Above this mean the Poisson quantile is approximated (error well under one count)."""


@njit
def poisson_quantile(u: float, lam: float) -> int:
    """Smallest k with P(K <= k) >= u for K ~ Poisson(lam) (sequential search)."""
    if u <= 1.0 - lam:  # P(K = 0) = exp(-lam) >= 1 - lam: no need for the exponential
        return 0
    if lam > POISSON_NORMAL_LAMBDA:
        # exp(-lam) would underflow: Cornish-Fisher normal quantile with skew correction.
        z = ndtri(u)
        return max(0, int(math.floor(lam + math.sqrt(lam) * z + (z * z - 1.0) / 6.0 + 0.5)))
    pmf = math.exp(-lam)
    cdf = pmf
    k = 0
    while u > cdf and pmf > 1e-300:
        k += 1
        pmf *= lam / k
        cdf += pmf
    return k


@njit
def binomial_quantile(u: float, n: int, p: float) -> int:
    """Smallest k with P(K <= k) >= u for K ~ Binomial(n, p) (sequential search)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    pmf = (1.0 - p) ** n
    cdf = pmf
    ratio = p / (1.0 - p)
    k = 0
    while u > cdf and k < n:
        k += 1
        pmf *= (n - k + 1) / k * ratio
        cdf += pmf
    return k


@njit
def categorical_cdf(u: float, cdf: np.ndarray, row: int) -> int:
    """Index drawn with the cumulative probabilities ``cdf[row]`` (last entry 1)."""
    k = cdf.shape[1]
    for j in range(k - 1):
        if u < cdf[row, j]:
            return j
    return k - 1


# ------------------------------------------------------------------ counter-based draws
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S12 = np.uint64(12)
_S22 = np.uint64(22)
_S10 = np.uint64(10)
_TO_UNIT = 2.0**-52
NIGHT_BITS = 12
"""Counter bits for the night: nights 0..4095 (``cohort.nights`` is at most 3650)."""
INDEX_BITS = 10
"""Counter bits for the draw's index within a (stream, patient, night): 0..1023."""


@njit
def mix64(z):
    """SplitMix64's finaliser: a bijective 64-bit mix (Steele, Lea and Flood 2014)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def stream_key(seed: int, stream: str) -> np.uint64:
    """The 64-bit key of (seed, named stream) for counter-based draws (every bit of the
    seed counts: it is folded in 64 bits at a time)."""
    mask = (1 << 64) - 1

    def mix(z: int) -> int:
        z = (z + int(_GOLDEN)) & mask
        z = (z ^ (z >> 30)) * int(_M1) & mask
        z = (z ^ (z >> 27)) * int(_M2) & mask
        return z ^ (z >> 31)

    z = mix(zlib.crc32(stream.encode()))
    rest = int(seed)
    sign = rest < 0
    rest = abs(rest)
    while True:
        z = mix(z ^ (rest & mask))
        rest >>= 64
        if not rest:
            break
    return np.uint64(mix(z ^ int(sign)))


@njit
def uniform_at(key, patient: int, night: int, index: int) -> float:
    """The ``index``-th uniform in (0, 1) of (stream ``key``, patient, night)."""
    return _unit(_bits(key, patient, night, index, 0))


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
_RETRY = np.uint64(0xD1B54A32D192ED03)
_MASK8 = np.uint64(0xFF)
_MASK52 = np.uint64(0x000FFFFFFFFFFFFF)
_S8 = np.uint64(8)
_ONE = np.uint64(1)


@njit
def _bits(key, patient, night, index, retry):
    c = (np.uint64(patient) << _S22) | (np.uint64(night) << _S10) | np.uint64(index)
    return mix64(key + c * _GOLDEN + np.uint64(retry) * _RETRY)


@njit
def _unit(h) -> float:
    """The top 52 bits of ``h`` as a double strictly inside (0, 1)."""
    return (float(np.int64(h >> _S12)) + 0.5) * _TO_UNIT


@njit
def normal_at(key, patient: int, night: int, index: int) -> float:
    """The standard normal of (stream ``key``, patient, night, index), by the ziggurat.

    One 64-bit hash gives the layer (8 bits), the sign and a 52-bit magnitude; 99% of
    draws end there. The rest (wedges and the tail beyond ``ZIGGURAT_R``) use further
    hashes of the same counter (``retry`` 1, 2, ...), so the draw still depends only on
    its own counter.
    """
    retry = 0
    x = 0.0
    while retry < 4096:
        h = _bits(key, patient, night, index, retry)
        retry += 1
        layer = int(h & _MASK8)
        sign = (h >> _S8) & _ONE
        magnitude = (h >> _S12) & _MASK52
        x = float(np.int64(magnitude)) * _ZW[layer]
        if sign:
            x = -x
        if magnitude < _ZK[layer]:
            return x
        if layer == 0:
            while retry < 4096:
                xx = -math.log1p(-_unit(_bits(key, patient, night, index, retry))) / ZIGGURAT_R
                yy = -math.log1p(-_unit(_bits(key, patient, night, index, retry + 1)))
                retry += 2
                if yy + yy > xx * xx:
                    return -(ZIGGURAT_R + xx) if sign else ZIGGURAT_R + xx
        else:
            u = _unit(_bits(key, patient, night, index, retry))
            retry += 1
            if (_ZF[layer - 1] - _ZF[layer]) * u + _ZF[layer] < math.exp(-0.5 * x * x):
                return x
    return x


@njit
def _draws(normal, key, patients, night, first, k, out):
    for i in range(len(patients)):
        for j in range(k):
            if normal:
                out[i, j] = normal_at(key, patients[i], night, first + j)
            else:
                out[i, j] = uniform_at(key, patients[i], night, first + j)


def _draw_array(normal: bool, key, patients, night: int, k: int, first: int) -> np.ndarray:
    out = np.empty((len(patients), k))
    ids = np.asarray(patients, dtype=np.int64)
    _draws(normal, np.uint64(key), ids, int(night), int(first), int(k), out)
    return out


def normals(key: np.uint64, patients: np.ndarray, night: int, k: int, first: int = 0):
    """(n, k) float64 standard normals ``first .. first + k - 1`` of each patient's night."""
    return _draw_array(True, key, patients, night, k, first)


def uniforms(key: np.uint64, patients: np.ndarray, night: int, k: int, first: int = 0):
    """(n, k) float64 uniforms ``first .. first + k - 1`` of each patient's night."""
    return _draw_array(False, key, patients, night, k, first)


@njit
def _vector(fn_code, x, out):
    """``out[i] = f(x[i])`` over 1-D arrays (one loop per function: no branch inside)."""
    if fn_code == 0:
        for i in range(x.size):
            out[i] = ndtri(x[i])
    elif fn_code == 1:
        for i in range(x.size):
            out[i] = ndtr(x[i])
    else:
        for i in range(x.size):
            out[i] = erfinv(x[i])


def _apply(fn_code: int, x) -> np.ndarray:
    x = np.asarray(x)
    flat = np.ascontiguousarray(x, dtype=np.float64).ravel()
    out = np.empty(flat.size)
    _vector(fn_code, flat, out)
    return out.reshape(x.shape)


def ndtri_array(x: np.ndarray) -> np.ndarray:
    """``ndtri`` over an array (the compiled code, so results match compiled callers)."""
    return _apply(0, x)


def ndtr_array(x: np.ndarray) -> np.ndarray:
    return _apply(1, x)


def erfinv_array(x: np.ndarray) -> np.ndarray:
    return _apply(2, x)
