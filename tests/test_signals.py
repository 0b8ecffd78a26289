"""A run stopped by Ctrl-C or killed: one line, the previous dataset intact, no process behind,
nothing that a later run mistakes for complete (one and two local workers, and dist=dask)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import compose_config
from sim.runs.generate import generate
from sim.tables.io import read_table
from sim.tables.output import INCOMPLETE, MANIFEST, is_ours

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["cohort.n=300", "cohort.nights=2", "cohort.seed=3", "overwrite=true"]
# Long enough that the signal lands while shards are being simulated (several seconds).
LONG = ["cohort.n=1000000", "cohort.nights=28", "cohort.seed=5", "overwrite=true"]


def _session_pids(sid: int) -> list[int]:
    """Every live process of session ``sid`` (the run and whatever it started)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """An earlier complete dataset (also compiles the model for the subprocesses)."""
    out = tmp_path_factory.mktemp("prev") / "out"
    generate(compose_config(SMALL), out)
    return out


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the Linux process table")
@pytest.mark.parametrize("workers", [1, 2, "dask"])
@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_a_stopped_run_leaves_the_previous_dataset_and_no_process(
    previous: Path, tmp_path: Path, workers: int | str, how: str
) -> None:
    out = tmp_path / "out"
    generate(compose_config(SMALL), out)
    before = _snapshot(out)
    # A process started in the background by a shell without job control (``cmd &``, as a
    # CI script may start the suite) ignores SIGINT, and an ignored signal is inherited
    # across exec: the run would never see the Ctrl-C. Start it as a terminal would, with
    # the default disposition (a Python handler here is reset to the default in the child).
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "experiments.generate", *LONG, f"out={out}"]
            + (
                ["dist=dask", "dist.workers=2"]
                if workers == "dask"
                else [f"engine.workers={workers}"]
            ),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own session: we can find every process it starts
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    try:
        _wait_for(lambda: list(tmp_path.glob(".out.tmp-*")), 120, "the run's temporary folder")
        if workers != 1:
            _wait_for(lambda: _children(proc.pid), 30, "a spawned worker")
        time.sleep(1.0)  # let the shards get going
        if how == "SIGINT" and workers == 1:  # meanwhile, a second run into the same out
            second = subprocess.run(
                [sys.executable, "-m", "experiments.generate", *SMALL, f"out={out}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode == 2
            lines = second.stderr.strip().splitlines()
            assert len(lines) == 1 and f"in use by another run (pid {proc.pid})" in lines[0]
        assert proc.poll() is None, "the run ended before the signal: make LONG longer"
        if how == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        else:
            os.kill(proc.pid, signal.SIGKILL)  # the parent alone: its workers are orphaned
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    _wait_for(lambda: not _session_pids(proc.pid), 10, "every process of the run to end")

    assert _snapshot(out) == before, "the previous dataset changed"
    leftovers = list(tmp_path.glob(".out.*"))
    if how == "SIGINT":
        assert proc.returncode == 130
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("interrupted:"), stderr
        assert leftovers == []
    else:
        assert proc.returncode == -signal.SIGKILL
        # What it left is marked unfinished and holds no manifest: nothing looks complete
        # (the lock file may stay too; the kernel released the lock with the process).
        for folder in (p for p in leftovers if p.name != ".out.lock"):
            assert (folder / INCOMPLETE).exists() and not (folder / MANIFEST).exists()
            with pytest.raises(FileNotFoundError, match="unfinished"):
                read_table(folder, "patients")
        # The next run into the same out cleans up after it.
        generate(compose_config([*SMALL[:-2], "cohort.seed=4", "overwrite=true"]), out)
        assert is_ours(out) and read_table(out, "patients").height == 300
        assert list(tmp_path.glob(".out.*")) == []
