"""Lumbar spinal stenosis's laws (sim/model/mechanisms/stenosis.py). Deterministic: no seed."""

from __future__ import annotations

import pytest

from sim.model.mechanisms import stenosis
from tests.model.mechanisms.conftest import rows


def test_the_rate_grows_with_severity_and_lying_flat_on_the_back(mp):
    q = mp.stenosis
    assert stenosis.episode_rate(0.0, False, False, q) == pytest.approx(q.rate_base)
    full = q.rate_base + q.rate_severity
    assert stenosis.episode_rate(1.0, False, False, q) == pytest.approx(full)
    assert stenosis.episode_rate(0.5, True, False, q) == pytest.approx(
        (q.rate_base + 0.5 * q.rate_severity) * q.supine_factor
    )
    assert stenosis.episode_rate(1.0, False, True, q) == pytest.approx(
        full * q.legs_elevated_factor
    )


def test_rate_reads_the_patient_severity_and_raises_the_pain(mp):
    q = mp.stenosis
    s, _, d = rows({"stenosis_severity": 0.6})
    r, pain, offset, drive = stenosis.rate(s, d, 23.0, False, True, None, mp, q.pain_mean)
    assert r == pytest.approx(stenosis.episode_rate(0.6, True, False, q)) and drive == r
    assert pain == pytest.approx(q.pain_mean + 0.6 * q.pain_severity_boost)
    assert offset == 0.0
    # Raised legs flex the hips and spine: fewer episodes.
    raised = stenosis.rate(s, d, 23.0, True, True, None, mp, q.pain_mean)[0]
    assert raised == pytest.approx(r * q.legs_elevated_factor)
