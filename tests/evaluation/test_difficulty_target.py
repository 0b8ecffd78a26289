"""Issue 13's difficulty target, on the cohort it names: presenting, 20,000 x 28 nights,
seed 5 (the difficulty script's cohort, ``benchmarks/difficulty.py``).

No single per-patient feature of the diary (share, mean or maximum of a nights column) or
of the observed history separates any primary cause from the rest with a one-vs-rest AUC
above 0.95 (``EASY_AUC``; the clinic tests may be sharper, as real ones are). Measured:
fatigue 0.948 (episode length), nerve 0.946 (nights with numbness), stenosis 0.943
(buttock-to-leg) and PAD 0.937 (toes and forefoot). The tolerance is the target itself and
the figures are deterministic for this seed, but the margins are small (0.002 for fatigue,
and PAD rests on 28 patients, a standard error of about 0.02): a change elsewhere in the
model can tip one over, and should then be looked at, not the test loosened. PAD's result
also rests on an assumption, how often a dependent sleeper's episode is eased by hanging
the leg lower (``dependent_relief_by_dangling`` 0.3; at 0.4 PAD's dangling share reaches
0.954).

Broken twins: without the dependent sleepers (``dependent_sleeper_share`` 0) PAD's
"worse with the legs raised" gives it away again (measured 0.994), and without lumbar
stenosis (its prevalence 0: the cause mix changes too, so this twin is not clean) nerve
compression's nights with numbness rise above the target (0.954; fatigue's onset too,
0.951).
"""

from __future__ import annotations

import polars as pl
import pytest

from sim.config import compose_config
from sim.evaluation import difficulty as dfy
from sim.pipeline import simulate_cohort
from sim.report.difficulty import EASY_AUC

COHORT = ["cohort.n=20000", "cohort.seed=5", "cohort.population=presenting", "cohort.nights=28"]


def _worst(*extra: str) -> dict[str, tuple[str, float]]:
    c = simulate_cohort(compose_config([*COHORT, *extra]))
    table = dfy.worst_case(dfy.best_single_features(c.patients, c.nights, c.measurements))
    return {
        r["cause"]: (r["feature"], r["auc"])
        for r in table.select(pl.col("cause").cast(pl.String), "feature", "auc").iter_rows(
            named=True
        )
    }


@pytest.fixture(scope="module")
def worst() -> dict[str, tuple[str, float]]:
    return _worst()


def test_no_diary_or_history_feature_gives_a_cause_away(worst):
    assert len(worst) == 11
    easy = {cause: fa for cause, fa in worst.items() if fa[1] > EASY_AUC}
    assert not easy, easy


def test_without_dependent_sleepers_pad_is_given_away_again():
    worst = _worst("model.mechanisms.pad.dependent_sleeper_share=0")
    assert worst["pad"][1] > EASY_AUC, worst["pad"]


def test_without_lumbar_stenosis_numbness_gives_nerve_compression_away():
    worst = _worst("model.prevalence.stenosis_knots=[[18,0.0],[95,0.0]]")
    assert "stenosis" not in worst  # no stenosis patient at all
    assert worst["nerve"][1] > EASY_AUC, worst["nerve"]
