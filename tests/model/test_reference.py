"""The clinical reference limits (``sim.model.reference``) are the ones every user reads.

The urgency rules (``sim.model.causes``), the cramp and electrolyte physiology
(``sim.model.mechanisms.cramps`` and ``electrolyte``), the restless-legs iron threshold and the ABI bands of
the population must change state at the same limits; and no model module keeps its own
copy of a limit as a bare number. Deterministic: no seed, no tolerance.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.config import mechanism_defaults
from sim.model import reference as ref
from sim.model.causes import CAUSE_CODE, URGENCY_CODE, urgency
from sim.model.mechanisms import cramps, electrolyte, rls
from sim.model.params import mechanism_params

MP = mechanism_params(mechanism_defaults())

NORMAL = {"potassium": 4.2, "magnesium": 0.85, "calcium": 2.35, "sodium": 140.0}
LOW_LIMIT = {
    "potassium": ref.POTASSIUM_LOW_MMOL_L,
    "magnesium": ref.MAGNESIUM_LOW_MMOL_L,
    "calcium": ref.CALCIUM_LOW_MMOL_L,
    "sodium": ref.SODIUM_LOW_MMOL_L,
}


def _urgency(values: dict[str, float]) -> int:
    one = np.ones(1)
    return int(
        urgency(
            primary=np.array([CAUSE_CODE["cramps"]]),
            pad_active=np.zeros(1, dtype=bool),
            abi=1.1 * one,
            ankle_sbp_mmhg=140.0 * one,
            potassium_mmol_l=values["potassium"] * one,
            sodium_mmol_l=values["sodium"] * one,
            magnesium_mmol_l=values["magnesium"] * one,
            calcium_mmol_l=values["calcium"] * one,
        )[0]
    )


def _excitability(values: dict[str, float]) -> float:
    return electrolyte.excitability(
        values["potassium"],
        values["magnesium"],
        values["calcium"],
        values["sodium"],
        MP.electrolyte,
    )


@pytest.mark.parametrize("test", list(LOW_LIMIT))
def test_urgency_and_muscle_read_the_same_low_limit(test: str) -> None:
    """At the limit: in range for triage and for the membrane; just below: deranged for
    both (idiopathic cramps become routine; excitability turns positive)."""
    at = {**NORMAL, test: LOW_LIMIT[test]}
    below = {**NORMAL, test: LOW_LIMIT[test] - 1e-3}
    assert _urgency(at) == URGENCY_CODE["self_care"]
    assert _excitability(at) == 0.0
    assert _urgency(below) == URGENCY_CODE["routine"]
    assert _excitability(below) > 0.0


def test_cramp_excitability_starts_at_the_potassium_and_magnesium_limits() -> None:
    p = MP.cramps
    k, mg = ref.POTASSIUM_LOW_MMOL_L, ref.MAGNESIUM_LOW_MMOL_L
    assert cramps.excitability(k, mg, 0.0, 0.0, 0.0, p) == 1.0
    assert cramps.excitability(k - 0.1, mg, 0.0, 0.0, 0.0, p) > 1.0
    assert cramps.excitability(k, mg - 0.01, 0.0, 0.0, 0.0, p) > 1.0


def test_rls_iron_threshold_is_the_reference_one() -> None:
    p = MP.rls
    at = rls.drive(1.0, ref.FERRITIN_IRON_THRESHOLD_UG_L, 0.0, p)
    above = rls.drive(1.0, ref.FERRITIN_IRON_THRESHOLD_UG_L + 0.5, 0.0, p)
    assert at == p.low_ferritin_factor and above == 1.0


def test_urgent_high_limits() -> None:
    """DOMAIN.md, Urgency: potassium 6.0, sodium 150, total calcium 3.0 or more are urgent."""
    urgent = URGENCY_CODE["urgent"]
    for test, limit in (
        ("potassium", ref.URGENT_POTASSIUM_HIGH_MMOL_L),
        ("sodium", ref.URGENT_SODIUM_HIGH_MMOL_L),
        ("calcium", ref.URGENT_CALCIUM_HIGH_MMOL_L),
    ):
        assert _urgency({**NORMAL, test: limit}) == urgent
        # Below the urgent limit a high value is not a derangement: cramps stay self-care.
        assert _urgency({**NORMAL, test: limit - 1e-3}) == URGENCY_CODE["self_care"]


def test_urgent_limits() -> None:
    urgent = URGENCY_CODE["urgent"]
    assert _urgency({**NORMAL, "potassium": ref.URGENT_POTASSIUM_MMOL_L - 1e-3}) == urgent
    assert _urgency({**NORMAL, "potassium": ref.URGENT_POTASSIUM_MMOL_L}) != urgent
    assert _urgency({**NORMAL, "sodium": ref.URGENT_SODIUM_MMOL_L}) == urgent
    assert _urgency({**NORMAL, "sodium": ref.URGENT_SODIUM_MMOL_L + 1e-3}) != urgent


MODEL = Path(__file__).resolve().parents[2] / "sim" / "model"
# A limit written as a number, not as the name of a reference limit (3.5 mmol/L
# potassium, 0.70 magnesium, 2.1 calcium, 135 sodium, 75 ferritin, 0.40 and 0.90 ABI, ...).
_LIMIT_LITERAL = re.compile(
    r"(?<![\w.])(3\.5|0\.70?|2\.1|135(\.0)?|120(\.0)?|3\.0|75(\.0)?|0\.40?|0\.90?|0\.91|1\.40?|50\.0)(?![\w.])"
)


@pytest.mark.parametrize(
    "module",
    ["causes.py", *sorted(f"mechanisms/{p.name}" for p in (MODEL / "mechanisms").glob("*.py"))],
)
def test_no_module_keeps_its_own_copy_of_a_limit(module: str) -> None:
    """Function bodies (docstrings and comments aside) name the limits from ``reference``.
    (A mechanism's ``Params`` defaults and attribute tables are parameters, not limits.)"""
    import ast

    text = (MODEL / module).read_text()
    bodies = [
        ast.get_source_segment(text, node)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef)
    ]
    assert bodies
    code = re.sub(r'"""[\s\S]*?"""', "", "\n".join(bodies))
    code = "\n".join(line.split("#")[0] for line in code.splitlines())
    assert not _LIMIT_LITERAL.search(code), _LIMIT_LITERAL.search(code)
