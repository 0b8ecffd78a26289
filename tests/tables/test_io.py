"""Atomic output through ``generate``: ``out`` is replaced whole on success (ours, with
``overwrite=true``) and untouched on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.pipeline
from sim.config import compose_config
from sim.runs.generate import generate
from sim.tables.io import OutputError, read_table

SMALL = ["cohort.n=300", "cohort.nights=2", "cohort.seed=3"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def config():
    return compose_config(SMALL)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_generating_into_an_earlier_run_needs_overwrite(tmp_path: Path, config) -> None:
    out = tmp_path / "out"
    generate(config, out)
    (out / "stale.txt").write_text("from an older run")
    with pytest.raises(OutputError, match="already holds an earlier run"):
        generate(config, out)
    assert (out / "stale.txt").exists()
    generate(compose_config([*SMALL, "overwrite=true"]), out)
    assert not (out / "stale.txt").exists()
    assert read_table(out, "patients").height == 300
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary folders left behind"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_generating_into_a_folder_of_the_user_is_refused(tmp_path: Path, config) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="holds no manifest.json"):
        generate(compose_config([*SMALL, "overwrite=true"]), out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_failure_while_writing_keeps_the_previous_out(
    tmp_path: Path, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(config, out)
    before = _snapshot(out)
    real_write = sim.pipeline.write_parquet

    def failing_write(df, path: Path) -> None:
        # The shard's patients part is written for real first, so the failure leaves
        # partial output (and every retry of the shard fails the same way).
        if Path(path).parent.name == "measurements":
            Path(path).write_bytes(b"PAR1 half a file")
            raise OSError(28, "No space left on device")
        real_write(df, path)

    monkeypatch.setattr(sim.pipeline, "write_parquet", failing_write)
    with pytest.raises(OSError, match="No space left"):
        generate(compose_config([*SMALL[:-1], "cohort.seed=4", "overwrite=true"]), out)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary folders left behind"


def test_ctrl_c_during_a_parquet_write_takes_effect_after_it(tmp_path: Path) -> None:
    """A SIGINT inside ``ctrl_c_deferred`` does not interrupt the block (polars' writer
    threads would print a Rust panic for it); it raises KeyboardInterrupt at the block's end,
    after the file is complete."""
    import os
    import signal

    import polars as pl

    from sim.tables.io import ctrl_c_deferred, write_parquet

    path = tmp_path / "t.parquet"
    done = []
    # The precondition, stated: Python's own Ctrl-C handler (an earlier test in the same
    # process may have left SIGINT ignored, where the block rightly changes nothing).
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with ctrl_c_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                write_parquet(pl.DataFrame({"x": list(range(100_000))}), path)
                done.append(True)
        assert done == [True]
        assert pl.read_parquet(path).height == 100_000
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
