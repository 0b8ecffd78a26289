"""Classifier-benchmark wall time: the default benchmark (20,000 presenting patients x 28
nights, every configured model, 5 folds) as a user runs it.

Run with ``make bench`` or ``python -m benchmarks.classifier``. Target (issue 6): under 3
minutes on this 2-core machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import save_figures


def main() -> dict:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "benchmark"
        cmd = [
            sys.executable,
            "-m",
            "experiments.benchmark",
            f"out={out}",
            "benchmark.progress=false",
        ]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        leaderboard = (
            (out / "leaderboard.md").read_text() if (out / "leaderboard.md").exists() else ""
        )
    print(
        f"classifier benchmark (default config), {cores} cores: {seconds:.0f} s wall (target < 180 s)"
    )
    if leaderboard:
        print(leaderboard)
    figures = {"cores": cores, "wall_seconds": seconds}
    save_figures("classifier", figures)
    return figures


if __name__ == "__main__":
    main()
