"""The nights columns as the engines hold them come from the schema, and the model's one
diary reduction writes every one of them. Deterministic: no seed."""

from __future__ import annotations

import numpy as np

from sim import config
from sim.engines import layout
from sim.model import diary, reporting, state
from sim.model.mechanisms import CODE
from sim.model.params import night_params
from sim.model.symptoms import FLAGS
from sim.tables.schema import columns


def test_the_layout_is_the_schemas_columns():
    names = [c.name for c in columns("nights")]
    held = [n for group in layout.GROUP_COLUMNS.values() for n in group]
    assert sorted(held) == sorted(set(names) - set(layout.INDEX_COLUMNS))
    assert len(held) == len(set(held))


def _write(fill: float, total: int) -> dict[str, np.ndarray]:
    out = layout.diary_buffers(3)
    for group in (out.f32, out.i8, out.i16, out.b):
        group[...] = fill
    d = np.arange(len(state.DAY_FIELDS), dtype=np.float64)
    s = np.zeros(len(state.STATIC_FIELDS))
    for k, name in enumerate(reporting.WORD_FIELDS):
        s[getattr(state.S, name)] = k  # the common word for every sensation
    for name in reporting.NOTICE_FIELDS:
        s[getattr(state.S, name)] = 1.0  # notes every feature
    slot_mech = np.array([CODE["background"], CODE["rls"], CODE["pad"], -1, -1])
    diary.write_row(
        out, 1, s, 0, 7, 3, d, 23.5, 450.0, 0.9, True, total, 1, 0, 12.0, 6.4, CODE["pad"], 30.0,
        2, 1, 0, np.ones(len(FLAGS), dtype=np.bool_), slot_mech,
        np.array([0.1, 0.7, 0.4, 0.0, 0.0]), 3, night_params(config.NightParams()),
    )  # fmt: skip
    return layout.diary_columns(out)


def test_write_row_writes_every_column_of_the_row():
    """Two rows written over different fills agree on every column: nothing left unwritten."""
    for total in (0, 3):
        a, b = _write(0.0, total), _write(1.0, total)
        unwritten = [name for name in a if a[name][1] != b[name][1]]
        assert not unwritten, unwritten
        assert all(a[name][0] != b[name][0] for name in a)  # the other rows are untouched


def test_each_mechanism_reports_its_drive_and_state_in_its_own_column():
    row = {name: values[1] for name, values in _write(0.0, 3).items()}
    assert row["rls_drive"] == np.float32(0.7) and row["ischaemia"] == np.float32(0.4)
    assert row["potassium_mmol_l"] == state.D.potassium
    assert row["drug_effect"] == state.D.drug_effect
    assert row["dominant_mechanism"] == CODE["pad"] and row["pain_score"] == 6
    quiet = {name: values[1] for name, values in _write(0.0, 0).items()}
    assert (
        quiet["quality"] == -1 and not quiet["urge_to_move"] and quiet["dominant_mechanism"] == -1
    )
