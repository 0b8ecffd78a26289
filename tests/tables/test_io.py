"""Atomic output: ``out`` is replaced whole on success and untouched on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.pipeline
from sim.config import compose_config
from sim.pipeline import generate
from sim.tables.io import OutputError, atomic_output_dir, check_writable, read_table

SMALL = ["cohort.n=300", "cohort.nights=2", "cohort.seed=3"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def config():
    return compose_config(SMALL)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_generating_into_an_existing_out_replaces_it(tmp_path: Path, config) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("from an older run")
    generate(config, out)
    assert not (out / "stale.txt").exists()
    assert read_table(out, "patients").height == 300
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary folders left behind"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_failure_while_writing_keeps_the_previous_out(
    tmp_path: Path, config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(config, out)
    before = _snapshot(out)
    real_write = sim.pipeline.write_parquet

    def failing_write(df, path: Path) -> None:
        # Other parts are written for real first, so the failure leaves partial output.
        if Path(path).name == "patients.parquet":
            Path(path).write_bytes(b"PAR1 half a file")
            raise OSError(28, "No space left on device")
        real_write(df, path)

    monkeypatch.setattr(sim.pipeline, "write_parquet", failing_write)
    with pytest.raises(OSError, match="No space left"):
        generate(compose_config([*SMALL[:-1], "cohort.seed=4"]), out)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "temporary folders left behind"


def test_failed_block_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_output_dir(tmp_path / "new") as tmp:
        (tmp / "part.parquet").write_bytes(b"partial")
        raise RuntimeError("simulated crash")
    assert list(tmp_path.iterdir()) == []


def test_successful_block_appears_whole(tmp_path: Path) -> None:
    with atomic_output_dir(tmp_path / "new") as tmp:
        (tmp / "a.txt").write_text("a")
        assert not (tmp_path / "new").exists()
    assert (tmp_path / "new" / "a.txt").read_text() == "a"
    assert [p.name for p in tmp_path.iterdir()] == ["new"]


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="out=.*not a folder"):
        check_writable(target)
    assert target.read_text() == "not a folder"
