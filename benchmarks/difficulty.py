"""Difficulty table (issue 13): the single best observed feature per cause and the
co-occurrence of causes, on the cohorts the issue names.

Run with ``make bench`` or ``python -m benchmarks.difficulty [--n 20000 --general-n 50000]``.

- Presenting cohort (default 20,000 x 28 nights, seed 5): per cause, the observed feature
  with the highest one-vs-rest AUC, from the diary and history and, apart, from the clinic
  measurements (``sim.evaluation.difficulty``). Target of issue 13: no diary or history
  feature above 0.95.
- General cohort (default 50,000, seed 6): patients with each pair of causes active, the
  pairs never seen together (target: none of the 28 unless documented as impossible), and
  the share with two or more causes by age band.

Figures are printed and written to benchmarks/results/difficulty.json.
"""

from __future__ import annotations

import argparse
import os
import time

import polars as pl

from benchmarks.common import save_figures
from sim.config import CAUSES, compose_config
from sim.evaluation import difficulty as dfy
from sim.pipeline import simulate_cohort
from sim.report.difficulty import EASY_AUC, best_feature_table


def main(n: int = 20_000, general_n: int = 50_000, nights: int = 28) -> dict:
    cores = os.cpu_count() or 1
    t0 = time.perf_counter()
    cohort = simulate_cohort(
        compose_config(
            [
                f"cohort.n={n}",
                "cohort.seed=5",
                "cohort.population=presenting",
                f"cohort.nights={nights}",
            ]
        )
    )
    table = best_feature_table(
        dfy.best_single_features(cohort.patients, cohort.nights, cohort.measurements)
    )
    general = simulate_cohort(
        compose_config([f"cohort.n={general_n}", "cohort.seed=6", "cohort.population=general"]),
        with_nights=False,
    ).patients
    pairs = dfy.cooccurrence(general)
    absent = dfy.absent_pairs(pairs)
    by_age = dfy.multimorbidity_by_age(general)
    spectrum = dfy.pad_spectrum(general)
    seconds = time.perf_counter() - t0

    with pl.Config(tbl_rows=20, tbl_width_chars=160, fmt_str_lengths=40):
        print(f"difficulty: presenting cohort {n:,} x {nights} nights, seed 5 ({cores} cores)")
        print(table)
        easy = table.filter(pl.col("AUC") > EASY_AUC)
        print(f"causes given away by one diary/history feature (AUC > {EASY_AUC}): {easy.height}")
        print(f"\nco-occurrence: general cohort {general_n:,}, seed 6")
        print(pairs)
        print(
            f"pairs never active together: {len(absent)} of {len(CAUSES) * (len(CAUSES) - 1) // 2}: {absent}"
        )
        print(by_age)
        print("PAD spectrum among ABI <= 0.90 (general cohort; DOMAIN.md ranges):")
        print(spectrum)
    print(f"({seconds:.0f} s)")
    figures = {
        "cores": cores,
        "presenting": {"n": n, "nights": nights, "seed": 5, "best_features": table.to_dicts()},
        "general": {
            "n": general_n,
            "seed": 6,
            "cooccurrence": pairs.to_dicts(),
            "absent_pairs": absent,
            "two_or_more_by_age": by_age.to_dicts(),
            "pad_spectrum": spectrum.to_dicts(),
        },
        "seconds": seconds,
    }
    save_figures("difficulty", figures)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--general-n", type=int, default=50_000)
    parser.add_argument("--nights", type=int, default=28)
    args = parser.parse_args()
    main(args.n, args.general_n, args.nights)
