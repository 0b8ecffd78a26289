"""``sim.runs.generate``: the same config and seed write identical Parquet bytes on disk."""

from __future__ import annotations

from pathlib import Path

from sim.config import compose_config
from sim.runs.generate import generate

GENERAL = ("cohort.population=general", "cohort.seed=5")


def test_generate_twice_writes_identical_parquet(tmp_path: Path) -> None:
    cfg = compose_config([*GENERAL, "cohort.n=2000", f"out={tmp_path / 'ignored'}"])
    first = generate(cfg, tmp_path / "a")
    second = generate(cfg, tmp_path / "b")
    assert first.n_patients == second.n_patients == 2000
    parts_a = _parquet_files(tmp_path / "a")
    parts_b = _parquet_files(tmp_path / "b")
    assert "patients/part-000000.parquet" in parts_a
    assert parts_a.keys() == parts_b.keys()
    for name, data in parts_a.items():
        assert data == parts_b[name], f"{name} differs between two identical runs"


def _parquet_files(out: Path) -> dict[str, bytes]:
    """Every Parquet file (tables and parts) under an output folder, by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}
