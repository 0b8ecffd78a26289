"""Inverse-CDF samplers: turn per-patient uniforms into draws from named distributions.

Usage::

    z = normal(u[:, 0], mean=4.2, sd=0.3)
    k = poisson(u[:, 1], lam)
    c = categorical(u[:, 2], probs)       # probs (K,) or (n, K)

Every sampler maps one uniform per value, element-wise, so a patient's draw never depends
on another patient's parameters (the common-random-numbers contract of ``sim.rng``).
"""

from __future__ import annotations

import numpy as np

from sim.model.jit import ndtri_array


def normal(
    u: np.ndarray, mean: float | np.ndarray = 0.0, sd: float | np.ndarray = 1.0
) -> np.ndarray:
    """Normal quantile of ``u``."""
    return (mean + sd * ndtri_array(u)).astype(np.float32)


def lognormal(u: np.ndarray, median: float | np.ndarray, log_sd: float | np.ndarray) -> np.ndarray:
    """Log-normal quantile of ``u`` with the given median and SD of the log."""
    return (median * np.exp(log_sd * ndtri_array(u))).astype(np.float32)


def bernoulli(u: np.ndarray, p: float | np.ndarray) -> np.ndarray:
    """True with probability ``p``."""
    return u < p


def uniform(u: np.ndarray, low: float | np.ndarray, high: float | np.ndarray) -> np.ndarray:
    """Uniform on [low, high)."""
    return (low + (high - low) * u).astype(np.float32)


def kumaraswamy(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """Kumaraswamy(a, b) quantile of ``u``: a Beta-like law on [0, 1] with a closed-form
    inverse (Kumaraswamy(2.3, 3.0) has the mean and SD of Beta(2.5, 2.5) within 0.01)."""
    return ((-np.expm1(np.log1p(-u) / b)) ** (1.0 / a)).astype(np.float32)


def categorical(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Index drawn from ``probs`` ((K,) shared, or (n, K) per row; rows need not be normalised)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        cdf = np.cumsum(probs)
        idx = np.searchsorted(cdf / cdf[-1], u, side="right")
        return np.minimum(idx, len(probs) - 1).astype(np.int16)
    cdf = np.cumsum(probs, axis=1)
    target = u.astype(np.float64) * cdf[:, -1]
    idx = (cdf <= target[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1).astype(np.int16)


def poisson(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson quantile of ``u`` for rates ``lam`` (sequential search; rates are small)."""
    lam = np.asarray(lam, dtype=np.float64)
    u = np.asarray(u, dtype=np.float64)
    k = np.zeros(u.shape, dtype=np.int32)
    pmf = np.exp(-lam)
    cdf = pmf.copy()
    active = np.flatnonzero(u > cdf)
    step = 0
    while active.size:
        step += 1
        lam_a = lam[active]
        pmf_a = pmf[active] * lam_a / step
        cdf_a = cdf[active] + pmf_a
        pmf[active] = pmf_a
        cdf[active] = cdf_a
        k[active] = step
        keep = (u[active] > cdf_a) & (pmf_a > 1e-300)
        active = active[keep]
    return k


def gamma(u: np.ndarray, shape: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Gamma(shape, scale) quantile of ``u`` (exact inverse of the regularised gamma)."""
    from scipy import special  # imported here: shard workers need no scipy otherwise

    return (special.gammaincinv(shape, u) * scale).astype(np.float32)


def piecewise_linear(x: np.ndarray, knots: list) -> np.ndarray:
    """Evaluate a curve given as ``[(x, y), ...]`` knots, flat beyond the ends."""
    xs = np.array([k[0] for k in knots], dtype=np.float64)
    ys = np.array([k[1] for k in knots], dtype=np.float64)
    return np.interp(x, xs, ys)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


def expit(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp overflows to inf for x < -709: expit is 0
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def with_odds_ratio(p: np.ndarray, odds_ratio: float | np.ndarray) -> np.ndarray:
    """Probability ``p`` with its odds multiplied by ``odds_ratio``."""
    return expit(logit(p) + np.log(odds_ratio))
