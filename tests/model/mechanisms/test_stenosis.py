"""Lumbar spinal stenosis's laws (sim/model/mechanisms/stenosis.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model.mechanisms import stenosis
from tests.model.mechanisms.conftest import rows


def test_the_rate_grows_with_severity_and_lying_flat_on_the_back(mp):
    q = mp.stenosis
    assert stenosis.episode_rate(0.0, False, q) == pytest.approx(q.rate_base)
    assert stenosis.episode_rate(1.0, False, q) == pytest.approx(q.rate_base + q.rate_severity)
    assert stenosis.episode_rate(0.5, True, q) == pytest.approx(
        (q.rate_base + 0.5 * q.rate_severity) * q.supine_factor
    )


def test_rate_reads_the_patient_severity_and_raises_the_pain(mp):
    q = mp.stenosis
    s, _, d = rows({"stenosis_severity": 0.6})
    r, pain, offset, drive = stenosis.rate(s, d, 23.0, False, True, None, mp, q.pain_mean)
    assert r == pytest.approx(stenosis.episode_rate(0.6, True, q)) and drive == r
    assert pain == pytest.approx(q.pain_mean + 0.6 * q.pain_severity_boost)
    assert offset == 0.0
    # Raising the legs changes nothing (flexed hips neither narrow nor widen the canal here).
    assert stenosis.rate(s, d, 23.0, True, True, None, mp, q.pain_mean)[0] == r
