"""The event engine: its tables, its reproducibility, and the internal consistency of its log.

One cohort serves most tests: presenting population, balanced cause mix, n=2000 x 7 nights,
seed 5. Distributional agreement with the vectorised engine is ``test_equivalence.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sim.config import compose_config, validate
from sim.engines import EngineResult, run_engine
from sim.engines import events as ev
from sim.engines import vectorised as vec
from sim.model import diary, jit, reporting
from sim.model import state as st
from sim.model import symptoms as sx
from sim.model.night_state import NightState
from sim.model.params import night_params
from sim.model.population import PopulationModel
from sim.rng import BLOCK, ShardStreams, stream_key
from sim.runs.generate import generate
from sim.tables.io import read_table
from sim.tables.schema import polars_schema

N, NIGHTS, SEED = 2000, 7, 5
OVERRIDES = [
    f"cohort.nights={NIGHTS}",
    f"cohort.seed={SEED}",
    "cohort.population=presenting",
    "cohort.cause_mix=balanced",
]
DAY_COLUMNS = (
    "patient_id",
    "night",
    "heavy_exertion",
    "alcohol",
    "hot_day",
    "potassium_mmol_l",
    "magnesium_mmol_l",
    "calcium_mmol_l",
    "sodium_mmol_l",
    "hydration_deficit_l",
    "osmolality_mosm_kg",
    "fatigue_load",
    "rls_drive",
    "drug_effect",
)
"""Columns fixed by the day (same code and streams in both engines): equal bit for bit."""


@dataclass
class Run:
    cfg: object
    columns: dict[str, np.ndarray]
    result: EngineResult


def simulate(engine: str = "events", n: int = N) -> Run:
    cfg = compose_config([*OVERRIDES, f"cohort.n={n}"])
    cols = PopulationModel(cfg.model, validate(cfg)).sample(ShardStreams(SEED, 0, n))
    result = run_engine(engine, cols, cfg.model, ShardStreams(SEED, 0, n), nights=NIGHTS)
    return Run(cfg, cols, result)


@pytest.fixture(scope="module")
def run() -> Run:
    return simulate()


@pytest.fixture(scope="module")
def events(run: Run) -> pl.DataFrame:
    return run.result.events


@pytest.fixture(scope="module")
def nights(run: Run) -> pl.DataFrame:
    return run.result.nights


@pytest.fixture(scope="module")
def vectorised_nights() -> pl.DataFrame:
    return simulate("vectorised").result.nights


# ------------------------------------------------------------------ tables and schema
def test_nights_have_the_vectorised_schema_and_rows(
    nights: pl.DataFrame, vectorised_nights: pl.DataFrame
) -> None:
    other = vectorised_nights
    assert nights.schema == other.schema
    assert_frame_equal(nights.select("patient_id", "night"), other.select("patient_id", "night"))


def test_days_are_identical_between_engines(
    nights: pl.DataFrame, vectorised_nights: pl.DataFrame
) -> None:
    other = vectorised_nights
    assert_frame_equal(nights.select(DAY_COLUMNS), other.select(DAY_COLUMNS), check_exact=True)


def test_events_table_follows_the_schema(events: pl.DataFrame) -> None:
    assert events.schema == pl.Schema(polars_schema("events"))
    assert events.height > 5 * N * NIGHTS
    kinds = set(events["kind"].cast(pl.String))
    assert {"lie_down", "fall_asleep", "episode_start", "episode_end", "cramp"} <= kinds
    assert {"awakening", "get_up_walk", "dangle_leg", "stretch", "get_up_morning"} <= kinds
    assert {"exertion_day", "hot_day", "alcohol"} <= kinds


def test_lying_down_is_the_vectorised_engines_definition(
    run: Run, vectorised_nights: pl.DataFrame
) -> None:
    """``symptoms.lying_down`` fed the vectorised engine's night-0 draws gives its diary."""
    state = NightState(run.columns, run.cfg.model, ShardStreams(SEED, 0, N))
    key = jit.stream_key(SEED, vec.NIGHT_STREAM)
    ids = run.columns["patient_id"]
    u = jit.uniforms(key, ids, 0, sx.LYING_DOWN_UNIFORMS, first=vec.ND.legs)
    z = jit.normals(key, ids, 0, sx.LYING_DOWN_NORMALS, first=vec.ND.bedtime)
    lying = sx.lying_down(u, z, state.usual_bedtime_h, night_params(run.cfg.model.night))
    first = vectorised_nights.filter(pl.col("night") == 0)
    np.testing.assert_array_equal(first["bedtime_h"].to_numpy(), lying.bedtime_h.astype(np.float32))
    np.testing.assert_array_equal(first["time_in_bed_min"].to_numpy(), lying.time_in_bed_min)
    np.testing.assert_array_equal(first["legs_elevated"].to_numpy(), lying.legs_elevated)


# ------------------------------------------------------------------ reproducibility
def test_same_seed_same_tables(run: Run) -> None:
    again = simulate()
    assert_frame_equal(run.result.nights, again.result.nights, check_exact=True)
    assert_frame_equal(run.result.events, again.result.events, check_exact=True)


def test_process_grouping_changes_nothing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ev, "PROCESS_GROUP", 37)
    again = simulate()
    assert_frame_equal(run.result.events, again.result.events, check_exact=True)
    assert_frame_equal(run.result.nights, again.result.nights, check_exact=True)


def test_growing_the_cohort_keeps_each_patients_nights_and_events(run: Run) -> None:
    small = simulate(n=300).result
    keep = pl.col("patient_id") < 300
    assert_frame_equal(small.nights, run.result.nights.filter(keep), check_exact=True)
    assert_frame_equal(small.events, run.result.events.filter(keep), check_exact=True)


def test_pool_overflow_depends_only_on_patient_and_night() -> None:
    """Past the fixed pool, a patient-night's uniforms come from its own generator."""
    block = np.full((3, 4), 0.5, dtype=np.float32)
    ids = np.array([10, 11, 12])
    pool = ev._Pool(block, seed=9, patient_id=ids, night=2)
    rows = np.array([2, 0, 2, 2])
    idx = np.array([4, 1, 9, 300])
    got = pool.take(rows, idx)
    gen = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([9, stream_key("events.overflow"), 12, 2]))
    )
    expected = gen.random(512)
    np.testing.assert_array_equal(got, [expected[0], 0.5, expected[5], expected[296]])
    # Asking in another order, or for another patient first, changes nothing.
    other = ev._Pool(block, seed=9, patient_id=ids, night=2)
    other.take(np.array([0]), np.array([40]))
    np.testing.assert_array_equal(other.take(rows[::-1], idx[::-1]), got[::-1])


# ------------------------------------------------------------------ the log is consistent
def test_events_are_in_time_order_within_each_night(events: pl.DataFrame) -> None:
    bad = events.with_columns(
        step=pl.col("t_min").diff().over("patient_id", "night"),
        kind_step=pl.col("kind").to_physical().cast(pl.Int16).diff().over("patient_id", "night"),
    ).filter((pl.col("step") < 0) | ((pl.col("step") == 0) & (pl.col("kind_step") < 0)))
    assert bad.is_empty(), bad
    # Patients' rows are contiguous and their nights in order.
    assert events["patient_id"].is_sorted()
    assert events.group_by("patient_id").agg(pl.col("night").is_sorted().all())["night"].all()


def test_every_night_starts_lying_down_and_ends_getting_up(
    events: pl.DataFrame, nights: pl.DataFrame
) -> None:
    night_rows = events.filter(pl.col("t_min") >= 0)
    ends = night_rows.group_by("patient_id", "night", maintain_order=True).agg(
        first=pl.col("kind").first().cast(pl.String),
        last=pl.col("kind").last().cast(pl.String),
        t_first=pl.col("t_min").first(),
        t_last=pl.col("t_min").last(),
    )
    ends = ends.join(
        nights.select("patient_id", "night", "time_in_bed_min"), on=["patient_id", "night"]
    )
    assert ends.height == N * NIGHTS
    assert (ends["first"] == "lie_down").all() and (ends["t_first"] == 0).all()
    assert (ends["last"] == "get_up_morning").all()
    assert (ends["t_last"] == ends["time_in_bed_min"].cast(pl.Float32)).all()
    day = events.filter(pl.col("kind").cast(pl.String).is_in(list(ev.DAY_KINDS)))
    assert (day["t_min"] < 0).all() and (day["clock_h"] == 12.0).all()


def test_episodes_stay_within_the_time_in_bed(events: pl.DataFrame, nights: pl.DataFrame) -> None:
    key = ["patient_id", "night", "episode"]
    episode_rows = events.filter(pl.col("episode").is_not_null())
    per_episode = episode_rows.group_by(key).agg(
        start=pl.col("t_min").filter(pl.col("kind") == "episode_start").first(),
        end=pl.col("t_min").filter(pl.col("kind") == "episode_end").first(),
        lo=pl.col("t_min").min(),
        hi=pl.col("t_min").max(),
        n_start=(pl.col("kind") == "episode_start").sum(),
        n_end=(pl.col("kind") == "episode_end").sum(),
    )
    per_episode = per_episode.join(
        nights.select("patient_id", "night", "time_in_bed_min"), on=["patient_id", "night"]
    )
    assert per_episode.height > N  # there are episodes at all
    assert (per_episode["n_start"] == 1).all() and (per_episode["n_end"] == 1).all()
    assert (per_episode["start"] >= 0).all()
    assert (per_episode["start"] < per_episode["time_in_bed_min"]).all()
    assert (per_episode["end"] <= per_episode["time_in_bed_min"]).all()
    # Cramps, awakenings and behaviours all happen within their episode.
    assert (per_episode["lo"] == per_episode["start"]).all()
    assert (per_episode["hi"] == per_episode["end"]).all()


def test_awakenings_are_the_episodes_above_the_waking_threshold(
    run: Run, events: pl.DataFrame
) -> None:
    key = ["patient_id", "night", "episode"]
    starts = events.filter(pl.col("kind") == "episode_start").select(*key, "intensity")
    woke = events.filter(pl.col("kind") == "awakening").select(*key).with_columns(woke=True)
    joined = starts.join(woke, on=key, how="left").with_columns(pl.col("woke").fill_null(False))
    threshold = run.cfg.model.night.wake_threshold
    assert (joined["woke"] == (joined["intensity"] > threshold)).all()


def _words(state: NightState) -> pl.DataFrame:
    """Each patient's word for each sensation (``sim.model.reporting``), as the model has it."""
    fields = [getattr(st.S, f) for f in reporting.WORD_FIELDS]
    words = state.static[:, fields].astype(np.int64)
    rows = [
        (int(pid), sx.QUALITIES[q], sx.QUALITIES[words[i, q]])
        for i, pid in enumerate(state.patient_id)
        for q in range(len(sx.QUALITIES))
    ]
    return pl.DataFrame(rows, schema=["patient_id", "quality", "word"], orient="row")


def _noted(state: NightState, nights: pl.DataFrame) -> pl.DataFrame:
    """Whether each patient notes each feature each night (``reporting.noted``)."""
    row = {int(pid): i for i, pid in enumerate(state.patient_id)}
    keys = nights.select("patient_id", "night").rows()
    out = {"patient_id": [k[0] for k in keys], "night": [k[1] for k in keys]}
    for f, flag in enumerate(sx.FLAGS):
        out[f"noted_{flag}"] = [
            bool(reporting.noted(state.static[row[p]], f, state.report_key, p, j)) for p, j in keys
        ]
    # A painless neuropathy's numb feet on a night with symptoms (``sim.model.diary``).
    numb = state.static[:, st.S.numb_feet]
    out["numb_feet"] = [
        bool(jit.uniform_at(state.report_key, p, j, diary.NUMB_FEET_DRAW) < numb[row[p]])
        for p, j in keys
    ]
    return pl.DataFrame(out).with_columns(
        pl.col("patient_id").cast(nights["patient_id"].dtype),
        pl.col("night").cast(nights["night"].dtype),
    )


def test_the_diary_is_a_function_of_the_events(
    run: Run, events: pl.DataFrame, nights: pl.DataFrame
) -> None:
    """Recompute every symptom column of the diary from the event log alone (and the
    patient's words: the quality is their word for the worst episode's sensation, and the
    word "tingling" ticks numbness or tingling; a painless neuropathy's numb feet are had on
    a night with symptoms)."""
    key = ["patient_id", "night"]
    starts = events.filter(pl.col("kind") == "episode_start")
    count = lambda kind: (pl.col("kind") == kind).sum()  # noqa: E731
    per_night = events.group_by(key).agg(
        n_episodes=count("episode_start"),
        awakenings=count("awakening"),
        cramp_count=count("cramp"),
    )
    worst = (
        starts.sort("intensity", descending=True)
        .group_by(key)
        .agg(
            onset_min=pl.col("t_min").min(),
            max_intensity=pl.col("intensity").first(),
            tied=(pl.col("intensity") == pl.col("intensity").first()).sum() > 1,
            sum_duration=pl.col("duration_min").cast(pl.Float64).sum(),
            dominant_mechanism=pl.col("mechanism").first(),
            quality=pl.col("quality").first(),
            location=pl.col("location").first(),
            side=pl.col("side").first(),
            **{f: pl.col(f).any() for f in sx.FLAGS},
        )
    )
    state = NightState(run.columns, run.cfg.model, ShardStreams(SEED, 0, N))
    words = _words(state).with_columns(pl.col("patient_id").cast(pl.Int32))
    noted = _noted(state, nights)
    worst = (
        worst.with_columns(pl.col("patient_id").cast(pl.Int32), pl.col("quality").cast(pl.String))
        .join(words, on=["patient_id", "quality"], how="left")
        .with_columns(
            quality=pl.col("word"),
        )
        .drop("word")
    )
    got = (
        nights.join(per_night, on=key, suffix="_ev")
        .join(worst, on=key, how="left", suffix="_ev")
        .join(noted, on=key, how="left")
    )
    assert got.height == N * NIGHTS
    for col in ("n_episodes", "awakenings", "cramp_count"):
        assert (got[col].cast(pl.Int64) == got[f"{col}_ev"]).all(), col
    assert_frame_equal(
        got.select(pl.col("onset_min")),
        got.select(pl.col("onset_min_ev").alias("onset_min")),
    )
    pain = got["max_intensity"].fill_null(0).round().cast(pl.Int8)  # no ties at .5: continuous
    assert (got["pain_score"] == pain).all()
    duration = pl.min_horizontal(pl.col("sum_duration").fill_null(0), pl.col("time_in_bed_min"))
    np.testing.assert_allclose(
        got["duration_min"].to_numpy(), got.select(duration).to_series().to_numpy(), rtol=1e-5
    )
    for flag in sx.FLAGS:
        had = got[f"{flag}_ev"].fill_null(False)
        if flag == "numbness_tingling":
            had = had | (got["numb_feet"] & (got["n_episodes"] > 0))
        had = had & got[f"noted_{flag}"]
        if flag == "numbness_tingling":
            had = had | (got["quality_ev"] == "tingling").fill_null(False)
        assert (got[flag] == had).all(), flag
    unique = got.filter(~pl.col("tied").fill_null(False))
    for col in ("dominant_mechanism", "quality", "location", "side"):
        assert unique[col].cast(pl.String).equals(unique[f"{col}_ev"].cast(pl.String)), col


def test_thinning_envelope_bounds_every_shape() -> None:
    """``peak_minute`` finds the maximum of each shape over the night (thinning needs it)."""
    t_bed = np.array([300.0, 456.0, 630.0])
    grid = np.linspace(0.0, 1.0, 2001)[:, None] * t_bed
    for shape in range(len(sx.SHAPES)):
        for offset in (-200.0, 0.0, 90.0, 500.0, 900.0):
            off = np.full(3, offset)
            peak = sx.shape_intensity(shape, ev.peak_minute(shape, t_bed, off), 60.0, off)
            values = sx.shape_intensity(shape, grid, 60.0, off)
            assert (values <= peak + 1e-12).all(), (sx.SHAPES[shape], offset)


# ------------------------------------------------------------------ engine=events end to end
def test_generate_with_the_event_engine_writes_events_parts(tmp_path: Path) -> None:
    cfg = compose_config(["engine=events", "cohort.n=500", "cohort.nights=3", f"out={tmp_path}"])
    generate(cfg, tmp_path / "out")
    assert (tmp_path / "out" / "events" / "part-000000.parquet").exists()
    written = read_table(tmp_path / "out", "events")
    assert written.schema == pl.Schema(polars_schema("events"))
    assert written["patient_id"].n_unique() == 500


def test_nights_without_any_episode_still_have_their_timeline() -> None:
    cfg = compose_config(
        ["cohort.n=3", "cohort.nights=2", "cohort.cause_mix={none:1.0}"]
        + ["model.mechanisms.background.rate=0"]
    )
    cols = PopulationModel(cfg.model, validate(cfg)).sample(ShardStreams(0, 0, 3))
    result = run_engine("events", cols, cfg.model, ShardStreams(0, 0, 3), nights=2)
    assert (result.nights["n_episodes"] == 0).all()
    assert result.nights["onset_min"].is_null().all()
    night_kinds = result.events.filter(pl.col("t_min") >= 0)["kind"].cast(pl.String)
    assert night_kinds.to_list() == ["lie_down", "fall_asleep", "get_up_morning"] * 6
    assert result.events["episode"].is_null().all()


def test_living_a_shard_block_by_block_equals_one_pass() -> None:
    """``run_events`` lives one RNG block at a time; the result is the whole shard's."""
    n = BLOCK + 300
    cfg = compose_config([*OVERRIDES, f"cohort.n={n}"])
    cols = PopulationModel(cfg.model, validate(cfg)).sample(ShardStreams(SEED, 0, n))
    blocks = run_engine("events", cols, cfg.model, ShardStreams(SEED, 0, n), nights=2)
    whole = ev.EventNights(cols, cfg.model, ShardStreams(SEED, 0, n), 2).run()
    assert_frame_equal(blocks.nights, whole.nights, check_exact=True)
    assert_frame_equal(blocks.events, whole.events, check_exact=True)
