"""Event-engine benchmark: patient-nights per second on one core, and vectorised / event ratio.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks.events [--n 8192]``.

Both engines simulate the same cohort (same patients, same days) in one run, in a
subprocess pinned to one thread (polars, numpy, BLAS). Each engine is timed ``repeats``
times and the fastest run counts; the time covers the engine and its typed tables
(``nights``, and ``events`` for the event engine), not the population or Parquet writing.
Rates are given on wall-clock time and on the process's CPU time: on a busy machine the
CPU-time rate is the fairer "one core" figure. Two cohorts: ``presenting`` with a balanced
cause mix (every night busy: the hard case) and the ``general`` population (mostly
controls). Target: at least 20,000 patient-nights/s for the event engine on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks.common import ONE_THREAD, save_figures

TARGET_PN_PER_S = 20_000
COHORTS = {
    "presenting-balanced": ["cohort.population=presenting", "cohort.cause_mix=balanced"],
    "general": ["cohort.population=general", "cohort.cause_mix=population"],
}


def measure(cohort: str, n: int, nights: int, repeats: int) -> dict:
    """Time both engines on one cohort in this process (call it in a pinned subprocess)."""
    from sim.config import compose_config, validate
    from sim.engines import run_engine
    from sim.model.population import PopulationModel
    from sim.rng import ShardStreams

    cfg = compose_config([*COHORTS[cohort], f"cohort.n={n}", f"cohort.nights={nights}"])
    valid = validate(cfg)
    columns = PopulationModel(cfg.model, valid).sample(ShardStreams(valid.seed, 0, n))
    figures: dict = {"cohort": cohort, "n": n, "nights": nights, "patient_nights": n * nights}
    for engine in ("vectorised", "events"):
        best_wall = best_cpu = float("inf")
        for _ in range(repeats):
            streams = ShardStreams(valid.seed, 0, n)
            wall, cpu = time.perf_counter(), time.process_time()
            result = run_engine(engine, columns, cfg.model, streams, nights=nights)
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        figures[engine] = {
            "seconds_wall": best_wall,
            "seconds_cpu": best_cpu,
            "pn_per_s_wall": n * nights / best_wall,
            "pn_per_s_cpu": n * nights / best_cpu,
        }
        if result.events is not None:
            figures[engine]["events_rows"] = result.events.height
            figures[engine]["events_per_patient_night"] = result.events.height / (n * nights)
    figures["ratio_vectorised_over_events_wall"] = (
        figures["events"]["seconds_wall"] / figures["vectorised"]["seconds_wall"]
    )
    figures["ratio_vectorised_over_events_cpu"] = (
        figures["events"]["seconds_cpu"] / figures["vectorised"]["seconds_cpu"]
    )
    return figures


def _run(cohort: str, n: int, nights: int, repeats: int) -> dict:
    env = dict(os.environ, **ONE_THREAD)
    cmd = [
        sys.executable, "-m", "benchmarks.events", "--measure", cohort, "--n", str(n),
        "--nights", str(nights), "--repeats", str(repeats),
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(n: int = 8192, nights: int = 28, repeats: int = 3) -> dict:
    """Print and return the event-engine figures (``benchmarks.run`` calls this)."""
    cores = os.cpu_count() or 1
    print(f"event engine: {n} patients x {nights} nights, one core pinned, {cores} cores")
    runs = {cohort: _run(cohort, n, nights, repeats) for cohort in COHORTS}
    head = runs["presenting-balanced"]
    summary = {
        "cores": cores,
        "n": n,
        "nights": nights,
        "events_pn_per_s_1core_cpu": head["events"]["pn_per_s_cpu"],
        "events_pn_per_s_1core_wall": head["events"]["pn_per_s_wall"],
        "vectorised_pn_per_s_1core_cpu": head["vectorised"]["pn_per_s_cpu"],
        "ratio_vectorised_over_events": head["ratio_vectorised_over_events_cpu"],
        "meets_target": head["events"]["pn_per_s_cpu"] >= TARGET_PN_PER_S,
    }
    print(
        f"{'cohort':22s} {'engine':>10s} {'pn/s (cpu)':>12s} {'pn/s (wall)':>12s} "
        f"{'events/pn':>10s}"
    )
    for cohort, figures in runs.items():
        for engine in ("vectorised", "events"):
            f = figures[engine]
            per = f"{f['events_per_patient_night']:10.1f}" if "events_rows" in f else " " * 10
            print(
                f"{cohort:22s} {engine:>10s} {f['pn_per_s_cpu']:12,.0f} "
                f"{f['pn_per_s_wall']:12,.0f} {per}"
            )
        print(
            f"{cohort:22s} {'ratio':>10s} {figures['ratio_vectorised_over_events_cpu']:12.1f} "
            f"{figures['ratio_vectorised_over_events_wall']:12.1f}   (vectorised / events)"
        )
    verdict = "meets" if summary["meets_target"] else "MISSES"
    print(
        f"event engine {summary['events_pn_per_s_1core_cpu']:,.0f} pn/s on one core "
        f"(presenting, balanced): {verdict} the {TARGET_PN_PER_S:,} target"
    )
    save_figures("events", {"summary": summary, "runs": runs})
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", choices=list(COHORTS))
    parser.add_argument("--n", type=int, default=8192)
    parser.add_argument("--nights", type=int, default=28)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.n, args.nights, args.repeats)))
    else:
        main(args.n, args.nights, args.repeats)
