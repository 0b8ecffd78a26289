"""Calibration targets of DOMAIN.md, checked on a sampled general-population cohort.

One cohort serves every target: ``cohort.population=general``, ``cohort.cause_mix=population``,
n = 400,000 patients, seed 2024 (patients only; no nights are needed). Each check is a plain
function that returns the measured numbers with their acceptance intervals and a pass flag;
the ``test_*_fails_when_*`` twins run the same check on a cohort whose mechanism was removed
by a config override (n = 100,000, same seed) and assert that the check then fails.

Targets (tolerances stated per check):

- RLS (``active_rls``): women/men ratio in [1.5, 2.5]; prevalence rising with age.
- PAD (``abi_true`` <= 0.90) by 5-year band 45-49 .. 85-89 within 2 percentage points of
  Fowkes 2013 (high-income): 5.3-5.4% at 45-49, 18.4-18.8% at 85-89, and the bands between
  at the default ``PrevalenceParams.pad_abi_knots`` (interpolated, an assumption).
- Nocturnal cramps (``active_cramps``): 37% of over-50s and 54% of over-80s within 2 points,
  rising with age.
- Statins: about 1 in 15 statin users with a cause has the statin as culprit (CTT 2022).
"""

from __future__ import annotations

import polars as pl
import pytest

from sim.calibration import (
    FOWKES_45_49,
    FOWKES_85_89,
    cramps_age_gradient,
    cramps_levels,
    pad_by_age,
    pad_targets,
    rls_age_gradient,
    rls_sex_ratio,
    statin_attribution,
)
from sim.config import PrevalenceParams
from sim.model import distributions as dist
from tests.helpers import simulate_patients

N, SEED = 400_000, 2024
N_BROKEN = 100_000
GENERAL = ("cohort.population=general", "cohort.cause_mix=population", f"cohort.seed={SEED}")


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def general() -> pl.DataFrame:
    """General adult population, n=400,000, seed 2024."""
    return simulate_patients(*GENERAL, f"cohort.n={N}")


def broken(*overrides: str) -> pl.DataFrame:
    """A general-population cohort (n=100,000, seed 2024) with a mechanism removed."""
    return simulate_patients(*GENERAL, f"cohort.n={N_BROKEN}", *overrides)


# ------------------------------------------------------------------------------ targets
def test_rls_women_men_ratio(general) -> None:
    """RLS women/men ratio in [1.5, 2.5]; n=400,000, seed 2024, no further tolerance."""
    check = rls_sex_ratio(general)
    assert check.passed, str(check)


def test_rls_rises_with_age(general) -> None:
    """RLS share in 18-39 < 40-59 < 60-95, each step at least 0.8 points; n=400,000, seed 2024."""
    check = rls_age_gradient(general)
    assert check.passed, str(check)


def test_pad_by_age_band(general) -> None:
    """ABI <= 0.90 per 5-year band 45-49..85-89 within 2 points of Fowkes 2013 (ends) and of
    the interpolated knots (between); n=400,000, seed 2024."""
    check = pad_by_age(general)
    assert check.passed, str(check)


def test_pad_knots_match_fowkes() -> None:
    """The default knots themselves hit Fowkes 2013 at the end bands and rise in between."""
    targets = [t for _, t in pad_targets()]
    knots = PrevalenceParams().pad_abi_knots
    assert FOWKES_45_49[0] <= dist.piecewise_linear(47, knots) <= FOWKES_45_49[1]
    assert FOWKES_85_89[0] <= dist.piecewise_linear(87, knots) <= FOWKES_85_89[1]
    mids = [lo for lo, _ in targets]
    assert mids == sorted(mids) and len(set(mids)) == len(mids)


def test_cramps_levels(general) -> None:
    """Cramps in 37% of 50+ and 54% of 80+ within 2 points; n=400,000, seed 2024."""
    check = cramps_levels(general)
    assert check.passed, str(check)


def test_cramps_rise_with_age(general) -> None:
    """Cramps rise by at least 1 point per 10-year band, 18-29 .. 80-95; n=400,000, seed 2024."""
    check = cramps_age_gradient(general)
    assert check.passed, str(check)


def test_statin_users_mostly_ache_for_another_reason(general) -> None:
    """Statin culprit share among statin users with a cause within 1.5 points of 1/15;
    n=400,000, seed 2024 (about 30,000 such users)."""
    check = statin_attribution(general)
    assert check.passed, str(check)


# ------------------------------------------------------------------------------ can fail
@pytest.mark.parametrize(
    ("check", "overrides"),
    [
        pytest.param(rls_sex_ratio, ["model.prevalence.rls_female_odds_ratio=1.0"], id="rls_sex"),
        pytest.param(
            rls_age_gradient, ["model.prevalence.rls_men_knots=[[18,0.03],[95,0.03]]"], id="rls_age"
        ),
        pytest.param(
            pad_by_age, ["model.prevalence.pad_abi_knots=[[18,0.10],[95,0.10]]"], id="pad"
        ),
        pytest.param(
            cramps_levels, ["model.prevalence.cramps_any_knots=[[18,0.45],[95,0.45]]"], id="cramps"
        ),
        pytest.param(
            cramps_age_gradient,
            ["model.prevalence.cramps_any_knots=[[18,0.45],[95,0.45]]"],
            id="cramps_age",
        ),
        pytest.param(statin_attribution, ["model.medication.causal_prob.statin=0.3"], id="statin"),
    ],
)
def test_check_fails_when_mechanism_is_removed(check, overrides) -> None:
    """Each check fails on a cohort without its mechanism (n=100,000, seed 2024): no sex effect
    on RLS, flat RLS, PAD or cramp curves, or a statin blamed for most statin users' aches."""
    outcome = check(broken(*overrides))
    assert not outcome.passed, f"check still passes with {overrides}:\n{outcome}"
