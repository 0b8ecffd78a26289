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

import math
from dataclasses import dataclass, field

import polars as pl
import pytest

from sim.config import PrevalenceParams
from sim.model import distributions as dist
from tests.helpers import simulate_patients

N, SEED = 400_000, 2024
N_BROKEN = 100_000
GENERAL = ("cohort.population=general", "cohort.cause_mix=population", f"cohort.seed={SEED}")

PAD_TOLERANCE = 0.02
"""Percentage points (as a fraction) allowed between measured and target PAD prevalence."""
FOWKES_45_49 = (0.053, 0.054)
FOWKES_85_89 = (0.184, 0.188)
PAD_BANDS = [(lo, lo + 4) for lo in range(45, 90, 5)]

CRAMP_TOLERANCE = 0.02
CRAMPS_OVER_50 = 0.37
CRAMPS_OVER_80 = 0.54
CRAMP_BANDS = [(18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, 95)]
CRAMP_RISE = 0.01
"""Each 10-year band must exceed the one before by at least 1 percentage point."""

RLS_RATIO = (1.5, 2.5)
RLS_BANDS = [(18, 39), (40, 59), (60, 95)]
RLS_RISE = 0.008
"""Each age band must exceed the one before by at least 0.8 percentage points (the
default model rises about 1.2 points a band; a flat curve still rises up to about 0.4 points
from the older, more female population and drug-induced cases)."""

STATIN_TARGET = 1 / 15
STATIN_TOLERANCE = 0.015


# ------------------------------------------------------------------------------ checks
@dataclass
class Measure:
    """One measured number and the interval it must fall in."""

    label: str
    value: float
    low: float
    high: float = math.inf

    @property
    def ok(self) -> bool:
        return self.low <= self.value <= self.high


@dataclass
class Check:
    """The outcome of one calibration check."""

    name: str
    measures: list[Measure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(m.ok for m in self.measures)

    def __str__(self) -> str:
        lines = [f"{self.name}: {'pass' if self.passed else 'FAIL'}"]
        for m in self.measures:
            high = "inf" if math.isinf(m.high) else f"{m.high:.4f}"
            flag = "ok" if m.ok else "OUT"
            lines.append(f"  {m.label}: {m.value:.4f} in [{m.low:.4f}, {high}] {flag}")
        return "\n".join(lines)


def _share(df: pl.DataFrame, flag: pl.Expr, lo: int, hi: int) -> float:
    band = df.filter(pl.col("age").is_between(lo, hi))
    return float(band.select(flag.mean()).item())


def _rising(name: str, shares: list[tuple[str, float]], margin: float) -> list[Measure]:
    return [
        Measure(f"{name} {b} minus {a}", vb - va, margin)
        for (a, va), (b, vb) in zip(shares, shares[1:], strict=False)
    ]


def rls_sex_ratio(patients: pl.DataFrame) -> Check:
    """Women/men ratio of restless legs (any mechanism) in [1.5, 2.5] (Berger 2004)."""
    by_sex = dict(patients.group_by("sex").agg(pl.col("active_rls").mean()).iter_rows())
    ratio = by_sex["female"] / by_sex["male"]
    return Check("RLS women/men", [Measure("ratio", ratio, *RLS_RATIO)])


def rls_age_gradient(patients: pl.DataFrame) -> Check:
    """Restless-legs prevalence rises by at least RLS_RISE from one age band to the next."""
    shares = [
        (f"{lo}-{hi}", _share(patients, pl.col("active_rls"), lo, hi)) for lo, hi in RLS_BANDS
    ]
    return Check("RLS rises with age", _rising("RLS", shares, RLS_RISE))


def pad_targets() -> list[tuple[tuple[int, int], tuple[float, float]]]:
    """Target interval (before tolerance) per band: Fowkes 2013 at the ends, the default
    knots at the band midpoints between them."""
    knots = PrevalenceParams().pad_abi_knots
    targets = []
    for lo, hi in PAD_BANDS:
        mid = float(dist.piecewise_linear((lo + hi) / 2, knots))
        targets.append(((lo, hi), (mid, mid)))
    targets[0] = (PAD_BANDS[0], FOWKES_45_49)
    targets[-1] = (PAD_BANDS[-1], FOWKES_85_89)
    return targets


def pad_by_age(patients: pl.DataFrame) -> Check:
    """Share with ABI <= 0.90 per 5-year band within PAD_TOLERANCE of its target."""
    measures = []
    low_abi = pl.col("abi_true") <= 0.90
    for (lo, hi), (t_lo, t_hi) in pad_targets():
        share = _share(patients, low_abi, lo, hi)
        measures.append(
            Measure(f"ABI<=0.90 age {lo}-{hi}", share, t_lo - PAD_TOLERANCE, t_hi + PAD_TOLERANCE)
        )
    return Check("PAD by age band (Fowkes 2013)", measures)


def cramps_levels(patients: pl.DataFrame) -> Check:
    """Nocturnal cramps in 37% of people aged 50+ and 54% aged 80+, within CRAMP_TOLERANCE."""
    cramps = pl.col("active_cramps")
    over_50 = _share(patients, cramps, 50, 200)
    over_80 = _share(patients, cramps, 80, 200)
    return Check(
        "Nocturnal cramps (UK survey)",
        [
            Measure(
                "age 50+",
                over_50,
                CRAMPS_OVER_50 - CRAMP_TOLERANCE,
                CRAMPS_OVER_50 + CRAMP_TOLERANCE,
            ),
            Measure(
                "age 80+",
                over_80,
                CRAMPS_OVER_80 - CRAMP_TOLERANCE,
                CRAMPS_OVER_80 + CRAMP_TOLERANCE,
            ),
        ],
    )


def cramps_age_gradient(patients: pl.DataFrame) -> Check:
    """Cramps prevalence rises by at least CRAMP_RISE from each 10-year band to the next."""
    shares = [
        (f"{lo}-{hi}", _share(patients, pl.col("active_cramps"), lo, hi)) for lo, hi in CRAMP_BANDS
    ]
    return Check("Cramps rise with age", _rising("cramps", shares, CRAMP_RISE))


def statin_attribution(patients: pl.DataFrame) -> Check:
    """Among statin users with a cause, the statin is the culprit in about 1 in 15 (CTT 2022)."""
    aching = patients.filter(pl.col("on_statin") & (pl.col("primary_cause") != "none"))
    culprit = (pl.col("primary_cause") == "medication") & (pl.col("culprit_drug") == "statin")
    share = float(aching.select(culprit.fill_null(False).mean()).item())
    return Check(
        "Statin users with night pain caused by the statin",
        [
            Measure(
                "share", share, STATIN_TARGET - STATIN_TOLERANCE, STATIN_TARGET + STATIN_TOLERANCE
            )
        ],
    )


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
