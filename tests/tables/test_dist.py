"""The same tables whatever runs the shards: in-process, the process pool, a Dask
LocalCluster; failed shards retried, a killed Dask worker's shard recomputed, a killed run
resumed from the parts its journal proves (sim.tables.dist, sim.pipeline, sim.runs.generate)."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cloudpickle
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sim.config import ConfigError, compose_config
from sim.pipeline import TABLES, shard_options, simulate_shard
from sim.rng import BLOCK
from sim.runs.generate import generate
from sim.tables.dist import DistSettings, dist_settings, run_shards
from sim.tables.io import read_table
from sim.tables.output import INCOMPLETE, read_journal
from sim.tables.shards import shard_ranges

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
N = 7 * BLOCK  # seven one-block shards
BASE = ["cohort.n=57344", "cohort.nights=3", "cohort.seed=11", "cohort.population=presenting"]

# The fault injectors below travel to Dask workers by value (this module is not importable
# there).
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _tables(out: Path) -> dict[str, pl.DataFrame]:
    return {t: read_table(out, t) for t in TABLES if (out / t).exists()}


def _assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    assert ta.keys() == tb.keys() and {"patients", "nights", "measurements"} <= ta.keys()
    for name in ta:
        assert_frame_equal(ta[name], tb[name], check_exact=True)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory) -> Path:
    """The reference: one shard, this process."""
    out = tmp_path_factory.mktemp("one") / "out"
    result = generate(compose_config([*BASE, "cohort.shard_size=65536"]), out)
    assert result.shards == 1
    return out


@pytest.mark.slow
def test_seven_shards_in_the_pool_and_on_dask_equal_one_shard(in_process, tmp_path) -> None:
    pool = generate(
        compose_config([*BASE, "cohort.shard_size=8192", "engine.workers=2"]), tmp_path / "pool"
    )
    dask = generate(
        compose_config([*BASE, "cohort.shard_size=8192", "dist=dask", "dist.workers=2"]),
        tmp_path / "dask",
    )
    assert pool.shards == dask.shards == 7
    assert len(dask.max_rss_mb) == 2, "both Dask workers simulated shards"
    _assert_same_tables(in_process, tmp_path / "pool")
    _assert_same_tables(in_process, tmp_path / "dask")
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["dist"]["name"] == "dask" and manifest["shards"]["count"] == 7
    assert len(manifest["tables"]["nights"]["files"]) == 7


class _KillWorkerOnce:
    """Kill the process running shard ``target`` the first time (a crashed Dask worker)."""

    def __init__(self, fn, target: tuple[int, int], marker: Path) -> None:
        self.fn, self.target, self.marker = fn, target, marker

    def __call__(self, bounds):
        if tuple(bounds) == self.target and not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return self.fn(bounds)


class _FailOnce:
    """Raise the first ``times`` calls for shard ``target`` (a transient error)."""

    def __init__(self, fn, target: tuple[int, int], marker: Path, times: int = 1) -> None:
        self.fn, self.target, self.marker, self.times = fn, target, marker, times

    def __call__(self, bounds):
        if tuple(bounds) == self.target:
            failures = int(self.marker.read_text()) if self.marker.exists() else 0
            if failures < self.times:
                self.marker.write_text(str(failures + 1))
                raise OSError("transient: the file server went away")
        return self.fn(bounds)


def _parts_equal_reference(part_dir: Path, reference: Path) -> None:
    for table in ("patients", "nights", "measurements"):
        got = pl.concat([pl.read_parquet(p) for p in sorted((part_dir / table).glob("part-*"))])
        assert_frame_equal(got, read_table(reference, table), check_exact=True)


@pytest.mark.slow
def test_a_killed_dask_worker_has_its_shard_recomputed(in_process, tmp_path) -> None:
    cfg = compose_config([*BASE, "cohort.shard_size=8192"])
    from sim.config import validate

    options = shard_options(cfg, validate(cfg))
    ranges = shard_ranges(N, 8192, 2)
    part_dir = tmp_path / "parts"
    part_dir.mkdir()
    marker = tmp_path / "killed"
    job = _KillWorkerOnce(
        functools.partial(simulate_shard, options=options, part_dir=part_dir), ranges[3], marker
    )
    results = run_shards(job, ranges, DistSettings("dask", workers=2, retries=1))
    assert marker.exists(), "the worker was never killed: the test tests nothing"
    assert results[3].pid != int(marker.read_text()), "shard 3 came from the dead worker"
    assert len(results) == 7 and all(r.parts for r in results)
    _parts_equal_reference(part_dir, in_process)


@pytest.mark.parametrize("dist", ["local", "dask"])
def test_a_failed_shard_is_retried(tmp_path, dist: str) -> None:
    calls = functools.partial(_square_shard)
    marker = tmp_path / "failures"
    ranges = [(0, 1), (1, 2), (2, 3)]
    settings = DistSettings(dist, workers=1 if dist == "local" else 2, retries=1)
    assert run_shards(_FailOnce(calls, (1, 2), marker), ranges, settings) == [0, 1, 4]
    assert marker.read_text() == "1"
    marker.unlink()
    with pytest.raises(OSError, match="transient"):
        run_shards(_FailOnce(calls, (1, 2), marker, times=2), ranges, settings)


def _square_shard(bounds):
    return bounds[0] ** 2


def test_dist_settings_are_checked() -> None:
    assert dist_settings(compose_config(["dist=dask"])).name == "dask"
    for override, key in [
        ("dist.workers=-1", "dist.workers"),
        ("dist.retries=true", "dist.retries"),
        ("dist.address=localhost", "dist.address"),
        ("dist.name=spark", "dist="),
    ]:
        with pytest.raises(ConfigError, match=key):
            dist_settings(compose_config(["dist=dask", override]))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="kills a process")
def test_resume_keeps_the_proven_parts_of_a_killed_run(tmp_path) -> None:
    long = ["cohort.n=65536", "cohort.nights=200", "cohort.seed=13", "cohort.shard_size=8192"]
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "experiments.generate", *long, f"out={out}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            tmps = list(tmp_path.glob(".out.tmp-*"))
            if tmps and len(read_journal(tmps[0])[1]) >= 3:
                break
            assert proc.poll() is None, "the run finished before it was killed"
            assert time.monotonic() < deadline, "no shard finished in time"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    (tmp,) = tmps
    _, entries = read_journal(tmp)
    assert 3 <= len(entries) < 8
    # Damage one proven part: it must be simulated again, not trusted.
    damaged = next(iter(entries[0]["parts"]))
    with open(tmp / damaged, "r+b") as f:
        f.seek(100)
        f.write(b"\0" * 8)
    resumed = generate(compose_config([*long, "resume=true"]), out)
    assert resumed.resumed_shards == len(entries) - 1
    assert not (out / INCOMPLETE).exists() and list(tmp_path.glob(".out.tmp-*")) == []
    fresh = generate(compose_config(long), tmp_path / "fresh")
    assert fresh.resumed_shards == 0
    _assert_same_tables(out, tmp_path / "fresh")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["shards"]["resumed"] == len(entries) - 1


def test_resumed_parts_of_another_shard_cut_are_not_kept(tmp_path) -> None:
    """The cut depends on the number of processes, which the config digest leaves out: a
    killed run's parts that are not shards of this run's cut must not end up beside it."""
    from types import SimpleNamespace

    from sim.config import validate
    from sim.pipeline import write_tables

    n = ["cohort.n=32768", "cohort.nights=2", "cohort.seed=17"]
    wide = compose_config([*n, "cohort.shard_size=24576"])  # shards from blocks 0 and 3
    narrow = compose_config([*n, "cohort.shard_size=16384"])  # shards from blocks 0 and 2
    part_dir = tmp_path / "parts"
    part_dir.mkdir()
    first = write_tables(shard_options(wide, validate(wide)), part_dir, 1)
    # The killed run had finished its second shard (patients 24576-32767) only.
    entry = {
        "shard": [24576, 32768],
        "parts": {k: v for k, v in first.parts.items() if k.endswith("part-000003.parquet")},
    }
    for rel in first.parts:
        if rel not in entry["parts"]:
            (part_dir / rel).unlink()
    run = SimpleNamespace(resumed=[entry], journal=lambda entry: None)
    written = write_tables(shard_options(narrow, validate(narrow)), part_dir, 1, run=run)
    assert written.resumed_shards == 0 and written.shards == 2
    patients = read_table(part_dir, "patients", unfinished=True)
    assert patients.height == 32768 and patients["patient_id"].n_unique() == 32768
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_tables(shard_options(narrow, validate(narrow)), fresh, 1)
    for table in ("patients", "nights", "measurements"):
        assert_frame_equal(read_table(part_dir, table), read_table(fresh, table), check_exact=True)
