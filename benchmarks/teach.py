"""Teaching-set wall time: every preset under conf/teaching/ generated as a teacher runs it
(``python -m experiments.teach teaching=<preset>``, a fresh process each, default sizes,
simulation, scoring of the solutions and writing included: tables, DuckDB, casebook,
descriptors).

Run with ``make bench`` or ``python -m benchmarks.teach``. Target (issue 15): each preset
under a minute on this 2-core machine. A first run after an edit under ``sim/`` also pays
the model's compilation (about a minute): run it twice, or read the second preset on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import save_figures

PRESETS_DIR = Path(__file__).resolve().parents[1] / "conf" / "teaching"
TARGET_S = 60.0


def presets() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def main() -> dict:
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for preset in presets():
            out = Path(tmp) / preset
            cmd = [sys.executable, "-m", "experiments.teach", f"teaching={preset}", f"out={out}"]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            manifest = json.loads((out / "manifest.json").read_text())
            config, head = manifest["config"], manifest["achievable"]
            rows.append(
                {
                    "preset": preset,
                    "n": config["cohort"]["n"],
                    "nights": config["cohort"]["nights"],
                    "wall_seconds": round(seconds, 1),
                    "simulate_s": round(manifest["timings"]["simulate_s"], 1),
                    "solutions_s": round(manifest["timings"]["solutions_s"], 1),
                    "write_s": round(manifest["timings"]["write_s"], 1),
                    "oracle_macro_f1": head["oracle"]["macro_f1"],
                    "best_model_macro_f1": head["best_model"]["macro_f1"],
                    "triage_macro_f1": head["triage"]["macro_f1"],
                    "urgent_missed": f"{head['urgent_missed']['missed']}/"
                    f"{head['urgent_missed']['urgent']}",
                }
            )
    print(f"teaching presets, {cores} cores, fresh process each (target < {TARGET_S:.0f} s):")
    print(
        "| preset | n | nights | wall s | simulate s | solutions s | write s | oracle | best "
        "| triage | urgent missed |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['preset']} | {r['n']} | {r['nights']} | {r['wall_seconds']:.1f} | "
            f"{r['simulate_s']:.1f} | {r['solutions_s']:.1f} | {r['write_s']:.1f} | "
            f"{r['oracle_macro_f1']:.3f} | "
            f"{r['best_model_macro_f1']:.3f} | {r['triage_macro_f1']:.3f} | "
            f"{r['urgent_missed']} |"
        )
    figures = {"cores": cores, "presets": rows}
    save_figures("teach", figures)
    return figures


if __name__ == "__main__":
    main()
