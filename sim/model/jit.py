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

``njit`` (with its disk cache keyed by the ``sim`` sources) lives in ``sim.jit`` and the
counter-based draws (Philox-4x32-10: ``stream_key``, ``uniform_at``, ``normal_at``,
``uniforms``, ``normals``) in ``sim.rng``, below the model; they are re-exported here for
the model's convenience.
"""

from __future__ import annotations

import math

import numpy as np

from sim.jit import njit
from sim.rng import (
    INDEX_BITS,
    NIGHT_BITS,
    ZIGGURAT_R,
    block_words,
    draw_nights,
    normal_at,
    normal_from,
    normal_words_nights,
    normals,
    philox4x32,
    scratch_words,
    uniform_at,
    uniform_nights,
    uniform_span_nights,
    uniforms,
    uniforms4_at,
    uniforms_into,
)
from sim.rng import counter_key as stream_key

__all__ = [
    "INDEX_BITS",
    "NIGHT_BITS",
    "ZIGGURAT_R",
    "block_words",
    "draw_nights",
    "njit",
    "normal_at",
    "normal_from",
    "normal_words_nights",
    "normals",
    "philox4x32",
    "scratch_words",
    "stream_key",
    "uniform_at",
    "uniform_nights",
    "uniform_span_nights",
    "uniforms",
    "uniforms4_at",
    "uniforms_into",
]

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


# ------------------------------------------------------------------ array helpers
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
