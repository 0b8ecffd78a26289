"""The registry and what it generates: names and codes, the state layout, the draws, the
compiled dispatch, the config tree. Deterministic: no seed."""

from __future__ import annotations

import types

import numpy as np
import pytest

from sim import config
from sim.config import CAUSES, compose_config, mechanism_defaults
from sim.model import dispatch, mechanisms, state
from sim.model.night_state import day_numbers, day_step
from sim.model.params import day_params, mechanism_params, night_params
from tests.model.mechanisms.conftest import rows

NP = night_params(config.NightParams())


def test_codes_are_background_then_the_causes_in_order():
    """Codes of the causes' mechanisms are fixed (``dominant_mechanism``); a mechanism that
    is not a cause (the background, a look-alike) may follow."""
    assert mechanisms.NAMES[: len(CAUSES) + 1] == ("background", *CAUSES)
    assert [mechanisms.CODE[n] for n in mechanisms.NAMES] == list(range(len(mechanisms.NAMES)))


def test_every_mechanism_block_is_in_the_config_tree():
    cfg = compose_config([])
    assert tuple(cfg.model.mechanisms) == mechanisms.NAMES
    assert cfg.model.mechanisms.pad.rate_ischaemia == mechanisms.pad.Params().rate_ischaemia
    assert config.mechanism_names() == mechanisms.NAMES


def test_state_names_are_unique_and_draw_indices_never_shared():
    for fields in (state.STATIC_FIELDS, state.CARRY_FIELDS, state.DAY_FIELDS):
        assert len(set(fields)) == len(fields)
    for draws in (state.DAY_DRAW, state.STATIC_DRAW, state.NIGHT_DRAW):
        assert len(set(draws)) == len(draws)


def test_a_mechanism_reusing_a_draw_index_or_a_state_name_is_refused():
    """The registry's layout refuses the collisions a new mechanism could bring."""
    clash = types.SimpleNamespace(NAME="clash", DRAWS={"day": {"again": 4}})
    with pytest.raises(ValueError, match="reuses counter index 4"):
        state._draws("day", [*mechanisms.REGISTRY, clash])
    twice = types.SimpleNamespace(NAME="twice", STATIC=("abi_true",))
    with pytest.raises(ValueError, match="already declared by mechanism 'pad'"):
        state._layout("STATIC", state.GENERIC_STATIC, [*mechanisms.REGISTRY, twice])


def test_the_day_writes_every_field_of_tonights_state(mp):
    """A field a day update forgets would carry NaN (the rows start as NaN) into the night."""
    static = {name: 0.0 for name in state.STATIC_FIELDS}
    static.update(
        exertion_prob=0.5,
        unaccustomed_prob=0.5,
        alcohol_prob=0.5,
        fluid_intake_l_day=2.0,
        deficit_keep=0.5,
        potassium_base=4.0,
        magnesium_base=0.8,
        calcium_base=2.3,
        sodium_base=140.0,
        culprit=-1.0,
        diuretic_start=np.inf,
        potassium_sparing_start=np.inf,
        abi_true=1.1,
        brachial_sbp_mmhg=130.0,
        tx_start=np.inf,
        tx_adherence=1.0,
        tx_halflife=np.inf,
    )
    s, c, d = rows(static)
    dp = day_params(config.DayParams())
    words = np.empty((4, 10), dtype=np.uint64)
    z = np.empty((state.DAY_NUMBERS, 10))
    day_numbers(np.uint64(7), 3, 0, words, z)
    for day in range(10):
        day_step(day, 3, np.uint64(11), z[:, day], s, c, d, dp, mp)
        assert not np.isnan(d).any(), [
            f for f, x in zip(state.DAY_FIELDS, d, strict=True) if np.isnan(x)
        ]


def test_dispatch_is_written_from_the_registry():
    """Each mechanism's rate law is reached by its own code; the day runs in DAY_ORDER."""
    source = dispatch.render()
    for code, m in enumerate(mechanisms.REGISTRY[:-1]):
        assert f"    if mech == {code}:\n        return _{m.NAME}.rate(" in source
    days = [m.NAME for m in mechanisms.DAY_ORDER]
    assert days == ["medication", "dehydration", "electrolyte", "fatigue", "pad", "rls"]
    positions = [source.index(f"_{name}.day(") for name in days]
    assert positions == sorted(positions)


def test_dispatch_reaches_each_mechanisms_own_law(mp):
    """Zeroing one mechanism's parameter changes only that mechanism's dispatched rate."""
    s, _, d = rows(
        {"rls_severity": 1.0, "ferritin_ug_l": 100.0, "rls_peak_clock_h": 0.5, "cramp_base": 0.5},
        {"ssri_effect": 0.0},
    )
    rls = mechanisms.CODE["rls"]
    r, *_ = dispatch.rate(rls, s, d, 23.0, False, False, NP, mp, 4.0)
    assert r == mp.rls.rate_max
    blocks = mechanism_defaults()
    blocks["rls"] = mechanisms.rls.Params(rate_max=0.0)
    r0, *_ = dispatch.rate(rls, s, d, 23.0, False, False, NP, mechanism_params(blocks), 4.0)
    assert r0 == 0.0
