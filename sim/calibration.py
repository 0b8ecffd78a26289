"""Calibration checks of the DOMAIN.md targets on a sampled population, for tests and reports.

Usage::

    checks = calibration_checks(patients)        # general-population patients table
    all(c.passed for c in checks)
    # the report's table of targets vs measured: sim.report.calibration.calibration_section

Each check returns the measured numbers with their acceptance intervals and a pass flag.
Targets: RLS women/men ratio in [1.5, 2.5] and rising with age (Berger 2004); PAD (ABI <=
0.90) by 5-year band within 2 points of Fowkes 2013 (ends) and of the interpolated knots
(between); nocturnal cramps in 37% of over-50s and 54% of over-80s within 2 points, rising
with age (UK survey); about 1 statin user's ache in 15 caused by the statin (CTT 2022).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from sim.config import PrevalenceParams
from sim.model import distributions as dist
from sim.model import reference as ref

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
    low_abi = pl.col("abi_true") <= ref.ABI_ABNORMAL
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


def calibration_checks(patients: pl.DataFrame) -> list[Check]:
    """Every calibration check on a general-population patients table."""
    return [
        rls_sex_ratio(patients),
        rls_age_gradient(patients),
        pad_by_age(patients),
        cramps_levels(patients),
        cramps_age_gradient(patients),
        statin_attribution(patients),
    ]
