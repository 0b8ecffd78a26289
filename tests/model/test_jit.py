"""The compiled numerics: special functions, counter-based draws, the ziggurat normal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from sim.model import jit


def test_ndtri_matches_scipy_to_double_precision() -> None:
    p = np.concatenate(
        [
            np.geomspace(1e-300, 0.5, 20_000),
            np.linspace(1e-6, 1 - 1e-6, 100_001),
            1 - np.geomspace(1e-16, 0.5, 20_000),
        ]
    )
    ours, ref = jit.ndtri_array(p), special.ndtri(p)
    assert np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1e-300)) < 1e-13


def test_ndtr_and_erfinv_match_scipy() -> None:
    x = np.linspace(-9, 9, 20_001)
    assert np.max(np.abs(jit.ndtr_array(x) - special.ndtr(x))) < 1e-15
    y = np.linspace(-0.999999, 0.999999, 20_001)
    assert np.max(np.abs(jit.erfinv_array(y) - special.erfinv(y))) < 1e-9


def test_counter_uniforms_are_uniform_and_independent_across_indices() -> None:
    """Seed 3, 400,000 patients x 4 indices: KS against U(0,1) (p > 0.001) and
    correlation between indices and between neighbouring patients below 0.01 (SE 0.0016)."""
    key = jit.stream_key(3, "night.day")
    u = jit.uniforms(key, np.arange(400_000), night=7, k=4)
    assert 0 < u.min() and u.max() < 1
    for j in range(4):
        assert stats.kstest(u[:, j], "uniform").pvalue > 0.001
    corr = np.corrcoef(u.T)
    assert np.max(np.abs(corr - np.eye(4))) < 0.01
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.01


def test_counter_draws_depend_only_on_their_own_counter() -> None:
    key = jit.stream_key(11, "night.night")
    ids = np.array([5, 70_000, 123_456_789])
    alone = jit.uniforms(key, ids[1:2], night=3, k=6)
    among = jit.uniforms(key, ids, night=3, k=6)
    np.testing.assert_array_equal(alone[0], among[1])
    # Other nights, streams and seeds give other numbers.
    assert not np.allclose(among, jit.uniforms(key, ids, night=4, k=6))
    assert not np.allclose(among, jit.uniforms(jit.stream_key(11, "night.day"), ids, 3, 6))
    assert not np.allclose(among, jit.uniforms(jit.stream_key(12, "night.night"), ids, 3, 6))


def test_ziggurat_normals_are_standard_normal() -> None:
    """Seed 1, 2,000,000 patients x 2 indices (4,000,000 draws): KS p > 0.001, mean within
    0.003 (6 SE), variance within 0.005, and the tails beyond 2 and 3 SD within 6 SE of the
    normal's (the ziggurat's wedge and tail branches are exercised: ~1% of draws)."""
    z = jit.normals(jit.stream_key(1, "test.normal"), np.arange(2_000_000), night=3, k=2).ravel()
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert abs(z.mean()) < 0.003
    assert abs(z.var() - 1) < 0.005
    for a in (2.0, 3.0):
        expected = 2 * stats.norm.sf(a)
        se = np.sqrt(expected * (1 - expected) / z.size)
        assert abs((np.abs(z) > a).mean() - expected) < 6 * se
    assert np.abs(z).max() > 4.5  # the tail beyond the ziggurat's base strip is reached


@pytest.mark.parametrize("lam", [0.0, 0.05, 0.7, 3.0, 20.0])
def test_poisson_and_binomial_quantiles_invert_the_cdf(lam: float) -> None:
    from numba import njit

    @njit
    def draw_poisson(u, lam):
        return np.array([jit.poisson_quantile(x, lam) for x in u])

    @njit
    def draw_binomial(u, n, p):
        return np.array([jit.binomial_quantile(x, n, p) for x in u])

    u = np.linspace(0.0005, 0.9995, 2000)
    np.testing.assert_array_equal(draw_poisson(u, lam), stats.poisson.ppf(u, lam))
    np.testing.assert_array_equal(draw_binomial(u, 7, 0.3), stats.binom.ppf(u, 7, 0.3))


def test_poisson_quantile_for_huge_means_is_within_one_count() -> None:
    """Above POISSON_NORMAL_LAMBDA exp(-lam) underflows; the corrected normal quantile
    stays within one count of the exact one."""
    from numba import njit

    @njit
    def draw(u, lam):
        return np.array([jit.poisson_quantile(x, lam) for x in u])

    u = np.linspace(0.001, 0.999, 999)
    for lam in (500.0, 800.0, 5000.0):
        assert np.max(np.abs(draw(u, lam) - stats.poisson.ppf(u, lam))) <= 1


def test_every_bit_of_the_seed_keys_the_stream() -> None:
    keys = {jit.stream_key(s, "night.day") for s in (0, 1, 2**32 + 1, 2**64 + 1, -1, 2**70)}
    assert len(keys) == 6
    assert jit.stream_key(5, "night.day") != jit.stream_key(5, "night.night")
